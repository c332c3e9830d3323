"""End to end in a real headless Chromium against the running server."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _only_loopback(page: Any) -> None:
    hosts = {urlparse(u).hostname for u in page.requests_seen if u.startswith("http")}
    assert hosts <= {"127.0.0.1"}, f"requests left the machine: {hosts}"


def test_consult_end_to_end(page: Any, server: str) -> None:
    page.goto(f"{server}/")  # the consult is the default page, served at the root
    page.get_by_text("Decision support for clinicians").first.wait_for()
    meds = page.get_by_role("textbox", name="Medications, one a line")
    meds.fill("Coumadin 5 mg daily\nLasix 40mg")
    page.get_by_role("button", name="Get recommendation").click()
    page.get_by_text("Talk to the anticoagulation prescriber first").first.wait_for()
    page.get_by_text("warfarin").first.wait_for()
    _only_loopback(page)


def test_every_page_opens_with_its_disclaimer(page: Any, server: str) -> None:
    for path in ("", "interactions", "diary", "about"):
        page.goto(f"{server}/{path}")
        page.get_by_text("not a substitute for clinical judgement").first.wait_for()
        assert page.get_by_text("Page not found").count() == 0, path
        assert page.get_by_test_id("stException").count() == 0, path
    nav = page.get_by_test_id("stTopNav")
    for title in ("Consult", "Interaction checker", "Cramp diary", "About / how it decides"):
        assert nav.get_by_text(title, exact=True).count() == 1, title
    assert nav.get_by_text("app", exact=True).count() == 0  # no auto-listed pages folder
    _only_loopback(page)


def test_pharmacist_pastes_a_messy_list(page: Any, server: str) -> None:
    page.goto(f"{server}/interactions")
    page.get_by_role("textbox", name="Medication list").fill(
        "Coumadin 5mg po daily, Xarelto 20 mg; Zzyxqorb"
    )
    page.get_by_role("button", name="Check interactions").click()
    page.get_by_text("Coumadin 5mg po daily (warfarin)").first.wait_for()
    page.get_by_text("not recognised").first.wait_for()
    assert page.get_by_text("Major").count() >= 1
    _only_loopback(page)


def test_diary_upload_shows_charts(page: Any, server: str) -> None:
    page.goto(f"{server}/diary")
    page.locator("input[type=file]").first.set_input_files(str(SAMPLES / "episodes_iso_k2.csv"))
    page.get_by_test_id("stVegaLiteChart").first.wait_for()
    assert page.get_by_test_id("stMetric").count() >= 2
    assert page.get_by_test_id("stException").count() == 0
    _only_loopback(page)
