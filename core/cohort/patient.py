"""One diary file -> its DiarySummary and the flags a clinician would triage on.

``assess_diary`` is pure (bytes and a name in, a model out) so it can run anywhere: in the
page, in the command line's worker processes, or mapped over partitions by a cluster engine.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from core.cohort.schema import CohortPatient
from core.cohort.texts import FLAG_CODES, texts
from core.diary import DiaryTable, read_diary, summarize
from core.errors import InputError
from core.models import DiarySummary


def longest_gap_days(days: npt.NDArray[np.int64]) -> int:
    """The longest run of days with no diary row between the first and last row.

    ``days`` are the kept rows' days since 1970 (``DiaryTable.kept.days``).
    """
    if len(days) < 2:
        return 0
    days = np.unique(days)
    return int(np.diff(days).max() - 1) if len(days) > 1 else 0


def triage_flags(summary: DiarySummary, *, k2_known: bool, gap_days: int) -> list[str]:
    """Flag codes for one patient, in triage order (see ``core/data/cohort_texts.json``)."""
    limits = texts().thresholds
    raised: set[str] = set()
    k2 = summary.k2_comparison
    if k2 is None:
        raised.add("no_comparison" if k2_known else "no_k2_start")
    else:
        if k2.rate_ratio > limits.rising_above:
            raised.add("cramps_rising")
        if k2.weeks_before < limits.min_weeks_each_side:
            raised.add("short_before")
        if k2.weeks_after < limits.min_weeks_each_side:
            raised.add("short_after")
    if gap_days >= limits.gap_days:
        raised.add("logging_gap")
    if summary.rows_rejected:
        raised.add("rows_set_aside")
    return [code for code in FLAG_CODES if code in raised]


def read_patient(data: bytes, filename: str) -> DiaryTable:
    """Read one diary, refusing (InputError) one the panel cannot use as it stands.

    Ambiguous day/month dates are refused by ``read_diary`` (the diary page can ask).
    """
    table = read_diary(data, filename)
    if not len(table.kept):
        first = table.error_list(3)
        detail = "; ".join(f"line {e.row}, column {e.column!r}: {e.message}" for e in first)
        raise InputError(
            "no row has a usable date" + (f" ({detail})" if detail else ""), where=filename
        )
    return table


def assess_table(table: DiaryTable, k2_start: dt.date | None = None) -> CohortPatient:
    """Summary and flags of a read diary; ``k2_start`` None means the file's own K2 date."""
    start = k2_start if k2_start is not None else table.k2_start_from_file
    summary = summarize(table, start, start_from_file=False)
    flags = triage_flags(
        summary, k2_known=start is not None, gap_days=longest_gap_days(table.kept.days)
    )
    return CohortPatient(file=table.filename, summary=summary, flags=flags)


def assess_diary(data: bytes, filename: str, k2_start: dt.date | None = None) -> CohortPatient:
    """Read, summarise and flag one diary file (pure: nothing written or logged)."""
    return assess_table(read_patient(data, filename), k2_start)
