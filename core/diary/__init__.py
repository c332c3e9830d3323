"""Reading and validating cramp-diary exports: bytes -> DiaryTable -> DiarySummary.

A clinician uploads whatever the patient's app or spreadsheet exported: CSV/TSV/TXT (comma,
semicolon or tab; UTF-8 with or without BOM, UTF-16, Latin-1/cp1252 fallback; decimal
commas), XLSX, or JSON (a list of records). Three shapes are read: one row per cramp
episode, one row per night with a count, and the long export of symptom trackers (date,
category, rating/amount, detail, notes), reduced to its cramp rows.

The pipeline, in module order: ``readers`` (bytes -> text columns with the physical line of
each record) -> ``mapping`` (which column is which field) -> ``parsers`` (one module per
kind of field) -> ``build`` (named stages) with ``duplicates`` and ``problems`` ->
``summary`` (entry points) and ``export`` (cleaned rows; ``core.outputs.safe_csv`` writes
them as CSV).

Every bad value is reported with its line in the file (header = line 1 when the header is
the first line; XLSX: the spreadsheet row; JSON: the line where the record starts), its
column as named in the file, and the reason. Rows without a usable date are set aside with
their original values; every other row is kept, and identical rows are flagged, not
dropped. Severity is kept on the scale it was recorded on, never rescaled: numbers 0-10
(or 1-10) as written; words map to an ordinal 1-3 (mild 1, moderate 2, severe 3).

This package must stay cheap to import: no altair, no streamlit.
"""

from __future__ import annotations

from core.diary.export import cleaned_frame
from core.diary.mapping import FIELD_LABELS, FIELDS
from core.diary.model import (
    MAX_ERRORS_IN_SUMMARY,
    ROW_COLUMN,
    SIDE_ORDER,
    SUPPORTED_TYPES,
    AmbiguousDatesError,
    DateOrder,
    DiaryTable,
    FileFormat,
    MissingColumnsError,
    SeverityKind,
    Shape,
)
from core.diary.parsers.words import SEVERITY_WORDS
from core.diary.problems import readable_errors
from core.diary.summary import read_diary, summarize, summarize_bytes, summarize_path
from core.diary.vocab import TIME_OF_DAY

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "MAX_ERRORS_IN_SUMMARY",
    "ROW_COLUMN",
    "SEVERITY_WORDS",
    "SIDE_ORDER",
    "SUPPORTED_TYPES",
    "TIME_OF_DAY",
    "AmbiguousDatesError",
    "DateOrder",
    "DiaryTable",
    "FileFormat",
    "MissingColumnsError",
    "SeverityKind",
    "Shape",
    "cleaned_frame",
    "read_diary",
    "readable_errors",
    "summarize",
    "summarize_bytes",
    "summarize_path",
]
