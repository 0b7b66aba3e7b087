#!/usr/bin/python3
"""Golden values for FeedbackLoop.Evaluation.BinaryClassificationMetrics.

Run from this folder with the Debian interpreter (python3-sklearn, python3-numpy):

    /usr/bin/python3 make_binary_metrics.py

It writes binary_metrics.json next to itself. Boolean arrays are stored as strings of '0'/'1' and real
arrays as JSON numbers (Python's repr, which round-trips exactly), so the .NET tests read the very same
float64 values that scikit-learn saw. A case without "scores" uses "probabilities" as its ROC scores.
"""
import json
import os
import platform

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, brier_score_loss, log_loss, roc_auc_score

rng = np.random.default_rng(20240611)


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def simulate(n, prevalence, separation):
    """Labels with the given prevalence and probabilities from a noisy logistic model."""
    actual = rng.random(n) < prevalence
    logits = np.where(actual, separation, -separation) + rng.normal(0.0, 1.0, n)
    return actual, logits, logistic(logits)


def bits(values):
    return "".join("1" if v else "0" for v in values)


def case(name, description, actual, probabilities, predicted=None, scores=None, weights=None):
    actual = np.asarray(actual, dtype=bool)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    predicted = probabilities >= 0.5 if predicted is None else np.asarray(predicted, dtype=bool)
    roc_scores = probabilities if scores is None else np.asarray(scores, dtype=np.float64)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    result = {
        "name": name,
        "description": description,
        "n": int(actual.size),
        "actual": bits(actual),
        "predicted": bits(predicted),
        "probabilities": probabilities.tolist(),
    }
    if scores is not None:
        result["scores"] = roc_scores.tolist()
    if w is not None:
        result["weights"] = w.tolist()
    # labels=[False, True] so that log_loss accepts a single-class y_true (it cannot infer the second label).
    result["expected"] = {
        "accuracy": float(accuracy_score(actual, predicted, sample_weight=w)),
        "roc_auc": float(roc_auc_score(actual, roc_scores, sample_weight=w)),
        "log_loss": float(log_loss(actual, probabilities, sample_weight=w, labels=[False, True])),
        "brier_score": float(brier_score_loss(actual, probabilities, sample_weight=w)),
    }
    return result


cases = []

actual, logits, probabilities = simulate(1_000, 0.5, 1.0)
cases.append(case("random_scores", "n=1000, balanced, continuous scores (logits) and probabilities",
                  actual, probabilities, scores=logits))

actual, _, probabilities = simulate(500, 0.4, 0.8)
rounded = np.round(probabilities, 1)
cases.append(case("heavy_ties", "n=500, probabilities rounded to 1 decimal (at most 11 distinct scores)",
                  actual, rounded))

cases.append(case("tiny_n2", "n=2, one example of each class",
                  [False, True], [0.3, 0.8]))

cases.append(case("tiny_n3_tie", "n=3, a positive and a negative tied on score",
                  [True, False, True], [0.6, 0.6, 0.2]))

actual, logits, probabilities = simulate(2_000, 0.03, 1.5)
cases.append(case("unbalanced", "n=2000, about 3% positives",
                  actual, probabilities, scores=logits))

actual, _, probabilities = simulate(800, 0.35, 0.9)
weights = rng.uniform(0.0, 5.0, actual.size)
weights[rng.random(actual.size) < 0.05] = 0.0
cases.append(case("weighted", "n=800, continuous weights in [0, 5) with about 5% zero weights",
                  actual, probabilities, weights=weights))

actual, _, probabilities = simulate(600, 0.5, 0.6)
rounded = np.round(probabilities, 1)
weights = rng.integers(1, 5, actual.size).astype(np.float64)
cases.append(case("weighted_ties", "n=600, probabilities rounded to 1 decimal, integer weights 1..4",
                  actual, rounded, weights=weights))

actual, _, probabilities = simulate(60, 0.5, 1.0)
probabilities[:10] = 0.0
probabilities[10:20] = 1.0
probabilities[20:25] = 1e-17
cases.append(case("extreme_probabilities",
                  "n=60 with exact 0 and 1 and sub-epsilon probabilities, exercising the log-loss clipping",
                  actual, probabilities))

actual, _, probabilities = simulate(100_000, 0.3, 0.7)
# Six decimals keep the file small and leave some ties among 100,000 scores.
rounded = np.round(probabilities, 6)
cases.append(case("large_100k", "n=100000, prevalence 0.3, probabilities rounded to 6 decimals",
                  actual, rounded))

document = {
    "generator": "make_binary_metrics.py",
    "python": platform.python_version(),
    "numpy": np.__version__,
    "sklearn": sklearn.__version__,
    "log_loss_eps": float(np.finfo(np.float64).eps),
    "notes": "accuracy_score, roc_auc_score, log_loss (eps='auto' = float64 machine epsilon in "
             "scikit-learn 1.2), brier_score_loss; all with sample_weight when 'weights' is present.",
    "cases": cases,
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "binary_metrics.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(document, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {path}: {os.path.getsize(path):,} bytes, {len(cases)} cases")
for c in cases:
    print(c["name"], c["n"], c["expected"])
