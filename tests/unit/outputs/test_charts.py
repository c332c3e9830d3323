"""Altair chart builders: aggregated rows only, titles, descriptions, tooltips, colours, PNG."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pytest

from core import analytics
from core.diary import DiaryTable, read_diary
from core.outputs import charts

RAW_ONLY_FIELDS = {"line", "notes", "supplement", "minute_of_day", "duplicate_of"}


def _diary(n: int = 3000, seed: int = 1) -> DiaryTable:
    """A synthetic diary of ``n`` episodes over about 30 weeks, with times and notes."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 210, n)), "D")
    frame = pd.DataFrame(
        {
            "date": day.strftime("%Y-%m-%d"),
            "time": [
                f"{h:02d}:{m:02d}"
                for h, m in zip(rng.integers(0, 24, n), rng.integers(0, 60, n), strict=True)
            ],
            "duration": np.round(rng.gamma(2, 1.5, n), 1),
            "severity": rng.integers(1, 11, n),
            "side": rng.choice(["L", "R", "Both", ""], n),
            "notes": [f"private note {i}" for i in range(n)],
        }
    )
    return read_diary(frame.to_csv(index=False).encode(), "synthetic.csv")


@pytest.fixture(scope="module")
def table() -> DiaryTable:
    return _diary()


def _all_charts(t: DiaryTable, k2: dt.date | None = dt.date(2024, 4, 1)) -> dict[str, Any]:
    ep = t.episodes
    return {
        "weekly": charts.weekly_frequency_chart(analytics.weekly_series(ep), k2),
        "severity": charts.severity_trend_chart(analytics.severity_trend(ep), t.severity_scale),
        "duration": charts.duration_chart(analytics.duration_distribution(ep)),
        "heatmap": charts.night_heatmap_chart(analytics.night_heatmap(ep)),
        "side": charts.side_chart(analytics.side_breakdown(ep)),
    }


