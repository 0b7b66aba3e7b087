#!/usr/bin/python3
"""Reference traces for Adwin, Cusum, Eddm, HddmA and HddmW (tests/FeedbackLoop.Sdk.Tests/Drift/StreamingDetectorReferenceTests.cs).

Run from this folder with /usr/bin/python3 (numpy only); writes streaming_detectors_reference.json.

The detectors below are written from their published definitions, in the update order of the reference
implementation each class documents (checked against MOA's and River's source, not copied):

ADWIN (Bifet & Gavalda 2007, SDM), MOA's ADWIN.java: exponential histogram with rows of up to M buckets of 2^i
  values; insert updates the window variance with (W-1)(x - total/(W-1))^2 / W; every `clock` values, when
  W > grace, scan cuts from the oldest bucket: n0, n1 = older/newer lengths; stop before the newest bucket; cut
  significant when n0 > L + 1 and n1 > L + 1 and |u0/n0 - u1/n1| > sqrt(2 m v dd) + 2/3 dd m with
  dd = ln(2 ln(W) / delta), v = variance / W, m = 1/(n0 - L + 1) + 1/(n1 - L + 1); then drop the oldest bucket
  and rescan. No reset after a drift.
CUSUM (Page 1954), MOA's CusumDM: mean = sum / n; S+ = max(0, S+ + x - mean - delta); S- = max(0, S- - (x - mean) - delta);
  drift when n >= min_instances and the watched sum > lambda; reset on the next update after a drift.
EDDM (Baena-Garcia et al. 2006), River's binary.EDDM: on an error, Welford update of the distance since the last
  error (sample variance, ddof 1); when n > warm_start: level = mean + 2 sd; new maximum, or when errors > warm_start
  ratio = level / max: drift < beta, warning < alpha, else none. Reset on the next update after a drift.
HDDM_A (Frias-Blanco et al. 2015), MOA/River: sums and counts; cut prefixes for increase/decrease with Hoeffding
  bound sqrt(ln(1/dD) / (2 n)); tests sqrt(m/2 ln(2/d)) with m = (n - n_cut) / n_cut / n.
HDDM_W (Frias-Blanco et al. 2015), River's order, paper's EWMA summaries (first value starts the EWMA, D_1 = 1).
KSWIN (Raab et al. 2020), River's drift.KSWIN: once the window of n values is full, test the newest r against r
  drawn without replacement from the older n - r with scipy.stats.ks_2samp; drift when p <= alpha and D > 0.1;
  reset (empty window, generator back to the seed) on the next update. The sample is drawn by a partial
  Fisher-Yates shuffle of the older positions driven by SplitMix64 (index k + ((z >> 32) * (m - k) >> 32)), as the
  library does, instead of Python's random.sample.
"""
import json
import math

import numpy as np
from scipy import stats

NONE, WARNING, DRIFT = 0, 1, 2


def splitmix_uniform(seed, n):
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(seed) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(11)).astype(np.float64) / float(1 << 53)).tolist()


class Cusum:
    def __init__(self, min_instances=30, delta=0.005, threshold=50.0, direction="up"):
        self.m, self.d, self.t, self.dir = min_instances, delta, threshold, direction
        self.reset()

    def reset(self):
        self.n, self.sum, self.up, self.down, self.state = 0, 0.0, 0.0, 0.0, NONE

    def update(self, x):
        if self.state == DRIFT:
            self.reset()
        self.n += 1
        self.sum += x
        dev = x - self.sum / self.n
        self.up = max(0.0, self.up + (dev - self.d))
        self.down = max(0.0, self.down - (dev + self.d))
        if self.n < self.m:
            return self.state
        drift = (self.dir != "down" and self.up > self.t) or (self.dir != "up" and self.down > self.t)
        self.state = DRIFT if drift else NONE
        return self.state


