"""Tests for core.interactions: which list triggers which caution, and the counselling text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import evidence
from core.formulary import all_names, generics_in_class, resolve_medication
from core.interactions import (
    RULESET_VERSION,
    SEVERITY_LEGEND,
    build_report,
    cautions_for,
    check_interactions,
    interaction_rules,
)
from core.models import SEVERITY_ORDER, InteractionReport, ResolvedMedication
from core.outputs.counselling import counselling_text

# One trigger per caution code, and a list that must not trigger it.
TRIGGERS: dict[str, tuple[str, str]] = {
    "vka_interaction": ("Coumadin 5 mg", "Eliquis 5 mg"),
    "quinine_in_use": ("quinine sulfate 324 mg at night", "quetiapine 25 mg"),
    "absorption_reduced": ("Questran 4 g", "Lipitor 20 mg"),
    "doac_no_known_interaction": ("Xarelto 20 mg", "warfarin 5 mg"),
    "parenteral_anticoagulant_unstudied": ("Lovenox 40 mg sc", "Plavix 75 mg"),
    "antiplatelet_no_known_interaction": ("Plavix 75 mg", "Lovenox 40 mg"),
    "antibiotic_menaquinone_reduced": ("Augmentin 875 bid", "nitrofurantoin"),
    "vitamin_k_duplicate": ("MK-7 180 mcg", "magnesium oxide"),
}
REQUIRED_CODES = {
    "vka_interaction",
    "doac_no_known_interaction",
    "absorption_reduced",
    "quinine_in_use",
    "antiplatelet_no_known_interaction",
    "antibiotic_menaquinone_reduced",
    "vitamin_k_duplicate",
}
_VKA_NAMES = [n for n in all_names() if "vitamin_k_antagonist" in resolve_medication(n).classes]
_OTHER_NAMES = [
    n for n in all_names() if "vitamin_k_antagonist" not in resolve_medication(n).classes
]


def _codes(texts: list[str]) -> list[str]:
    return [c.code for c in check_interactions(texts).cautions]


def test_every_required_caution_code_exists_and_every_code_has_a_trigger_test() -> None:
    codes = {r.code for r in interaction_rules()}
    assert codes >= REQUIRED_CODES
    assert codes == set(TRIGGERS)


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_each_caution_is_triggered_by_the_right_drug_and_not_otherwise(code: str) -> None:
    yes, no = TRIGGERS[code]
    assert code in _codes([yes])
    assert code not in _codes([no])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("orlistat 120 mg tid", "absorption_reduced"),
        ("Alli", "absorption_reduced"),
        ("colesevelam", "absorption_reduced"),
        ("mineral oil 15 ml", "absorption_reduced"),
        ("Sintrom 1 mg", "vka_interaction"),
        ("Marcoumar", "vka_interaction"),
        ("Pradaxa", "doac_no_known_interaction"),
        ("Arixtra", "parenteral_anticoagulant_unstudied"),
        ("cefotetan", "antibiotic_menaquinone_reduced"),
        ("Konakion", "vitamin_k_duplicate"),
        ("Qualaquin", "quinine_in_use"),
    ],
)
def test_members_of_each_class_trigger_their_caution(text: str, code: str) -> None:
    assert code in _codes([text])


def test_major_cautions_are_listed_first_and_one_caution_per_code() -> None:
    report = check_interactions(
        ["Plavix", "MK-7", "Questran", "Coumadin", "Qualaquin", "Eliquis", "warfarin", "cipro"]
    )
    ranks = [SEVERITY_ORDER[c.severity] for c in report.cautions]
    assert ranks == sorted(ranks)
    codes = [c.code for c in report.cautions]
    assert len(codes) == len(set(codes))
    assert codes[0] == "vka_interaction"


def test_a_caution_lists_every_drug_and_every_entry_as_written() -> None:
    report = check_interactions(["Coumadin 5 mg", "acenocoumarol", "Lipitor"])
    (vka,) = [c for c in report.cautions if c.code == "vka_interaction"]
    assert vka.severity == "major"
    assert vka.drugs == ["warfarin", "acenocoumarol"]
    assert vka.applies_to == ["Coumadin 5 mg (warfarin)", "acenocoumarol"]
    assert vka.pair == "vitamin K2 (menaquinone-7) + warfarin, acenocoumarol"
    assert "theuwissen2013" in vka.evidence
    assert vka.mechanism
    assert vka.clinical_effect
    assert vka.documentation


def test_a_combination_names_only_the_ingredient_that_triggers() -> None:
    report = check_interactions(["Aggrenox"])
    (c,) = report.cautions
    assert c.code == "antiplatelet_no_known_interaction"
    assert c.drugs == ["aspirin", "dipyridamole"]
    (c2,) = check_interactions(["Augmentin"]).cautions
    assert c2.drugs == ["amoxicillin"]


def test_an_unconfirmed_spelling_match_is_marked_in_applies_to() -> None:
    (c,) = check_interactions(["Coumadine"]).cautions
    assert c.code == "vka_interaction"
    assert c.applies_to == ["Coumadine (warfarin; spelling match, not yet confirmed)"]


def test_vka_caution_text_carries_the_key_figures() -> None:
    (c,) = check_interactions(["warfarin"]).cautions
    text = " ".join([c.mechanism, c.clinical_effect, c.management])
    for needle in ("40%", "60%", "180 µg", "3 days", "INR", "prescriber", "tan2024"):
        assert needle in text, needle
    assert set(c.evidence) >= {"theuwissen2013", "schurgers2007", "tan2024"}


def test_management_never_tells_anyone_to_stop_or_start_on_the_tools_say() -> None:
    for rule in interaction_rules():
        text = rule.management.lower()
        assert not re.search(
            r"\b(stop|discontinue|start taking|take \d)",
            text.replace("does not start, dose or stop", "").replace(
                "does not stop any medicine", ""
            ),
        ), rule.code


def test_every_evidence_id_exists_in_the_catalogue() -> None:
    catalogue = evidence.catalogue()
    for rule in interaction_rules():
        assert rule.evidence, rule.code
        assert set(rule.evidence) <= set(catalogue), rule.code
        cited = set(
            re.findall(
                r"\[([a-z0-9_, ]+)\]",
                " ".join([rule.mechanism, rule.clinical_effect, rule.management]),
            )
        )
        for group in cited:
            ids = {i.strip() for i in group.split(",")}
            assert ids <= set(rule.evidence), (rule.code, ids)


def test_severity_legend_covers_every_severity() -> None:
    assert set(SEVERITY_LEGEND) == set(SEVERITY_ORDER)


def test_report_shape_unresolved_and_evidence() -> None:
    report = check_interactions(
        ["Coumadin", "xyzzy", "lisinopril/plugh"], not_current=[("Eliquis", "stopped")]
    )
    assert isinstance(report, InteractionReport)
    assert report.ruleset_version == RULESET_VERSION
    assert report.unresolved == ["xyzzy", "plugh (in 'lisinopril/plugh')"]
    assert [e.id for e in report.evidence] == [
        i for i in evidence.catalogue() if i in set(report.cautions[0].evidence)
    ]
    assert [m.input for m in report.not_current] == ["Eliquis"]
    assert report.not_current[0].fhir_status == "stopped"
    assert "doac_no_known_interaction" not in [c.code for c in report.cautions]
    assert json_roundtrip(report) == report


def json_roundtrip(report: InteractionReport) -> InteractionReport:
    return InteractionReport.model_validate_json(report.model_dump_json())


def test_confirmations_change_the_cautions() -> None:
    before = check_interactions(["Coumadine"])
    assert [c.code for c in before.cautions] == ["vka_interaction"]
    rejected = check_interactions(["Coumadine"], confirmed={"Coumadine": ""})
    assert rejected.cautions == []
    assert rejected.unresolved == ["Coumadine"]
    stale = check_interactions(["Coumadin"], confirmed={"Coumadin": "Eliquis"})
    assert [c.code for c in stale.cautions] == ["vka_interaction"]


def test_a_caller_built_entry_with_a_vka_class_but_no_generic_still_triggers() -> None:
    med = ResolvedMedication(input="?", classes=["vitamin_k_antagonist"], matched_by="fuzzy")
    assert [c.code for c in cautions_for([med])] == ["vka_interaction"]


def test_unresolved_entries_trigger_nothing_but_are_reported() -> None:
    report = build_report([resolve_medication("xyzzy")])
    assert report.cautions == []
    assert report.unresolved == ["xyzzy"]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_VKA_NAMES),
    st.lists(st.sampled_from(_OTHER_NAMES), max_size=12),
    st.integers(0, 12),
    st.sampled_from(["", " 5 mg", " 2.5mg po daily", " tab qhs"]),
)
def test_any_list_containing_a_vka_gives_the_major_vka_caution_first(
    vka: str, others: list[str], pos: int, suffix: str
) -> None:
    items = list(others)
    items.insert(min(pos, len(items)), vka + suffix)
    report = check_interactions(items)
    first = report.cautions[0]
    assert first.code == "vka_interaction"
    assert first.severity == "major"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_OTHER_NAMES), max_size=10))
def test_no_vka_caution_without_a_vka(items: list[str]) -> None:
    assert "vka_interaction" not in _codes(items)


def test_cautions_for_is_pure() -> None:
    meds = [resolve_medication(t) for t in ("Coumadin", "Plavix")]
    assert cautions_for(meds) == cautions_for(list(meds))
    assert [c.code for c in cautions_for(meds[1:])] == ["antiplatelet_no_known_interaction"]


# --- counselling --------------------------------------------------------------------------------


def test_counselling_text_states_the_trial_regimen_as_evidence_with_citations() -> None:
    text = counselling_text(check_interactions(["Coumadin", "HCTZ 25", "xyzzy"]))
    assert "MK-7 180 µg by mouth once daily for 8 weeks" in text
    assert "not a prescription" in text
    assert "men 120 µg/day, women 90 µg/day" in text
    assert "1,000 µg per 100 g" in text
    assert "40-80 µg" in text
    assert "meal that contains some fat" in text
    assert "MAJOR: Vitamin K antagonist" in text
    assert "diuretic" in text
    assert "xyzzy" in text
    for eid in ("tan2024", "ods_vitk", "knapen2014", "iom2001", "theuwissen2013"):
        assert f"[{eid}]" in text
    # Every bracketed id in the text has its reference listed.
    refs = text.split("REFERENCES", 1)[1]
    for group in re.findall(r"\[([a-z0-9_, ]+)\]", text.split("REFERENCES", 1)[0]):
        for eid in (i.strip() for i in group.split(",")):
            assert f"[{eid}]" in refs, eid


def test_counselling_text_without_cautions_says_so() -> None:
    text = counselling_text(check_interactions(["Lipitor"]))
    assert "no caution from the recognised names" in text
    assert "MAJOR" not in text


def test_vitamin_k_class_has_the_k2_forms() -> None:
    assert {"menaquinone-7", "phytonadione"} <= set(generics_in_class("vitamin_k"))
