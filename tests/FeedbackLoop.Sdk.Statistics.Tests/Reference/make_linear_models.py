#!/usr/bin/python3
"""Reference values for SoftmaxRegressionLearner and RidgeRegressionLearner (tests/.../Learning).

Builds small seeded datasets, encodes them the way the learners do (StandardScaler on the numeric columns,
OneHotEncoder with sorted categories on the categorical ones, numeric columns first; see
make_logistic_regression.py), and fits:

- LogisticRegression(multi_class="multinomial", penalty="l2", C=1/(sum(w)*l2)): scikit-learn 1.2 minimises
  sum_i w_i CE_i / sum(w) + 1/(2 C sum(w)) ||W||^2 for its lbfgs/newton-cg solvers (linear_model/_logistic.py,
  sw_sum scaling), that is J(W, b) = weighted mean cross-entropy + l2/2 ||W||_F^2, the learner's objective. The
  intercepts are not penalised, so they are determined up to a common shift; gradient solvers started at 0 keep
  their sum at 0 (the intercept gradient sums to 0 over the classes), and the committed intercepts are centred.
- Ridge(alpha, solver="cholesky"): minimises sum_i w_i (y_i - x_i.w - b)^2 + alpha ||w||^2 (User Guide, "Ridge
  regression"), the intercept fitted on centred data and not penalised.

Quality checks: the multinomial solution comes from newton-cg at tol 1e-12; the gradient of J written out below
must vanish there (< 1e-9), Newton steps on J written out below must not move it by more than 1e-9, and lbfgs
(warm-started refits; the one-hot columns make the problem ill-conditioned) must agree to 1e-6. The ridge solution must satisfy the
normal equations written out below to 1e-9.

Run: /usr/bin/python3 make_linear_models.py   (numpy, scipy, scikit-learn from Debian)
"""

import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def encode(numeric, categorical):
    scaler = StandardScaler()
    parts = [scaler.fit_transform(numeric)]
    categories = []
    if categorical is not None:
        encoder = OneHotEncoder(sparse_output=False, dtype=np.float64) if "sparse_output" in OneHotEncoder().get_params() \
            else OneHotEncoder(sparse=False, dtype=np.float64)
        parts.append(encoder.fit_transform(categorical))
        categories = [[str(c) for c in cats] for cats in encoder.categories_]
        for cats in categories:
            assert cats == sorted(cats), "categories must be in ordinal order"
    return np.hstack(parts), scaler, categories


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_gradient(X, Y, sw, W, b, l2):
    P = softmax(X @ W.T + b)
    R = (P - Y) * (sw / sw.sum())[:, None]
    return R.T @ X + l2 * W, R.sum(axis=0)


def softmax_hessian(X, sw, W, b, l2):
    """The Hessian of J in theta = (W row by row, b): sum_i w_i/sum(w) (diag(p_i) - p_i p_i^T) kron [x_i 1][x_i 1]^T, plus l2 on W."""
    n, d = X.shape
    K = W.shape[0]
    P = softmax(X @ W.T + b)
    Xa = np.hstack([X, np.ones((n, 1))])
    s = sw / sw.sum()
    H = np.zeros((K * (d + 1), K * (d + 1)))
    for k in range(K):
        for j in range(K):
            c = s * P[:, k] * ((k == j) - P[:, j])
            H[k * (d + 1):(k + 1) * (d + 1), j * (d + 1):(j + 1) * (d + 1)] = (Xa * c[:, None]).T @ Xa
    for k in range(K):
        for i in range(d):
            H[k * (d + 1) + i, k * (d + 1) + i] += l2
    return H


def newton_polish(X, Y, sw, W, b, l2):
    """Newton steps on J (least-squares solves: a common shift of the intercepts leaves J unchanged)."""
    K, d = W.shape
    theta = np.hstack([W, b[:, None]]).ravel()
    for _ in range(20):
        Wt = theta.reshape(K, d + 1)
        gW, gb = softmax_gradient(X, Y, sw, Wt[:, :d], Wt[:, d], l2)
        g = np.hstack([gW, gb[:, None]]).ravel()
        theta = theta - np.linalg.lstsq(softmax_hessian(X, sw, Wt[:, :d], Wt[:, d], l2), g, rcond=None)[0]
    Wt = theta.reshape(K, d + 1)
    return Wt[:, :d], Wt[:, d] - Wt[:, d].mean()


