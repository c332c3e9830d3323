"""Consult page: a clinician enters the patient's risk factors and reads the recommendation.

Thin by design: the form builds a PatientProfile, ``core.consult.evaluate`` decides, and this
page only renders the result (status first, then red flags, factors, actions, cautions).
"""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from core.consult import evaluate
from core.formulary import describe, is_local, split_medication_list
from core.interactions import possible_vka
from core.models import (
    CONDITION_LABELS,
    SYMPTOM_LABELS,
    ConditionCode,
    Finding,
    PatientProfile,
    Recommendation,
    SymptomCode,
    format_validation_error,
)
from core.texts import text
from ui import disclaimer, md_escape, show_basis, styles
from ui.handoff import show_handoff

# The form and the result sit side by side when the window has room for both (so the K2
# status shows without scrolling after a submit) and stack, form first, when it has not.
FORM_WIDTH = 560
RESULT_WIDTH = 620


def _form() -> dict[str, object] | None:
    """The consult form; returns the entered profile as a dict when submitted."""
    with st.form("consult"):
        c1, c2, c3 = st.columns([2, 2, 1.4], vertical_alignment="bottom")
        age = c1.number_input("Age (years)", 0, 120, value=70, step=1, key="age")
        sex = c2.selectbox("Sex", ["unknown", "female", "male", "other"], key="sex")
        pregnant = c3.checkbox("Pregnant", key="pregnant")

        p1, p2 = st.columns([2, 3.4])
        per_week = p1.number_input(
            "Cramps per week",
            min_value=0.0,
            max_value=100.0,
            value=None,
            step=0.5,
            key="cramps_per_week",
            placeholder="unknown",
            help="Leave empty if unknown.",
        )
        symptoms = p2.multiselect(
            "Symptoms",
            list(SymptomCode),
            format_func=lambda s: SYMPTOM_LABELS[s],
            key="symptoms",
        )

        st.markdown("**Exposures**")
        with st.container(horizontal=True, gap="small"):
            dehydration = st.checkbox("Dehydration or low fluid intake", key="dehydration")
            sitting = st.checkbox("Prolonged sitting", key="prolonged_sitting")
            standing = st.checkbox("Prolonged standing", key="prolonged_standing")

        meds_text = st.text_area(
            "Medications, one a line",
            height=130,
            key="medications_text",
            placeholder="Coumadin 5 mg daily\nHCTZ 25mg\nLipitor 20 mg po qhs",
            help="Brand, generic or abbreviation, as written; doses are fine.",
        )
        conditions = st.multiselect(
            "Conditions",
            list(ConditionCode),
            format_func=lambda c: CONDITION_LABELS[c],
            key="conditions",
        )
        submitted = st.form_submit_button("Get recommendation", type="primary")
    if not submitted:
        return None
    return {
        "age": int(age),
        "sex": sex,
        "pregnant": pregnant,
        "cramps_per_week": per_week,
        "dehydration": dehydration,
        "prolonged_sitting": sitting,
        "prolonged_standing": standing,
        "medications": split_medication_list(meds_text or ""),
        "conditions": list(conditions),
        "symptoms": list(symptoms),
    }


def _findings(title: str, items: list[Finding], rec: Recommendation, *, flag: bool) -> None:
    if not items:
        return
    st.subheader(title)
    for f in items:
        text = f"**{f.label}.** {f.detail}"
        if flag:
            styles.box(styles.RED_FLAG, f"**{styles.RED_FLAG.word}:** {text}")
        else:
            st.markdown(f"- {text}")
        show_basis(f.basis, f.evidence, rec.evidence)


def _render(rec: Recommendation) -> None:
    """The recommendation, MDCalc-style: the decision first, then what to do, then evidence."""
    reasons = "\n".join(f"- {md_escape(r)}" for r in rec.k2.reasons)
    styles.box(
        styles.K2_STATUS[rec.k2.status],
        f"**Vitamin K2: {rec.k2.label}** (`{rec.k2.status}`)\n\n{reasons}",
    )
    show_basis(text("consult.k2_status_basis"), rec.k2.evidence, rec.evidence)

    _findings("Red flags", rec.red_flags, rec, flag=True)
    if rec.differentials:
        st.subheader("Differentials")
        for f in rec.differentials:
            styles.box(styles.DIFFERENTIAL, f"**Differential: {f.label}.** {f.detail}")
            show_basis(f.basis, f.evidence, rec.evidence)
    _findings("Contributing factors", rec.risk_factors, rec, flag=False)

    st.subheader("What to do")
    for a in rec.actions:
        look = styles.STRENGTH[a.strength]
        st.markdown(f"{styles.tag(look, f'{look.word}: {a.label}.')} {md_escape(a.detail)}")
        show_basis(a.basis, a.evidence, rec.evidence)

    if rec.medications:
        st.subheader("Medications as understood")
        for med in rec.medications:
            line = md_escape(describe(med))
            if med.matched_by == "unresolved":
                styles.box(styles.CAUTION, f"{line} — {text('medication.unresolved')}")
            elif med.matched_by == "fuzzy":
                styles.box(styles.UNSURE, f"{line} — {text('medication.fuzzy')}.")
            else:
                st.markdown(f"- {line}")
            if possible_vka(med):
                st.caption(text("medication.possible_vka"))
            if is_local(med):
                st.caption(text("medication.local_route"))
            if med.note:
                st.caption(md_escape(med.note))

    st.subheader("Cautions")
    if not rec.cautions:
        st.markdown(text("cautions.none"))
    for c in rec.cautions:  # ranked in core, major first
        look = styles.SEVERITY[c.severity]
        head = f"**{look.word}: {c.label or c.code}**"
        body = f"{head} — {md_escape(', '.join(c.applies_to or c.drugs))}\n\n{c.management}"
        if c.severity == "minor":  # fewer, sharper messages: minor items one click away
            with st.expander(f"{look.word}: {c.label or c.code}", icon=look.icon):
                st.markdown(body)
        else:
            styles.box(look, body)
        show_basis(c.mechanism, c.evidence, rec.evidence)

    profile = st.session_state.get("consult_profile")
    show_handoff(profile if isinstance(profile, PatientProfile) else None, rec)


def main() -> None:
    """Page body: the form, and beside it the recommendation for what was last submitted."""
    disclaimer()
    st.title("Consult: nocturnal leg cramps")
    with st.container(horizontal=True, gap="medium"):
        form_side = st.container(width=FORM_WIDTH)
        result_side = st.container(width=RESULT_WIDTH)
    with form_side:
        entered = _form()
    if entered is not None:
        try:
            profile = PatientProfile.model_validate(entered)
        except ValidationError as exc:
            st.session_state.pop("consult_result", None)
            with result_side:
                styles.box(styles.PROBLEM, f"Please check the form: {format_validation_error(exc)}")
        else:
            st.session_state["consult_result"] = evaluate(profile)
            st.session_state["consult_profile"] = profile
    result = st.session_state.get("consult_result")
    with result_side:
        if isinstance(result, Recommendation):
            _render(result)
        elif entered is None:
            styles.box(styles.NOTE, "Fill in the form and press **Get recommendation**.")


main()
