"""The forest plot's spec carries aggregates only: one row per patient and the pool."""

from __future__ import annotations

import json

from core.cohort import build_report, collect_uploads
from core.outputs.forest import FOREST_COLUMNS, POOLED_LABEL, forest_spec, reference_data
from tests.unit.cohort.factory import nightly_diary

SECRET = "Mrs Example, 12 Privet Drive"


def with_note(diary: bytes, note: str) -> bytes:
    """The diary with a notes column, holding ``note`` on its fifth night."""
    lines = diary.decode().splitlines()
    lines[0] += ",notes"
    lines[5] += f",{note}"
    return ("\n".join(lines) + "\n").encode()


def test_the_spec_holds_one_row_per_patient_and_no_diary_content() -> None:
    uploads = [
        ("p1.csv", nightly_diary(28, 8)),
        ("p2.csv", nightly_diary(30, 33)),
        ("p3.csv", with_note(nightly_diary(20, 10), SECRET)),
        ("nok2.csv", nightly_diary(20, 10, k2_column=False)),
    ]
    report = build_report(collect_uploads(uploads), workers=1)
    spec = forest_spec(report.patients, report.pooled)
    datasets = list(spec["datasets"].values())
    rows = [r for d in datasets for r in d]
    forest_rows = [r for r in rows if "patient" in r]
    assert [r["patient"] for r in forest_rows][-1] == POOLED_LABEL
    assert sorted(r["patient"] for r in forest_rows[:-1]) == ["p1.csv", "p2.csv", "p3.csv"]
    assert all(set(r) <= set(FOREST_COLUMNS) for r in forest_rows)
    refs = [r for r in rows if "reference" in r]
    assert len(refs) == len(reference_data())
    assert len(rows) == len(forest_rows) + len(refs)
    text = json.dumps(spec)
    assert SECRET not in text
    assert report.patients[2].summary.episodes == 30  # the note's row was read
    assert "2024-01-" not in text  # no dated rows at all
