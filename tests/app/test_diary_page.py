"""The diary page in Streamlit's AppTest: upload, samples, questions, tables, charts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from ui import DISCLAIMER

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "diary.py")
SAMPLES = ROOT / "samples"


def fresh() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader[0].set_value((name, data, mime))
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: str(m.value) for m in at.metric}


def shown(at: AppTest) -> str:
    parts = [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    parts += [m.value for m in at.markdown] + [t.value for t in at.text]
    return "\n".join(str(p) for p in parts)


def chart_specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def chart_data(at: AppTest) -> list[pd.DataFrame]:
    """Every dataset the page sends to the browser with its charts."""
    return [
        dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data)
        for el in at.get("vega_lite_chart")
        for ds in el.proto.datasets
    ]


def test_disclaimer_comes_first_and_uploader_is_restricted() -> None:
    at = fresh()
    first = at.main.children[0]
    assert first.type == "caption"
    assert DISCLAIMER in str(getattr(first, "value", ""))
    uploader = at.file_uploader[0]
    assert sorted(uploader.allowed_type) == [".csv", ".json", ".tsv", ".txt", ".xlsx"]
    assert "Upload a diary export" in shown(at)


def test_upload_shows_metrics_k2_reading_charts_and_downloads() -> None:
    at = upload(fresh(), "mine.csv", (SAMPLES / "episodes_iso_k2.csv").read_bytes())
    assert metrics(at) == {
        "Rows read": "22",
        "Cramps": "22",
        "Per week": "1.9",
        "Weeks observed": "11.6",
        "Rows set aside": "0",
    }
    assert at.date_input[0].value == dt.date(2024, 10, 7)  # read from the supplement column
    text = shown(at)
    assert "3.2 → 1.3 cramps a week since K2" in text
    assert "regression to the mean" in text
    assert "2.71 to 3.63" in text
    specs = chart_specs(at)
    assert len(specs) == 5
    assert all(s["description"] for s in specs)
    data = chart_data(at)
    assert max(len(d) for d in data) <= 7 * 24  # aggregates only: at most the heatmap grid
    for frame in data:
        assert not {"line", "notes", "supplement"} & set(frame.columns)
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"Cleaned diary (CSV)", "Summary (JSON)", "Cramps per week (PNG)"} <= labels
    assert len(at.dataframe) >= 5  # a data table beside every chart
    assert "Every row was read" in shown(at)


def test_changing_the_k2_date_changes_the_reading() -> None:
    at = upload(fresh(), "mine.csv", (SAMPLES / "episodes_iso_k2.csv").read_bytes())
    at.date_input[0].set_value(dt.date(2024, 11, 1)).run()
    assert not at.exception
    assert "started 2024-11-01" in shown(at)


def test_sample_buttons_load_synthetic_diaries() -> None:
    at = fresh()
    at.button(key="sample_nightly_counts.csv").click().run()
    assert not at.exception
    assert metrics(at)["Rows read"] == "91"
    assert metrics(at)["Cramps"] == "22"
    at.button(key="sample_tracker_long.csv").click().run()
    assert metrics(at)["Cramps"] == "22"
    assert any("tracker rows that are not cramps" in e.label for e in at.expander)


def test_tracker_samples_load_without_a_column_map() -> None:
    at = fresh()
    for name in (
        "tracker_started_lasted.csv",
        "tracker_ordinal_buckets.csv",
        "tracker_utf16_title.txt",
    ):
        at.button(key=f"sample_{name}").click().run()
        assert not at.exception, name
        assert metrics(at)["Cramps"] == "22", name
        assert metrics(at)["Rows set aside"] == "0", name
        assert at.date_input[0].value == dt.date(2024, 10, 7), name


def test_bad_rows_are_shown_and_downloadable() -> None:
    at = upload(fresh(), "us.csv", (SAMPLES / "us_dates.csv").read_bytes())
    assert metrics(at)["Rows set aside"] == "1"
    tables = [d.value for d in at.dataframe]
    aside = next(t for t in tables if "reason" in t.columns)
    assert aside["line"].tolist() == [10]
    problems = next(t for t in tables if "problem" in t.columns)
    assert problems["line"].tolist() == [10, 15, 15, 15, 15]
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"Rows set aside (CSV)", "Problems (CSV)"} <= labels
    assert at.toggle[0].disabled is False  # the US sample has a duplicate row
    at.toggle[0].set_value(True).run()
    assert metrics(at)["Cramps"] == "23"


def test_ambiguous_dates_ask_for_the_order() -> None:
    at = upload(fresh(), "amb.tsv", (SAMPLES / "ambiguous_dates.tsv").read_bytes())
    assert not at.metric
    assert "12 or less" in shown(at)
    assert at.radio[0].value is None
    at.radio[0].set_value("dmy").run()
    assert not at.exception
    assert metrics(at)["Cramps"] == "7"
    assert "Diary from 2024-09-11" in " ".join(c.value for c in at.caption)


def test_missing_date_column_asks_for_a_mapping() -> None:
    at = upload(fresh(), "odd.csv", b"when,ouch\n2024-01-02,4\n2024-01-09,5\n")
    assert "No date column" in shown(at)
    assert not at.metric
    date_box = next(s for s in at.selectbox if s.label.startswith("Date"))
    assert date_box.options == ["when", "ouch"]
    date_box.set_value("when").run()
    assert not at.exception
    assert metrics(at)["Cramps"] == "2"


def test_unreadable_files_show_a_clear_message() -> None:
    for name, data, expected in (
        ("empty.csv", b"", "empty"),
        ("pic.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("bad.json", b"[{", "malformed JSON"),
    ):
        at = upload(fresh(), name, data)
        assert len(at.error) == 1
        assert expected in at.error[0].value
        assert not at.metric


def test_text_from_the_file_is_not_rendered_as_markdown() -> None:
    data = (
        b"date,[click](http://evil.example),notes\n"
        b"**bold**,1,<b>x</b>\n"
        b"2024-01-02,2,![img](http://evil.example/p.png)\n"
    )
    at = upload(fresh(), "x.csv", data)
    markdown_like = [
        str(e.value)
        for e in (*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success)
    ]
    for needle in ("evil.example", "**bold**", "<b>"):
        assert not any(needle in text for text in markdown_like), needle
    tables = [d.value for d in at.dataframe]
    aside = next(t for t in tables if "reason" in t.columns)
    assert aside["date"].tolist() == ["**bold**"]
    assert aside["notes"].tolist() == ["<b>x</b>"]
    assert "[click](http://evil.example)" in " ".join(t.value for t in at.text)


def test_k2_entry_after_the_last_cramp_is_still_offered() -> None:
    data = (
        b"date,category,rating/amount,detail,notes\n"
        b"2024-02-01,Symptoms,6,Leg cramps,\n"
        b"2024-02-03,Symptoms,6,Leg cramps,\n"
        b"2024-03-01,Supplements,1,MK-7,\n"
    )
    at = upload(fresh(), "t.csv", data)
    assert at.date_input[0].value == dt.date(2024, 3, 1)
    assert "the diary ends on 2024-02-03, before the K2 start" in shown(at)


def test_no_usable_date_shows_the_rows_set_aside() -> None:
    at = upload(fresh(), "t.csv", b"date,pain\nnope,3\nlater,4\n")
    assert "No row has a usable date" in at.error[0].value
    aside = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert aside["line"].tolist() == [2, 3]
