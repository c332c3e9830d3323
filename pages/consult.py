"""Consult page: a clinician enters the patient's risk factors and reads the recommendation.

Thin by design: the form builds a PatientProfile, ``core.consult.evaluate`` decides, and this
page only renders the result (status first, then red flags, factors, actions, cautions).
Uncertain medication names are settled below the status (confirm or reject); the answers are
applied with ``core.formulary.confirm`` and the whole recommendation is evaluated again from
the settled medications, so the page, the note, the PDFs and the cards agree.
"""

from __future__ import annotations

import contextlib

import streamlit as st
from pydantic import ValidationError

from core.consult import evaluate
from core.errors import InputError
from core.formulary import (
    confirm,
    confirmation_choices,
    describe,
    is_local,
    resolve_medications,
    split_medication_list,
)
from core.interactions import possible_vka
from core.models import (
    CONDITION_LABELS,
    SYMPTOM_LABELS,
    ConditionCode,
    Finding,
    PatientProfile,
    Recommendation,
    ResolvedMedication,
    SymptomCode,
    format_validation_error,
)
from core.texts import text
from ui import disclaimer, md_escape, show_basis, styles
from ui.handoff import show_handoff
from ui.settle import settle_buttons

# The form and the result sit side by side when the window has room for both (so the K2
# status shows without scrolling after a submit) and stack, form first, when it has not.
FORM_WIDTH = 560
RESULT_WIDTH = 620

RESULT_KEY = "consult_result"
PROFILE_KEY = "consult_profile"
SETTLED_KEY = "consult_settled"  # typed medication -> confirmed name ("" = rejected)
TOAST_KEY = "consult_settle_toast"  # set by a settle click: say the new status once


def _evaluate(profile: PatientProfile, answers: dict[str, str]) -> Recommendation:
    """The recommendation from the profile's medications as the clinician settled them."""
    settled: list[ResolvedMedication] = []
    for med in resolve_medications(profile.medications):
        if med.input in answers and med.confirmation == "unconfirmed":
            with contextlib.suppress(InputError):  # nothing left to confirm: keep it as is
                med = confirm(med, answers[med.input])
        settled.append(med)
    return evaluate(profile, medications=settled)


def _settle(typed: str, name: str) -> None:
    """A confirm or reject click: record the answer and evaluate the last profile again."""
    answers: dict[str, str] = st.session_state.setdefault(SETTLED_KEY, {})
    answers[typed] = name
    profile = st.session_state.get(PROFILE_KEY)
    if isinstance(profile, PatientProfile):
        st.session_state[RESULT_KEY] = _evaluate(profile, answers)
        st.session_state[TOAST_KEY] = True


def _uncertain(med: ResolvedMedication) -> bool:
    return (
        med.confirmation == "unconfirmed"
        or med.matched_by == "unresolved"
        or bool(med.unresolved_parts)
    )


def _settle_controls(rec: Recommendation) -> None:
    """Below the status: a control for each uncertain name, and how to fix unknown ones."""
    uncertain = [(i, m) for i, m in enumerate(rec.medications) if _uncertain(m)]
    if not uncertain:
        return
    st.subheader("Names to check")
    st.caption(text("medication.settle_intro"))
    for i, med in uncertain:
        with st.container(border=True):
            choices = confirmation_choices(med)
            if choices:
                st.markdown(f"**{md_escape(describe(med))}**")
                if possible_vka(med):
                    st.caption(text("medication.possible_vka"))
                settle_buttons(med, choices, key="consult", index=i, on_settle=_settle)
            else:
                what = (
                    text("medication.unresolved")
                    if med.matched_by == "unresolved"
                    else text("medication.unresolved_part")
                )
                parts = "; ".join(med.unresolved_parts) or med.input
                st.markdown(
                    f"**{md_escape(parts)}**: {what}; {text('medication.correct_in_form')}."
                )


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
    _settle_controls(rec)

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
            elif med.matched_by == "fuzzy" and med.confirmation != "confirmed":
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

    profile = st.session_state.get(PROFILE_KEY)
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
            st.session_state.pop(RESULT_KEY, None)
            with result_side:
                styles.box(styles.PROBLEM, f"Please check the form: {format_validation_error(exc)}")
        else:
            st.session_state[SETTLED_KEY] = {}
            st.session_state[RESULT_KEY] = _evaluate(profile, {})
            st.session_state[PROFILE_KEY] = profile
    result = st.session_state.get(RESULT_KEY)
    if st.session_state.pop(TOAST_KEY, False) and isinstance(result, Recommendation):
        # The clicked button sits below the status box, which may now be scrolled away.
        look = styles.K2_STATUS[result.k2.status]
        st.toast(f"Recomputed. Vitamin K2: {result.k2.label}", icon=look.icon)
    with result_side:
        if isinstance(result, Recommendation):
            _render(result)
        elif entered is None:
            styles.box(styles.NOTE, "Fill in the form and press **Get recommendation**.")


main()
