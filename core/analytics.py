"""Diary analytics: weekly series, before/after K2 with a Poisson rate ratio, aggregates.

Every function takes the cleaned episode frame of ``core.diary.DiaryTable.episodes``
(columns date, minute_of_day, duration_min, severity, side, count) and returns a small,
aggregated frame or value: charts and pages never need the raw rows.

Conventions, stated once:
- Weeks start on Monday; every week between the first and last diary date is listed,
  zero-episode weeks included.
- The observed span runs from the first to the last date in the diary, inclusive. A
  diary that logs only cramps cannot show cramp-free days after its last entry.
- A night whose count could not be read is inside the span but adds no episodes.
- Severity and duration means are over the episodes (or nights with at least one cramp)
  that recorded them, on the scale the diary used.

Size (about 470 lines): weekly series, the K2 comparison and the chart aggregates share
these conventions, so they stay together. Numbers only: the words for a comparison are
``core.outputs.diary_text`` (prose in ``core/data/diary_texts.json``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import TypeAdapter

from core import trial
from core.models import K2Comparison, WeeklyPoint

# Reference values from the randomised trial (evidence id tan2024): mean cramps a week.
TRIAL_EVIDENCE_ID: Final = trial.EVIDENCE_ID
TRIAL_K2_BASELINE: Final = trial.K2_BASELINE
TRIAL_K2_DURING: Final = trial.K2_DURING
TRIAL_PLACEBO_BASELINE: Final = trial.PLACEBO_BASELINE
TRIAL_PLACEBO_DURING: Final = trial.PLACEBO_DURING
TRIAL_WEEKS: Final = trial.WEEKS
Z95: Final = 1.959963984540054
CONTINUITY: Final = 0.5
_EPOCH: Final = dt.date(1970, 1, 1)

DURATION_BINS: Final = (0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 30.0, math.inf)
DURATION_LABELS: Final = ("<1", "1–2", "2–3", "3–5", "5–10", "10–15", "15–30", "30+")
WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NIGHT_HOUR_ORDER: Final = (*range(18, 24), *range(0, 18))
"""Hours from 18:00 round to 17:00, so a night reads left to right."""


def trial_reference() -> pd.DataFrame:
    """The trial arms' mean cramps a week before and during treatment (tan2024)."""
    return pd.DataFrame(
        {
            "arm": ["MK-7 180 µg", "MK-7 180 µg", "Placebo", "Placebo"],
            "period": ["baseline", "during 8 weeks", "baseline", "during 8 weeks"],
            "per_week": [
                TRIAL_K2_BASELINE,
                TRIAL_K2_DURING,
                TRIAL_PLACEBO_BASELINE,
                TRIAL_PLACEBO_DURING,
            ],
            "label": [
                f"Trial MK-7 baseline {TRIAL_K2_BASELINE:.2f}",
                f"Trial MK-7 on treatment {TRIAL_K2_DURING:.2f}",
                f"Trial placebo baseline {TRIAL_PLACEBO_BASELINE:.2f}",
                f"Trial placebo during {TRIAL_PLACEBO_DURING:.2f}",
            ],
            "evidence": [TRIAL_EVIDENCE_ID] * 4,
        }
    )


# --------------------------------------------------------------------------------------
# Basic series


@dataclass(frozen=True)
class Rows:
    """The columns the summary aggregates read, as arrays (no pandas objects to build).

    ``days`` since 1970-01-01; ``counts`` episodes per row (NaN where a nightly count
    could not be read); ``severity`` and ``duration`` NaN where not recorded.
    """

    days: npt.NDArray[np.int64]
    counts: npt.NDArray[np.float64]
    severity: npt.NDArray[np.float64]
    duration: npt.NDArray[np.float64]

    @classmethod
    def of(cls, frame: Episodes) -> Rows:
        """The arrays of an episode frame (a ``Rows`` is returned as it is)."""
        if isinstance(frame, Rows):
            return frame
        return cls(
            frame["date"].to_numpy(dtype="datetime64[D]").astype(np.int64),
            frame["count"].to_numpy(dtype="float64", na_value=np.nan),
            frame["severity"].to_numpy(np.float64),
            frame["duration_min"].to_numpy(np.float64),
        )

    def __len__(self) -> int:
        return len(self.days)


Episodes = pd.DataFrame | Rows
"""The episode frame, or just the arrays of it that the summary's aggregates read."""


def _days(frame: Episodes) -> npt.NDArray[np.int64]:
    if isinstance(frame, Rows):
        return frame.days
    values = frame["date"].to_numpy(dtype="datetime64[D]")
    return values.astype(np.int64)


