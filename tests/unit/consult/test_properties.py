"""Safety properties of the consult (issue 8), and facts taken from the medications given."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.consult import evaluate, evaluate_json, patient_facts
from core.formulary import confirm, resolve_medication
from core.models import PatientProfile, ResolvedMedication, SymptomCode
from tests.strategies import KNOWN_MEDS, profiles

RED_FLAGS = [
    SymptomCode.unilateral_swelling,
    SymptomCode.exertional_calf_pain,
    SymptomCode.muscle_weakness,
    SymptomCode.fasciculations,
]
NEGATIONS = ("avoid", "no ", "not ", "don't", "do not", "never", "stop")
GIBBERISH = st.sampled_from(
    ["Zzyxqorb", "qwxplt 5 mg", "Frobnicil", "xyzzy tab", "plughamide 20mg"]
)


@settings(max_examples=150, deadline=None)
@given(profiles(meds=st.lists(st.sampled_from(KNOWN_MEDS), max_size=3)), GIBBERISH)
def test_an_unresolved_name_never_yields_consider(profile: PatientProfile, name: str) -> None:
    assert resolve_medication(name).matched_by == "unresolved"
    rec = evaluate(profile.model_copy(update={"medications": [*profile.medications, name]}))
    assert rec.k2.status != "consider"
    k2 = next(a for a in rec.actions if a.code == "vitamin_k2")
    assert k2.strength != "consider" or rec.k2.status == "outside_trial_population"
    if rec.k2.status == "check_medications":
        assert any(name in r for r in rec.k2.reasons)


@settings(max_examples=150, deadline=None)
@given(profiles(), st.sampled_from(RED_FLAGS))
def test_a_red_flag_always_puts_assess_red_flags_first(
    profile: PatientProfile, flag: SymptomCode
) -> None:
    symptoms = list(dict.fromkeys([*profile.symptoms, flag]))
    rec = evaluate(profile.model_copy(update={"symptoms": symptoms}))
    first = rec.actions[0]
    assert (first.code, first.strength) == ("assess_red_flags", "recommended")
    strengths = {a.code: a.strength for a in rec.actions}
    assert strengths["stretching"] == "defer"
    assert strengths["magnesium"] == "defer"
    assert strengths["vitamin_k2"] in {"defer", "not_recommended"}
    for f in rec.red_flags:
        assert f.code in {"suspected_dvt", "claudication", "neuromuscular_signs"}


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_dose_is_null_unless_consider_and_labels_name_the_thing(profile: PatientProfile) -> None:
    rec = evaluate(profile)
    trial = (rec.k2.dose_mcg, rec.k2.form, rec.k2.duration_weeks)
    if rec.k2.status == "consider":
        assert None not in trial
    else:
        assert trial == (None, None, None)
    for a in rec.actions:
        if a.strength == "not_recommended":
            assert not a.label.lower().startswith(NEGATIONS), a.label
    assert rec.k2.label and not rec.k2.label.lower().startswith(NEGATIONS[1:3])


PROFILE = PatientProfile(age=72, cramps_per_week=3, medications=["Coumadine"])


def test_a_rejected_vka_match_gives_no_vka_fact_and_no_caution() -> None:
    fuzzy = resolve_medication("Coumadine")
    assert "vitamin_k_antagonist" in fuzzy.classes
    for rejected in (confirm(fuzzy, None), fuzzy.model_copy(update={"confirmation": "rejected"})):
        facts = patient_facts(PROFILE, [rejected])
        assert not {"vka", "possible_vka", "class:vitamin_k_antagonist"} & facts
        rec = evaluate(PROFILE, [rejected])
        assert "vka_interaction" not in {c.code for c in rec.cautions}
        assert rec.k2.status == "check_medications"  # the name is still not known
        assert evaluate_json(PROFILE, [rejected]) == rec.model_dump_json()


def test_a_confirmed_vka_match_gives_the_vka_fact_and_caution() -> None:
    fuzzy = resolve_medication("Coumadine")
    confirmed = confirm(fuzzy, "Coumadin").model_copy(update={"confirmation": "confirmed"})
    assert "vka" in patient_facts(PROFILE, [confirmed])
    rec = evaluate(PROFILE, [confirmed])
    assert rec.k2.status == "consult_prescriber"
    assert rec.cautions[0].code == "vka_interaction"
    assert next(a for a in rec.actions if a.code == "vitamin_k2").strength == "not_recommended"


def test_an_unconfirmed_vka_match_is_treated_as_one() -> None:
    rec = evaluate(PROFILE)
    assert rec.k2.status == "consult_prescriber"
    assert rec.cautions[0].code == "vka_interaction"
    assert next(a for a in rec.actions if a.code == "vitamin_k2").strength == "defer"


def test_a_vka_among_the_alternatives_is_treated_as_one() -> None:
    med = ResolvedMedication(input="Warfaxil", matched_by="unresolved", alternatives=["warfarin"])
    profile = PatientProfile(age=72, cramps_per_week=3, medications=["Warfaxil"])
    assert "possible_vka" in patient_facts(profile, [med])
    rec = evaluate(profile, [med])
    assert rec.k2.status == "consult_prescriber"
    (vka,) = [c for c in rec.cautions if c.code == "vka_interaction"]
    assert vka.applies_to == ["Warfaxil (possibly warfarin; not recognised, not yet confirmed)"]


LOCAL_ROUTES = ["ophthalmic", "otic", "topical", "nasal", "vaginal"]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(LOCAL_ROUTES),
    st.sampled_from(["ciprofloxacin", "timolol", "diclofenac", "furosemide", "mineral oil"]),
)
def test_a_local_route_gives_no_systemic_fact_or_caution(route: str, name: str) -> None:
    base = resolve_medication(name)
    assert base.classes
    med = base.model_copy(update={"route": route, "matched_name": name})
    profile = PatientProfile(age=72, cramps_per_week=3, medications=[name])
    facts = patient_facts(profile, [med])
    assert not any(f.startswith(("class:", "group:")) for f in facts)
    rec = evaluate(profile, [med])
    assert rec.cautions == []
    assert rec.k2.status == "consider"


def test_a_stopped_medicine_counts_for_nothing() -> None:
    med = resolve_medication("warfarin").model_copy(update={"fhir_status": "stopped"})
    profile = PatientProfile(age=72, cramps_per_week=3, medications=["warfarin"])
    rec = evaluate(profile, [med])
    assert rec.k2.status == "consider"
    assert rec.cautions == []
