"""The patient's counselling sheet: what it says, and when it is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from core.consult import evaluate
from core.errors import InputError
from core.models import PatientProfile
from core.outputs.counselling import (
    REFUSED_STATUSES,
    CounsellingRefused,
    patient_sheet,
    patient_sheet_text,
    refusal_reason,
)

DAY = dt.date(2026, 1, 15)
CONSIDER = PatientProfile(age=75, cramps_per_week=3)
BY_STATUS = {
    "consult_prescriber": PatientProfile(age=75, cramps_per_week=3, medications=["warfarin"]),
    "evaluate_first": PatientProfile(age=75, cramps_per_week=3, symptoms=["unilateral_swelling"]),
}


def test_sheet_holds_the_trial_regimen_foods_and_when_to_call() -> None:
    text = " ".join(patient_sheet_text(patient_sheet(evaluate(CONSIDER), on=DAY)).split())
    assert "MK-7, 180 µg once a day for 8 weeks" in text
    assert "meal that contains some fat" in text
    assert "about 850 µg in an 85 g (3 oz) serving" in text
    assert "40 to 80 µg per 100 g" in text
    assert "120 µg" in text and "90 µg" in text
    assert "2.60 → 0.96" in text
    for heading in (
        "What night cramps are",
        "Stretching",
        "Foods that contain vitamin K2",
        "Call your clinician",
    ):
        assert heading in text
    assert "one calf is swollen" in text
    assert "[tan2024]" in text  # the sources section lists the trial


@pytest.mark.parametrize("status", sorted(BY_STATUS))
def test_sheet_is_refused_for_do_not_start_statuses(status: str) -> None:
    rec = evaluate(BY_STATUS[status])
    assert rec.k2.status == status
    with pytest.raises(CounsellingRefused) as err:
        patient_sheet(rec, on=DAY)
    assert isinstance(err.value, InputError)
    assert status in str(err.value)
    assert refusal_reason(rec) is not None


def test_unrecognised_names_refuse_the_sheet_when_status_is_check_medications() -> None:
    rec = evaluate(PatientProfile(age=75, cramps_per_week=3, medications=["qwzx plorb"]))
    if rec.k2.status != "check_medications":
        pytest.skip("the consult does not give check_medications for unknown names yet")
    with pytest.raises(CounsellingRefused):
        patient_sheet(rec)


@pytest.mark.parametrize("override", [None, "", "  ", "ok"])
def test_a_blank_or_token_override_does_not_count(override: str | None) -> None:
    with pytest.raises(CounsellingRefused):
        patient_sheet(evaluate(BY_STATUS["consult_prescriber"]), override=override)


def test_override_is_printed_with_the_date() -> None:
    reason = "INR clinic agreed; INR check in 1 week"
    sheet = patient_sheet(evaluate(BY_STATUS["consult_prescriber"]), override=reason, on=DAY)
    text = " ".join(patient_sheet_text(sheet).split())
    assert sheet.override == reason
    assert f"Issued by clinician override on 2026-01-15: {reason}" in text


def test_no_override_line_when_the_sheet_was_not_refused() -> None:
    sheet = patient_sheet(evaluate(CONSIDER), override="not needed", on=DAY)
    assert sheet.override is None
    assert "override" not in patient_sheet_text(sheet)


def test_refused_statuses_are_the_contracts_do_not_start_statuses() -> None:
    assert {"consult_prescriber", "evaluate_first", "check_medications"} == REFUSED_STATUSES


@pytest.mark.parametrize(
    "profile",
    [
        PatientProfile(age=30, sex="female", pregnant=True, cramps_per_week=3),
        PatientProfile(age=15, cramps_per_week=3),
        PatientProfile(age=75, cramps_per_week=0.5),
    ],
)
def test_no_regimen_when_the_consult_advises_against_k2(profile: PatientProfile) -> None:
    rec = evaluate(profile)
    vk2 = next(a for a in rec.actions if a.code == "vitamin_k2")
    if vk2.strength != "not_recommended":
        pytest.skip("the consult does not advise against K2 for this profile")
    text = " ".join(patient_sheet_text(patient_sheet(rec, on=DAY)).split())
    assert "not advised for you" in text
    assert "180 µg once a day" not in text
    assert "Foods that contain vitamin K2" in text  # diet facts stay
