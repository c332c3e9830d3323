"""Interaction checker: vitamin K2 (MK-7) cautions for a pasted list or a FHIR R4 Bundle.

The pharmacist's view. A thin page: the form goes in, ``core`` decides, the result is shown.
Names typed by the user are shown with ``st.text`` or escaped, never as live markdown.
"""

from __future__ import annotations

from typing import TypedDict

import streamlit as st

import ui
from core import texts
from core.errors import InputError
from core.fhir import BundleMedications, read_bundle
from core.formulary import (
    MATCH_KIND_LABELS,
    confirmation_choices,
    describe,
    describe_name,
    split_medication_list,
)
from core.interactions import SEVERITY_LEGEND, check_interactions
from core.models import MAX_MEDICATIONS, Caution, Evidence, InteractionReport, ResolvedMedication
from core.outputs.counselling import counselling_text
from ui import styles
from ui.settle import settle_buttons

TEXT_KEY = "ix_text"
FILE_KEY = "ix_file"
INPUT_KEY = "ix_inputs"
CONFIRM_KEY = "ix_confirmed"


class _Inputs(TypedDict):
    """What the last submit read: pasted names, and what a FHIR Bundle gave (names only).

    A plain dict, because session state outlives this module: the page re-runs and a class
    defined here would be a new class on every run.
    """

    texts: list[str]
    current: list[str]
    statuses: dict[str, str]
    not_current: list[tuple[str, str]]
    skipped: int
    source: str
    error: str | None


def _confirm(text: str, name: str) -> None:
    st.session_state.setdefault(CONFIRM_KEY, {})[text] = name


def _submit() -> None:
    """Read the form into session state; a bad Bundle leaves an error, not a traceback."""
    texts = split_medication_list(st.session_state.get(TEXT_KEY) or "")
    upload = st.session_state.get(FILE_KEY)
    bundle: BundleMedications | None = None
    error: str | None = None
    if upload is not None:
        try:
            bundle = read_bundle(upload.getvalue(), source=upload.name)
        except InputError as exc:
            error = str(exc)
    count = len(texts) + (len(bundle.current) + len(bundle.not_current) if bundle else 0)
    if count > MAX_MEDICATIONS:
        error = (
            f"{count} medications; at most {MAX_MEDICATIONS} are checked at once: split the list."
        )
        texts, bundle = [], None
    st.session_state[INPUT_KEY] = _Inputs(
        texts=texts,
        current=list(bundle.current) if bundle else [],
        statuses=dict(bundle.current_status) if bundle else {},
        not_current=list(bundle.not_current) if bundle else [],
        skipped=len(bundle.skipped) if bundle else 0,
        source=bundle.source if bundle else "",
        error=error,
    )
    st.session_state[CONFIRM_KEY] = {}


def _render_caution(c: Caution, evidence: list[Evidence]) -> None:
    look = styles.SEVERITY[c.severity]
    body = "\n\n".join(
        [
            f"**{look.word}: {c.label}**",
            f"**Pair:** {c.pair}",
            f"**Applies to:** {ui.md_escape('; '.join(c.applies_to))}",
            f"**Clinical effect:** {c.clinical_effect}",
            f"**Management:** {c.management}",
            f"**Documentation:** {c.documentation}",
        ]
    )
    styles.box(look, body)
    ui.show_basis(f"Mechanism: {c.mechanism}", c.evidence, evidence)


def _render_medication(i: int, med: ResolvedMedication, confirmed: dict[str, str]) -> None:
    st.text(describe(med))
    st.caption(f"Matched by: {MATCH_KIND_LABELS[med.matched_by]}")
    if med.note:
        st.text(f"Note: {med.note}")
    choices = [] if med.input in confirmed else confirmation_choices(med)
    if med.matched_by == "unresolved":
        styles.box(
            styles.CAUTION, f"{ui.md_escape(med.input)}: {texts.text('medication.unresolved')}."
        )
    for part in med.unresolved_parts:
        styles.box(
            styles.CAUTION, f"{ui.md_escape(part)}: {texts.text('medication.unresolved_part')}."
        )
    if choices and med.matched_by != "unresolved":
        used = (
            " Until confirmed, the first suggestion is used." if med.matched_by == "fuzzy" else ""
        )
        styles.box(
            styles.UNSURE,
            "Did you mean "
            + " or ".join(ui.md_escape(describe_name(c)) for c in choices)
            + "?"
            + used,
        )
    if not choices:
        return
    if med.matched_by == "unresolved":
        st.caption("Did you mean:")
    settle_buttons(
        med,
        choices,
        key="ix",
        index=i,
        on_settle=_confirm,
        offer_reject=med.matched_by != "unresolved",
    )


