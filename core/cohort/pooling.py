"""DerSimonian-Laird random-effects pooling of per-patient log rate ratios.

Each patient's variance is taken from the 95% CI as printed in its JSON,
((ln upper - ln lower) / (2 x 1.96))^2, so anyone can reproduce the pooled figure from
``python -m core cohort`` output alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.cohort.schema import CohortPatient, PooledEstimate

Z: float = 1.96
"""The z value of the issue's formula (not the exact 1.95996...), for reproducibility."""
MIN_PATIENTS = 2


@dataclass(frozen=True)
class Estimate:
    """One patient's log rate ratio and its variance."""

    log_ratio: float
    variance: float


def estimate_from_ci(rate_ratio: float, low: float, high: float) -> Estimate | None:
    """The log ratio and variance from a reported ratio and 95% CI; None if unusable."""
    if not (0 < low < high and rate_ratio > 0) or not all(
        math.isfinite(v) for v in (rate_ratio, low, high)
    ):
        return None
    se = (math.log(high) - math.log(low)) / (2 * Z)
    return Estimate(math.log(rate_ratio), se * se)


def patient_estimates(patients: Iterable[CohortPatient]) -> list[Estimate]:
    """Estimates of the patients that have a before/after comparison with a usable CI."""
    out: list[Estimate] = []
    for p in patients:
        k2 = p.summary.k2_comparison
        if k2 is not None:
            est = estimate_from_ci(k2.rate_ratio, k2.ci95[0], k2.ci95[1])
            if est is not None:
                out.append(est)
    return out


@dataclass(frozen=True)
class DLResult:
    """Unrounded DerSimonian-Laird result: mean and SE on the log scale, Q, I² (%), τ²."""

    mu: float
    se: float
    q: float
    i2: float
    tau2: float
    k: int


def dersimonian_laird(estimates: Sequence[Estimate]) -> DLResult:
    """Random-effects pool (DerSimonian & Laird 1986) of at least one estimate."""
    k = len(estimates)
    if k == 0:
        raise ValueError("nothing to pool")
    w = [1.0 / e.variance for e in estimates]
    y = [e.log_ratio for e in estimates]
    sw = sum(w)
    fixed = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sw
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(w, y, strict=True))
    df = k - 1
    c = sw - sum(wi * wi for wi in w) / sw
    tau2 = max(0.0, (q - df) / c) if df > 0 and c > 0 else 0.0
    i2 = max(0.0, (q - df) / q) * 100.0 if q > 0 and df > 0 else 0.0
    w_star = [1.0 / (e.variance + tau2) for e in estimates]
    sws = sum(w_star)
    mu = sum(wi * yi for wi, yi in zip(w_star, y, strict=True)) / sws
    return DLResult(mu=mu, se=math.sqrt(1.0 / sws), q=q, i2=i2, tau2=tau2, k=k)


def pool(patients: Iterable[CohortPatient]) -> PooledEstimate | None:
    """The panel's pooled rate ratio, or None when fewer than 2 patients can be pooled."""
    estimates = patient_estimates(patients)
    if len(estimates) < MIN_PATIENTS:
        return None
    r = dersimonian_laird(estimates)
    return PooledEstimate(
        rate_ratio=round(math.exp(r.mu), 4),
        ci95=(round(math.exp(r.mu - Z * r.se), 4), round(math.exp(r.mu + Z * r.se), 4)),
        i2=round(r.i2, 2),
        tau2=round(r.tau2, 6),
        patients=r.k,
    )