def base(name, numeric, categorical, numeric_names, categorical_names, scaler, categories, sw):
    return {
        "name": name,
        "numericNames": numeric_names,
        "categoricalNames": categorical_names,
        "numeric": numeric.tolist(),
        "categorical": categorical.tolist() if categorical is not None else [[] for _ in range(len(numeric))],
        "weights": sw.tolist(),
        "means": scaler.mean_.tolist(),
        "scales": scaler.scale_.tolist(),
        "categories": categories,
    }


def fit_softmax(name, numeric, categorical, y, classes, l2, numeric_names, categorical_names, sw=None):
    X, scaler, categories = encode(numeric, categorical)
    n = len(y)
    sw = np.ones(n) if sw is None else sw
    C = 1.0 / (sw.sum() * l2)
    model = LogisticRegression(multi_class="multinomial", penalty="l2", C=C, solver="newton-cg", tol=1e-11, max_iter=10000)
    model.fit(X, y, sample_weight=sw)
    learned = [str(c) for c in model.classes_]
    W = model.coef_
    b = model.intercept_ - model.intercept_.mean()
    Y = (np.array(y)[:, None] == np.array(learned)[None, :]).astype(float)
    gW, gb = softmax_gradient(X, Y, sw, W, b, l2)
    gradient = np.sqrt((gW ** 2).sum() + (gb ** 2).sum())

    lbfgs = LogisticRegression(multi_class="multinomial", penalty="l2", C=C, solver="lbfgs", tol=1e-10, max_iter=10000, warm_start=True)
    previous = None
    for refits in range(1, 500):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            lbfgs.fit(X, y, sample_weight=sw)
        current = np.append(lbfgs.coef_.ravel(), lbfgs.intercept_ - lbfgs.intercept_.mean())
        if previous is not None and np.max(np.abs(current - previous)) < 1e-13:
            break
        previous = current
    lbfgs_gap = np.max(np.abs(current - np.append(W.ravel(), b)))
    Wp, bp = newton_polish(X, Y, sw, W, b, l2)
    newton_gap = max(np.max(np.abs(Wp - W)), np.max(np.abs(bp - b)))
    print(f"softmax {name}: n={n}, d={X.shape[1]}, K={len(learned)}, |grad J| = {gradient:.2e}, "
          f"max |newton-cg - Newton on J| = {newton_gap:.2e}, max |lbfgs - newton-cg| = {lbfgs_gap:.2e} after {refits} refits")
    assert gradient < 1e-9, f"{name}: the gradient of J at sklearn's solution is {gradient}"
    assert newton_gap < 1e-9, f"{name}: sklearn's solution is {newton_gap} away from the minimiser of J"
    assert lbfgs_gap < 1e-6, f"{name}: lbfgs and newton-cg differ by {lbfgs_gap}"

    out = base(name, numeric, categorical, numeric_names, categorical_names, scaler, categories, sw)
    out.update({
        "l2": l2,
        "classes": classes,
        "labels": [str(v) for v in y],
        "learnedClasses": learned,
        "coefficients": W.tolist(),
        "intercepts": b.tolist(),
        "probabilities": model.predict_proba(X).tolist(),
    })
    return out


def fit_ridge(name, numeric, categorical, y, alpha, numeric_names, categorical_names, sw=None):
    X, scaler, categories = encode(numeric, categorical)
    n, d = X.shape
    sw = np.ones(n) if sw is None else sw
    model = Ridge(alpha=alpha, solver="cholesky").fit(X, y, sample_weight=sw)
    w, b = model.coef_, float(model.intercept_)
    # Normal equations of sum w_i (y_i - x_i.w - b)^2 + alpha ||w||^2.
    r = sw * (y - X @ w - b)
    gap = max(np.max(np.abs(X.T @ r - alpha * w)), abs(r.sum())) / max(1.0, np.abs(y).max())
    print(f"ridge {name}: n={n}, d={d}, alpha={alpha}, normal-equation residual {gap:.2e}")
    assert gap < 1e-9, f"{name}: sklearn's ridge solution leaves the normal equations at {gap}"
    out = base(name, numeric, categorical, numeric_names, categorical_names, scaler, categories, sw)
    out.update({
        "alpha": alpha,
        "labels": y.tolist(),
        "coefficients": w.tolist(),
        "intercept": b,
        "predictions": model.predict(X).tolist(),
    })
    return out


