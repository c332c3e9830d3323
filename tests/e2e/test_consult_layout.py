"""The consult in a real browser: the K2 status in view after a submit, form kept, keyboard use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

MEDS = "Coumadin 5 mg daily\nLasix 40mg"


def _status(page: Any) -> Any:
    return page.get_by_test_id("stAlert").filter(has_text="Vitamin K2:").first


def _fill_and_submit(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    page.get_by_text("Decision support for clinicians").first.wait_for()
    page.get_by_label("Age (years)").fill("78")
    page.get_by_role("textbox", name="Medications, one a line").fill(MEDS)
    page.get_by_role("button", name="Get recommendation").click()
    _status(page).wait_for()


def test_status_is_in_view_after_submit_and_the_form_keeps_its_values(
    page: Any, server: str, screenshot: Callable[[Any, str], Path]
) -> None:
    _fill_and_submit(page, server)
    box = _status(page).bounding_box()
    view = page.viewport_size
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= view["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"], box
    assert page.get_by_label("Age (years)").input_value() == "78"
    assert page.get_by_role("textbox", name="Medications, one a line").input_value() == MEDS
    screenshot(page, "consult")


def test_narrow_window_reads_form_then_result(
    open_page: Callable[..., Any], server: str, screenshot: Callable[[Any, str], Path]
) -> None:
    page = open_page(800)
    _fill_and_submit(page, server)
    form = page.get_by_test_id("stForm").bounding_box()
    status = _status(page).bounding_box()
    assert form is not None and status is not None
    assert status["y"] >= form["y"] + form["height"], "the result should follow the form"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 800, f"the page scrolls sideways ({width} px)"
    screenshot(page, "consult")