def _counts(frame: Episodes) -> npt.NDArray[np.float64]:
    """Episodes per row; 0 where a nightly count could not be read."""
    counts = frame.counts if isinstance(frame, Rows) else _raw_counts(frame)
    return np.asarray(np.nan_to_num(counts, nan=0.0), np.float64)


def _raw_counts(frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    return np.asarray(frame["count"].to_numpy(dtype="float64", na_value=np.nan), np.float64)


def _date(days: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(days))


def observed_span(frame: Episodes) -> tuple[dt.date, dt.date] | None:
    """First and last diary date, or None for an empty diary."""
    if len(frame) == 0:
        return None
    days = _days(frame)
    return _date(int(days.min())), _date(int(days.max()))


def observed_days(frame: Episodes) -> int:
    """Days from the first to the last diary date, inclusive (0 if empty)."""
    span = observed_span(frame)
    return 0 if span is None else (span[1] - span[0]).days + 1


def total_episodes(frame: Episodes) -> int:
    """Cramp episodes in the frame (nightly counts summed)."""
    return int(_counts(frame).sum()) if len(frame) else 0


def episodes_per_week(frame: Episodes) -> float:
    """Episodes divided by the observed span in weeks (0.0 for an empty diary)."""
    days = observed_days(frame)
    return round(total_episodes(frame) / (days / 7.0), 4) if days else 0.0


def weekly_arrays(frame: Episodes) -> dict[str, npt.NDArray[Any]]:
    """The weekly series as arrays (see ``weekly_series``); empty arrays for no rows."""
    if len(frame) == 0:
        none = np.zeros(0, np.int64)
        blank = np.zeros(0, np.float64)
        return {
            "week_start": none.astype("datetime64[D]"),
            "episodes": none,
            "mean_severity": blank,
            "mean_duration_min": blank,
            "days_observed": none,
        }
    rows = Rows.of(frame)
    days = rows.days
    first, last = int(days.min()), int(days.max())
    monday0 = first - (first + 3) % 7  # 1970-01-01 was a Thursday
    week = (days - monday0) // 7
    nweeks = (last - monday0) // 7 + 1
    episodes = np.bincount(week, weights=np.nan_to_num(rows.counts, nan=0.0), minlength=nweeks)
    not_zero = rows.counts != 0
    starts = monday0 + 7 * np.arange(nweeks)
    observed = np.minimum(starts + 6, last) - np.maximum(starts, first) + 1
    return {
        "week_start": starts.astype("datetime64[D]"),
        "episodes": np.rint(episodes).astype(np.int64),
        "mean_severity": _weekly_mean(week, rows.severity, not_zero, nweeks),
        "mean_duration_min": _weekly_mean(week, rows.duration, not_zero, nweeks),
        "days_observed": observed.astype(np.int64),
    }


def weekly_series(frame: Episodes) -> pd.DataFrame:
    """One row per Monday-starting week, zero weeks included.

    Columns: week_start (datetime64), episodes (int), mean_severity, mean_duration_min
    (float, NaN when none recorded), days_observed (days of the week inside the span).
    """
    columns = weekly_arrays(frame)
    columns["week_start"] = columns["week_start"].astype("datetime64[s]")
    return pd.DataFrame(columns)


def _weekly_mean(
    week: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    rows: npt.NDArray[np.bool_],
    nweeks: int,
) -> npt.NDArray[np.float64]:
    ok = rows & ~np.isnan(values)
    sums = np.bincount(week[ok], weights=values[ok], minlength=nweeks)
    ns = np.bincount(week[ok], minlength=nweeks)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ns > 0, sums / np.maximum(ns, 1), np.nan)


_POINTS: Final = TypeAdapter(list[WeeklyPoint])


def weekly_points(weekly: pd.DataFrame | dict[str, npt.NDArray[Any]]) -> list[WeeklyPoint]:
    """The weekly series (frame or ``weekly_arrays``) as contract WeeklyPoint objects.

    Means are rounded to 3 places; the list is validated in one call (a panel has
    hundreds of diaries of some fifty weeks each).
    """
    starts = np.asarray(weekly["week_start"]).astype("datetime64[D]").astype(str)
    return _POINTS.validate_python(
        [
            {
                "week_start": str(start),
                "episodes": int(eps),
                "mean_severity": None if math.isnan(sev) else round(sev, 3),
                "mean_duration_min": None if math.isnan(dur) else round(dur, 3),
            }
            for start, eps, sev, dur in zip(
                starts.tolist(),
                np.asarray(weekly["episodes"]).tolist(),
                np.asarray(weekly["mean_severity"], np.float64).tolist(),
                np.asarray(weekly["mean_duration_min"], np.float64).tolist(),
                strict=True,
            )
        ]
    )