class Eddm:
    def __init__(self, warm=30, alpha=0.95, beta=0.9):
        self.warm, self.alpha, self.beta = warm, alpha, beta
        self.reset()

    def reset(self):
        self.n = self.last = self.errors = 0
        self.mean = self.sq = 0.0
        self.max = -1.0
        self.state = NONE

    def update(self, x):
        if self.state == DRIFT:
            self.reset()
        self.n += 1
        if x == 0:
            return self.state
        self.errors += 1
        dist = float(self.n - self.last)
        delta = dist - self.mean
        self.mean += delta / self.errors
        self.sq += delta * (dist - self.mean)
        self.last = self.n
        if self.n <= self.warm:
            return self.state
        sd = math.sqrt(self.sq / (self.errors - 1)) if self.errors > 1 else 0.0
        level = self.mean + 2 * sd
        if level > self.max:
            self.max = level
        elif self.errors > self.warm:
            ratio = level / self.max
            self.state = DRIFT if ratio < self.beta else (WARNING if ratio < self.alpha else NONE)
        return self.state


class HddmA:
    # Means as sum * (1 / n) and the tests compared as squares (difference^2 n_cut n >= (n - n_cut) ln(2/d) / 2),
    # the library's arithmetic for the same decisions.
    def __init__(self, drift=0.001, warning=0.005, two_sided=False):
        self.cut = math.log(1 / drift) / 2
        self.df = math.log(2 / drift) / 2
        self.wf = math.log(2 / warning) / 2
        self.two = two_sided
        self.reset()

    def reset(self):
        self.n, self.sum = 0, 0.0
        self.nmin = self.nmax = 0
        self.mmin = self.bmin = self.mmax = self.bmax = 0.0
        self.state = NONE

    def test(self, diff, ncut):
        if ncut == self.n or diff < 0:
            return NONE
        left = diff * diff * ncut * self.n
        right = float(self.n - ncut)
        if left >= right * self.df:
            return DRIFT
        if left >= right * self.wf:
            return WARNING
        return NONE

    def update(self, x):
        if self.state == DRIFT:
            self.reset()
        self.n += 1
        self.sum += x
        inv = 1.0 / self.n
        mean = self.sum * inv
        bound = math.sqrt(self.cut * inv)
        if self.nmin == 0 or self.mmin + self.bmin >= mean + bound:
            self.nmin, self.mmin, self.bmin = self.n, mean, bound
        if self.nmax == 0 or self.mmax - self.bmax <= mean - bound:
            self.nmax, self.mmax, self.bmax = self.n, mean, bound
        state = self.test(mean - self.mmin, self.nmin)
        if self.two:
            state = max(state, self.test(self.mmax - mean, self.nmax))
        self.state = state
        return state


class Ewma:
    def __init__(self):
        self.started, self.mean, self.w = False, 0.0, 0.0

    def copy(self):
        c = Ewma()
        c.started, c.mean, c.w = self.started, self.mean, self.w
        return c

    def add(self, x, lam):
        if not self.started:
            self.started, self.mean, self.w = True, x, 1.0
            return
        self.mean = lam * x + (1 - lam) * self.mean
        self.w = lam * lam + (1 - lam) * (1 - lam) * self.w


class HddmW:
    def __init__(self, drift=0.001, warning=0.005, lam=0.05, two_sided=False):
        self.df = math.log(1 / drift) / 2
        self.wf = math.log(1 / warning) / 2
        self.lam, self.two = lam, two_sided
        self.reset()

    def reset(self):
        self.total, self.icut, self.iafter, self.dcut, self.dafter = Ewma(), Ewma(), Ewma(), Ewma(), Ewma()
        self.ipoint, self.dpoint = math.inf, -math.inf
        self.state = NONE

    def test(self, cut, after, diff):
        if not (cut.started and after.started) or diff <= 0:
            return NONE
        w = cut.w + after.w
        if diff * diff > w * self.df:
            return DRIFT
        if diff * diff > w * self.wf:
            return WARNING
        return NONE

    def update(self, x):
        if self.state == DRIFT:
            self.reset()
        self.total.add(x, self.lam)
        bound = math.sqrt(self.total.w * self.df)
        if self.total.mean + bound < self.ipoint:
            self.ipoint = self.total.mean + bound
            self.icut, self.iafter = self.total.copy(), Ewma()
        else:
            self.iafter.add(x, self.lam)
        state = self.test(self.icut, self.iafter, self.iafter.mean - self.icut.mean)
        if self.total.mean - bound > self.dpoint:
            self.dpoint = self.total.mean - bound
            self.dcut, self.dafter = self.total.copy(), Ewma()
        else:
            self.dafter.add(x, self.lam)
        if self.two:
            state = max(state, self.test(self.dcut, self.dafter, self.dcut.mean - self.dafter.mean))
        self.state = state
        return state


