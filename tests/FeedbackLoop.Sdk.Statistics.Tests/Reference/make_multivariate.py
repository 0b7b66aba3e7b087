#!/usr/bin/python3
"""Reference values for PcaReconstructionDrift (tests/FeedbackLoop.Sdk.Tests/Drift/PcaReconstructionDriftTests.cs).

Run from this folder with /usr/bin/python3 (scikit-learn 1.2.1); writes multivariate.json. The pipeline is NannyML's
data reconstruction: StandardScaler, then PCA(n_components=0.65), then the Euclidean distance between each scaled row
and its inverse transform; thresholds are the mean of 10 reference chunks' mean errors plus and minus 3 population
standard deviations.
"""
import json

import numpy as np
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(2026)


def rows(n, correlation):
    x1 = rng.normal(0, 1, n)
    x2 = correlation * x1 + np.sqrt(1 - correlation ** 2) * rng.normal(0, 1, n)
    x3 = rng.normal(3, 5, n)
    x4 = np.full(n, 2.5)
    return np.column_stack([x1, x2, x3, x4])


reference = rows(300, 0.9)
stable = rows(100, 0.9)
flipped = rows(100, -0.9)

scaler = StandardScaler().fit(reference)
pca = PCA(n_components=0.65, svd_solver="full").fit(scaler.transform(reference))


def errors(data):
    z = scaler.transform(data)
    return np.linalg.norm(z - pca.inverse_transform(pca.transform(z)), axis=1)


chunk_errors = [float(errors(reference[k * 30:(k + 1) * 30]).mean()) for k in range(10)]
mean, sd = np.mean(chunk_errors), np.std(chunk_errors)
out = {
    "sklearn": __import__("sklearn").__version__,
    "reference": reference.tolist(),
    "stable": stable.tolist(),
    "flipped": flipped.tolist(),
    "components": int(pca.n_components_),
    "chunk_errors": chunk_errors,
    "lower": float(mean - 3 * sd),
    "upper": float(mean + 3 * sd),
    "stable_errors": errors(stable).tolist(),
    "stable_mean": float(errors(stable).mean()),
    "flipped_mean": float(errors(flipped).mean()),
}
with open("multivariate.json", "w") as f:
    json.dump(out, f)
print(out["components"], out["lower"], out["upper"], out["stable_mean"], out["flipped_mean"])