def main():
    rng = np.random.default_rng(20261202)
    softmax_sets, ridge_sets = [], []

    # 1. Numeric only, very different scales, three classes.
    n = 300
    income = rng.normal(52_000, 14_000, n)
    ratio = rng.uniform(0.0, 0.9, n)
    age = rng.integers(18, 80, n).astype(float)
    Z = np.column_stack([0.00006 * (income - 52_000), -3.0 * (ratio - 0.45), 0.05 * (age - 45)])
    P = softmax(Z + rng.normal(0, 0.3, (n, 3)))
    y = np.array([["low", "mid", "high"][rng.choice(3, p=p)] for p in P])
    softmax_sets.append(fit_softmax("numeric", np.column_stack([income, ratio, age]), None, y, ["low", "mid", "high"],
                                    1e-2, ["income", "ratio", "age"], []))
    target = 0.0004 * income - 20.0 * ratio + 0.8 * age + rng.normal(0, 5.0, n)
    ridge_sets.append(fit_ridge("numeric", np.column_stack([income, ratio, age]), None, target, 1.0,
                                ["income", "ratio", "age"], []))

    # 2. Two numeric features and one categorical feature with 3 levels; four classes.
    n = 400
    x1 = rng.normal(0.0, 2.0, n)
    x2 = rng.exponential(3.0, n)
    region = rng.choice(["north", "east", "south"], size=n, p=[0.5, 0.3, 0.2])
    effect = {"north": np.array([0.8, 0, -0.5, 0]), "east": np.array([-0.4, 0.6, 0, 0]), "south": np.zeros(4)}
    Z = np.column_stack([0.7 * x1, -0.25 * (x2 - 3.0), 0.3 * x1 + 0.2 * x2, np.zeros(n)]) + np.array([effect[r] for r in region])
    y = np.array([["a", "b", "c", "d"][rng.choice(4, p=p)] for p in softmax(Z)])
    softmax_sets.append(fit_softmax("mixed", np.column_stack([x1, x2]), region.reshape(-1, 1), y, ["d", "c", "b", "a"],
                                    1e-3, ["x1", "x2"], ["region"]))
    target = 3.0 * x1 - 1.5 * x2 + np.array([{"north": 4.0, "east": -2.0, "south": 0.0}[r] for r in region]) + rng.normal(0, 1.0, n)
    ridge_sets.append(fit_ridge("mixed", np.column_stack([x1, x2]), region.reshape(-1, 1), target, 10.0,
                                ["x1", "x2"], ["region"]))

    # 3. Weighted examples; a declared class that no example has; a constant feature.
    n = 250
    signal = rng.normal(10.0, 3.0, n)
    noise = rng.normal(-5.0, 0.5, n)
    constant = np.full(n, 7.25)
    sw = rng.choice([0.5, 1.0, 2.0, 3.0], size=n)
    Z = np.column_stack([0.9 * (signal - 10.0), np.zeros(n), -0.9 * (signal - 10.0)])
    y = np.array([["up", "flat", "down"][rng.choice(3, p=p)] for p in softmax(Z)])
    softmax_sets.append(fit_softmax("weighted", np.column_stack([signal, noise, constant]), None, y,
                                    ["up", "flat", "down", "never"], 5e-2, ["signal", "noise", "constant"], [], sw))
    target = 2.0 * signal + rng.normal(0, 2.0, n)
    ridge_sets.append(fit_ridge("weighted", np.column_stack([signal, noise, constant]), None, target, 0.5,
                                ["signal", "noise", "constant"], [], sw))

    here = os.path.dirname(os.path.abspath(__file__))
    for file, sets in (("softmax_regression.json", softmax_sets), ("ridge_regression.json", ridge_sets)):
        path = os.path.join(here, file)
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"generator": "make_linear_models.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
                       "datasets": sets}, f, indent=1)
            f.write("\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
