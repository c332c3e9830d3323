"""The diary's charts as a person sees them in Chromium: plot areas that read, at two widths.

Streamlit draws each chart at its spec's height with the title, axes and legends inside it,
so a chart can be all frame and no plot. This measures the Vega SVG after an upload.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core import analytics
from core.diary import read_diary
from core.outputs import charts

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "episodes_iso_k2.csv"
MIN_CELL_PX = 14

MEASURE = """el => {
  const box = (n) => { const r = n.getBoundingClientRect();
    return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const svg = el.querySelector('svg');
  if (!svg) return null;
  const frame = svg.querySelector('g.role-frame.root > g > path.background');
  return {
    svg: box(svg),
    plot: frame ? box(frame) : null,
    title: (svg.querySelector('g.role-title-text text') || {}).textContent || '',
    axisTitles: [...svg.querySelectorAll('g.role-axis-title text')].map(
      (t) => ({text: t.textContent, ...box(t)})),
    legends: [...svg.querySelectorAll('g.role-legend')].map(box).filter((b) => b.w * b.h > 0),
    legendLabels: [...svg.querySelectorAll('g.role-legend-label text')].map((t) => t.textContent),
    rects: [...svg.querySelectorAll('g.mark-rect.role-mark path')].map(box),
    xLabels: [...svg.querySelectorAll('g.role-axis')].filter(
      (a) => (a.getAttribute('aria-label') || '').startsWith('X-axis')).flatMap(
      (a) => [...a.querySelectorAll('g.role-axis-label text')].map((t) => t.textContent)),
  };
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> float:
    w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return max(w, 0) * max(h, 0)


def _expected_hours() -> list[str]:
    table = read_diary(SAMPLE.read_bytes(), SAMPLE.name)
    shown = charts.night_hours(analytics.night_heatmap(table.episodes))
    return [h[:2] for h in shown.drop_duplicates("hour").sort_values("hour_order")["hour"]]


def _measure(page: Any, server: str) -> dict[str, Any]:
    page.goto(f"{server}/diary")
    page.locator("input[type=file]").first.set_input_files(str(SAMPLE))
    figures = page.get_by_test_id("stVegaLiteChart")
    figures.first.wait_for()
    page.locator("[data-testid=stVegaLiteChart] svg g.role-frame").nth(4).wait_for()
    found = {}
    for i in range(figures.count()):
        figures.nth(i).scroll_into_view_if_needed()
        m = figures.nth(i).evaluate(MEASURE)
        assert m is not None, f"chart {i} is not an SVG"
        found[m["title"]] = m
    return found


@pytest.mark.parametrize("width", [1400, 800])
def test_every_chart_has_a_plot_that_reads(
    width: int,
    open_page: Callable[..., Any],
    server: str,
    screenshot: Callable[[Any, str], Path],
) -> None:
    page = open_page(width)
    found = _measure(page, server)
    assert set(found) == {
        "Cramps per week",
        "Severity over time",
        "Duration of cramps",
        "Time of night × weekday",
        "Which leg",
    }
    for title, m in found.items():
        plot, svg = m["plot"], m["svg"]
        assert plot is not None, title
        assert plot["h"] >= charts.MIN_PLOT_PX, (title, plot, svg)
        assert plot["h"] >= charts.MIN_PLOT_SHARE * svg["h"], (title, plot, svg)
        assert plot["w"] >= 0.5 * svg["w"], (title, plot, svg)
        for axis in m["axisTitles"]:
            assert "…" not in axis["text"], (title, axis)
            extent = max(axis["w"], axis["h"])  # a y-axis title runs along the plot's height
            along = plot["w"] if axis["w"] >= axis["h"] else plot["h"]
            assert extent <= along, (title, axis, plot)
        assert not [t for t in m["legendLabels"] if "…" in t], (title, m["legendLabels"])
        for legend in m["legends"]:
            assert _overlap(legend, plot) == 0, (title, legend, plot)
            inside = _overlap(legend, svg) == legend["w"] * legend["h"]
            assert inside, f"{title}: legend cut off at the chart's edge {legend} {svg}"
    heat = found["Time of night × weekday"]
    assert heat["xLabels"] == _expected_hours()
    cells = [r for r in heat["rects"] if r["h"] > 0]
    assert cells and min(r["h"] for r in cells) >= MIN_CELL_PX, cells[:3]
    screenshot(page, "diary")
