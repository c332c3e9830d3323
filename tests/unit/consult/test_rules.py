"""The consult rules: contract behaviour and safety invariants, mostly as properties."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.consult import RULESET_VERSION, describe_rules, evaluate, evaluate_json, ruleset
from core.evidence import catalogue
from core.models import PatientProfile, Recommendation, SymptomCode
from tests.strategies import NON_VKA_MEDS, profile_dicts, profiles

RED_FLAG_SYMPTOMS = [
    SymptomCode.unilateral_swelling,
    SymptomCode.exertional_calf_pain,
    SymptomCode.muscle_weakness,
    SymptomCode.fasciculations,
]
URGE = ["urge_to_move", "worse_at_rest", "relieved_by_movement", "worse_in_evening"]
ALWAYS_ACTIONS = {"stretching", "vitamin_k2", "magnesium", "avoid_quinine", "keep_diary"}
NEGATIONS = ("avoid", "no ", "not ", "don't", "do not", "never")


def rec_for(**fields: Any) -> Recommendation:
    return evaluate(PatientProfile.model_validate({"age": 72, "cramps_per_week": 3, **fields}))


def finding_codes(rec: Recommendation) -> set[str]:
    return {f.code for f in rec.risk_factors + rec.red_flags + rec.differentials}


def cited_ids(rec: Recommendation) -> set[str]:
    ids = set(rec.k2.evidence)
    for finding in [*rec.risk_factors, *rec.red_flags, *rec.differentials]:
        ids.update(finding.evidence)
    for action in rec.actions:
        ids.update(action.evidence)
    for c in rec.cautions:
        ids.update(c.evidence)
    return ids


# --- the K2 status, in the contract's order -------------------------------------------


def test_trial_like_patient_gets_consider_with_regimen_as_evidence() -> None:
    rec = rec_for()
    assert rec.k2.status == "consider"
    assert (rec.k2.dose_mcg, rec.k2.duration_weeks) == (180, 8)
    assert rec.k2.form is not None and "MK-7" in rec.k2.form
    assert any("180 µg once daily for 8 weeks" in r for r in rec.k2.reasons)
    assert any("meal that contains fat" in r for r in rec.k2.reasons)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"age": 50}, "65 or over"),
        ({"medications": ["furosemide 40 mg"]}, "diuretic"),
        ({"conditions": ["hemodialysis"]}, "hemodialysis"),
        ({"pregnant": True, "age": 30}, "Pregnant"),
        ({"cramps_per_week": 0.5}, "0.5 cramps a week"),
    ],
)
def test_outside_trial_population_says_why(fields: dict[str, Any], words: str) -> None:
    rec = rec_for(**fields)
    assert rec.k2.status == "outside_trial_population"
    assert any(words in r for r in rec.k2.reasons), rec.k2.reasons


def test_vka_wins_over_everything() -> None:
    rec = rec_for(age=40, pregnant=True, medications=["Coumadin 5 mg"], symptoms=URGE)
    assert rec.k2.status == "consult_prescriber"
    assert any("INR" in r for r in rec.k2.reasons)
    vka = next(c for c in rec.cautions if c.code == "vka_interaction")
    assert vka.severity == "major"
    assert rec.cautions[0].code == "vka_interaction"  # major first


def test_red_flag_comes_before_outside_population() -> None:
    rec = rec_for(age=50, symptoms=["unilateral_swelling"])
    assert rec.k2.status == "evaluate_first"
    assert [f.code for f in rec.red_flags] == ["suspected_dvt"]


def test_restless_legs_needs_all_four_urge_features() -> None:
    assert "restless_legs_syndrome" in finding_codes(rec_for(symptoms=URGE))
    assert rec_for(symptoms=URGE).k2.status == "evaluate_first"
    for missing in URGE:
        partial = [s for s in URGE if s != missing]
        assert "restless_legs_syndrome" not in finding_codes(rec_for(symptoms=partial))


def test_unknown_frequency_is_said_not_assumed() -> None:
    rec = rec_for(cramps_per_week=None)
    assert rec.k2.status == "consider"
    assert any("frequency not given" in r for r in rec.k2.reasons)


def test_unresolved_medication_is_named_in_the_reasons() -> None:
    rec = rec_for(medications=["Zzyxqorb 10 mg"])
    assert rec.k2.status == "check_medications"
    assert any("Zzyxqorb" in r and "No caution" in r for r in rec.k2.reasons)


# --- findings and actions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"dehydration": True}, "dehydration"),
        ({"prolonged_sitting": True}, "prolonged_sitting"),
        ({"prolonged_standing": True}, "prolonged_standing"),
        ({"pregnant": True, "age": 30, "sex": "female"}, "pregnancy"),
        ({"medications": ["HCTZ 25 mg"]}, "diuretic"),
        ({"medications": ["losartan 50 mg"]}, "antihypertensive_other"),
        ({"medications": ["Lipitor 20 mg po qhs"]}, "statin"),
        ({"medications": ["Advair Diskus"]}, "laba"),
        ({"medications": ["naproxen 500 mg"]}, "other_cramp_drug"),
        ({"conditions": ["cirrhosis"]}, "cirrhosis"),
        ({"symptoms": ["exertional_calf_pain"]}, "claudication"),
        ({"symptoms": ["fasciculations"]}, "neuromuscular_signs"),
    ],
)
def test_each_input_finds_its_code(fields: dict[str, Any], code: str) -> None:
    assert code in finding_codes(rec_for(**fields))
    assert code not in finding_codes(rec_for(age=72))


def test_age_finding_follows_the_threshold() -> None:
    assert "age_65_plus" in finding_codes(rec_for(age=65))
    assert "age_65_plus" not in finding_codes(rec_for(age=64))


def test_diuretic_finding_names_the_drug() -> None:
    rec = rec_for(medications=["Lasix 40mg bid"])
    diuretic = next(f for f in rec.risk_factors if f.code == "diuretic")
    assert "furosemide" in diuretic.detail.lower()


def test_a_combination_names_only_the_ingredient_in_the_class() -> None:
    rec = rec_for(medications=["Advair Diskus 250/50", "Zestoretic 20/12.5"])
    laba = next(f for f in rec.risk_factors if f.code == "laba")
    assert "Salmeterol" in laba.detail and "fluticasone" not in laba.detail.lower()
    diuretic = next(f for f in rec.risk_factors if f.code == "diuretic")
    assert "hydrochlorothiazide" in diuretic.detail.lower()
    assert "lisinopril" not in diuretic.detail.lower()


def test_medication_review_names_drugs_and_never_says_stop() -> None:
    rec = rec_for(medications=["Lasix 40mg", "Lipitor 20 mg"])
    review = next(a for a in rec.actions if a.code == "medication_review")
    assert "furosemide" in review.detail.lower() and "atorvastatin" in review.detail.lower()
    assert not re.search(r"\b(stop|discontinue|withdraw)\b", review.detail, re.IGNORECASE)


def test_magnesium_carries_the_cochrane_finding() -> None:
    mg = next(a for a in rec_for().actions if a.code == "magnesium")
    assert mg.strength == "not_recommended"
    assert "cochrane_mg2020" in mg.evidence
    assert "−0.18" in mg.detail


def test_quinine_is_advised_against_citing_fda() -> None:
    q = next(a for a in rec_for().actions if a.code == "avoid_quinine")
    assert q.strength == "not_recommended"
    assert q.label == "Quinine for leg cramps"
    assert {"fda2006_quinine", "fda2010_quinine"} <= set(q.evidence)


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(profile_dicts(meds=st.lists(st.sampled_from(NON_VKA_MEDS), max_size=3)), st.data())
def test_a_vka_always_gives_consult_prescriber(base: dict[str, Any], data: st.DataObject) -> None:
    vka = data.draw(st.sampled_from(["warfarin", "Coumadin 5mg", "Jantoven", "acenocoumarol"]))
    meds = [*base["medications"], vka]
    rec = evaluate(PatientProfile.model_validate({**base, "medications": meds}))
    assert rec.k2.status == "consult_prescriber"
    assert any(c.code == "vka_interaction" and c.severity == "major" for c in rec.cautions)


@settings(max_examples=150, deadline=None)
@given(profiles(), st.sampled_from(RED_FLAG_SYMPTOMS))
def test_a_red_flag_never_gives_consider(profile: PatientProfile, flag: SymptomCode) -> None:
    symptoms = list(dict.fromkeys([*profile.symptoms, flag]))
    rec = evaluate(profile.model_copy(update={"symptoms": symptoms}))
    assert rec.red_flags
    assert rec.k2.status in {"consult_prescriber", "evaluate_first"}
    assert rec.k2.dose_mcg is None
    first = rec.actions[0]
    assert (first.code, first.strength) == ("assess_red_flags", "recommended")
    for a in rec.actions:
        if a.code in {"stretching", "magnesium", "vitamin_k2"}:
            assert a.strength in {"defer", "not_recommended"}, a


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_every_cited_id_exists_and_is_resolved(profile: PatientProfile) -> None:
    rec = evaluate(profile)
    ids = cited_ids(rec)
    assert ids <= set(catalogue())
    assert {e.id for e in rec.evidence} == ids


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_output_validates_and_has_the_contract_shape(profile: PatientProfile) -> None:
    rec = evaluate(profile)
    again = Recommendation.model_validate_json(rec.model_dump_json())
    assert again == rec
    assert rec.ruleset_version == RULESET_VERSION
    codes = {a.code for a in rec.actions}
    assert codes >= ALWAYS_ACTIONS
    assert ("hydration" in codes) == profile.dehydration
    cramp = {"diuretic", "statin", "laba", "other_cramp_drug"} & finding_codes(rec)
    assert ("medication_review" in codes) == bool(cramp)
    secondary = bool(profile.conditions or rec.differentials)
    assert ("evaluate_secondary_cause" in codes) == secondary
    assert ("assess_red_flags" in codes) == bool(rec.red_flags)
    k2_action = next(a for a in rec.actions if a.code == "vitamin_k2")
    if rec.k2.status in {"evaluate_first", "check_medications"}:
        assert k2_action.strength == "defer"
    elif rec.k2.status == "consult_prescriber":
        assert k2_action.strength in {"not_recommended", "defer"}
    elif (
        profile.age < 18
        or profile.pregnant
        or (profile.cramps_per_week is not None and profile.cramps_per_week < 1)
    ):
        assert k2_action.strength == "not_recommended"
    else:
        assert k2_action.strength == "consider"
    assert (rec.k2.dose_mcg is None) == (rec.k2.status != "consider")
    assert (rec.k2.form is None) == (rec.k2.status != "consider")
    assert (rec.k2.duration_weeks is None) == (rec.k2.status != "consider")
    for a in rec.actions:
        if a.strength == "not_recommended":
            assert not a.label.lower().startswith(NEGATIONS), a.label
    assert rec.k2.reasons


ADDITIONS: list[dict[str, Any]] = [
    {"dehydration": True},
    {"prolonged_sitting": True},
    {"prolonged_standing": True},
    {"pregnant": True},
    {"age_plus": 30},
    *({"condition": c} for c in ["diabetes", "ckd", "hemodialysis", "neuromuscular_disease"]),
    *({"symptom": s.value} for s in SymptomCode),
    *({"med": m} for m in ["HCTZ", "Lipitor", "Coumadin", "Advair", "Premarin", "amlodipine"]),
]


@settings(max_examples=200, deadline=None)
@given(profiles(), st.sampled_from(ADDITIONS))
def test_adding_a_risk_factor_never_removes_a_finding(
    profile: PatientProfile, addition: dict[str, Any]
) -> None:
    update: dict[str, Any] = {}
    if "age_plus" in addition:
        update["age"] = min(120, profile.age + addition["age_plus"])
    elif "condition" in addition:
        update["conditions"] = list(dict.fromkeys([*profile.conditions, addition["condition"]]))
    elif "symptom" in addition:
        update["symptoms"] = list(dict.fromkeys([*profile.symptoms, addition["symptom"]]))
    elif "med" in addition:
        update["medications"] = [*profile.medications, addition["med"]]
    else:
        update = addition
    merged = {**profile.model_dump(), **update}
    if merged["pregnant"] and (merged["sex"] == "male" or not 10 <= merged["age"] <= 60):
        return  # a contradictory profile is refused, not evaluated (contract)
    more = PatientProfile.model_validate(merged)
    assert finding_codes(evaluate(profile)) <= finding_codes(evaluate(more))


# --- the rule data itself ---------------------------------------------------------------


def test_ruleset_version_starts_with_the_rules_version() -> None:
    assert RULESET_VERSION.startswith(ruleset().ruleset_version + "+")


def test_every_contract_code_has_a_rule() -> None:
    codes = {f.code for f in ruleset().findings}
    contract = {
        "age_65_plus", "dehydration", "prolonged_sitting", "prolonged_standing", "pregnancy",
        "diuretic", "antihypertensive_other", "statin", "laba", "other_cramp_drug",
        "diabetes", "peripheral_neuropathy", "ckd", "hemodialysis", "cirrhosis",
        "hypothyroidism", "peripheral_artery_disease", "lumbar_stenosis",
        "electrolyte_disorder", "neuromuscular_disease",
        "suspected_dvt", "claudication", "neuromuscular_signs", "restless_legs_syndrome",
    }  # fmt: skip
    assert contract <= codes
    assert [s.status for s in ruleset().k2_status] == [
        "consult_prescriber", "evaluate_first", "check_medications",
        "outside_trial_population", "consider",
    ]  # fmt: skip


def test_about_page_lists_every_rule_from_data() -> None:
    described = describe_rules()
    listed = {item["code"] for items in described.values() for item in items}
    assert {f.code for f in ruleset().findings} <= listed
    assert {a.code for a in ruleset().actions} <= listed
    assert all(item["evidence"] for items in described.values() for item in items)


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_batch_json_equals_the_model_json(profile: PatientProfile) -> None:
    assert evaluate_json(profile) == evaluate(profile).model_dump_json()
