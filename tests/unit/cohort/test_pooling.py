"""DerSimonian-Laird pooling: against a hand computation, and as properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.cohort import Estimate, dersimonian_laird, estimate_from_ci

ratios = st.floats(min_value=0.05, max_value=20, allow_nan=False)
half_widths = st.floats(min_value=0.05, max_value=3, allow_nan=False)


def hand_pool(rr: list[float], lo: list[float], hi: list[float]) -> tuple[float, float, float]:
    """(pooled ratio, I² %, τ²) written out step by step from the textbook formulas."""
    y = np.log(rr)
    v = ((np.log(hi) - np.log(lo)) / (2 * 1.96)) ** 2
    w = 1 / v
    y_fixed = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - y_fixed) ** 2)
    k = len(y)
    tau2 = max(0.0, (q - (k - 1)) / (np.sum(w) - np.sum(w**2) / np.sum(w)))
    i2 = max(0.0, (q - (k - 1)) / q) * 100 if q > 0 else 0.0
    w_star = 1 / (v + tau2)
    return float(np.exp(np.sum(w_star * y) / np.sum(w_star))), float(i2), float(tau2)


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-9, abs=1e-12)


def test_three_patients_match_the_hand_computation() -> None:
    rr, lo, hi = [0.4, 1.0, 0.25], [0.17, 0.61, 0.085], [0.94, 1.64, 0.74]
    ests = [estimate_from_ci(r, a, b) for r, a, b in zip(rr, lo, hi, strict=True)]
    result = dersimonian_laird([e for e in ests if e is not None])
    pooled, i2, tau2 = hand_pool(rr, lo, hi)
    assert math.exp(result.mu) == approx(pooled)
    assert result.i2 == approx(i2)
    assert result.tau2 == approx(tau2)
    assert tau2 > 0  # these patients disagree


def test_the_variance_comes_from_the_reported_interval() -> None:
    est = estimate_from_ci(0.5, 0.25, 1.0)
    assert est is not None
    assert est.log_ratio == math.log(0.5)
    assert est.variance == ((math.log(1.0) - math.log(0.25)) / 3.92) ** 2


def test_unusable_intervals_are_not_pooled() -> None:
    assert estimate_from_ci(0.5, 0.0, 1.0) is None
    assert estimate_from_ci(0.5, 0.6, 0.6) is None
    assert estimate_from_ci(math.nan, 0.2, 1.0) is None


@given(ratio=ratios, half=half_widths, k=st.integers(min_value=2, max_value=30))
def test_identical_patients_pool_to_their_common_ratio_with_no_heterogeneity(
    ratio: float, half: float, k: int
) -> None:
    est = Estimate(math.log(ratio), half * half)
    result = dersimonian_laird([est] * k)
    assert result.tau2 == 0.0
    assert result.i2 == 0.0
    assert math.exp(result.mu) == approx(ratio)
    # k identical patients shrink the standard error by sqrt(k)
    assert result.se == approx(half / math.sqrt(k))


@given(st.lists(st.tuples(ratios, half_widths), min_size=2, max_size=25))
def test_the_pool_lies_within_the_patients_and_ignores_their_order(
    rows: list[tuple[float, float]],
) -> None:
    ests = [Estimate(math.log(r), h * h) for r, h in rows]
    result = dersimonian_laird(ests)
    logs = [e.log_ratio for e in ests]
    assert min(logs) - 1e-9 <= result.mu <= max(logs) + 1e-9
    again = dersimonian_laird(list(reversed(ests)))
    assert again.mu == approx(result.mu)
    assert result.tau2 >= 0
    assert 0 <= result.i2 < 100
