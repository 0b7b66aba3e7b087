#!/usr/bin/python3
"""Times scikit-learn on the data of EvaluationBenchmarks (1,000,000 examples).

Run with Debian's /usr/bin/python3 (scikit-learn 1.2.1, numpy 1.24.2) right after the .NET benchmarks, on the same
machine:  /usr/bin/python3 benchmarks/reference/time_sklearn_metrics.py

The data are the benchmark's: label i is u_i < 0.3 with u from SplitMix64 seed 11; score i is 0.3 * label + 0.7 * v_i
with v from seed 12, rounded to 3 decimals - the same formulas as EvaluationBenchmarks. Prints the best of 5 runs per
metric, in milliseconds, and the values, which the .NET benchmark's values must equal.
"""
import timeit

import numpy as np
from sklearn import metrics

from time_scipy_two_sample import splitmix_uniform

N = 1_000_000
with np.errstate(over="ignore"):
    actual = splitmix_uniform(11, N) < 0.3
    scores = np.round(0.3 * actual + 0.7 * splitmix_uniform(12, N), 3)

for name, fn in [
    ("roc_auc_score", lambda: metrics.roc_auc_score(actual, scores)),
    ("log_loss", lambda: metrics.log_loss(actual, scores)),
    ("brier_score_loss", lambda: metrics.brier_score_loss(actual, scores)),
]:
    best = min(timeit.repeat(fn, number=1, repeat=5)) * 1000
    print(f"{name:18s} {best:8.1f} ms   value {fn():.12f}")
