"""The clinic panel page in Streamlit's AppTest: upload many diaries, read the panel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from tests.unit.cohort.factory import nightly_diary, zip_of
from ui import DISCLAIMER

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "panel.py")
DIARIES = [
    ("better.csv", nightly_diary(28, 8)),
    ("worse.csv", nightly_diary(14, 35)),
    ("same.csv", nightly_diary(30, 30)),
    ("broken.csv", b"\x00\x01 binary"),
]


def fresh() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def upload(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    at.file_uploader(key="panel_files").set_value([(n, d, "text/csv") for n, d in files])
    at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> str:
    parts = [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    parts += [m.value for m in at.markdown] + [t.value for t in at.text]
    return "\n".join(str(p) for p in parts)


def specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def chart_rows(at: AppTest, index: int) -> pd.DataFrame:
    """Every row the chart at ``index`` sends to the browser."""
    chart = at.get("vega_lite_chart")[index]
    frames = [
        dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets
    ]
    return pd.concat(frames, ignore_index=True)


def test_the_page_asks_for_files_under_its_disclaimer() -> None:
    at = fresh()
    first = at.main.children[0]
    assert first.type == "caption"
    assert DISCLAIMER in str(getattr(first, "value", ""))
    assert at.title[0].value == "Clinic panel"
    uploader = at.file_uploader(key="panel_files")
    assert uploader.accept_multiple_files
    assert ".zip" in uploader.allowed_type
    assert "Upload diary files" in shown(at)


def test_uploading_many_diaries_shows_the_panel() -> None:
    at = upload(fresh(), DIARIES)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Patients read"] == "3"
    assert metrics["Files refused"] == "1"
    assert metrics["Pooled rate ratio"] != "—"
    text = shown(at)
    assert "Pooled over 3 patients" in text
    assert "I²" in text
    assert "regression to the mean" in text
    assert "placebo arm rose from 2.71 to 3.63" in text
    download = at.get("download_button")[0]
    assert "JSON" in download.proto.label
    refused = at.dataframe[0].value
    assert list(refused["File"]) == ["broken.csv"]
    table = at.dataframe[1].value
    assert table["Patient (file)"].iloc[0] == "worse.csv"  # flagged first
    forest = chart_rows(at, 0)
    patients = set(forest["patient"].dropna())
    assert patients == {"better.csv", "worse.csv", "same.csv", "Pooled (random effects)"}
    assert "night" not in forest.columns and "date" not in forest.columns


def test_filtering_by_flag_and_opening_a_patient() -> None:
    at = upload(fresh(), DIARIES)
    at.multiselect(key="panel_flags").set_value(["cramps_rising"])
    at.run()
    assert list(at.dataframe[1].value["Patient (file)"]) == ["worse.csv"]
    at.selectbox(key="panel_open").set_value("worse.csv")
    at.run()
    assert not at.exception
    assert any("worse" in s.value for s in at.subheader)
    assert "More cramps since K2" in shown(at) or "rate ratio 2.50" in shown(at)
    assert len(specs(at)) >= 2  # the forest plus the patient's weekly chart
    at.multiselect(key="panel_flags").set_value(["no_k2_start"])
    at.run()  # the open patient is filtered out: nothing open, no error
    assert not at.exception
    assert at.selectbox(key="panel_open").value is None
    assert not any("worse" in s.value for s in at.subheader)


def test_a_zip_with_a_manifest_inside() -> None:
    archive = zip_of(
        [
            ("clinic/a.csv", nightly_diary(20, 10, k2_column=False)),
            ("clinic/b.csv", nightly_diary(20, 10)),
            ("clinic/manifest.csv", b"file,k2_start\na.csv,2024-02-26\n"),
        ]
    )
    at = fresh()
    at.file_uploader(key="panel_files").set_value(("panel.zip", archive, "application/zip"))
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["With a before/after comparison"] == "2"


def test_a_bad_manifest_is_shown_as_an_error_not_a_traceback() -> None:
    at = fresh()
    at.file_uploader(key="panel_manifest").set_value(
        ("starts.csv", b"file,k2_start\nnobody.csv,2024-01-01\n", "text/csv")
    )
    upload(at, DIARIES[:1])
    assert at.error and "nobody" in at.error[0].value
    assert "line 2" in at.error[0].value