class Adwin:
    def __init__(self, delta=0.002, clock=32, max_buckets=5, min_len=5, grace=10):
        self.delta, self.clock, self.M, self.L, self.grace = delta, clock, max_buckets, min_len, grace
        self.rows = [[]]  # rows[i] = list of (total, variance), oldest first; row 0 newest
        self.width, self.total, self.var, self.time = 0, 0.0, 0.0, 0

    def insert(self, x):
        self.rows[0].append((x, 0.0))
        self.width += 1
        if self.width > 1:
            # MOA's (W - 1)(x - T / (W - 1))^2 / W, in the library's arithmetic.
            dev = x * (self.width - 1) - self.total
            self.var += dev * dev / (float(self.width - 1) * self.width)
        self.total += x
        row = 0
        while len(self.rows[row]) > self.M:
            if row == len(self.rows) - 1:
                self.rows.append([])
            (t1, v1), (t2, v2) = self.rows[row][0], self.rows[row][1]
            merged = (t1 - t2) * (t1 - t2) / (2.0 * (1 << row))
            self.rows[row + 1].append((t1 + t2, v1 + v2 + merged))
            del self.rows[row][:2]
            row += 1

    def delete_oldest(self):
        row = len(self.rows) - 1
        size = 1 << row
        t, v = self.rows[row][0]
        self.width -= size
        self.total -= t
        diff = t / size - self.total / self.width
        self.var -= v + (size * self.width * diff * diff / (size + self.width))
        del self.rows[row][0]
        if not self.rows[row] and row > 0:
            self.rows.pop()

    def shrink(self):
        changed = False
        again = True
        while again:
            again = False
            n0, n1, u0, u1 = 0, self.width, 0.0, self.total
            log_term = math.log(2 * math.log(self.width) / self.delta)
            wv = self.var / self.width
            for row in range(len(self.rows) - 1, -1, -1):
                if again:
                    break
                size = 1 << row
                count = len(self.rows[row])
                for k in range(count):
                    t = self.rows[row][k][0]
                    n0 += size; n1 -= size; u0 += t; u1 -= t
                    if row == 0 and k == count - 1:
                        break
                    if n1 > self.L + 1 and n0 > self.L + 1:
                        # MOA's test |u0/n0 - u1/n1| > sqrt(2 m v dd) + 2/3 dd m, multiplied through by n0 n1 a b
                        # (the library's arithmetic, no division or square root).
                        product = float(n0) * n1
                        a, b = float(n0 - self.L + 1), float(n1 - self.L + 1)
                        ab = a * b
                        excess = abs(u0 * n1 - u1 * n0) * ab - 2.0 / 3 * log_term * (a + b) * product
                        if excess > 0 and excess * excess > 2 * log_term * wv * (a + b) * ab * product * product:
                            changed = again = True
                            self.delete_oldest()
                            break
        return changed

    def update(self, x):
        self.time += 1
        self.insert(x)
        change = self.time % self.clock == 0 and self.width > self.grace and self.shrink()
        return DRIFT if change else NONE


class SplitMix:
    M = (1 << 64) - 1

    def __init__(self, state):
        self.state = state & self.M

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.M
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.M
        return z ^ (z >> 31)

    def next_int(self, m):
        return ((self.next() >> 32) * m) >> 32


