"""The consult page's hand-off block (ui/handoff.py) in AppTest: the note to copy, the PDF
buttons, and the patient sheet refused with its reason until an override is typed."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest


def _script(meds: list[str]) -> None:
    from core.consult import evaluate
    from core.models import PatientProfile
    from ui.handoff import show_handoff

    profile = PatientProfile(age=75, cramps_per_week=3, medications=meds)
    show_handoff(profile, evaluate(profile))


def _run(meds: list[str]) -> AppTest:
    at = AppTest.from_function(_script, args=(meds,), default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _downloads(at: AppTest) -> dict[str, Any]:
    return {str(el.proto.label): el.proto for el in at.get("download_button")}


def test_note_is_in_a_code_block_with_copy_and_both_pdfs_are_offered() -> None:
    at = _run(["Lipitor"])
    code = at.code[0]
    assert code.value.startswith("CRAMP CONSULT NOTE")
    assert code.language in (None, "", "plaintext")
    buttons = _downloads(at)
    assert "Download consult report (PDF)" in buttons
    sheet = buttons["Download patient sheet (PDF)"]
    assert not sheet.disabled
    assert not at.warning


def test_sheet_is_refused_with_its_reason_until_an_override_is_given() -> None:
    at = _run(["warfarin 5 mg"])
    assert any("consult_prescriber" in w.value for w in at.warning)
    assert _downloads(at)["Download patient sheet (PDF)"].disabled
    at.text_input(key="handoff_override").input("INR clinic agreed").run()
    assert not at.exception
    assert not _downloads(at)["Download patient sheet (PDF)"].disabled


def test_a_diary_left_by_the_diary_page_goes_into_the_report() -> None:
    from core.models import DiarySummary, WeeklyPoint
    from ui.handoff import DIARY_KEY

    at = AppTest.from_function(_script, args=(["Lipitor"],), default_timeout=60)
    at.session_state[DIARY_KEY] = DiarySummary(
        rows_read=3,
        episodes=3,
        rows_rejected=0,
        weekly=[WeeklyPoint(week_start="2025-09-01", episodes=3)],
    )
    at.run()
    assert not at.exception
    assert any("weekly chart" in c.value for c in at.caption)


def test_without_a_diary_the_report_says_so_and_offers_an_upload() -> None:
    at = _run(["Lipitor"])
    assert any("No diary loaded" in c.value for c in at.caption)
    assert any("cramp diary" in e.label for e in at.expander)
