"""WCAG 2.1 AA in a real browser: axe-core on every page before and after each flow,
and the consult used with the keyboard alone.

``axe`` (tests/e2e/conftest.py) fails on any serious or critical violation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.app_pages import app_pages

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "episodes_iso_k2.csv"
DISCLAIMER = "Decision support for clinicians"
PAGES = [page.path for page in app_pages()]


def _open(page: Any, server: str, path: str) -> None:
    page.goto(f"{server}/{path}")
    page.get_by_text(DISCLAIMER).first.wait_for()
    page.get_by_test_id("stTopNav").wait_for()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_as_it_opens(
    path: str, page: Any, server: str, axe: Callable[[Any, str], None]
) -> None:
    _open(page, server, path)
    axe(page, f"/{path} as it opens")


def test_consult_after_a_submit(page: Any, server: str, axe: Callable[[Any, str], None]) -> None:
    _open(page, server, "")
    page.get_by_role("textbox", name="Medications, one a line").fill("Coumadin 5 mg\nLasix 40mg")
    page.get_by_role("button", name="Get recommendation").click()
    page.get_by_test_id("stAlert").filter(has_text="Vitamin K2:").first.wait_for()
    axe(page, "the consult's result")


@pytest.mark.parametrize("width", [1400, 800])
def test_interaction_check_with_a_confirm_click(
    width: int,
    open_page: Callable[..., Any],
    server: str,
    axe: Callable[[Any, str], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page = open_page(width)
    _open(page, server, "interactions")
    page.get_by_role("textbox", name="Medication list").fill("Coumadine 5 mg\nLasix 40mg\nxyzzy")
    page.get_by_role("button", name="Check interactions").click()
    page.get_by_role("button", name="Confirm Coumadin").click()
    page.get_by_text("confirmed by the user as Coumadin").first.wait_for()
    expect(page.get_by_role("button", name="Confirm Coumadin")).to_have_count(0)
    axe(page, "the interaction check after a confirm click")
    screenshot(page, "interactions")


def test_diary_after_an_upload(page: Any, server: str, axe: Callable[[Any, str], None]) -> None:
    _open(page, server, "diary")
    page.locator("input[type=file]").first.set_input_files(str(SAMPLE))
    page.locator("[data-testid=stVegaLiteChart] svg g.role-frame").nth(4).wait_for()
    axe(page, "the diary with its charts")


FOCUSED_LABEL = """() => { const el = document.activeElement;
  return (el.getAttribute('aria-label') || el.innerText || el.id || el.tagName)
    .trim().split('\\n').pop().trim(); }"""


def _tab_to(page: Any, label: str, *, limit: int = 60) -> None:
    """Press Tab until the focused control's label starts with ``label`` (keyboard only)."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED_LABEL)
        seen.append(now)
        if now.startswith(label):
            return
    pytest.fail(f"{label!r} was not reached with Tab; focus went: {seen}")


def test_consult_with_the_keyboard_alone(page: Any, server: str) -> None:
    """Tab into the form, type, tick, and submit with Enter; no mouse."""
    _open(page, server, "")
    page.get_by_role("button", name="Get recommendation").wait_for()
    _tab_to(page, "Age")
    page.keyboard.press("Control+A")
    page.keyboard.type("78")
    _tab_to(page, "Prolonged sitting")
    page.keyboard.press("Space")
    _tab_to(page, "Medications")
    page.keyboard.type("Coumadin 5 mg daily")
    _tab_to(page, "Get recommendation")
    page.keyboard.press("Enter")
    status = page.get_by_test_id("stAlert").filter(has_text="Vitamin K2:").first
    status.wait_for()
    assert "anticoagulation prescriber" in status.inner_text()
    assert page.get_by_label("Age (years)").input_value() == "78"
    assert page.get_by_role("checkbox", name="Prolonged sitting").is_checked()


def test_interaction_check_with_the_keyboard_alone(page: Any, server: str) -> None:
    """Type a list, submit, and confirm a suggested name, all from the keyboard."""
    _open(page, server, "interactions")
    page.get_by_role("button", name="Check interactions").wait_for()
    _tab_to(page, "Medication list")
    page.keyboard.type("Coumadine 5 mg")
    _tab_to(page, "Check interactions")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Confirm Coumadin").wait_for()
    _tab_to(page, "Confirm Coumadin")
    page.keyboard.press("Enter")
    page.get_by_text("confirmed by the user as Coumadin").first.wait_for()


def test_diary_sample_with_the_keyboard_alone(page: Any, server: str) -> None:
    """Open a sample diary from the keyboard and get its charts."""
    _open(page, server, "diary")
    page.get_by_role("button", name="One row per cramp").wait_for()
    _tab_to(page, "One row per cramp")
    page.keyboard.press("Enter")
    page.locator("[data-testid=stVegaLiteChart] svg g.role-frame").nth(4).wait_for()
