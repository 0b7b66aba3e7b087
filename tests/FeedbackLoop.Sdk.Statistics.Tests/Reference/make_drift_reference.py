#!/usr/bin/python3
"""Reference values for the DDM and Page-Hinkley tests (tests/FeedbackLoop.Sdk.Tests/Drift).

Writes Drift/DriftReferenceData.g.cs. Run from this folder with /usr/bin/python3 (numpy only); it takes about
a minute on two cores.

The detectors below are written from the published definitions, in the update order of River's
drift.binary.DDM and drift.PageHinkley (checked against River's source, not copied):

DDM (Gama, Medas, Castillo, Rodrigues 2004, "Learning with Drift Detection", SBIA):
  p_i = running mean of the 0/1 errors (River: incremental mean), s_i = sqrt(p_i (1 - p_i) / i);
  only when i > warm_start: if p_i + s_i <= p_min + s_min then (p_min, s_min) = (p_i, s_i);
  drift if p_i + s_i > p_min + 3 s_min, else warning if p_i + s_i > p_min + 2 s_min;
  the update after a drift first resets everything.

Page-Hinkley (Page 1954, "Continuous inspection schemes", Biometrika), River's streaming form:
  mean_t += (x_t - mean_t) / t; dev = x_t - mean_t;
  m_t = alpha m_(t-1) + dev - delta; u_t = alpha u_(t-1) + dev + delta;
  M_t = min(M_(t-1), m_t); U_t = max(U_(t-1), u_t);
  when t >= min_instances: drift if (m_t - M_t > lambda) [up] or (U_t - u_t > lambda) [down];
  the update after a drift first resets everything.

The rates and delays are properties of the distribution, not of one random stream: the .NET tests draw their
own seeded streams and compare against these figures with stated margins.
"""
import math
import os

import numpy as np

NONE, WARNING, DRIFT = 0, 1, 2


class Ddm:
    def __init__(self, warm_start=30, warning=2.0, drift=3.0):
        self.warm_start, self.warning, self.drift = warm_start, warning, drift
        self.reset()

    def reset(self):
        self.n = 0
        self.mean = 0.0
        self.p_min = math.inf
        self.s_min = math.inf
        self.ps_min = math.inf
        self.state = NONE

    def update(self, x):
        if self.state == DRIFT:
            self.reset()
        self.n += 1
        self.mean += (x - self.mean) / self.n
        p = self.mean
        s = math.sqrt(p * (1 - p) / self.n)
        if self.n > self.warm_start:
            if p + s <= self.ps_min:
                self.p_min, self.s_min, self.ps_min = p, s, p + s
            if p + s > self.p_min + self.drift * self.s_min:
                self.state = DRIFT
            elif p + s > self.p_min + self.warning * self.s_min:
                self.state = WARNING
            else:
                self.state = NONE
        return self.state


class PageHinkley:
    def __init__(self, min_instances=30, delta=0.005, threshold=50.0, alpha=1 - 0.0001, mode="both"):
        self.min_instances, self.delta, self.threshold, self.alpha, self.mode = (
            min_instances, delta, threshold, alpha, mode)
        self.reset()

    def reset(self):
        self.n = 0
        self.mean = 0.0
        self.up = 0.0
        self.up_min = math.inf
        self.down = 0.0
        self.down_max = -math.inf
        self.state = NONE

    def statistic(self):
        inc = self.up - self.up_min
        dec = self.down_max - self.down
        return {"up": inc, "down": dec, "both": max(inc, dec)}[self.mode]

    def update(self, x):
        if self.state == DRIFT:
            self.reset()
        self.n += 1
        self.mean += (x - self.mean) / self.n
        dev = x - self.mean
        self.up = self.alpha * self.up + dev - self.delta
        self.down = self.alpha * self.down + dev + self.delta
        self.up_min = min(self.up_min, self.up)
        self.down_max = max(self.down_max, self.down)
        if self.n >= self.min_instances:
            inc = self.up - self.up_min > self.threshold
            dec = self.down_max - self.down > self.threshold
            hit = {"up": inc, "down": dec, "both": inc or dec}[self.mode]
            self.state = DRIFT if hit else NONE
        return self.state


