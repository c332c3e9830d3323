"""The panel's patient table: one row per patient, filtered by flag and rate ratio, sorted.

Kept out of the page so triage order and filters are tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Final, Literal

import pandas as pd

from core.cohort.schema import CohortPatient
from core.cohort.texts import FLAG_CODES, flag_labels

RatioFilter = Literal["all", "below_1", "1_or_above", "none"]
SortKey = Literal["flags", "ratio_high", "ratio_low", "file"]

RATIO_FILTERS: Final[dict[str, str]] = {
    "all": "All patients",
    "below_1": "Rate ratio below 1 (fewer cramps since K2)",
    "1_or_above": "Rate ratio 1 or above (same or more cramps)",
    "none": "No before/after comparison",
}
SORTS: Final[dict[str, str]] = {
    "flags": "Flags, most pressing first",
    "ratio_high": "Rate ratio, highest first",
    "ratio_low": "Rate ratio, lowest first",
    "file": "File name",
}


def _ratio(p: CohortPatient) -> float | None:
    k2 = p.summary.k2_comparison
    return None if k2 is None else k2.rate_ratio


def select_patients(
    patients: Sequence[CohortPatient],
    *,
    flags: Collection[str] = (),
    ratio: RatioFilter = "all",
    sort: SortKey = "flags",
) -> list[CohortPatient]:
    """Patients with any of ``flags`` (all when empty) and the ratio asked for, sorted."""
    wanted = set(flags)
    out = [p for p in patients if not wanted or wanted.intersection(p.flags)]
    if ratio == "below_1":
        out = [p for p in out if (r := _ratio(p)) is not None and r < 1]
    elif ratio == "1_or_above":
        out = [p for p in out if (r := _ratio(p)) is not None and r >= 1]
    elif ratio == "none":
        out = [p for p in out if _ratio(p) is None]
    if sort == "file":
        return sorted(out, key=lambda p: p.file)
    if sort in ("ratio_high", "ratio_low"):
        sign = -1.0 if sort == "ratio_high" else 1.0
        with_ratio = [p for p in out if _ratio(p) is not None]
        without = [p for p in out if _ratio(p) is None]
        return sorted(with_ratio, key=lambda p: (sign * (_ratio(p) or 0.0), p.file)) + without
    rank = {code: i for i, code in enumerate(FLAG_CODES)}
    return sorted(
        out,
        key=lambda p: (
            [rank[f] for f in p.flags] + [len(FLAG_CODES)],
            -(_ratio(p) or 0.0),
            p.file,
        ),
    )


def patient_table(patients: Sequence[CohortPatient]) -> pd.DataFrame:
    """The rows the page shows, one per patient, in the order given."""
    labels = flag_labels()
    rows = []
    for p in patients:
        s = p.summary
        k2 = s.k2_comparison
        rows.append(
            {
                "Patient (file)": p.file,
                "Flags": "; ".join(labels[f] for f in p.flags),
                "K2 start": k2.k2_start if k2 else None,
                "Before, a week": k2.before_per_week if k2 else None,
                "After, a week": k2.after_per_week if k2 else None,
                "Rate ratio": k2.rate_ratio if k2 else None,
                "95% CI from": k2.ci95[0] if k2 else None,
                "95% CI to": k2.ci95[1] if k2 else None,
                "Weeks before": round(k2.weeks_before, 1) if k2 else None,
                "Weeks after": round(k2.weeks_after, 1) if k2 else None,
                "Cramps": s.episodes,
                "Rows set aside": s.rows_rejected,
                "From": s.first_date,
                "To": s.last_date,
            }
        )
    return pd.DataFrame(rows)
