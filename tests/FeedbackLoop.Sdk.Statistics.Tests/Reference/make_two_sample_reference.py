#!/usr/bin/python3
"""Golden values for the two-sample tests and distances (tests/FeedbackLoop.Sdk.Tests/Drift/TwoSampleTestsReferenceTests.cs).

Run from this folder with Debian's /usr/bin/python3 (scipy 1.10.1, numpy 1.24.2); writes two_sample_reference.json.

Each case names a method, its options, both samples (inline, or a SplitMix64 generator the .NET test reproduces bit
for bit: value i = scale * u_i + shift, u_i the top 53 bits of SplitMix64 output i from the seed, over 2^53) and the
expected statistic and p-value. The binned distances use the binning the library documents: interior edges are the
reference quantiles at k / bins (numpy's default linear method), equal edges merged, a value's bin is the number of
edges <= it (np.searchsorted side="right"); categories are whole-number codes. PSI and KL replace empty-bin
proportions by epsilon = 1e-4 (KL then renormalises, as scipy.stats.entropy does).
"""
import json
import math

import numpy as np
from scipy import stats
from scipy.spatial import distance

EPS = 1e-4


def splitmix(seed, n, scale, shift):
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(seed) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return scale * ((z >> np.uint64(11)).astype(np.float64) / float(1 << 53)) + shift


def proportions(ref, cur, binning):
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    if binning == "cat":
        k = int(max(ref.max(), cur.max())) + 1
        r = np.bincount(ref.astype(int), minlength=k)
        c = np.bincount(cur.astype(int), minlength=k)
    else:
        bins = int(binning[1:])
        edges = []
        for k in range(1, bins):
            e = np.quantile(ref, k / bins)
            if not edges or e > edges[-1]:
                edges.append(e)
        edges = np.array(edges)
        r = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
        c = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
    return r / len(ref), c / len(cur)


def eps(p):
    return np.where(p == 0, EPS, p)


def binned(method, ref, cur, binning):
    p, q = proportions(ref, cur, binning)
    if method == "psi":
        p, q = eps(p), eps(q)
        return float(np.sum((q - p) * np.log(q / p)))
    if method == "kl_div":
        return float(stats.entropy(eps(p), eps(q)))
    if method == "jensenshannon":
        return float(distance.jensenshannon(p, q))
    if method == "jensenshannon2":
        return float(distance.jensenshannon(p, q, base=2))
    if method == "hellinger":
        return float(math.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2))
    if method == "tvd":
        return float(np.sum(np.abs(p - q)) / 2)
    if method == "linf":
        return float(np.max(np.abs(p - q)))
    raise ValueError(method)


def contingency(ref, cur, lambda_):
    k = int(max(max(ref), max(cur))) + 1
    table = np.array([np.bincount(np.asarray(ref, dtype=int), minlength=k), np.bincount(np.asarray(cur, dtype=int), minlength=k)])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] == 1:
        return 0.0, 1.0
    res = stats.chi2_contingency(table, lambda_=lambda_)
    return float(res[0]), float(res[1])


def ztest(ref, cur):
    n1, n2 = len(ref), len(cur)
    p1, p2 = sum(ref) / n1, sum(cur) / n2
    pooled = (sum(ref) + sum(cur)) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var == 0:
        return 0.0, 1.0
    z = (p1 - p2) / math.sqrt(var)
    return float(z), float(2 * stats.norm.sf(abs(z)))


def fisher(ref, cur):
    a = int(sum(ref)); b = len(ref) - a; c = int(sum(cur)); d = len(cur) - c
    res = stats.fisher_exact([[a, b], [c, d]])
    return float(res[0]), float(res[1])


def finite_or_name(x):
    # JSON has no NaN or infinity: non-finite expectations are written as the strings .NET parses back.
    if x is None or math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def evaluate(method, ref, cur):
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    name, _, binning = method.partition(":")
    if name == "mannwhitneyu":
        res = stats.mannwhitneyu(ref, cur)
        return float(res.statistic), float(res.pvalue)
    if name == "cramervonmises":
        res = stats.cramervonmises_2samp(ref, cur)
        return float(res.statistic), float(res.pvalue)
    if name == "anderson_ksamp":
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = stats.anderson_ksamp([ref, cur])
        return float(res.statistic), float(res.significance_level)
    if name == "ks":
        res = stats.ks_2samp(ref, cur)
        return float(res.statistic), float(res.pvalue)
    if name == "wasserstein":
        return float(stats.wasserstein_distance(ref, cur)), None
    if name == "wasserstein_normed":
        return float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)), None
    if name == "energy":
        return float(stats.energy_distance(ref, cur)), None
    if name == "chisquare":
        return contingency(ref, cur, None)
    if name == "g-test":
        return contingency(ref, cur, "log-likelihood")
    if name == "z":
        return ztest(ref, cur)
    if name == "fisher":
        return fisher(ref, cur)
    return binned(name, ref, cur, binning), None