# --------------------------------------------------------------------------------------
# Before / after K2


@dataclass(frozen=True)
class K2Result:
    """Episodes per week before and after the K2 start, with a Poisson rate ratio.

    ``rate_ratio`` = after rate / before rate. Its 95% CI is Wald on the log scale:
    exp(log RR ± 1.96·sqrt(1/a + 1/b)), with a and b the episode counts after and
    before. When one side has no episodes, 0.5 is added to both counts (continuity
    correction, ``corrected`` = True) so the ratio and interval exist; when both sides
    have none, or a side has no observed days, there is no ratio (``available`` False,
    ``reason`` says why).
    """

    k2_start: dt.date
    available: bool
    reason: str
    episodes_before: int = 0
    episodes_after: int = 0
    days_before: int = 0
    days_after: int = 0
    before_per_week: float = 0.0
    after_per_week: float = 0.0
    rate_ratio: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    corrected: bool = False

    @property
    def weeks_before(self) -> float:
        """Observed weeks before the K2 start."""
        return self.days_before / 7.0

    @property
    def weeks_after(self) -> float:
        """Observed weeks from the K2 start on (the start day counts as after)."""
        return self.days_after / 7.0

    def to_model(self) -> K2Comparison | None:
        """The contract's K2Comparison, or None when no ratio can be computed."""
        if not self.available:
            return None
        return K2Comparison(
            k2_start=self.k2_start.isoformat(),
            before_per_week=round(self.before_per_week, 4),
            after_per_week=round(self.after_per_week, 4),
            rate_ratio=round(self.rate_ratio, 4),
            ci95=(round(self.ci_low, 4), round(self.ci_high, 4)),
            weeks_before=round(self.weeks_before, 4),
            weeks_after=round(self.weeks_after, 4),
            episodes_before=self.episodes_before,
            episodes_after=self.episodes_after,
            continuity_correction=self.corrected,
        )


def compare_k2(frame: Episodes, k2_start: dt.date) -> K2Result:
    """Episodes per week before vs from ``k2_start`` on, and their rate ratio."""
    span = observed_span(frame)
    if span is None:
        return K2Result(k2_start, False, "the diary has no dated rows")
    first, last = span
    days_before = (k2_start - first).days
    days_after = (last - k2_start).days + 1
    if days_before <= 0:
        return K2Result(
            k2_start,
            False,
            f"the diary starts on {first.isoformat()}, not before the K2 start; "
            "there is nothing to compare with",
        )
    if days_after <= 0:
        return K2Result(
            k2_start,
            False,
            f"the diary ends on {last.isoformat()}, before the K2 start",
        )
    days = _days(frame)
    counts = _counts(frame)
    start_day = (k2_start - _EPOCH).days
    after_mask = days >= start_day
    a = float(counts[after_mask].sum())
    b = float(counts[~after_mask].sum())
    rate_before = b / (days_before / 7.0)
    rate_after = a / (days_after / 7.0)
    base = K2Result(
        k2_start,
        False,
        "",
        episodes_before=int(b),
        episodes_after=int(a),
        days_before=days_before,
        days_after=days_after,
        before_per_week=rate_before,
        after_per_week=rate_after,
    )
    if a == 0 and b == 0:
        return replace(base, reason="no episodes before or after the K2 start")
    corrected = a == 0 or b == 0
    ca, cb = (a + CONTINUITY, b + CONTINUITY) if corrected else (a, b)
    rr = (ca / days_after) / (cb / days_before)
    se = math.sqrt(1.0 / ca + 1.0 / cb)
    return replace(
        base,
        available=True,
        rate_ratio=rr,
        ci_low=math.exp(math.log(rr) - Z95 * se),
        ci_high=math.exp(math.log(rr) + Z95 * se),
        corrected=corrected,
    )


# --------------------------------------------------------------------------------------
# Aggregates for the charts (small frames only)


