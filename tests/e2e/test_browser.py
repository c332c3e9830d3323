"""End to end in a real headless Chromium against the running server."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.e2e


def _only_loopback(page: Any) -> None:
    hosts = {urlparse(u).hostname for u in page.requests_seen if u.startswith("http")}
    assert hosts <= {"127.0.0.1"}, f"requests left the machine: {hosts}"


def test_consult_end_to_end(page: Any, server: str) -> None:
    page.goto(f"{server}/")  # the consult is the default page, served at the root
    page.get_by_text("Decision support for clinicians").first.wait_for()
    page.get_by_label("Medications, one a line").fill("Coumadin 5 mg daily\nLasix 40mg")
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
    nav = page.get_by_test_id("stSidebarNav")
    for title in ("Consult", "Interaction checker", "Cramp diary", "About / how it decides"):
        assert nav.get_by_text(title, exact=True).count() == 1, title
    assert nav.get_by_text("app", exact=True).count() == 0  # no auto-listed pages folder
    _only_loopback(page)
