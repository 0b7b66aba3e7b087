"""Golden values for FeedbackLoop.Evaluation from scikit-learn 1.2.1 (Debian python3-sklearn).

Run with /usr/bin/python3 from this directory; writes evaluation_reference.json. The inputs are generated here with
numpy's seeded generator and stored in the JSON, so the .NET tests never call Python. Scores are rounded to one or two
decimals so that ties are common; weights are drawn from {0, 0.5, 1, 2, 3} (zero weights included).

ECE and MCE are not in scikit-learn; they are computed here from their definition (Naeini, Cooper & Hauskrecht 2015,
"Obtaining Well Calibrated Probabilities Using Bayesian Binning", AAAI; Guo et al. 2017, "On Calibration of Modern
Neural Networks", ICML, eq. 3): ECE = sum_b n_b / n * |acc_b - conf_b|, MCE = max_b |acc_b - conf_b| over non-empty
bins, on the bins of sklearn.calibration.calibration_curve, whose per-bin values are checked against it.
"""
import json

import numpy as np
import sklearn
from sklearn import metrics
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.isotonic import IsotonicRegression

assert sklearn.__version__.startswith("1.2"), sklearn.__version__
rng = np.random.default_rng(20261122)
cases = {"binary": [], "multiclass": [], "regression": [], "calibration": [], "welch": [], "isotonic": []}


def weights_for(n, weighted):
    return rng.choice([0.0, 0.5, 1.0, 2.0, 3.0], size=n).tolist() if weighted else None


def binary_case(name, n, prevalence, decimals, weighted):
    y = (rng.random(n) < prevalence).astype(int)
    raw = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)
    score = np.round(raw, decimals)
    pred = (score >= 0.5).astype(int)
    w = weights_for(n, weighted)
    sw = None if w is None else np.array(w)
    cm = metrics.confusion_matrix(y, pred, labels=[0, 1], sample_weight=sw)
    case = {
        "name": name, "actual": y.tolist(), "predicted": pred.tolist(), "scores": score.tolist(), "weights": w,
        "accuracy": metrics.accuracy_score(y, pred, sample_weight=sw),
        "balanced_accuracy": metrics.balanced_accuracy_score(y, pred, sample_weight=sw),
        "precision": metrics.precision_score(y, pred, sample_weight=sw, zero_division=0),
        "recall": metrics.recall_score(y, pred, sample_weight=sw, zero_division=0),
        "f1": metrics.f1_score(y, pred, sample_weight=sw, zero_division=0),
        "mcc": metrics.matthews_corrcoef(y, pred, sample_weight=sw),
        "kappa": metrics.cohen_kappa_score(y, pred, sample_weight=sw),
        "roc_auc": metrics.roc_auc_score(y, score, sample_weight=sw),
        "average_precision": metrics.average_precision_score(y, score, sample_weight=sw),
        "log_loss": metrics.log_loss(y, score, sample_weight=sw, labels=[0, 1]),
        "brier": metrics.brier_score_loss(y, score, sample_weight=sw),
        "confusion": cm.astype(float).tolist(),
    }
    cases["binary"].append(case)


def multiclass_case(name, n, k, weighted):
    y = rng.integers(0, k, size=n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    proba = np.round(proba, 2)
    proba[:, -1] = 1.0 - proba[:, :-1].sum(axis=1)
    proba = np.clip(proba, 0, 1)
    proba = proba / proba.sum(axis=1, keepdims=True)
    pred = proba.argmax(axis=1)
    w = weights_for(n, weighted)
    sw = None if w is None else np.array(w)
    labels = list(range(k))
    case = {"name": name, "classes": k, "actual": y.tolist(), "predicted": pred.tolist(),
            "probabilities": proba.ravel().tolist(), "weights": w,
            "accuracy": metrics.accuracy_score(y, pred, sample_weight=sw),
            "balanced_accuracy": metrics.balanced_accuracy_score(y, pred, sample_weight=sw),
            "mcc": metrics.matthews_corrcoef(y, pred, sample_weight=sw),
            "kappa": metrics.cohen_kappa_score(y, pred, sample_weight=sw),
            "log_loss": metrics.log_loss(y, proba, sample_weight=sw, labels=labels),
            "roc_auc_ovr_macro": metrics.roc_auc_score(y, proba, sample_weight=sw, multi_class="ovr", average="macro", labels=labels),
            "roc_auc_ovr_weighted": metrics.roc_auc_score(y, proba, sample_weight=sw, multi_class="ovr", average="weighted", labels=labels),
            "confusion": metrics.confusion_matrix(y, pred, labels=labels, sample_weight=sw).astype(float).tolist()}
    for average in ["micro", "macro", "weighted"]:
        case[f"precision_{average}"] = metrics.precision_score(y, pred, labels=labels, average=average, sample_weight=sw, zero_division=0)
        case[f"recall_{average}"] = metrics.recall_score(y, pred, labels=labels, average=average, sample_weight=sw, zero_division=0)
        case[f"f1_{average}"] = metrics.f1_score(y, pred, labels=labels, average=average, sample_weight=sw, zero_division=0)
    case["precision_per_class"] = metrics.precision_score(y, pred, labels=labels, average=None, sample_weight=sw, zero_division=0).tolist()
    case["recall_per_class"] = metrics.recall_score(y, pred, labels=labels, average=None, sample_weight=sw, zero_division=0).tolist()
    case["f1_per_class"] = metrics.f1_score(y, pred, labels=labels, average=None, sample_weight=sw, zero_division=0).tolist()
    cases["multiclass"].append(case)


def regression_case(name, n, weighted, ties):
    y = rng.normal(10, 3, size=n)
    if ties:
        y = np.round(y)
        y[0] = 0.0  # an actual of zero: MAPE divides by max(|y|, eps), so this one term dominates
    pred = y + rng.normal(0, 1.5, size=n)
    if ties:
        pred = np.round(pred)
    w = weights_for(n, weighted)
    sw = None if w is None else np.array(w)
    case = {"name": name, "actual": y.tolist(), "predicted": pred.tolist(), "weights": w,
            "mae": metrics.mean_absolute_error(y, pred, sample_weight=sw),
            "mse": metrics.mean_squared_error(y, pred, sample_weight=sw),
            "rmse": metrics.mean_squared_error(y, pred, sample_weight=sw, squared=False),
            "r2": metrics.r2_score(y, pred, sample_weight=sw),
            "mape": metrics.mean_absolute_percentage_error(y, pred, sample_weight=sw),
            "median_ae": metrics.median_absolute_error(y, pred, sample_weight=sw)}
    cases["regression"].append(case)


def calibration_case(name, n, bins, strategy, decimals):
    p = np.round(rng.beta(2, 3, size=n), decimals)
    y = (rng.random(n) < np.clip(p * 1.2, 0, 1)).astype(int)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy=strategy)
    # The bins as calibration_curve forms them (sklearn/calibration.py, 1.2): edges, then searchsorted on the inner ones.
    if strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 1, bins + 1) * 100)
    else:
        edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], p)
    counts = np.bincount(ids, minlength=len(edges))
    sums = np.bincount(ids, weights=p, minlength=len(edges))
    trues = np.bincount(ids, weights=y, minlength=len(edges))
    nonzero = counts != 0
    assert np.allclose(trues[nonzero] / counts[nonzero], prob_true) and np.allclose(sums[nonzero] / counts[nonzero], prob_pred)
    gaps = np.abs(trues[nonzero] / counts[nonzero] - sums[nonzero] / counts[nonzero])
    cases["calibration"].append({
        "name": name, "actual": y.tolist(), "probabilities": p.tolist(), "bins": bins, "strategy": strategy,
        "fraction_positive": prob_true.tolist(), "mean_predicted": prob_pred.tolist(),
        "counts": counts[nonzero].astype(int).tolist(),
        "ece": float(np.sum(counts[nonzero] / len(p) * gaps)), "mce": float(np.max(gaps))})