rng = np.random.default_rng(20261122)
numeric = {
    "tiny": ([1.0, 2.0], [2.0, 3.0]),
    "unequal": (list(rng.normal(0, 1, 200)), list(rng.normal(0.3, 1.2, 150))),
    "ties": ([float(v) for v in rng.integers(0, 10, 300)], [float(v) for v in rng.integers(1, 11, 250)]),
    "constant-equal": ([5.0] * 50, [5.0] * 40),
    "constant-different": ([5.0] * 50, [6.0] * 40),
    "identical": ([float(v) for v in np.arange(100) / 7], [float(v) for v in np.arange(100) / 7]),
    "disjoint": (list(rng.uniform(0, 1, 120)), list(rng.uniform(5, 6, 80))),
    "outside-range": (list(rng.uniform(0, 1, 300)), list(rng.uniform(-0.5, 1.5, 300))),
}
categorical = {
    "categories": ([float(v) for v in rng.integers(0, 5, 400)], [float(v) for v in rng.integers(0, 6, 350)]),
    "two-categories": ([0.0] * 30 + [1.0] * 70, [0.0] * 45 + [1.0] * 55),
    "one-category": ([2.0] * 20, [2.0] * 30),
    "empty-bins": ([0.0] * 50 + [3.0] * 50, [0.0] * 20 + [1.0] * 20 + [3.0] * 60),
}
binary = {
    "small": ([1.0] * 12 + [0.0] * 28, [1.0] * 25 + [0.0] * 20),
    "large": ([1.0] * 300 + [0.0] * 700, [1.0] * 350 + [0.0] * 650),
    "all-zero": ([0.0] * 20, [0.0] * 25),
    "extreme": ([0.0] * 20, [1.0] * 20),
    "one-sided-zero": ([1.0] * 3 + [0.0] * 17, [1.0] * 15 + [0.0] * 5),
    "balanced": ([1.0] * 10 + [0.0] * 10, [1.0] * 10 + [0.0] * 10),
}

cases = []
binned_methods = ["psi", "kl_div", "jensenshannon", "jensenshannon2", "hellinger", "tvd", "linf"]
for data_name, (ref, cur) in numeric.items():
    if data_name == "constant-equal":
        rank_methods = ["mannwhitneyu", "cramervonmises"]
    else:
        rank_methods = ["mannwhitneyu", "cramervonmises", "anderson_ksamp"]
    for method in rank_methods + ["ks", "wasserstein", "wasserstein_normed", "energy"] + [m + ":q10" for m in binned_methods] + [m + ":q4" for m in ["psi", "jensenshannon"]]:
        s, p = evaluate(method, ref, cur)
        cases.append({"name": data_name, "method": method, "reference": ref, "current": cur, "statistic": finite_or_name(s), "pvalue": finite_or_name(p)})
for data_name, (ref, cur) in categorical.items():
    for method in ["chisquare", "g-test"] + [m + ":cat" for m in binned_methods]:
        s, p = evaluate(method, ref, cur)
        cases.append({"name": data_name, "method": method, "reference": ref, "current": cur, "statistic": finite_or_name(s), "pvalue": finite_or_name(p)})
for data_name, (ref, cur) in binary.items():
    for method in ["z", "fisher", "chisquare"]:
        s, p = evaluate(method, ref, cur)
        cases.append({"name": data_name, "method": method, "reference": ref, "current": cur, "statistic": finite_or_name(s), "pvalue": finite_or_name(p)})

big_ref = {"seed": 1, "n": 1_000_000, "scale": 10.0, "shift": 0.0}
big_cur = {"seed": 2, "n": 1_000_000, "scale": 10.0, "shift": 0.5}
r, c = splitmix(**big_ref), splitmix(**big_cur)
for method in ["wasserstein", "wasserstein_normed", "energy", "psi:q10", "jensenshannon:q10", "kl_div:q10", "hellinger:q10"]:
    s, p = evaluate(method, r, c)
    cases.append({"name": "million", "method": method, "reference": big_ref, "current": big_cur, "statistic": finite_or_name(s), "pvalue": finite_or_name(p)})