# Vectorised copies of the two detectors (one column per stream) for the Monte Carlo figures.
def ddm_run(X, warm=30, w=2.0, d=3.0):
    T, R = X.shape
    n = np.zeros(R); mean = np.zeros(R)
    pmin = np.full(R, np.inf); smin = np.full(R, np.inf); psmin = np.full(R, np.inf)
    drift = np.zeros(R, bool); S = np.zeros((T, R), np.int8)
    for t in range(T):
        if drift.any():
            n[drift] = 0; mean[drift] = 0; pmin[drift] = np.inf; smin[drift] = np.inf; psmin[drift] = np.inf
        n += 1
        mean += (X[t] - mean) / n
        p = mean; s = np.sqrt(p * (1 - p) / n)
        act = n > warm
        upd = act & (p + s <= psmin)
        pmin = np.where(upd, p, pmin); smin = np.where(upd, s, smin); psmin = np.where(upd, p + s, psmin)
        drift = act & (p + s > pmin + d * smin)
        warn = act & (p + s > pmin + w * smin) & ~drift
        S[t] = np.where(drift, DRIFT, np.where(warn, WARNING, NONE))
    return S


def ph_run(X, mi=30, delta=0.005, lam=50.0, alpha=1 - 1e-4, mode="both"):
    T, R = X.shape
    n = np.zeros(R); mean = np.zeros(R); up = np.zeros(R); down = np.zeros(R)
    upmin = np.full(R, np.inf); downmax = np.full(R, -np.inf)
    drift = np.zeros(R, bool); S = np.zeros((T, R), np.int8)
    for t in range(T):
        if drift.any():
            n[drift] = 0; mean[drift] = 0; up[drift] = 0; down[drift] = 0
            upmin[drift] = np.inf; downmax[drift] = -np.inf
        n += 1
        x = X[t]
        mean += (x - mean) / n
        dev = x - mean
        up = alpha * up + dev - delta; down = alpha * down + dev + delta
        upmin = np.minimum(upmin, up); downmax = np.maximum(downmax, down)
        inc = up - upmin > lam; dec = downmax - down > lam
        hit = inc | dec if mode == "both" else (inc if mode == "up" else dec)
        drift = (n >= mi) & hit
        S[t] = np.where(drift, DRIFT, NONE)
    return S


def first_drift_from(S, t0):
    sub = S[t0:] == DRIFT
    return np.where(sub.any(axis=0), sub.argmax(axis=0), -1)


def cs(v):
    if v == math.inf:
        return "double.PositiveInfinity"
    if v == -math.inf:
        return "double.NegativeInfinity"
    r = repr(float(v))
    return r if ("e" in r or "." in r) else r + ".0"


STATES = {NONE: "DriftState.None", WARNING: "DriftState.Warning", DRIFT: "DriftState.Drift"}


def ddm_trace(name, values, det, out):
    out.append(f"    public static readonly double[] {name}Values = [{', '.join(cs(v) for v in values)}];")
    out.append("")
    out.append(f"    public static readonly DdmStep[] {name}Steps =")
    out.append("    [")
    for v in values:
        st = det.update(v)
        out.append(f"        new({det.n}, {cs(det.mean)}, {cs(det.p_min)}, {cs(det.s_min)}, {STATES[st]}),")
    out.append("    ];")
    out.append("")


def ph_trace(name, values, det, out, emit_values=True):
    if emit_values:
        out.append(f"    public static readonly double[] {name}Values = [{', '.join(cs(v) for v in values)}];")
        out.append("")
    out.append(f"    public static readonly PageHinkleyStep[] {name}Steps =")
    out.append("    [")
    for v in values:
        st = det.update(v)
        out.append(f"        new({det.n}, {cs(det.mean)}, {cs(det.statistic())}, {STATES[st]}),")
    out.append("    ];")
    out.append("")