def _render_report(report: InteractionReport, inputs: _Inputs) -> None:
    confirmed: dict[str, str] = st.session_state.get(CONFIRM_KEY, {})
    st.subheader("Cautions")
    with st.expander("Severity legend"):
        for sev, text in SEVERITY_LEGEND.items():
            st.markdown(f"{styles.tag(styles.SEVERITY[sev])}: {text}")
    if report.cautions:
        for c in report.cautions:
            if c.severity != "minor":
                _render_caution(c, report.evidence)
        minor = [c for c in report.cautions if c.severity == "minor"]
        if minor:
            # Fewer, sharper messages: minor items stay one click away (shared/design.md).
            look = styles.SEVERITY["minor"]
            label = f"{look.word} cautions ({len(minor)}): no change suggested on this evidence"
            with st.expander(label, icon=look.icon):
                for c in minor:
                    _render_caution(c, report.evidence)
    else:
        styles.box(styles.ALL_CLEAR, texts.text("cautions.none_checker"))
    if report.unresolved:
        styles.box(
            styles.CAUTION,
            f"{len(report.unresolved)} name(s) not recognised: no caution can be given for them. "
            "Check them by hand.",
        )

    st.subheader("Medications as understood")
    for i, med in enumerate(report.medications):
        with st.container(border=True):
            _render_medication(i, med, confirmed)

    if report.not_current or inputs["skipped"]:
        st.subheader("Not current (from the FHIR Bundle)")
        st.caption(texts.text("cautions.not_current"))
        for med in report.not_current:
            st.text(describe(med) + (f"  [status: {med.fhir_status}]" if med.fhir_status else ""))
        if inputs["skipped"]:
            st.caption(f"{inputs['skipped']} entered-in-error statement(s) left out.")

    st.subheader("Counselling panel")
    text = counselling_text(report)
    with st.expander("Counselling text (printable)"):
        st.code(text, language=None, wrap_lines=True)
    st.download_button(
        "Download counselling text (.txt)",
        data=text,
        file_name="k2-counselling.txt",
        mime="text/plain",
        key="ix_download_text",
        on_click="ignore",
    )
    st.download_button(
        "Download report (JSON)",
        data=report.model_dump_json(indent=2),
        file_name="k2-interaction-report.json",
        mime="application/json",
        key="ix_download_json",
        on_click="ignore",
    )


def main() -> None:
    """The page body."""
    ui.disclaimer()
    st.title("Interaction checker: vitamin K2 (MK-7)")
    st.caption(
        "For pharmacists and prescribers. Paste a medication list as written (brands, doses, "
        "abbreviations and typos are fine) or upload a FHIR R4 Bundle. Each caution shows its "
        "basis; names the checker does not recognise are listed, never assumed safe."
    )
    with st.form("ix_form"):
        st.text_area(
            "Medication list",
            key=TEXT_KEY,
            height=180,
            placeholder="Coumadin 5 mg po daily\nLipitor 20 mg qhs\nlisinopril/HCTZ 20/12.5",
            help="One a line, or separated by commas or semicolons.",
            persist_state="session",
        )
        st.file_uploader("Or a FHIR R4 Bundle (.json)", type=["json"], key=FILE_KEY)
        st.form_submit_button("Check interactions", type="primary", on_click=_submit)

    inputs: _Inputs | None = st.session_state.get(INPUT_KEY)
    if not inputs:
        return
    if inputs["error"]:
        styles.box(styles.PROBLEM, ui.md_escape(inputs["error"]))
        return
    current = [*inputs["texts"], *inputs["current"]]
    if not current and not inputs["not_current"]:
        styles.box(
            styles.NOTE, "Nothing to check: paste a medication list or upload a FHIR R4 Bundle."
        )
        return
    if inputs["source"]:
        st.caption(f"Read from a {inputs['source']}.")
    report = check_interactions(
        current,
        not_current=inputs["not_current"],
        confirmed=st.session_state.get(CONFIRM_KEY, {}),
        statuses=inputs["statuses"],
    )
    _render_report(report, inputs)


main()