# Kolmogorov-Smirnov p-value regimes: exact (equal and unequal sizes up to 10,000) and scipy's asymptotic branches
# (Pelz-Good, Smirnov tail, Durbin matrix for a small effective n, and 0 beyond n x^2 >= 370).
ks_cases = {
    "exact-equal": ({"seed": 5, "n": 500, "scale": 1.0, "shift": 0.0}, {"seed": 6, "n": 500, "scale": 1.0, "shift": 0.05}),
    "exact-unequal": ({"seed": 7, "n": 900, "scale": 1.0, "shift": 0.0}, {"seed": 8, "n": 650, "scale": 1.0, "shift": 0.04}),
    "exact-limit": ({"seed": 9, "n": 10_000, "scale": 1.0, "shift": 0.0}, {"seed": 10, "n": 7_000, "scale": 1.0, "shift": 0.01}),
    "asymptotic-pelz-good": ({"seed": 11, "n": 1_000_000, "scale": 1.0, "shift": 0.0}, {"seed": 12, "n": 1_000_000, "scale": 1.0, "shift": 0.0}),
    "asymptotic-smirnov": ({"seed": 13, "n": 20_000, "scale": 1.0, "shift": 0.0}, {"seed": 14, "n": 30_000, "scale": 1.0, "shift": 0.02}),
    "asymptotic-small-n": ({"seed": 15, "n": 12_000, "scale": 1.0, "shift": 0.0}, {"seed": 16, "n": 60, "scale": 1.0, "shift": 0.0}),
    "asymptotic-zero": ({"seed": 1, "n": 1_000_000, "scale": 10.0, "shift": 0.0}, {"seed": 2, "n": 1_000_000, "scale": 10.0, "shift": 0.5}),
}
# Rank tests: exact and asymptotic regimes of Mann-Whitney U and Cramer-von Mises, and every branch of the
# Anderson-Darling p-value (interpolated, capped at 0.25, floored at 0.001).
rank_cases = {
    "mwu-exact-small": ([1.1, 2.3, 0.4, 5.6, 3.3], [2.2, 7.7, 6.1, 9.4, 8.8, 4.4, 10.1]),
    "mwu-exact-8-vs-30": (list(rng.normal(0, 1, 8)), list(rng.normal(0.8, 1, 30))),
    "cvm-exact-12-vs-15": (list(rng.normal(0, 1, 12)), list(rng.normal(0.5, 1, 15))),
    "cvm-exact-20-vs-20": (list(rng.normal(0, 1, 20)), list(rng.normal(0.3, 1, 20))),
    "ad-floored": (list(rng.normal(0, 1, 200)), list(rng.normal(1.5, 1, 200))),
    "ad-capped": ([float(v) for v in np.arange(50)], [float(v) + 0.5 for v in np.arange(50)]),
    "ad-interpolated": (list(rng.normal(0, 1, 150)), list(rng.normal(0.25, 1, 150))),
}
for data_name, (ref, cur) in rank_cases.items():
    for method in ["mannwhitneyu", "cramervonmises", "anderson_ksamp"]:
        s_, p_ = evaluate(method, ref, cur)
        cases.append({"name": data_name, "method": method, "reference": ref, "current": cur, "statistic": s_, "pvalue": p_})
        print(data_name, method, s_, p_)
big = {"seed": 17, "n": 1_000_000, "scale": 1.0, "shift": 0.0}, {"seed": 18, "n": 1_000_000, "scale": 1.0, "shift": 0.001}
for method in ["mannwhitneyu", "cramervonmises", "anderson_ksamp"]:
    s_, p_ = evaluate(method, splitmix(**big[0]), splitmix(**big[1]))
    cases.append({"name": "million", "method": method, "reference": big[0], "current": big[1], "statistic": s_, "pvalue": p_})
    print("million", method, s_, p_)

for data_name, (rspec, cspec) in ks_cases.items():
    s_, p_ = evaluate("ks", splitmix(**rspec), splitmix(**cspec))
    cases.append({"name": data_name, "method": "ks", "reference": rspec, "current": cspec, "statistic": s_, "pvalue": p_})
    print(data_name, s_, p_)

with open("two_sample_reference.json", "w") as f:
    json.dump({"scipy": __import__("scipy").__version__, "numpy": np.__version__, "cases": cases}, f)
print(len(cases), "cases")