class Kswin:
    def __init__(self, alpha=0.005, window=100, r=30, seed=0):
        self.alpha, self.n, self.r, self.seed = alpha, window, r, seed
        self.reset()

    def reset(self):
        self.rng = SplitMix(self.seed)
        self.positions = list(range(self.n - self.r))
        self.window = []
        self.state = NONE

    def update(self, x):
        if self.state == DRIFT:
            self.reset()
        self.window.append(x)
        if len(self.window) > self.n:
            self.window.pop(0)
        if len(self.window) < self.n:
            return self.state
        older = self.n - self.r
        sample = []
        for k in range(self.r):
            j = k + self.rng.next_int(older - k)
            self.positions[k], self.positions[j] = self.positions[j], self.positions[k]
            sample.append(self.window[self.positions[k]])
        recent = self.window[older:]
        res = stats.ks_2samp(sample, recent)
        self.state = DRIFT if res.pvalue <= self.alpha and res.statistic > 0.1 else NONE
        return self.state


def errors(seed, n, p_before, p_after, at):
    u = splitmix_uniform(seed, n)
    return [1.0 if u[i] < (p_before if i < at else p_after) else 0.0 for i in range(n)]


def reals(seed, n, shift, at):
    u = splitmix_uniform(seed, n)
    return [u[i] + (shift if i >= at else 0.0) for i in range(n)]


streams = {
    "errors-0.1-to-0.5": {"kind": "errors", "seed": 11, "n": 4000, "before": 0.1, "after": 0.5, "at": 2000},
    "errors-0.2-to-0.05": {"kind": "errors", "seed": 12, "n": 4000, "before": 0.2, "after": 0.05, "at": 2000},
    "errors-0.1-stationary": {"kind": "errors", "seed": 13, "n": 6000, "before": 0.1, "after": 0.1, "at": 0},
    "uniform-shift-0.5": {"kind": "reals", "seed": 14, "n": 6000, "shift": 0.5, "at": 3000},
    "uniform-shift-minus-0.3": {"kind": "reals", "seed": 15, "n": 6000, "shift": -0.3, "at": 3000},
}


def stream(spec):
    if spec["kind"] == "errors":
        return errors(spec["seed"], spec["n"], spec["before"], spec["after"], spec["at"])
    return reals(spec["seed"], spec["n"], spec["shift"], spec["at"])


detectors = {
    "Adwin()": lambda: Adwin(),
    "Adwin(delta=0.05, clock=8)": lambda: Adwin(delta=0.05, clock=8),
    "Adwin(delta=0.05, clock=100, maximumBuckets=2)": lambda: Adwin(delta=0.05, clock=100, max_buckets=2),
    "Cusum()": lambda: Cusum(),
    "Cusum(delta=0.1, threshold=5, direction=Both)": lambda: Cusum(delta=0.1, threshold=5.0, direction="both"),
    "Cusum(delta=0.1, threshold=5, direction=Down)": lambda: Cusum(delta=0.1, threshold=5.0, direction="down"),
    "Eddm()": lambda: Eddm(),
    "HddmA()": lambda: HddmA(),
    "HddmA(twoSided=true)": lambda: HddmA(two_sided=True),
    "HddmW()": lambda: HddmW(),
    "HddmW(twoSided=true)": lambda: HddmW(two_sided=True),
    "Kswin()": lambda: Kswin(),
    "Kswin(alpha=0.0001, seed=42)": lambda: Kswin(alpha=0.0001, seed=42),
}
binary_only = {"Eddm()"}

cases = []
for sname, spec in streams.items():
    xs = stream(spec)
    for dname, make in detectors.items():
        if dname in binary_only and spec["kind"] != "errors":
            continue
        if dname.startswith("Hddm") and spec["kind"] != "errors":
            xs_used = [min(1.0, max(0.0, v)) for v in xs]
        else:
            xs_used = xs
        d = make()
        events = []
        for i, x in enumerate(xs_used):
            s = d.update(x)
            if s != NONE:
                events.append([i, s])
        case = {"detector": dname, "stream": sname, "spec": spec, "clamp": dname.startswith("Hddm") and spec["kind"] != "errors", "events": events}
        if isinstance(d, Adwin):
            case["width"] = d.width
            case["mean"] = d.total / d.width
        cases.append(case)

with open("streaming_detectors_reference.json", "w") as f:
    json.dump({"cases": cases}, f)
for c in cases:
    drifts = [e[0] for e in c["events"] if e[1] == DRIFT]
    print(f'{c["detector"]:48s} {c["stream"]:26s} drifts={len(drifts):4d} first={drifts[:3]}')
