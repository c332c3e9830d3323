"""The diary page's view is assembled in core and survives Streamlit's pickling cache."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

from core.diary import read_diary
from core.outputs.diary_view import build_diary_view

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "episodes_iso_k2.csv"


def test_view_pickles_and_charts_carry_aggregates_only() -> None:
    table = read_diary(SAMPLE.read_bytes(), SAMPLE.name)
    view = build_diary_view(table, dt.date(2024, 10, 7))
    again = pickle.loads(pickle.dumps(view))
    assert again.summary == view.summary
    assert view.k2 is not None
    assert view.charts[0].name == "cramps_per_week"
    episodes = len(table.episodes)
    for chart in view.charts:
        rows = sum(len(v) for v in chart.spec.get("datasets", {}).values())
        assert 0 < rows <= 7 * 24 + len(view.summary.weekly) + 10, chart.name
        assert "notes" not in str(chart.spec.get("datasets", {})), chart.name
    assert episodes > 0


def test_a_cleared_k2_date_gives_no_comparison_in_the_summary_either() -> None:
    table = read_diary(SAMPLE.read_bytes(), SAMPLE.name)
    assert table.k2_start_from_file is not None
    view = build_diary_view(table, None)
    assert view.k2 is None
    assert view.summary.k2_comparison is None
