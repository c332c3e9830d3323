"""The consult's hand-off: the note to copy, the report PDF, the patient sheet, and exports.

Presentation only: every word and file comes from ``core.outputs``. PDFs are built when the
button is pressed (a callable), in memory, and never written to disk.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import partial

import streamlit as st

from core.diary import summarize_bytes
from core.errors import InputError
from core.models import DiarySummary, PatientProfile, Recommendation
from core.outputs.cds_hooks import cds_hooks_cards
from core.outputs.counselling import MIN_OVERRIDE_CHARS, refusal_reason
from core.outputs.counselling_pdf import counselling_pdf
from core.outputs.note import note_text
from core.outputs.report_pdf import report_pdf
from ui import md_escape

__all__ = ["DIARY_KEY", "show_handoff"]

DIARY_KEY = "handoff_diary_summary"  # the diary page may leave its DiarySummary here
OVERRIDE_KEY = "handoff_override"
NOTE_HEIGHT = 320  # pixels: the note scrolls inside its box instead of filling the page


def _report(
    rec: Recommendation, profile: PatientProfile | None, diary: DiarySummary | None
) -> bytes:
    return report_pdf(rec, profile, diary)


def _sheet(rec: Recommendation, override: str | None) -> bytes:
    return counselling_pdf(rec, override=override)


@st.cache_data(scope="session", show_spinner="Reading the diary…", max_entries=4)
def _summarize(data: bytes, name: str, k2_start: dt.date | None) -> DiarySummary:
    """The uploaded diary's summary, kept in memory for this session only."""
    return summarize_bytes(data, name, k2_start)


def _diary_upload() -> DiarySummary | None:
    """An optional diary for the report: uploaded here, read in memory, never stored."""
    with st.expander("Add a cramp diary to the report (optional)"):
        upload = st.file_uploader(
            "Diary export (CSV, TSV, XLSX or JSON)",
            type=["csv", "tsv", "txt", "xlsx", "json"],
            key="handoff_diary_file",
        )
        k2_start = st.date_input(
            "Vitamin K2 start (for the before/after figures)",
            value=None,
            key="handoff_k2_start",
        )
        if upload is None:
            return None
        try:
            return _summarize(
                upload.getvalue(),
                upload.name,
                k2_start if isinstance(k2_start, dt.date) else None,
            )
        except InputError as exc:
            st.error(f"The diary cannot be used: {md_escape(str(exc))}")
            return None


def show_handoff(
    profile: PatientProfile | None, rec: Recommendation, diary: DiarySummary | None = None
) -> None:
    """Note with a copy button, report PDF, patient sheet (or why not), JSON and cards."""
    st.subheader("Hand-off")
    if diary is None:
        stored = st.session_state.get(DIARY_KEY)
        diary = stored if isinstance(stored, DiarySummary) else _diary_upload()
    day = dt.date.today().isoformat()
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download consult report (PDF)",
        partial(_report, rec, profile, diary),
        file_name=f"cramp-consult-report-{day}.pdf",
        mime="application/pdf",
        key="handoff_report_pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
    c1.caption(
        "With the diary's weekly chart and before/after figures."
        if diary is not None
        else "No diary loaded: the report has no diary chart."
    )

    refused = refusal_reason(rec)
    with c2:
        override = None
        if refused:
            st.warning(f"⚠️ {refused}")
            typed = st.text_input(
                "Override reason (printed on the sheet with the date)",
                key=OVERRIDE_KEY,
                max_chars=200,
            )
            override = " ".join(typed.split()) or None
        allowed = not refused or (override is not None and len(override) >= MIN_OVERRIDE_CHARS)
        st.download_button(
            "Download patient sheet (PDF)",
            partial(_sheet, rec, override),
            file_name=f"cramp-consult-patient-sheet-{day}.pdf",
            mime="application/pdf",
            key="handoff_sheet_pdf",
            on_click="ignore",
            disabled=not allowed,
            icon=":material/picture_as_pdf:",
        )

    st.markdown(
        "**Note for the record.** Copy all of it with the button at the top right of the box "
        "(the box scrolls)."
    )
    # The scrolling box is a container, which Streamlit makes reachable by keyboard (WCAG 2.1.1);
    # a scrolling code block alone is not.
    with st.container(height=NOTE_HEIGHT):
        st.code(note_text(rec, profile), language=None, wrap_lines=True)

    e1, e2 = st.columns(2)
    e1.download_button(
        "Download recommendation (JSON)",
        rec.model_dump_json(indent=2),
        file_name="cramp-consult-recommendation.json",
        mime="application/json",
        key="download_json",
        on_click="ignore",
    )
    e2.download_button(
        "Download CDS Hooks cards (JSON)",
        json.dumps(cds_hooks_cards(rec), indent=2, ensure_ascii=False),
        file_name="cramp-consult-cards.json",
        mime="application/json",
        key="download_cards",
        on_click="ignore",
    )
    st.caption(f"Ruleset {rec.ruleset_version}. The basis of every item is one click away.")
