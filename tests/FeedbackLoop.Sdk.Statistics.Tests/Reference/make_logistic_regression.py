#!/usr/bin/python3
"""Reference values for LogisticRegressionLearner (tests/FeedbackLoop.Sdk.Tests/Learners).

Builds small seeded datasets, encodes them the way the learner does (StandardScaler on the numeric
columns, OneHotEncoder with sorted categories on the categorical ones, numeric columns first), fits
scikit-learn's LogisticRegression(penalty="l2", C=1/(n*l2)) (solver: see the comment in fit())
and writes the raw data, the encoding, the coefficients, the intercept and the predicted
probabilities to logistic_regression.json next to this script.

scikit-learn documents its objective as 1/2 ||w||^2 + C * sum_i log(1 + exp(-y_i (x_i.w + b))); with
C = 1/(n*l2) that is n times J(w, b) = mean log-loss + l2/2 ||w||^2, the learner's objective.

The script also checks the quality of the reference: Newton steps on J from sklearn's solution must not
move it by more than 1e-10, and sklearn's lbfgs solver (tol=1e-10, max_iter=10000, refitted with warm_start until it stops moving)
must agree to 1e-7.

Run: /usr/bin/python3 make_logistic_regression.py   (numpy, scipy, scikit-learn from Debian)
"""

import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def objective_gradient_hessian(X, y, theta, l2):
    n, d = X.shape
    w, b = theta[:d], theta[d]
    z = X @ w + b
    p = sigmoid(z)
    loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))) + 0.5 * l2 * w @ w
    Xa = np.hstack([X, np.ones((n, 1))])
    g = Xa.T @ (p - y) / n
    g[:d] += l2 * w
    H = (Xa * (p * (1 - p))[:, None]).T @ Xa / n
    H[np.arange(d), np.arange(d)] += l2
    return loss, g, H


def fit(name, numeric, categorical, y, l2, numeric_names, categorical_names):
    n = len(y)
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
    X = np.hstack(parts)

    # The solver the learner mirrors is sklearn's lbfgs. But scikit-learn 1.2's lbfgs path passes gtol=tol to
    # scipy's L-BFGS-B and leaves its default ftol (factr 1e7: a relative decrease of 2.2e-9), which on these
    # data stops up to ~1e-6 from the minimiser, and the one-hot columns (which sum to the intercept column)
    # make the problem ill-conditioned. So the committed values come from sklearn's newton-cholesky solver
    # on the same estimator and objective, which reaches the minimiser to rounding; lbfgs (warm-started
    # refits) and Newton steps on J written out below must both agree with it.
    C = 1.0 / (n * l2)
    model = LogisticRegression(penalty="l2", C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    coef = model.coef_.ravel()
    intercept = float(model.intercept_[0])
    proba = model.predict_proba(X)[:, 1]
    theta = np.append(coef, intercept)

    lbfgs = LogisticRegression(penalty="l2", C=C, solver="lbfgs", tol=1e-10, max_iter=10000, warm_start=True)
    lbfgs.fit(X, y)
    single_fit_gap = np.max(np.abs(np.append(lbfgs.coef_.ravel(), lbfgs.intercept_) - theta))
    previous = None
    for refits in range(1, 500):
        with warnings.catch_warnings():
            # A restart at the minimiser ends in ABNORMAL_TERMINATION_IN_LNSRCH: nothing is left to gain.
            warnings.simplefilter("ignore", ConvergenceWarning)
            lbfgs.fit(X, y)
        current = np.append(lbfgs.coef_.ravel(), lbfgs.intercept_)
        if previous is not None and np.max(np.abs(current - previous)) < 1e-13:
            break
        previous = current
    lbfgs_gap = np.max(np.abs(current - theta))

    polished = theta.copy()
    for _ in range(20):
        _, g, H = objective_gradient_hessian(X, y, polished, l2)
        polished -= np.linalg.solve(H, g)
    _, g_sklearn, H = objective_gradient_hessian(X, y, theta, l2)
    gap = np.max(np.abs(polished - theta))
    print(f"{name}: n={n}, d={X.shape[1]}, |grad J| = {np.linalg.norm(g_sklearn):.2e}, "
          f"max |newton-cholesky - Newton on J| = {gap:.2e}, max |lbfgs - newton-cholesky| = {single_fit_gap:.2e} "
          f"after one fit, {lbfgs_gap:.2e} after {refits} warm-started refits, "
          f"smallest Hessian eigenvalue = {np.linalg.eigvalsh(H)[0]:.2e}")
    assert gap < 1e-10, f"{name}: sklearn's solution is {gap} away from the minimiser of J"
    assert lbfgs_gap < 1e-7, f"{name}: lbfgs and newton-cholesky differ by {lbfgs_gap}"

    scales = scaler.scale_
    return {
        "name": name,
        "l2": l2,
        "numericNames": numeric_names,
        "categoricalNames": categorical_names,
        "numeric": numeric.tolist(),
        "categorical": categorical.tolist() if categorical is not None else [[] for _ in range(n)],
        "labels": [int(v) for v in y],
        "means": scaler.mean_.tolist(),
        "scales": scales.tolist(),
        "categories": categories,
        "coefficients": coef.tolist(),
        "intercept": intercept,
        "probabilities": proba.tolist(),
    }


def main():
    rng = np.random.default_rng(20240611)
    datasets = []

    # 1. Numeric only, features on very different scales.
    n = 300
    income = rng.normal(52_000, 14_000, n)
    debt_ratio = rng.uniform(0.0, 0.9, n)
    age = rng.integers(18, 80, n).astype(float)
    z = 0.00006 * (income - 52_000) - 3.0 * (debt_ratio - 0.45) + 0.03 * (age - 45) - 0.3
    y = (rng.uniform(size=n) < sigmoid(z)).astype(float)
    datasets.append(fit("numeric", np.column_stack([income, debt_ratio, age]), None, y, 1e-2,
                        ["income", "debt_ratio", "age"], []))

    # 2. Two numeric features and one categorical feature with 3 levels.
    n = 400
    x1 = rng.normal(0.0, 2.0, n)
    x2 = rng.exponential(3.0, n)
    region = rng.choice(["north", "east", "south"], size=n, p=[0.5, 0.3, 0.2])
    effect = {"north": 0.8, "east": -0.4, "south": 0.0}
    z = 0.7 * x1 - 0.25 * (x2 - 3.0) + np.array([effect[r] for r in region])
    y = (rng.uniform(size=n) < sigmoid(z)).astype(float)
    datasets.append(fit("mixed", np.column_stack([x1, x2]), region.reshape(-1, 1), y, 1e-3,
                        ["x1", "x2"], ["region"]))

    # 3. One informative, one uninformative and one constant feature.
    n = 250
    signal = rng.normal(10.0, 3.0, n)
    noise = rng.normal(-5.0, 0.5, n)
    constant = np.full(n, 7.25)
    z = 0.9 * (signal - 10.0)
    y = (rng.uniform(size=n) < sigmoid(z)).astype(float)
    datasets.append(fit("uninformative", np.column_stack([signal, noise, constant]), None, y, 5e-2,
                        ["signal", "noise", "constant"], []))

    out = {
        "generator": "make_logistic_regression.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "datasets": datasets,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logistic_regression.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