def main():
    out = []
    # DDM, 40 values, defaults: 3 errors in the first 31, then four errors (warning, warning, drift), then a
    # fresh statistic.
    a = [0.0] * 40
    for i in (5, 14, 22, 31, 32, 33, 34, 36):
        a[i] = 1.0
    ddm_trace("DdmDefault40", a, Ddm(), out)

    rng = np.random.default_rng(20040901)
    b = (rng.random(300) < 0.3).astype(float).tolist()
    ddm_trace("DdmSmallWarmUp300", b, Ddm(5, 1.5, 2.5), out)

    c = np.concatenate([rng.normal(0.0, 1.0, 120), rng.normal(1.5, 1.0, 80), rng.normal(-1.0, 1.0, 100)])
    c = [round(float(v), 6) for v in c]
    ph_trace("PageHinkleyBoth300", c, PageHinkley(10, 0.1, 8.0, 0.99, "both"), out)
    ph_trace("PageHinkleyUp300", c, PageHinkley(10, 0.1, 8.0, 0.99, "up"), out, emit_values=False)
    ph_trace("PageHinkleyDown300", c, PageHinkley(10, 0.1, 8.0, 0.99, "down"), out, emit_values=False)
    ph_trace("PageHinkleyDefaults300", c, PageHinkley(), out, emit_values=False)

    # Monte Carlo figures quoted by the tests.
    mc = np.random.default_rng(1954)
    R = 20000
    figures = {}
    S = ddm_run((mc.random((10000, R)) < 0.1).astype(float))
    figures["DdmStationaryFalseAlarmRate10000"] = float(np.mean((S == DRIFT).any(axis=0)))
    del S
    S = ddm_run((mc.random((10000, R)) < 0.1).astype(float), warm=1000)
    figures["DdmStationaryFalseAlarmRate10000WarmUp1000"] = float(np.mean((S == DRIFT).any(axis=0)))
    del S
    S = ph_run(mc.standard_normal((1000, R)))
    figures["PageHinkleyStationaryFalseAlarmRate1000"] = float(np.mean((S == DRIFT).any(axis=0)))
    del S

    R = 10000
    S = ddm_run(np.vstack([mc.random((2000, R)) < 0.1, mc.random((1000, R)) < 0.5]).astype(float))
    d = first_drift_from(S, 2000)
    figures["DdmShiftMissedRate"] = float(np.mean(d < 0))
    figures["DdmShiftDelayQuantile999"] = float(np.quantile(d[d >= 0], 0.999))
    figures["DdmShiftDelayMaximum"] = float(d.max())
    del S

    pr = np.concatenate([np.full(1000, 0.1), np.linspace(0.1, 0.6, 2000)])
    S = ddm_run((mc.random((3000, R)) < pr[:, None]).astype(float))
    d = first_drift_from(S, 1000)
    warned = 0
    for r in range(R):
        t = 1000 + d[r]
        prev = np.flatnonzero(S[:t, r] == DRIFT)
        start = prev[-1] + 1 if len(prev) else 0
        warned += bool((S[start:t, r] == WARNING).any()) and d[r] >= 0
    figures["DdmGradualWarningBeforeDriftRate"] = warned / R
    del S

    for label, shift in (("Up", 2.0), ("Down", -2.0)):
        X = np.vstack([mc.standard_normal((2000, R)), shift + mc.standard_normal((1000, R))])
        S = ph_run(X, delta=0.5)
        d = first_drift_from(S, 2000)
        figures[f"PageHinkleyHalfSigmaShift{label}PreChangeAlarmRate"] = float(np.mean((S[:2000] == DRIFT).any(axis=0)))
        figures[f"PageHinkleyHalfSigmaShift{label}DelayMinimum"] = float(d[d >= 0].min())
        figures[f"PageHinkleyHalfSigmaShift{label}DelayMaximum"] = float(d.max())
        figures[f"PageHinkleyHalfSigmaShift{label}MissedRate"] = float(np.mean(d < 0))
        S = ph_run(X)
        d = first_drift_from(S, 2000)
        figures[f"PageHinkleyDefaultShift{label}DelayWithin100Rate"] = float(np.mean((d >= 0) & (d <= 100)))
        if shift < 0:
            S = ph_run(X, delta=0.5, mode="up")
            figures["PageHinkleyHalfSigmaUpOnDecreaseAlarmRate"] = float(np.mean((S == DRIFT).any(axis=0)))
        del S

    head = [
        "// <auto-generated>",
        "// Written by tests/FeedbackLoop.Sdk.Tests/Reference/make_drift_reference.py; do not edit by hand.",
        "// </auto-generated>",
        "using FeedbackLoop.Drift;",
        "",
        "namespace FeedbackLoop.Tests.Drift;",
        "",
        "internal sealed record DdmStep(long Count, double ErrorRate, double MinimumErrorRate, double MinimumStandardDeviation, DriftState State);",
        "",
        "internal sealed record PageHinkleyStep(long Count, double Mean, double Statistic, DriftState State);",
        "",
        "internal static class DriftReferenceData",
        "{",
    ]
    fig = []
    for k, v in figures.items():
        fig.append(f"    public const double {k} = {cs(v)};")
        fig.append("")
    text = "\n".join(head + fig + out).rstrip() + "\n}\n"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Drift", "DriftReferenceData.g.cs")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    for k, v in figures.items():
        print(k, v)


if __name__ == "__main__":
    main()