def welch_case(name, a, b):
    # scipy 1.10.1 ttest_ind(a, b, equal_var=False, alternative="greater"); the Welch-Satterthwaite degrees of freedom
    # from their definition (scipy 1.10 does not return them).
    res = stats.ttest_ind(a, b, equal_var=False, alternative="greater")
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    cases["welch"].append({"name": name, "a": list(map(float, a)), "b": list(map(float, b)),
                           "statistic": float(res.statistic), "df": float(df), "p": float(res.pvalue)})


binary_case("small-ties", 40, 0.4, 1, False)
binary_case("small-ties-weighted", 40, 0.4, 1, True)
binary_case("imbalanced", 500, 0.05, 2, False)
binary_case("imbalanced-weighted", 500, 0.05, 2, True)
binary_case("balanced-fine", 2000, 0.5, 3, True)
multiclass_case("three-classes", 60, 3, False)
multiclass_case("three-classes-weighted", 60, 3, True)
multiclass_case("five-classes-weighted", 400, 5, True)
regression_case("gaussian", 50, False, False)
regression_case("gaussian-weighted", 50, True, False)
regression_case("ties-weighted", 301, True, True)
regression_case("ties", 300, False, True)
calibration_case("uniform-10", 500, 10, "uniform", 2)
calibration_case("uniform-7-coarse", 200, 7, "uniform", 1)
calibration_case("quantile-10", 500, 10, "quantile", 3)
calibration_case("quantile-5-ties", 300, 5, "quantile", 1)
welch_case("small", [1, 2, 3, 4, 5.5], [1, 1.5, 2, 2, 2.5, 3])
welch_case("unequal-variances", rng.normal(0.3, 2.0, 40), rng.normal(0.0, 0.5, 400))
welch_case("errors-0-1", (rng.random(200) < 0.4).astype(float), (rng.random(2000) < 0.1).astype(float))
welch_case("tiny-p", rng.normal(1.0, 1.0, 300), rng.normal(0.0, 1.0, 300))
welch_case("lower-mean", rng.normal(-0.2, 1.0, 50), rng.normal(0.0, 1.0, 60))

def isotonic_case(name, n, decimals, weighted):
    # sklearn.isotonic.IsotonicRegression(out_of_bounds="clip"), the calibrator of NannyML's CBPE, fitted on scores
    # with ties and predicted on a grid that runs past both ends.
    x = np.round(rng.random(n), decimals)
    y = (rng.random(n) < x ** 2).astype(float)
    w = weights_for(n, weighted)
    model = IsotonicRegression(out_of_bounds="clip").fit(x, y, sample_weight=None if w is None else np.array(w))
    grid = np.linspace(-0.1, 1.1, 61)
    cases["isotonic"].append({"name": name, "x": x.tolist(), "y": y.tolist(), "weights": w,
                              "grid": grid.tolist(), "predicted": model.predict(grid).tolist()})


isotonic_case("ties", 200, 1, False)
isotonic_case("fine", 500, 3, False)
isotonic_case("weighted-ties", 300, 2, True)

with open("evaluation_reference.json", "w") as f:
    json.dump(cases, f, indent=None, separators=(",", ":"))
print({k: len(v) for k, v in cases.items()})
