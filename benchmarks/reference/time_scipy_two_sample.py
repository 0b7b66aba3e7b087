#!/usr/bin/python3
"""Times scipy/numpy on the two-sample benchmark data of TwoSampleTestBenchmarks (1,000,000 vs 1,000,000).

Run with Debian's /usr/bin/python3 (scipy 1.10.1, numpy 1.24.2) right after the .NET benchmarks, on the same
machine:  /usr/bin/python3 benchmarks/reference/time_scipy_two_sample.py

The data are the benchmark's: value i of a sample is 10 * u_i (+ 0.5 for the current sample), where u_i is the top
53 bits of SplitMix64 (Steele, Lea, Flood 2014) from the seed, divided by 2^53 - the same formula as
BenchmarkData.Uniform in the .NET project. Prints the best of 5 runs for each operation, in milliseconds.
"""
import timeit

import numpy as np
from scipy import stats

MASK = (1 << 64) - 1


def splitmix_uniform(seed, n):
    # Vectorised SplitMix64: state_i = seed + (i + 1) * golden gamma, then the finaliser.
    i = np.arange(1, n + 1, dtype=np.uint64)
    z = (np.uint64(seed) + i * np.uint64(0x9E3779B97F4A7C15))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def psi_deciles(reference, current, eps=1e-4):
    edges = np.quantile(reference, np.linspace(0, 1, 11))
    edges[0], edges[-1] = -np.inf, np.inf
    r = np.histogram(reference, edges)[0] / len(reference)
    c = np.histogram(current, edges)[0] / len(current)
    r = np.where(r == 0, eps, r)
    c = np.where(c == 0, eps, c)
    return np.sum((c - r) * np.log(c / r))


def best_ms(fn):
    return min(timeit.repeat(fn, number=1, repeat=5)) * 1000


if __name__ == "__main__":
    with np.errstate(over="ignore"):
        reference = 10 * splitmix_uniform(1, 1_000_000)
        current = 10 * splitmix_uniform(2, 1_000_000) + 0.5

    print(f"scipy.stats.ks_2samp               {best_ms(lambda: stats.ks_2samp(reference, current)):8.1f} ms")
    print(f"scipy.stats.wasserstein_distance   {best_ms(lambda: stats.wasserstein_distance(reference, current)):8.1f} ms")
    print(f"numpy PSI, decile bins             {best_ms(lambda: psi_deciles(reference, current)):8.1f} ms")
    print("checks:", stats.ks_2samp(reference, current).statistic, stats.wasserstein_distance(reference, current), psi_deciles(reference, current))
