"""Entry points: bytes -> DiaryTable (``read_diary``) -> DiarySummary (``summarize``).

``summarize_bytes`` is the pure whole pipeline for callers holding many files in memory
(the clinic panel): bytes and a file name in, a DiarySummary out, nothing touches disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from core import analytics
from core.diary.build import build
from core.diary.mapping import infer_mapping
from core.diary.model import (
    MAX_ERRORS_IN_SUMMARY,
    AmbiguousDatesError,
    DateOrder,
    DiaryTable,
)
from core.diary.readers import load
from core.errors import InputError
from core.models import DiarySummary


def read_diary(
    data: bytes,
    filename: str,
    *,
    date_order: DateOrder = "auto",
    column_map: Mapping[str, str] | None = None,
) -> DiaryTable:
    """Read and validate a diary export held in memory (never written to disk).

    ``column_map`` maps diary fields (see ``FIELDS``) to column names as in the file and
    overrides the inferred mapping; an empty name unmaps a field. Raises ``InputError`` for
    an empty, binary or malformed file, ``MissingColumnsError`` when no date column can be
    found and ``AmbiguousDatesError`` when the day/month order must be asked (both
    InputErrors).
    """
    where = filename or "upload"
    raw = load(data, where)
    del data  # let a large upload be freed while the columns are parsed
    mapping = infer_mapping(raw.names, column_map, where)
    return build(raw, mapping, date_order, where)


def summarize(
    table: DiaryTable,
    k2_start: dt.date | None = None,
    *,
    exclude_duplicates: bool = False,
    start_from_file: bool = True,
) -> DiarySummary:
    """The contract's DiarySummary for a read diary.

    ``k2_start`` falls back to the first date the supplement column (or a tracker's
    supplement entry) shows vitamin K2, unless ``start_from_file`` is False (the page,
    where the user may have cleared that date).
    """
    rows: analytics.Episodes = table.kept.rows()
    if exclude_duplicates:
        rows = table.episodes[table.episodes["duplicate_of"].isna()]
    start = k2_start if k2_start is not None or not start_from_file else table.k2_start_from_file
    span = analytics.observed_span(rows)
    comparison = analytics.compare_k2(rows, start) if start is not None else None
    return DiarySummary(
        rows_read=table.rows_read,
        episodes=analytics.total_episodes(rows),
        rows_rejected=len(table.set_aside),
        errors=table.error_list(MAX_ERRORS_IN_SUMMARY),
        first_date=span[0].isoformat() if span else None,
        last_date=span[1].isoformat() if span else None,
        weekly=analytics.weekly_points(analytics.weekly_arrays(rows)),
        episodes_per_week=analytics.episodes_per_week(rows),
        k2_comparison=comparison.to_model() if comparison is not None else None,
    )


def summarize_bytes(
    data: bytes,
    filename: str,
    k2_start: dt.date | None = None,
    *,
    date_order: DateOrder = "auto",
) -> DiarySummary:
    """Read, validate and summarise one diary held in memory; nothing touches disk.

    Refuses (InputError, naming the file) what ``read_diary`` refuses, and a file in which
    no row has a usable date (naming the first problems).
    """
    holder = [data]
    del data  # pop() below hands read_diary the only reference, so it can free the bytes
    table = read_diary(holder.pop(), filename, date_order=date_order)
    if not len(table.kept):
        first = table.error_list(3)
        detail = "; ".join(f"line {e.row}, column {e.column!r}: {e.message}" for e in first)
        raise InputError(
            "no row has a usable date" + (f" ({detail})" if detail else ""), where=filename
        )
    return summarize(table, k2_start)


def summarize_path(
    path: Path,
    k2_start: dt.date | None = None,
    date_order: DateOrder = "auto",
) -> DiarySummary:
    """Read, validate and summarise a diary file for the command line (see summarize_bytes).

    Ambiguous dates are refused naming the ``--date-order`` option to pass.
    """
    where = str(path)
    try:
        holder = [path.read_bytes()]
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", where=where) from None
    try:  # pop() hands the only reference on, so the bytes are freed once parsed
        return summarize_bytes(holder.pop(), where, k2_start, date_order=date_order)
    except AmbiguousDatesError as exc:
        raise exc.for_cli() from None
