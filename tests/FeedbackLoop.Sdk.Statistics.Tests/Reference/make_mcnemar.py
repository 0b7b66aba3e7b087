"""Reference p-values of McNemar's exact test: scipy.stats.binomtest(b, b + c, 0.5) on the discordant counts.

Run with Debian's python3-scipy: /usr/bin/python3 make_mcnemar.py > mcnemar.json
"""
import json
import scipy
from scipy.stats import binomtest

cases = [(1, 0), (0, 1), (3, 1), (5, 5), (12, 3), (3, 12), (40, 25), (25, 40), (7, 0), (100, 70), (520, 480), (1, 9), (200, 150), (0, 30)]
rows = []
for b, c in cases:
    rows.append({
        "b": b,
        "c": c,
        "greater": binomtest(b, b + c, 0.5, alternative="greater").pvalue,
        "two_sided": binomtest(b, b + c, 0.5, alternative="two-sided").pvalue,
    })
print(json.dumps({"scipy": scipy.__version__, "cases": rows}, indent=1))
