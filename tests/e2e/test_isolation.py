"""Two clinicians at once: two browser sessions with different patients never see each other's data.

Both sessions run on the same server, their steps interleaved so the server handles them at
the same time: a consult, an interaction list and a diary upload each. Every page of one
session is then searched (its whole DOM, hidden parts included) for the other's markers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import VIEWPORT

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Patient:
    """What one session enters, with words only this patient's pages may show."""

    med_marker: str
    list_marker: str
    meds: str
    diary: bytes
    diary_span: str


def _diary(first_day: str, days: list[str], note: str) -> bytes:
    rows = [f"{first_day[:8]}{d},03:00,5,6,L,{note}," for d in days]
    return ("date,time,duration_min,severity,side,notes,supplement\n" + "\n".join(rows)).encode()


ALPHA = Patient(
    med_marker="zzalphamedqq",
    list_marker="zzalphalistqq",
    meds="Coumadin 5 mg daily\nzzalphamedqq 10 mg",
    diary=_diary("2024-01-", ["02", "05", "09"], "zzalphadiaryqq"),
    diary_span="2024-01-02 to 2024-01-09",
)
BRAVO = Patient(
    med_marker="zzbravomedqq",
    list_marker="zzbravolistqq",
    meds="Lasix 40 mg\nzzbravomedqq 2 mg",
    diary=_diary("2025-03-", ["03", "04", "10", "17", "20"], "zzbravodiaryqq"),
    diary_span="2025-03-03 to 2025-03-20",
)
VKA_STATUS = "Talk to the anticoagulation prescriber first"


def _markers(p: Patient) -> list[str]:
    return [
        p.med_marker,
        p.list_marker,
        p.diary_span,
        "zzalphadiaryqq" if p is ALPHA else "zzbravodiaryqq",
    ]


@pytest.fixture
def two_sessions(browser: Any, server: str) -> Iterator[tuple[Any, Any]]:
    """Two browser contexts: separate cookies, storage and websocket sessions."""
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
    pages = []
    for context in contexts:
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        pages.append(pg)
    yield pages[0], pages[1]
    for context in contexts:
        context.close()


def _go(pg: Any, title: str) -> None:
    """Open a page through the app's own navigation, so the session (and its state) goes on."""
    pg.get_by_test_id("stTopNavLink").filter(has_text=title).click()


def _assert_only_own(pg: Any, own: Patient, other: Patient, step: str) -> None:
    html = pg.content()
    for marker in _markers(other):
        assert marker not in html, f"{step}: {marker!r} of the other session is on this page"
    assert pg.get_by_test_id("stException").count() == 0, step


def test_two_patients_at_once_never_see_each_others_data(
    two_sessions: tuple[Any, Any], server: str
) -> None:
    a, b = two_sessions
    pairs = ((a, ALPHA, BRAVO), (b, BRAVO, ALPHA))

    # Consult: both forms filled, then both submitted before either result is awaited.
    for pg, own, _ in pairs:
        pg.goto(f"{server}/")
        pg.get_by_role("textbox", name="Medications, one a line").fill(own.meds)
    for pg, _, _ in pairs:
        pg.get_by_role("button", name="Get recommendation").click()
    for pg, own, _ in pairs:
        pg.get_by_text(own.med_marker).first.wait_for()
    a.get_by_text(VKA_STATUS).first.wait_for()
    assert b.get_by_text(VKA_STATUS).count() == 0  # Bravo is not on warfarin
    for pg, own, other in pairs:
        _assert_only_own(pg, own, other, "consult")

    # Interaction checker, the same way, in the same sessions.
    for pg, own, _ in pairs:
        _go(pg, "Interaction checker")
        pg.get_by_role("textbox", name="Medication list").fill(f"{own.meds}\n{own.list_marker}")
    for pg, _, _ in pairs:
        pg.get_by_role("button", name="Check interactions").click()
    for pg, own, _ in pairs:
        pg.get_by_text(own.list_marker).first.wait_for()
    for pg, own, other in pairs:
        _assert_only_own(pg, own, other, "interaction checker")

    # Diary upload: each session uploads its own diary.
    for pg, own, _ in pairs:
        _go(pg, "Cramp diary")
        uploader = pg.get_by_test_id("stFileUploader").filter(has_text="Diary export")
        uploader.locator("input[type=file]").set_input_files(
            {"name": "diary.csv", "mimeType": "text/csv", "buffer": own.diary}
        )
    for pg, own, _ in pairs:
        pg.get_by_text(own.diary_span).first.wait_for()
    for pg, own, other in pairs:
        _assert_only_own(pg, own, other, "diary")

    # Back on the interaction checker: each session kept its own list, and only that.
    for pg, _, _ in pairs:
        _go(pg, "Interaction checker")
    for pg, own, other in pairs:
        pg.get_by_text(own.list_marker).first.wait_for()
        _assert_only_own(pg, own, other, "interaction checker, revisited")
