"""Weekly series, before/after K2 with a Poisson rate ratio, and the chart aggregates."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from core import analytics
from core.diary import read_diary
from core.evidence import catalogue
from core.outputs import diary_text


def episodes(*dates: str, severity: float | None = None, **extra: Sequence[Any]) -> pd.DataFrame:
    """A cleaned episode frame like DiaryTable.episodes, one row per date given."""
    n = len(dates)
    frame = pd.DataFrame(
        {
            "line": np.arange(2, n + 2),
            "date": pd.to_datetime(list(dates)).astype("datetime64[s]"),
            "minute_of_day": pd.array([None] * n, dtype="Int16"),
            "duration_min": np.full(n, np.nan),
            "severity": np.full(n, np.nan if severity is None else severity),
            "side": pd.Categorical([None] * n, categories=["left", "right", "both"]),
            "count": pd.array([1] * n, dtype="Int32"),
        }
    )
    for name, values in extra.items():
        frame[name] = pd.Series(list(values), dtype=frame[name].dtype, index=frame.index)
    return frame


def days(start: str, n: int, step: int = 1) -> list[str]:
    first = dt.date.fromisoformat(start)
    return [(first + dt.timedelta(days=i * step)).isoformat() for i in range(n)]


# --- weekly series ---------------------------------------------------------------------


def test_weeks_start_on_monday_and_include_empty_weeks() -> None:
    # Wed 2024-01-03 and Tue 2024-01-23: three weeks, the middle one empty.
    weekly = analytics.weekly_series(episodes("2024-01-03", "2024-01-23", "2024-01-07"))
    assert weekly["week_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
        "2024-01-22",
    ]
    assert weekly["week_start"].dt.day_of_week.tolist() == [0, 0, 0, 0]
    assert weekly["episodes"].tolist() == [2, 0, 0, 1]
    assert weekly["days_observed"].tolist() == [5, 7, 7, 2]


def test_weekly_means_use_only_recorded_values() -> None:
    frame = episodes("2024-01-01", "2024-01-02", "2024-01-09", duration_min=[2.0, None, 4.0])
    frame["severity"] = [4.0, np.nan, 6.0]
    weekly = analytics.weekly_series(frame)
    assert weekly["mean_severity"].tolist() == [4.0, 6.0]
    assert weekly["mean_duration_min"].tolist() == [2.0, 4.0]
    points = analytics.weekly_points(weekly)
    assert points[0].week_start == "2024-01-01"
    assert points[0].episodes == 2


def test_nightly_counts_sum_and_zero_nights_count_as_observed() -> None:
    frame = episodes(*days("2024-01-01", 14), count=[2, 0, 0, 1, 0, 0, 0] + [0] * 7)
    weekly = analytics.weekly_series(frame)
    assert weekly["episodes"].tolist() == [3, 0]
    assert analytics.episodes_per_week(frame) == 1.5
    assert analytics.observed_days(frame) == 14


def test_unreadable_counts_add_no_episodes_but_stay_in_the_span() -> None:
    frame = episodes("2024-01-01", "2024-01-14", count=[3, None])
    assert analytics.total_episodes(frame) == 3
    assert analytics.observed_days(frame) == 14


def test_empty_diary() -> None:
    frame = episodes()
    assert analytics.weekly_series(frame).empty
    assert analytics.episodes_per_week(frame) == 0.0
    assert analytics.observed_span(frame) is None
    assert not analytics.compare_k2(frame, dt.date(2024, 1, 1)).available


# --- before/after K2 -------------------------------------------------------------------


def test_rate_ratio_and_wald_ci_match_hand_computation() -> None:
    before = days("2024-01-01", 12, step=2)[:12]  # 12 cramps over 28 days (Jan 1-28)
    after = days("2024-01-29", 4, step=7)  # 4 cramps from Jan 29 to Feb 25 (28 days)
    frame = episodes(*before, *after, "2024-02-25")
    result = analytics.compare_k2(frame, dt.date(2024, 1, 29))
    assert result.available and not result.corrected
    assert (result.episodes_before, result.episodes_after) == (12, 5)
    assert (result.days_before, result.days_after) == (28, 28)
    assert result.before_per_week == pytest.approx(3.0)
    assert result.after_per_week == pytest.approx(1.25)
    rr = 5 / 12
    se = math.sqrt(1 / 5 + 1 / 12)
    assert result.rate_ratio == pytest.approx(rr)
    assert result.ci_low == pytest.approx(rr * math.exp(-1.959964 * se), rel=1e-6)
    assert result.ci_high == pytest.approx(rr * math.exp(1.959964 * se), rel=1e-6)
    model = result.to_model()
    assert model is not None
    assert model.k2_start == "2024-01-29"
    assert (model.weeks_before, model.weeks_after) == (4.0, 4.0)
    assert model.ci95[0] < model.rate_ratio < model.ci95[1]


def test_unequal_exposure_is_part_of_the_ratio() -> None:
    # 6 cramps in 14 days before, 6 in 42 days after: rates 3.0 and 1.0 a week.
    frame = episodes(*days("2024-01-01", 6, 2), *days("2024-01-15", 6, 7), "2024-02-25")
    result = analytics.compare_k2(frame, dt.date(2024, 1, 15))
    assert result.days_before == 14 and result.days_after == 42
    assert result.before_per_week == pytest.approx(3.0)
    assert result.after_per_week == pytest.approx(7 / 6)
    assert result.rate_ratio == pytest.approx((7 / 42) / (6 / 14))


def test_zero_after_uses_a_continuity_correction_and_says_so() -> None:
    frame = episodes(*days("2024-01-01", 6), "2024-01-20")
    frame.loc[frame.index[-1], "count"] = 0  # a logged night without cramps after K2
    result = analytics.compare_k2(frame, dt.date(2024, 1, 10))
    assert result.available and result.corrected
    assert result.episodes_after == 0
    assert result.after_per_week == 0.0
    expected = (0.5 / result.days_after) / (6.5 / result.days_before)
    assert result.rate_ratio == pytest.approx(expected)
    assert result.ci_high > result.rate_ratio > result.ci_low > 0
    assert any("continuity correction" in note for note in diary_text.caveats(result))


def test_no_ratio_without_episodes_or_exposure() -> None:
    none = episodes("2024-01-01", "2024-01-20", count=[0, 0])
    assert not analytics.compare_k2(none, dt.date(2024, 1, 10)).available
    frame = episodes("2024-01-05", "2024-01-20")
    too_early = analytics.compare_k2(frame, dt.date(2024, 1, 5))
    assert not too_early.available and "not before the K2 start" in too_early.reason
    too_late = analytics.compare_k2(frame, dt.date(2024, 2, 1))
    assert not too_late.available and "before the K2 start" in too_late.reason
    assert too_late.to_model() is None
    assert diary_text.reading(too_late).startswith("No before/after comparison")


def test_k2_start_day_counts_as_after() -> None:
    frame = episodes("2024-01-01", "2024-01-08", "2024-01-14")
    result = analytics.compare_k2(frame, dt.date(2024, 1, 8))
    assert (result.episodes_before, result.episodes_after) == (1, 2)
    assert (result.days_before, result.days_after) == (7, 7)


def test_reading_is_plain_language() -> None:
    frame = episodes(*days("2024-01-01", 24, 1)[::2], *days("2024-01-29", 8, 7), "2024-03-24")
    result = analytics.compare_k2(frame, dt.date(2024, 1, 29))
    text = diary_text.reading(result)
    assert text.startswith(
        f"{result.before_per_week:.1f} → {result.after_per_week:.1f} cramps a week since K2"
    )
    assert f"rate ratio {result.rate_ratio:.2f} ({result.ci_low:.2f}–{result.ci_high:.2f})" in text
    assert "Fewer cramps since K2" in text
    flat = analytics.compare_k2(episodes(*days("2024-01-01", 10, 3)), dt.date(2024, 1, 15))
    assert "cannot tell this change from chance" in diary_text.reading(flat)


def test_caveats_set_the_diary_beside_the_trial() -> None:
    notes = " ".join(diary_text.caveats(None))
    assert "regression to the mean" in notes
    assert "2.71" in notes and "3.63" in notes
    assert "tan2024" in notes
    short = analytics.compare_k2(episodes(*days("2024-01-01", 20)), dt.date(2024, 1, 10))
    assert any("weeks on K2" in n for n in diary_text.caveats(short))


def test_trial_reference_values_come_from_the_evidence_catalogue() -> None:
    assert analytics.TRIAL_EVIDENCE_ID in catalogue()
    summary = catalogue()[analytics.TRIAL_EVIDENCE_ID].summary
    for value in (
        analytics.TRIAL_K2_BASELINE,
        analytics.TRIAL_K2_DURING,
        analytics.TRIAL_PLACEBO_BASELINE,
        analytics.TRIAL_PLACEBO_DURING,
    ):
        assert f"{value:.2f}" in summary
    ref = analytics.trial_reference()
    assert ref["per_week"].tolist() == [2.60, 0.96, 2.71, 3.63]
    text = diary_text.trial_comparison_text()
    assert "2.60 to 0.96" in text and "2.71 to 3.63" in text and "computed" in text


# --- chart aggregates ------------------------------------------------------------------


def test_severity_trend_rolling_mean_is_trailing_and_weighted() -> None:
    frame = episodes("2024-01-01", "2024-01-01", "2024-01-03", "2024-01-10")
    frame["severity"] = [2.0, 4.0, 9.0, 5.0]
    trend = analytics.severity_trend(frame, window_days=7)
    assert trend["period_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-01-03",
        "2024-01-10",
    ]
    assert trend["mean_severity"].tolist() == [3.0, 9.0, 5.0]
    assert trend["entries"].tolist() == [2, 1, 1]
    # Jan 3: (2 + 4 + 9) / 3; Jan 10: the window Jan 4-10 holds only 5.
    assert trend["rolling_mean"].tolist() == [3.0, 5.0, 5.0]


def test_severity_trend_switches_to_weeks_for_long_diaries() -> None:
    frame = episodes(*days("2020-01-01", 400, 3), severity=5.0)
    trend = analytics.severity_trend(frame)
    assert set(trend["window"]) == {"4-week rolling mean"}
    assert len(trend) <= 1200 / 7 + 2
    assert pd.to_datetime(trend["period_start"]).dt.day_of_week.eq(0).all()


def test_duration_distribution_lists_every_bin() -> None:
    frame = episodes(*days("2024-01-01", 6), duration_min=[0.5, 1.0, 2.5, 4.0, 45.0, None])
    dist = analytics.duration_distribution(frame)
    assert dist["bin"].tolist() == list(analytics.DURATION_LABELS)
    assert dist["entries"].tolist() == [1, 1, 1, 1, 0, 0, 0, 1]


def test_night_heatmap_is_a_full_weekday_by_hour_grid() -> None:
    frame = episodes("2024-01-01", "2024-01-01", "2024-01-06", "2024-01-07")
    frame["minute_of_day"] = pd.array([150, 170, 23 * 60, None], dtype="Int16")
    frame["count"] = pd.array([1, 2, 1, 1], dtype="Int32")
    heat = analytics.night_heatmap(frame)
    assert len(heat) == 7 * 24
    cell = heat.set_index(["weekday", "hour"])["episodes"]
    assert cell[("Mon", "02:00")] == 3
    assert cell[("Sat", "23:00")] == 1
    assert heat["episodes"].sum() == 4
    assert heat.loc[heat["hour"] == "18:00", "hour_order"].iloc[0] == 0


def test_side_breakdown() -> None:
    t = read_diary(b"date,leg\n2024-01-01,L\n2024-01-02,R\n2024-01-03,L\n2024-01-04,\n", "s.csv")
    sides = analytics.side_breakdown(t.episodes)
    assert dict(zip(sides["side"], sides["episodes"], strict=True)) == {
        "Left": 2,
        "Right": 1,
        "Both": 0,
        "Not recorded": 1,
    }


def test_contract_comparison_says_when_the_continuity_correction_was_used() -> None:
    before = days("2024-01-01", 6, step=2)
    frame = episodes(*before, "2024-01-28", count=[1] * 6 + [0])
    corrected = analytics.compare_k2(frame, dt.date(2024, 1, 15)).to_model()
    assert corrected is not None
    assert (corrected.episodes_before, corrected.episodes_after) == (6, 0)
    assert corrected.continuity_correction is True
    frame = episodes(*before, "2024-01-20", "2024-01-28")
    plain = analytics.compare_k2(frame, dt.date(2024, 1, 15)).to_model()
    assert plain is not None
    assert (plain.episodes_before, plain.episodes_after) == (6, 2)
    assert plain.continuity_correction is False
