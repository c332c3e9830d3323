"""Hostile diaries (issue 11): nothing swallowed or dropped silently, work capped by the file."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from core.diary import ROW_COLUMN, DiaryTable, read_diary, summarize
from core.diary.readers import workbook
from core.errors import InputError
from tests.strategies_hostile_diary import hostile_diaries


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _claim_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook with its sheet claiming the used range ``ref``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body, n = re.subn(
                    rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), body
                )
                assert n == 1
            dst.writestr(info, body)
    return out.getvalue()


def accounted_for(t: DiaryTable) -> int:
    return len(t.episodes) + len(t.set_aside) + len(t.ignored)


def test_unterminated_quote_is_reported_at_its_line_and_later_rows_stay_rows() -> None:
    lines = ["date,severity,notes"] + [f"2024-01-{i:02d},{i % 10},note {i}" for i in range(1, 11)]
    lines[3] = '2024-01-03,3,"never closed'
    t = read_diary(("\n".join(lines) + "\n").encode(), "quote.csv")
    assert t.rows_read == 10
    assert t.episodes["line"].tolist() == list(range(2, 12))
    assert t.episodes["notes"].tolist()[2:4] == ['"never closed', "note 4"]
    (err,) = t.error_list()
    assert (err.row, err.column) == (4, "notes")
    assert "unterminated quote" in err.message


@pytest.mark.parametrize("stray_first", [True, False])
def test_unterminated_quote_beside_a_real_two_line_note(stray_first: bool) -> None:
    stray = '2024-01-01,"oops\n2024-01-02,x\n'
    note = '2024-01-03,"two\nlines"\n2024-01-04,y\n'
    t = read_diary(
        ("date,notes\n" + (stray + note if stray_first else note + stray)).encode(), "q.csv"
    )
    assert t.rows_read == 4
    assert "two\nlines" in t.episodes["notes"].tolist()
    assert '"oops' in t.episodes["notes"].tolist()
    (err,) = t.error_list()
    assert err.row == (2 if stray_first else 5)
    assert err.column == "notes"


def test_a_quote_inside_a_value_is_text_and_not_reported() -> None:
    t = read_diary(b'date,notes\n2024-01-01,5" tall\n2024-01-02,"a\nb"\n', "inch.csv")
    assert t.episodes["notes"].tolist() == ['5" tall', "a\nb"]
    assert t.episodes["line"].tolist() == [2, 3]
    assert t.errors.empty


def test_a_quoted_note_over_two_lines_is_still_one_value() -> None:
    t = read_diary(b'date,notes\n2024-01-01,"two\nlines"\n2024-01-02,"it\'s ""fine"""\n', "q.csv")
    assert t.episodes["notes"].tolist() == ["two\nlines", 'it\'s "fine"']
    assert t.errors.empty


def test_nul_byte_names_its_line() -> None:
    with pytest.raises(InputError) as info:
        read_diary(b"date,pain\n2024-01-01,3\n2024-01-02,\x00\n", "nul.csv")
    assert "line 3" in info.value.message and "NUL" in info.value.message
    assert info.value.where == "nul.csv"


def test_duplicate_key_in_diary_json_is_refused_with_key_and_line() -> None:
    text = b'[{"date": "2024-01-01", "pain": 3},\n {"date": "2024-01-02",\n  "pain": 3, "pain": 9}]'
    with pytest.raises(InputError) as info:
        read_diary(text, "dup.json")
    assert "duplicate key 'pain'" in info.value.message
    assert "line 3" in str(info.value)


def test_xlsx_claimed_dimension_is_ignored() -> None:
    data = _claim_dimension(
        _xlsx([["Date", "Pain"], ["2024-01-01", 3], ["2024-01-02", 4]]), "A1:XFD1048576"
    )
    assert len(data) < 10_000
    tracemalloc.start()
    try:
        t = read_diary(data, "claims.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert t.columns == ("Date", "Pain") and t.rows_read == 2
    assert peak < 20_000_000


def test_xlsx_formula_without_a_value_is_reported_not_dropped() -> None:
    data = _xlsx(
        [["Date", "Pain", "Notes"], ["=DATE(2024,1,2)", "=1+2", "x"], ["2024-01-03", 4, None]]
    )
    t = read_diary(data, "formulas.xlsx")
    assert t.rows_read == 2
    assert accounted_for(t) == 2
    formula_errors = t.errors[t.errors["message"].str.contains("formula")]
    assert formula_errors[["row", "column", "value"]].values.tolist() == [
        [2, "Date", "=DATE(2024,1,2)"],
        [2, "Pain", "=1+2"],
    ]
    assert t.set_aside["line"].tolist() == [2]


def test_xlsx_unpacking_past_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 100)
    with pytest.raises(InputError, match="unpacks to more than"):
        read_diary(_xlsx([["Date"], ["2024-01-01"]]), "bomb.xlsx")


def test_xlsx_cells_past_the_cap_are_refused_naming_the_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workbook, "MAX_CELLS", 5)
    with pytest.raises(InputError, match=r"row 3: the sheet holds more than 5 cells"):
        read_diary(_xlsx([["Date", "Pain"], ["2024-01-01", 1], ["2024-01-02", 2]]), "c.xlsx")


def test_very_wide_file_is_refused_naming_the_line() -> None:
    with pytest.raises(InputError, match=r"line 1 has 2001 columns"):
        read_diary(b"x," * 2000 + b"date\n2024-01-01\n", "wide.csv")


def test_ragged_rows_are_padded_or_reported_and_kept() -> None:
    t = read_diary(b"date,pain,notes\n2024-01-01\n2024-01-02,3,a,b,c\n2024-01-03,4,ok\n", "r.csv")
    assert t.episodes["line"].tolist() == [2, 3, 4]
    assert [(e.row, e.column) for e in t.error_list()] == [(3, ROW_COLUMN)]
    assert "b, c" in t.error_list()[0].message


def test_markup_in_notes_is_kept_as_text() -> None:
    notes = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "**bold**", "=HYPERLINK(1)"]
    body = "".join(f'2024-01-0{i + 1},"{n}"\n' for i, n in enumerate(notes))
    t = read_diary(("date,notes\n" + body).encode(), "markup.csv")
    assert t.episodes["notes"].tolist() == notes


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=hostile_diaries())
def test_hostile_diaries_are_read_or_refused_naming_where(case: tuple[bytes, str]) -> None:
    data, name = case
    try:
        t = read_diary(data, name)
    except InputError as exc:
        assert exc.where is not None and exc.where.startswith(name)
        return
    assert accounted_for(t) == t.rows_read
    assert (t.errors["row"] >= 1).all()
    assert t.errors["column"].str.len().min() > 0 if len(t.errors) else True
    summarize(t)