def _walk(node: Any) -> list[dict[str, Any]]:
    """Every dict in a spec (to find encodings and marks in layered charts)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def test_chart_specs_carry_aggregated_rows_only(table: DiaryTable) -> None:
    weeks = len(analytics.weekly_series(table.episodes))
    days = analytics.observed_days(table.episodes)
    limits = {"weekly": weeks, "severity": days, "duration": 8, "heatmap": 7 * 24, "side": 4}
    for name, chart in _all_charts(table).items():
        datasets = charts.inline_datasets(chart)
        assert datasets, name
        for rows in datasets.values():
            assert len(rows) <= max(limits[name], 4), name  # 4: the trial reference rows
            assert len(rows) < len(table.episodes) / 5, name
            for row in rows:
                assert not RAW_ONLY_FIELDS & set(row), (name, row)
        text = json.dumps(datasets)
        assert "private note" not in text, name


def test_every_chart_has_title_description_and_tooltips(table: DiaryTable) -> None:
    for name, chart in _all_charts(table).items():
        spec = chart.to_dict()
        assert spec["title"], name
        assert isinstance(spec["description"], str) and len(spec["description"]) > 20, name
        encodings = [d["encoding"] for d in _walk(spec) if "encoding" in d]
        assert any("tooltip" in e for e in encodings), name


def test_colours_are_colour_blind_safe(table: DiaryTable) -> None:
    safe = set(charts.OKABE_ITO.values()) | {"white", "black"}
    for name, chart in _all_charts(table).items():
        spec = chart.to_dict()
        colours: set[str] = set()
        for d in _walk(spec):
            if isinstance(d.get("range"), list):
                colours |= {c for c in d["range"] if isinstance(c, str)}
            for key in ("color", "stroke", "fill"):
                if isinstance(d.get(key), str) and d[key].startswith("#"):
                    colours.add(d[key])
            if "scheme" in d:
                assert d["scheme"] in ("viridis", "cividis"), name
        assert colours <= safe, (name, colours - safe)


def test_weekly_chart_marks_k2_start_and_trial_levels(table: DiaryTable) -> None:
    weekly = analytics.weekly_series(table.episodes)
    spec = charts.weekly_frequency_chart(weekly, dt.date(2024, 4, 3)).to_dict()  # a Wednesday
    rows = [r for data in spec["datasets"].values() for r in data]
    assert sorted(r["per_week"] for r in rows if "per_week" in r) == [0.96, 2.6, 2.71, 3.63]
    assert any(r.get("label") == "K2 started 2024-04-03" for r in rows)
    assert {r["period"] for r in rows if "episodes" in r} == {
        "before K2",
        "K2 started this week",
        "on K2",
    }
    assert "tan2024" in spec["description"]
    plain = charts.weekly_frequency_chart(weekly, None, show_trial=False).to_dict()
    rows = [r for data in plain["datasets"].values() for r in data]
    assert not any("per_week" in r or "k2_start" in r for r in rows)


def test_tables_beside_the_charts(table: DiaryTable) -> None:
    ep = table.episodes
    weekly = analytics.weekly_series(ep)
    assert len(charts.weekly_frequency_table(weekly)) == len(weekly)
    assert list(charts.weekly_frequency_table(weekly).columns)[:2] == ["Week starting", "Cramps"]
    assert charts.weekly_frequency_table(weekly)["Cramps"].sum() == len(ep)
    heat = charts.night_heatmap_table(analytics.night_heatmap(ep))
    assert heat.shape == (7, 25)
    assert heat.columns[1] == "18:00"
    assert int(heat.drop(columns="Weekday").to_numpy().sum()) == len(ep)
    assert charts.side_table(analytics.side_breakdown(ep))["Cramps"].sum() == len(ep)
    assert charts.duration_table(analytics.duration_distribution(ep))["Entries"].sum() == len(ep)
    trend = analytics.severity_trend(ep)
    assert len(charts.severity_trend_table(trend)) == len(trend)


def test_png_export(table: DiaryTable) -> None:
    chart = _all_charts(table)["side"]
    png = charts.chart_png(chart, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 1000


def test_charts_of_an_empty_period_still_build() -> None:
    t = read_diary(b"date\n2024-01-01\n", "one.csv")
    built = _all_charts(t, None)
    for chart in built.values():
        assert isinstance(chart, (alt.Chart, alt.LayerChart))
        chart.to_dict()


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_png_has_the_proportions_the_page_shows(table: DiaryTable) -> None:
    """The PNG is the spec's height at a fixed width, as Streamlit sizes it (fit, padding)."""
    for name, chart in _all_charts(table).items():
        spec = chart.to_dict()
        assert spec["autosize"] == charts.AUTOSIZE, name
        assert spec["usermeta"]["embedOptions"]["renderer"] == "svg", name
        width, height = _png_size(charts.spec_png(spec, scale=1, width=600))
        assert (width, height) == (600, spec["height"]), name
        assert _png_size(charts.spec_png(spec, scale=2, width=600)) == (1200, 2 * spec["height"])


def test_heatmap_shows_the_night_hours_that_hold_cramps_plus_a_margin() -> None:
    rows = "date,time\n2024-01-01,23:10\n2024-01-02,02:40\n2024-01-03,04:05\n"
    heat = analytics.night_heatmap(read_diary(rows.encode(), "night.csv").episodes)
    shown = charts.night_hours(heat)
    hours = list(shown.drop_duplicates("hour").sort_values("hour_order")["hour"])
    assert hours == [f"{h:02d}:00" for h in (22, 23, 0, 1, 2, 3, 4, 5)]
    assert int(shown["episodes"].sum()) == 3
    spec = charts.night_heatmap_chart(heat).to_dict()
    cells = next(iter(spec["datasets"].values()))
    assert {c["hour"] for c in cells} == set(hours)