def severity_trend(frame: pd.DataFrame, window_days: int = 7) -> pd.DataFrame:
    """Mean severity per day (per week for diaries over two years) and a rolling mean.

    Columns: period_start, entries (with a severity), mean_severity, rolling_mean
    (trailing ``window_days`` days, or 4 weeks when weekly), window (label).
    """
    rows = frame["count"].to_numpy(dtype="float64", na_value=np.nan) != 0
    sev = frame["severity"].to_numpy(np.float64)
    ok = rows & ~np.isnan(sev)
    empty = pd.DataFrame(
        {
            "period_start": pd.Series([], dtype="datetime64[s]"),
            "entries": pd.Series([], dtype="int64"),
            "mean_severity": pd.Series([], dtype="float64"),
            "rolling_mean": pd.Series([], dtype="float64"),
            "window": pd.Series([], dtype="str"),
        }
    )
    if not ok.any():
        return empty
    days = _days(frame)[ok]
    values = sev[ok]
    first, last = int(days.min()), int(days.max())
    weekly = last - first > 730
    if weekly:
        origin = first - (first + 3) % 7
        step, window, label = 7, 4, "4-week rolling mean"
    else:
        origin = first
        step, window, label = 1, window_days, f"{window_days}-day rolling mean"
    idx = (days - origin) // step
    size = int(idx.max()) + 1
    sums = np.bincount(idx, weights=values, minlength=size)
    ns = np.bincount(idx, minlength=size).astype(np.float64)
    csum = np.concatenate(([0.0], np.cumsum(sums)))
    cn = np.concatenate(([0.0], np.cumsum(ns)))
    hi = np.arange(1, size + 1)
    lo = np.maximum(hi - window, 0)
    roll_n = cn[hi] - cn[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        rolling = np.where(roll_n > 0, (csum[hi] - csum[lo]) / np.maximum(roll_n, 1), np.nan)
        mean = np.where(ns > 0, sums / np.maximum(ns, 1), np.nan)
    present = ns > 0
    starts = origin + step * np.arange(size)
    return pd.DataFrame(
        {
            "period_start": starts[present].astype("datetime64[D]").astype("datetime64[s]"),
            "entries": ns[present].astype(np.int64),
            "mean_severity": np.round(mean[present], 3),
            "rolling_mean": np.round(rolling[present], 3),
            "window": label,
        }
    )


def duration_distribution(frame: pd.DataFrame) -> pd.DataFrame:
    """Entries with a recorded duration, counted in fixed minute bins (all bins listed)."""
    dur = frame["duration_min"].to_numpy(np.float64)
    dur = dur[~np.isnan(dur)]
    edges = np.asarray(DURATION_BINS)
    idx = np.clip(np.searchsorted(edges, dur, side="right") - 1, 0, len(DURATION_LABELS) - 1)
    counts = np.bincount(idx, minlength=len(DURATION_LABELS))
    return pd.DataFrame(
        {
            "bin": list(DURATION_LABELS),
            "order": np.arange(len(DURATION_LABELS)),
            "from_min": edges[:-1],
            "to_min": edges[1:],
            "entries": counts.astype(np.int64),
        }
    )


def night_heatmap(frame: pd.DataFrame) -> pd.DataFrame:
    """Episodes with a time, by weekday of the recorded date × hour (7 × 24 cells)."""
    minutes = frame["minute_of_day"].to_numpy(dtype="float64", na_value=np.nan)
    counts = _counts(frame)
    ok = ~np.isnan(minutes) & (counts > 0)
    weekday = (_days(frame)[ok] + 3) % 7
    hour = (minutes[ok] // 60).astype(np.int64)
    cell = weekday * 24 + hour
    grid = np.bincount(cell, weights=counts[ok], minlength=7 * 24)
    wd, hr = np.divmod(np.arange(7 * 24), 24)
    order = np.asarray([NIGHT_HOUR_ORDER.index(h) for h in range(24)])
    return pd.DataFrame(
        {
            "weekday": [WEEKDAYS[i] for i in wd],
            "weekday_order": wd,
            "hour": [f"{h:02d}:00" for h in hr],
            "hour_order": order[hr],
            "episodes": np.rint(grid).astype(np.int64),
        }
    )


def side_breakdown(frame: pd.DataFrame) -> pd.DataFrame:
    """Episodes by leg: left, right, both, not recorded."""
    counts = _counts(frame)
    codes = frame["side"].cat.codes.to_numpy() if len(frame) else np.zeros(0, np.int8)
    idx = np.where(codes >= 0, codes, 3).astype(np.int64)
    sums = np.bincount(idx, weights=counts, minlength=4)
    return pd.DataFrame(
        {
            "side": ["Left", "Right", "Both", "Not recorded"],
            "order": np.arange(4),
            "episodes": np.rint(sums).astype(np.int64),
        }
    )
