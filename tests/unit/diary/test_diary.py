"""Reading and validating diary exports (core.diary): formats, aliases, dates, line numbers."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.diary import (
    AmbiguousDatesError,
    DiaryTable,
    MissingColumnsError,
    cleaned_frame,
    read_diary,
    summarize,
)
from core.errors import InputError
from core.outputs.safe_csv import safe_csv

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "samples"


def read(text: str | bytes, name: str = "diary.csv", **kwargs: object) -> DiaryTable:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_diary(data, name, **kwargs)  # type: ignore[arg-type]


def dates(table: DiaryTable) -> list[str]:
    return [str(d.date()) for d in table.episodes["date"]]


def error_rows(table: DiaryTable) -> list[tuple[int, str]]:
    return list(zip(table.errors["row"].tolist(), table.errors["column"].tolist(), strict=True))


def accounted_for(table: DiaryTable) -> int:
    return len(table.episodes) + len(table.set_aside) + len(table.ignored)


# --- formats ---------------------------------------------------------------------------


def test_comma_csv_one_row_per_episode() -> None:
    t = read(
        "date,time,duration_min,severity,side,notes,supplement\n"
        "2024-03-04,02:30,2.5,6,L,calf,\n"
        "2024-03-05,23:10,1,7,R,,\n"
    )
    assert t.shape == "episodes"
    assert t.file_format == "csv"
    assert t.delimiter == ","
    assert dates(t) == ["2024-03-04", "2024-03-05"]
    assert t.episodes["minute_of_day"].tolist() == [150, 23 * 60 + 10]
    assert t.episodes["duration_min"].tolist() == [2.5, 1.0]
    assert t.episodes["severity"].tolist() == [6.0, 7.0]
    assert t.episodes["side"].tolist() == ["left", "right"]
    assert t.episodes["count"].tolist() == [1, 1]
    assert t.episodes["line"].tolist() == [2, 3]
    assert t.errors.empty


def test_semicolons_decimal_commas_bom_and_crlf() -> None:
    text = "Datum;Uhrzeit;Dauer (min);Schmerz;Bein\r\n13.03.2024;02:30;2,5;6;links\r\n"
    t = read(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert t.delimiter == ";"
    assert t.encoding == "utf-8-sig"
    assert t.decimal_comma
    assert t.mapping["date"] == "Datum"  # BOM stripped from the first header cell
    assert dates(t) == ["2024-03-13"]
    assert t.episodes["duration_min"].tolist() == [2.5]
    assert t.episodes["side"].tolist() == ["left"]
    assert t.episodes["line"].tolist() == [2]


def test_tab_separated() -> None:
    t = read("date\tseverity\tnotes\n2024-01-02\t4\thas, a comma\n", name="d.tsv")
    assert t.delimiter == "\t"
    assert t.episodes["notes"].tolist() == ["has, a comma"]


def test_latin1_fallback() -> None:
    raw = "date;notes\n2024-01-02;Wade verkrampft, müde\n".encode("latin-1")
    t = read(raw)
    assert t.encoding in ("cp1252", "latin-1")
    assert t.episodes["notes"].tolist() == ["Wade verkrampft, müde"]


def test_utf16_with_bom() -> None:
    t = read("date,severity\n2024-01-02,3\n".encode("utf-16"))
    assert t.encoding == "utf-16"
    assert dates(t) == ["2024-01-02"]


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_title_rows_uses_spreadsheet_row_numbers() -> None:
    data = _xlsx(
        [
            ["My cramp diary"],
            [],
            ["Date", "Time", "Severity (1-10)"],
            [dt.date(2024, 3, 4), dt.time(2, 30), 5],
            [dt.datetime(2024, 3, 6, 0, 0), "3:15 am", 12],
            [None, None, 4],
        ]
    )
    t = read(data, name="diary.xlsx")
    assert t.file_format == "xlsx"
    assert t.header_line == 3
    assert dates(t) == ["2024-03-04", "2024-03-06"]
    assert t.episodes["minute_of_day"].tolist() == [150, 195]
    assert error_rows(t) == [(5, "Severity (1-10)"), (6, "Date")]
    assert t.set_aside["line"].tolist() == [6]


def test_json_list_of_records_reports_the_line_where_a_record_starts() -> None:
    records = [
        {"timestamp": "2024-03-04T02:30:00", "intensity": 5, "leg": "left"},
        {"timestamp": "2024-03-05T01:00:00", "intensity": "awful", "leg": "right"},
    ]
    text = json.dumps(records, indent=2)
    t = read(text, name="export.json")
    assert t.file_format == "json"
    assert dates(t) == ["2024-03-04", "2024-03-05"]
    assert t.episodes["minute_of_day"].tolist() == [150, 60]  # time read from the timestamp
    start_of_second = text.splitlines().index("  {", 2) + 1
    assert error_rows(t) == [(start_of_second, "intensity")]


def test_json_wrapped_in_an_object() -> None:
    t = read('{"app": "x", "entries": [{"date": "2024-01-02", "pain": 3}]}', name="e.json")
    assert dates(t) == ["2024-01-02"]


def test_malformed_json_is_refused_with_its_line() -> None:
    with pytest.raises(InputError) as info:
        read('[\n {"date": "2024-01-02",\n  "pain": }\n]', name="bad.json")
    assert "malformed JSON" in info.value.message
    assert "line 3" in info.value.message


# --- shapes ----------------------------------------------------------------------------


def test_nightly_counts_sum_and_keep_zero_nights() -> None:
    t = read("night,cramps\n2024-01-01,2\n2024-01-02,0\n2024-01-03,three\n2024-01-04,1\n")
    assert t.shape == "nightly"
    assert t.episodes["count"].tolist()[:2] == [2, 0]
    assert pd.isna(t.episodes["count"].iloc[2])
    assert error_rows(t) == [(4, "cramps")]
    s = summarize(t)
    assert s.episodes == 3
    assert s.rows_read == 4 and s.rows_rejected == 0


def test_tracker_long_export_is_reduced_to_cramp_rows() -> None:
    t = read(
        "date,category,rating/amount,detail,notes\n"
        "2024-02-01,Mood,4,Mood,\n"
        "2024-02-01,Symptoms,6,Leg cramps,calf\n"
        "2024-02-02,Supplements,1,Vitamin K2 (MK-7),\n"
        "2024-02-03,Symptoms,3,Leg cramp,\n"
        "2024-02-03,Symptoms,2,Headache,\n"
    )
    assert t.shape == "tracker"
    assert t.episodes["line"].tolist() == [3, 5]
    assert t.episodes["severity"].tolist() == [6.0, 3.0]
    assert t.k2_start_from_file == dt.date(2024, 2, 2)
    assert t.ignored["line"].tolist() == [2, 4, 6]
    assert accounted_for(t) == t.rows_read == 5


# --- aliases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Date", "date"),
        ("day", "date"),
        ("Night", "date"),
        ("Timestamp", "date"),
        ("start", "date"),
        ("Start Time", "time"),
        ("time", "time"),
        ("Duration (min)", "duration"),
        ("minutes", "duration"),
        ("DURATION", "duration"),
        ("Severity", "severity"),
        ("Pain (0-10)", "severity"),
        ("Intensity", "severity"),
        ("Leg", "side"),
        ("Side", "side"),
        ("Notes", "notes"),
        ("Supplement", "supplement"),
    ],
)
def test_column_aliases(header: str, field: str) -> None:
    cols = {"date": "Date", field: header} if field != "date" else {"date": header}
    names = list(dict.fromkeys(cols.values()))
    values = {
        "date": "2024-01-02",
        "time": "02:00",
        "duration": "2",
        "severity": "5",
        "side": "L",
        "notes": "n",
        "supplement": "K2",
    }
    row = [values[f] for f in cols]
    t = read(",".join(names) + "\n" + ",".join(row[: len(names)]) + "\n")
    assert t.mapping[field] == header
    assert t.errors.empty


def test_duration_in_seconds_when_the_header_says_so() -> None:
    t = read("date,Duration (s)\n2024-01-02,90\n2024-01-03,2 min\n")
    assert t.episodes["duration_min"].tolist() == [1.5, 2.0]


def test_duration_forms() -> None:
    t = read("date,duration\n2024-01-02,1:30\n2024-01-03,45 sec\n2024-01-04,-3\n")
    assert t.episodes["duration_min"].tolist()[:2] == [1.5, 0.75]
    assert error_rows(t) == [(4, "duration")]


def test_column_map_overrides_inference() -> None:
    text = "when,ouch\n2024-01-02,4\n"
    with pytest.raises(MissingColumnsError):
        read(text)
    t = read(text, column_map={"date": "when", "severity": "ouch"})
    assert dates(t) == ["2024-01-02"]
    assert t.episodes["severity"].tolist() == [4.0]
    with pytest.raises(InputError, match="not in the file"):
        read(text, column_map={"date": "nope"})
    with pytest.raises(InputError, match="unknown diary field"):
        read(text, column_map={"dat": "when"})


# --- severity and side -----------------------------------------------------------------


def test_severity_words_map_to_an_ordinal() -> None:
    t = read("date,intensity\n2024-01-02,Mild\n2024-01-03,moderate\n2024-01-04,SEVERE\n")
    assert t.severity_kind == "words"
    assert t.episodes["severity"].tolist() == [1.0, 2.0, 3.0]
    assert "mild = 1" in t.severity_scale


def test_severity_scales_are_kept_as_recorded() -> None:
    zero = read("date,pain\n2024-01-02,0\n2024-01-03,7/10\n")
    assert zero.episodes["severity"].tolist() == [0.0, 7.0]
    assert zero.severity_scale.startswith("0–10")
    one = read("date,Severity (1-10)\n2024-01-02,0\n2024-01-03,10\n")
    assert one.episodes["severity"].isna().tolist() == [True, False]
    assert error_rows(one) == [(2, "Severity (1-10)")]
    assert "1 to 10" in one.errors["message"].iloc[0]


def test_mixed_severity_numbers_and_words_report_the_minority() -> None:
    t = read("date,severity\n2024-01-02,5\n2024-01-03,6\n2024-01-04,bad\n2024-01-05,11\n")
    assert t.severity_kind == "numeric"
    assert error_rows(t) == [(4, "severity"), (5, "severity")]


def test_side_values() -> None:
    t = read("date,leg\n2024-01-02,L\n2024-01-03, Right \n2024-01-04,both legs\n2024-01-05,?\n")
    assert t.episodes["side"].tolist()[:3] == ["left", "right", "both"]
    assert error_rows(t) == [(5, "leg")]


# --- dates -----------------------------------------------------------------------------


def test_us_dates_are_inferred_from_a_month_first_day_over_12() -> None:
    t = read("date\n3/4/2024\n12/13/2024\n")
    assert t.date_order == "mdy"
    assert dates(t) == ["2024-03-04", "2024-12-13"]


def test_eu_dates_are_inferred_from_a_day_over_12() -> None:
    t = read("date\n03.04.2024\n13.12.24\n")
    assert t.date_order == "dmy"
    assert dates(t) == ["2024-04-03", "2024-12-13"]


def test_text_month_dates_and_timestamps() -> None:
    t = read(
        'date\n"Mar 5, 2024"\n5 March 2024\n"Tue, 5 Mar 2024 02:30"\n'
        "2024-03-05T02:30:00Z\n2024/03/05 11:45 PM\n"
    )
    assert dates(t) == ["2024-03-05"] * 5
    assert t.episodes["minute_of_day"].tolist()[2:] == [150, 150, 23 * 60 + 45]


def test_ambiguous_dates_ask_instead_of_guessing() -> None:
    text = "date,pain\n03/04/2024,5\n05/06/2024,4\n07/07/2024,2\n"
    with pytest.raises(AmbiguousDatesError, match="ambiguous") as info:
        read(text)
    assert isinstance(info.value, InputError)
    assert info.value.examples == ("03/04/2024", "05/06/2024")
    assert info.value.where == "diary.csv"
    assert dates(read(text, date_order="dmy")) == ["2024-04-03", "2024-06-05", "2024-07-07"]
    assert dates(read(text, date_order="mdy")) == ["2024-03-04", "2024-05-06", "2024-07-07"]


def test_same_day_and_month_is_not_ambiguous() -> None:
    t = read("date\n03/03/2024\n04/04/2024\n")
    assert dates(t) == ["2024-03-03", "2024-04-04"]


def test_date_that_contradicts_the_file_order_is_set_aside() -> None:
    t = read("date\n13/01/2024\n14/01/2024\n15/01/2024\n01/13/2024\n")
    assert t.date_order == "dmy"
    assert t.set_aside["line"].tolist() == [5]
    assert "order" in t.errors["message"].iloc[0]


def test_impossible_dates_are_set_aside() -> None:
    t = read("date\n2024-02-30\n2023-02-29\n2024-02-29\n2024-13-01\n")
    assert dates(t) == ["2024-02-29"]
    assert t.set_aside["line"].tolist() == [2, 3, 5]
    assert set(t.errors["message"]) == {"not a real calendar date; row set aside"}


# --- bad rows and exact line numbers ----------------------------------------------------


def test_bad_rows_report_exact_lines_with_blank_lines_and_quoted_newlines() -> None:
    text = (
        "date,severity,notes\n"  # 1
        "2024-01-01,5,ok\n"  # 2
        "\n"  # 3 (blank)
        '2024-01-02,6,"two\nline note"\n'  # 4-5
        "2024-01-03,eleven,x\n"  # 6
        "not a date,3,y\n"  # 7
        "\n"  # 8
        "2024-01-04,4,z,extra\n"  # 9
        ",,\n"  # 10 (empty row)
        "2024-01-05,15,w\n"  # 11
    )
    t = read(text)
    assert t.episodes["line"].tolist() == [2, 4, 6, 9, 11]
    assert t.episodes["notes"].tolist()[1] == "two\nline note"
    assert error_rows(t) == [
        (6, "severity"),
        (7, "date"),
        (9, "(row)"),
        (11, "severity"),
    ]
    assert t.set_aside["line"].tolist() == [7]
    assert t.set_aside["date"].tolist() == ["not a date"]
    assert t.rows_read == 6
    assert accounted_for(t) == t.rows_read


def test_line_numbers_survive_the_slow_csv_fallback() -> None:
    # A stray quote in the middle of a field defeats the fast scan; the csv module
    # fallback must give the same exact lines.
    text = 'date,notes\n2024-01-01,5" tall\n\n2024-01-02,ok\nbad,x\n'
    t = read(text)
    assert t.episodes["line"].tolist() == [2, 4]
    assert t.set_aside["line"].tolist() == [5]


def test_set_aside_rows_keep_their_original_values() -> None:
    t = read("Date,Pain,Notes\n,5,forgot\nyesterday,4,=cmd()\n2024-01-02,3,ok\n")
    aside = t.set_aside
    assert aside["line"].tolist() == [2, 3]
    assert aside["Date"].tolist() == ["", "yesterday"]
    assert aside["Notes"].tolist() == ["forgot", "=cmd()"]
    assert list(aside["reason"]) == ["no date; row set aside", "not a date; row set aside"]
    assert summarize(t).rows_rejected == 2


def test_duplicates_are_flagged_not_dropped() -> None:
    t = read("date,time,pain\n2024-01-02,02:00,5\n2024-01-03,03:00,4\n2024-01-02,02:00,5\n")
    assert t.episodes["duplicate_of"].tolist()[2] == 2
    assert t.episodes["duplicate_of"].isna().tolist()[:2] == [True, True]
    assert summarize(t).episodes == 3
    assert summarize(t, exclude_duplicates=True).episodes == 2


def test_error_list_is_the_contract_row_error() -> None:
    t = read("date,severity\nx,1\n")
    (err,) = t.error_list()
    assert (err.row, err.column) == (2, "date")
    assert summarize(t).errors == [err]


def test_summary_errors_are_capped_at_100() -> None:
    rows = "".join(f"2024-01-{(i % 28) + 1:02d},bad\n" for i in range(150))
    s = summarize(read("date,severity\n" + rows))
    assert len(s.errors) == 100
    assert s.errors[0].row == 2


# --- refused files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "e.csv", "empty"),
        (b"  \n\r\n ", "e.csv", "empty"),
        (b"date,pain\n", "h.csv", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "img.csv", "binary"),
        (b"date,pain\n2024-01-01,\x00\x01\x02", "nul.csv", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", ".xls"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "xlsx"),
        (b"not a workbook", "fake.xlsx", "xlsx"),
        (b"[]", "e.json", "empty"),
        (b'{"a": 1}', "o.json", "list of records"),
    ],
)
def test_unreadable_files_raise_input_error(data: bytes, name: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_diary(data, name)
    assert message in str(info.value)
    assert info.value.where is not None and name in info.value.where


def test_no_date_column_names_the_columns_found_and_accepted() -> None:
    with pytest.raises(MissingColumnsError) as info:
        read("severity,notes\n5,x\n")
    message = info.value.message
    assert "severity, notes" in message
    assert "date, datetime" in message
    assert info.value.found == ("severity", "notes")
    assert info.value.missing == ("date",)


# --- hypothesis: arbitrary CSV-like bytes never crash -----------------------------------

_cells = st.one_of(
    st.sampled_from(
        ["2024-01-02", "13/01/2024", "1/2/24", "", " ", "5", "2,5", "mild", "L", "x", '"', "=1+1"]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(
        st.sampled_from(["date", "time", "pain", "side", "count", "notes", "k2", "x", ""]),
        min_size=1,
        max_size=5,
    ),
    rows=st.lists(st.lists(_cells, max_size=6), max_size=8),
    delim=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    order=st.sampled_from(["auto", "dmy", "mdy", "ymd"]),
)
def test_generated_csvs_never_raise_anything_but_input_error(
    header: list[str], rows: list[list[str]], delim: str, newline: str, order: str
) -> None:
    text = newline.join([delim.join(header)] + [delim.join(r) for r in rows]) + newline
    try:
        t = read_diary(text.encode("utf-8"), "gen.csv", date_order=order)  # type: ignore[arg-type]
    except InputError:
        return
    assert accounted_for(t) == t.rows_read
    assert (t.errors["row"] >= 1).all()
    physical_lines = len(re.split(r"\r\n|\r|\n", text))
    assert (t.errors["row"] <= physical_lines).all()
    assert (t.episodes["line"] <= physical_lines).all()
    summary = summarize(t)
    assert summary.rows_read == t.rows_read


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200), name=st.sampled_from(["a.csv", "a.json", "a.xlsx", "a"]))
def test_random_bytes_never_raise_anything_but_input_error(data: bytes, name: str) -> None:
    with contextlib.suppress(InputError):
        read_diary(data, name)


# --- downloads -------------------------------------------------------------------------


def test_safe_csv_neutralises_formulas() -> None:
    frame = pd.DataFrame(
        {"=bad": ["=1+1", "+A1", "-2+3", "@SUM(A1)", "\tx", "plain", "a=b"], "n": range(7)}
    )
    text = safe_csv(frame).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back.columns) == ["'=bad", "n"]
    assert back["'=bad"].tolist()[:4] == ["'=1+1", "'+A1", "'-2+3", "'@SUM(A1)"]
    assert back["'=bad"].tolist()[5:] == ["plain", "a=b"]
    assert back["n"].tolist() == list(range(7))


def test_cleaned_frame_is_readable_and_injection_safe() -> None:
    t = read('date,time,notes\n2024-01-02,02:05,=HYPERLINK("x")\n2024-01-03,,ok\n')
    clean = cleaned_frame(t)
    assert clean["date"].tolist() == ["2024-01-02", "2024-01-03"]
    assert clean["time"].tolist()[0] == "02:05"
    assert pd.isna(clean["time"].iloc[1])
    assert "'=HYPERLINK" in safe_csv(clean).decode("utf-8-sig")


# --- samples ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "episodes_iso_k2.csv",
        "eu_semicolon_words.csv",
        "us_dates.csv",
        "nightly_counts.csv",
        "tracker_long.csv",
        "spreadsheet.xlsx",
        "app_export.json",
    ],
)
def test_samples_load_and_agree(name: str) -> None:
    t = read_diary((SAMPLES / name).read_bytes(), name)
    s = summarize(t)
    assert s.first_date == ("2024-09-02" if name == "nightly_counts.csv" else "2024-09-11")
    assert s.last_date == ("2024-12-01" if name == "nightly_counts.csv" else "2024-11-30")
    expected = 24 if name == "us_dates.csv" else 22  # the US sample has a duplicate row
    assert s.episodes == expected
    assert accounted_for(t) == t.rows_read


def test_sample_specifics() -> None:
    eu = read_diary((SAMPLES / "eu_semicolon_words.csv").read_bytes(), "eu.csv")
    assert (eu.delimiter, eu.decimal_comma, eu.severity_kind) == (";", True, "words")
    us = read_diary((SAMPLES / "us_dates.csv").read_bytes(), "us.csv")
    assert us.date_order == "mdy"
    assert us.set_aside["line"].tolist() == [10]
    assert [r for r, _ in error_rows(us)] == [10, 15, 15, 15, 15]
    assert us.duplicates["line"].tolist() == [8]
    for name in ("episodes_iso_k2.csv", "nightly_counts.csv", "tracker_long.csv"):
        t = read_diary((SAMPLES / name).read_bytes(), name)
        assert t.k2_start_from_file == dt.date(2024, 10, 7), name
    with pytest.raises(AmbiguousDatesError):
        read_diary((SAMPLES / "ambiguous_dates.tsv").read_bytes(), "amb.tsv")


def test_fast_and_regex_paths_agree_on_iso_dates() -> None:
    # Same dates, once in the fixed-width fast path and once padded (regex path).
    days = pd.date_range("2023-12-25", periods=40, freq="3D").strftime("%Y-%m-%d").tolist()
    fast = read("date\n" + "\n".join(days) + "\n")
    slow = read("date\n" + "\n".join(f" {d}" for d in days) + "\n")
    assert dates(fast) == dates(slow) == days
    assert np.array_equal(fast.episodes["line"], slow.episodes["line"])
