"""The diary's cleaned rows as CSV: one implementation (``core.outputs.safe_csv``), one row per
kept row, no cell a spreadsheet runs as a formula."""

from __future__ import annotations

import csv
import io
import json

from core.diary import cleaned_frame, read_diary
from core.outputs.safe_csv import safe_csv


def test_a_carriage_return_inside_a_note_stays_inside_its_row() -> None:
    records = [
        {"date": "2024-01-02", "notes": "woke at 2\rstretched"},
        {"date": "2024-01-03", "notes": '=HYPERLINK("x")'},
    ]
    table = read_diary(json.dumps(records).encode(), "diary.json")
    data = safe_csv(cleaned_frame(table))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    notes = rows[0].index("notes")
    assert len(rows) == 3
    assert [r[notes] for r in rows[1:]] == ["woke at 2\rstretched", '\'=HYPERLINK("x")']
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 3
