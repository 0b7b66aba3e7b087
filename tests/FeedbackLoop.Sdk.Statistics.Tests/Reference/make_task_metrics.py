#!/usr/bin/python3
"""Golden values for FeedbackLoop.Evaluation.Metric on labels and outputs of every task.

Run from this folder with the Debian interpreter (python3-sklearn, python3-numpy):

    /usr/bin/python3 make_task_metrics.py

It writes task_metrics.json next to itself. Real arrays are JSON numbers (Python's repr, which round-trips
exactly). Multiclass cases give the class names, the actual and predicted class indices and the per-class
probabilities row-major; the predicted class is the first most probable one (numpy's argmax), as
PredictionOutput.Multiclass chooses it. Binary cases give 0/1 labels and the positive-class probability.
"""
import json
import os
import platform

import numpy as np
import sklearn
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    matthews_corrcoef,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)

rng = np.random.default_rng(20261202)


def multiclass_case(name, classes, n, weighted=False, absent=None, unused=None):
    k = len(classes)
    actual = rng.integers(0, k, n)
    if absent is not None:
        actual[actual == absent] = (absent + 1) % k
    # Probabilities that lean towards the actual class, so the metrics are neither trivial nor perfect.
    alpha = np.ones((n, k))
    alpha[np.arange(n), actual] += 2.0
    probabilities = np.array([rng.dirichlet(a) for a in alpha])
    if unused is not None:
        # A declared class nobody has and no model predicts: macro-F1 still averages over it (F1 0).
        actual[actual == unused] = (unused + 1) % k
        probabilities[:, unused] = 0.0
        probabilities /= probabilities.sum(axis=1, keepdims=True)
    predicted = probabilities.argmax(axis=1)
    weights = rng.uniform(0.0, 3.0, n) if weighted else None
    labels = list(range(k))
    expected = {
        "accuracy": accuracy_score(actual, predicted, sample_weight=weights),
        "balanced_accuracy": balanced_accuracy_score(actual, predicted, sample_weight=weights),
        "f1_macro": f1_score(actual, predicted, labels=labels, average="macro", sample_weight=weights, zero_division=0),
        "matthews_corrcoef": matthews_corrcoef(actual, predicted, sample_weight=weights),
        "log_loss": log_loss(actual, probabilities, labels=labels, sample_weight=weights),
    }
    case = {
        "name": name,
        "task": "multiclass",
        "classes": classes,
        "actual": actual.tolist(),
        "predicted": predicted.tolist(),
        "probabilities": probabilities.ravel().tolist(),
        "expected": expected,
    }
    if weights is not None:
        case["weights"] = weights.tolist()
    return case


def regression_case(name, n, weighted=False):
    actual = rng.normal(50.0, 12.0, n)
    predicted = actual + rng.normal(1.5, 4.0, n)
    weights = rng.uniform(0.0, 3.0, n) if weighted else None
    expected = {
        "mean_absolute_error": mean_absolute_error(actual, predicted, sample_weight=weights),
        "mean_squared_error": mean_squared_error(actual, predicted, sample_weight=weights),
        "root_mean_squared_error": mean_squared_error(actual, predicted, sample_weight=weights, squared=False),
        "r2": r2_score(actual, predicted, sample_weight=weights),
    }
    case = {"name": name, "task": "regression", "actual": actual.tolist(), "predicted": predicted.tolist(), "expected": expected}
    if weights is not None:
        case["weights"] = weights.tolist()
    return case


def binary_case(name, n):
    actual = rng.random(n) < 0.4
    probabilities = 1.0 / (1.0 + np.exp(-(np.where(actual, 1.0, -1.0) + rng.normal(0.0, 1.2, n))))
    predicted = probabilities >= 0.5
    expected = {
        "accuracy": accuracy_score(actual, predicted),
        "balanced_accuracy": balanced_accuracy_score(actual, predicted),
        "f1_macro": f1_score(actual, predicted, average="macro"),
        "matthews_corrcoef": matthews_corrcoef(actual, predicted),
        "log_loss": log_loss(actual, probabilities, labels=[False, True]),
        "roc_auc": roc_auc_score(actual, probabilities),
    }
    return {
        "name": name,
        "task": "binary",
        "actual": actual.astype(int).tolist(),
        "probabilities": probabilities.tolist(),
        "expected": expected,
    }


cases = [
    multiclass_case("multiclass_4", ["billing", "technical", "sales", "other"], 80),
    multiclass_case("multiclass_weighted", ["a", "b", "c"], 60, weighted=True),
    multiclass_case("multiclass_absent_class", ["north", "south", "east", "west", "centre"], 50, absent=3),
    multiclass_case("multiclass_unused_class", ["north", "south", "east", "west"], 50, unused=2),
    regression_case("regression", 70),
    regression_case("regression_weighted", 40, weighted=True),
    binary_case("binary", 90),
]

document = {
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
    "python": platform.python_version(),
    "cases": cases,
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "task_metrics.json"), "w") as f:
    json.dump(document, f, indent=1)
