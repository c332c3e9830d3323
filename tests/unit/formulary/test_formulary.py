"""Tests for core.formulary: the data, splitting a pasted list, and name resolution."""

from __future__ import annotations

import json
import string
from importlib import resources
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.errors import InputError
from core.formulary import (
    CLASS_LABELS,
    POSSIBLE_VKA_NOTE,
    all_names,
    confirm,
    confirmation_choices,
    describe,
    generic_info,
    generics_in_class,
    is_atc_code,
    lookalike_pairs,
    resolve_medication,
    resolve_medications,
    split_medication_list,
    unrecognised_parts,
)
from core.models import ResolvedMedication

CONTRACT_CLASSES = [
    "vitamin_k_antagonist",
    "doac",
    "heparin",
    "antiplatelet",
    "thiazide_diuretic",
    "loop_diuretic",
    "potassium_sparing_diuretic",
    "ace_inhibitor",
    "arb",
    "calcium_channel_blocker",
    "beta_blocker",
    "statin",
    "laba",
    "bile_acid_sequestrant",
    "lipase_inhibitor",
    "mineral_oil",
    "quinine",
    "vitamin_k",
    "parenteral_iron",
    "estrogen",
    "serm",
    "pth_analog",
    "nsaid",
]

# ATC codes shared/evidence.md marks as confirmed (✓); every other code must be flagged.
CONFIRMED_ATC = {
    "B01AA03",
    "B01AA04",
    "B01AF01",
    "B01AF02",
    "B01AE07",
    "C03DA01",
    "C03DB01",
    "C03DB02",
    "C03BA04",
    "C03BA11",
    "R03AC12",
    "R03AC13",
    "R03AK06",
    "R03AK07",
    "G03CA57",
    "M01AE02",
    "H05AA02",
    "B02BA01",
    "B03AC",
}

VKA = "vitamin_k_antagonist"


def _data() -> dict[str, Any]:
    raw = resources.files("core.data").joinpath("formulary.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def _known_name(text: str) -> tuple[str, ...] | None:
    """The classes of an exact (curated or RxNorm) name, or None if ``text`` is not one."""
    from core.formulary.index import formulary
    from core.formulary.tokens import name_key

    entry = formulary().by_key.get(name_key(text))
    if entry is None:
        return None
    return tuple(c for g in entry.generics for c in formulary().generics[g].classes)


def _vka_names() -> list[str]:
    names: list[str] = []
    for g in _data()["generics"]:
        if VKA in g["classes"]:
            names += [g["name"], *g.get("synonyms", []), *g.get("brands", [])]
    return names


# --- the data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CONTRACT_CLASSES)
def test_every_contract_class_has_members_and_a_label(code: str) -> None:
    assert generics_in_class(code), code
    assert CLASS_LABELS[code]


def test_the_contract_classes_have_several_members_where_the_brief_lists_several() -> None:
    singles = {"lipase_inhibitor", "mineral_oil", "quinine"}
    for code in CONTRACT_CLASSES:
        if code not in singles:
            assert len(generics_in_class(code)) >= 3, code


def test_formulary_is_broad() -> None:
    assert len(all_names()) >= 800


def test_every_atc_code_looks_like_an_atc_code() -> None:
    data = _data()
    codes = [c for g in data["generics"] for c in g["atc"]]
    codes += [c for combo in data["combinations"] for c in combo["atc"]]
    assert codes
    bad = [c for c in codes if not is_atc_code(c)]
    assert not bad


# Codes the WHO ATC/DDD check (shared/reference/atc_verified.tsv) could not confirm: two set by
# naming convention only, and records added after the check (tioclomarol, quinidine, aliskiren).
ATC_STILL_UNCONFIRMED = {"A06AA51", "A11CC55", "B01AA11", "C01BA01", "C09XA02", "C09XA52"}


def test_only_codes_the_who_check_could_not_confirm_stay_flagged() -> None:
    data = _data()
    records = data["generics"] + data["combinations"]
    flagged = {c for r in records if r.get("atc_unconfirmed") for c in r["atc"]}
    assert flagged == ATC_STILL_UNCONFIRMED
    unflagged = {c for r in records if not r.get("atc_unconfirmed") for c in r["atc"]}
    assert unflagged >= CONFIRMED_ATC


def test_every_generic_the_who_index_codes_has_a_code() -> None:
    # The 13 names WHO lists no code for (atc_verified.tsv "not_found") may stay empty.
    no_who_code = {
        "low molecular weight heparin",
        "arformoterol",
        "vilanterol",
        "menaquinone-7",
        "menaquinone",
        "esterified estrogens",
        "estropipate",
        "sacubitril",
        "levalbuterol",
        "clavulanic acid",
        "imipenem",
        "cilastatin",
        "carbidopa",
        "parenteral iron (unspecified)",
    }
    empty = [g["name"] for g in _data()["generics"] if not g["atc"]]
    assert set(empty) <= no_who_code, set(empty) - no_who_code


@pytest.mark.parametrize("code", ["B01AA03", "B03AC", "R03AK06"])
def test_is_atc_code_accepts(code: str) -> None:
    assert is_atc_code(code)


@pytest.mark.parametrize("code", ["B01AA3", "b01aa03", "B1AA03", "warfarin", "B01AA033", ""])
def test_is_atc_code_rejects(code: str) -> None:
    assert not is_atc_code(code)


def test_every_formulary_name_resolves_to_its_own_generics() -> None:
    data = _data()
    for g in data["generics"]:
        kinds = {"exact": [g["name"], *g.get("synonyms", [])], "brand": g.get("brands", [])}
        kinds["abbreviation"] = g.get("abbreviations", [])
        for kind, names in kinds.items():
            for name in names:
                med = resolve_medication(name)
                assert med.generics == [g["name"]], name
                assert med.matched_by in (kind, "exact"), name
    for combo in data["combinations"]:
        for name in combo.get("brands", []):
            med = resolve_medication(name)
            assert set(med.generics) == set(combo["generics"]), name
            assert med.matched_by == "brand", name


# --- splitting a pasted list ---------------------------------------------------------------------


def test_split_handles_lines_commas_semicolons_bullets_and_numbering() -> None:
    text = (
        "Medications:\n"
        "1. Coumadin 5 mg po daily\n"
        "  - Lipitor 20 mg qhs; aspirin 81mg\n"
        "\n"
        "• metformin 1,000 mg bid, lisinopril/HCTZ 20/12.5\n"
        "2) amlodipine-benazepril 5/10\n"
    )
    assert split_medication_list(text) == [
        "Coumadin 5 mg po daily",
        "Lipitor 20 mg qhs",
        "aspirin 81mg",
        "metformin 1,000 mg bid",
        "lisinopril/HCTZ 20/12.5",
        "amlodipine-benazepril 5/10",
    ]


def test_split_keeps_a_decimal_dose_that_looks_like_numbering() -> None:
    assert split_medication_list("2.5 mg warfarin") == ["2.5 mg warfarin"]


def test_split_of_blank_text_is_empty() -> None:
    assert split_medication_list(" \n ;, \n") == []


names = st.sampled_from(["warfarin 5 mg", "Lipitor", "lisinopril/HCTZ 20/12.5", "ASA 81", "MK-7"])


@given(st.lists(names, max_size=8), st.sampled_from(["\n", "; ", ", ", "\r\n"]))
def test_split_inverts_joining_with_any_separator(items: list[str], sep: str) -> None:
    assert split_medication_list(sep.join(items)) == items


# --- resolution: exact, brand, abbreviation, combinations -----------------------------------


@pytest.mark.parametrize(
    ("text", "generics", "kind"),
    [
        ("Coumadin", ["warfarin"], "brand"),
        ("Lipitor 20 mg po qhs", ["atorvastatin"], "brand"),
        ("metoprolol succinate ER 50mg daily", ["metoprolol"], "exact"),
        ("Toprol-XL 25 mg once daily", ["metoprolol"], "brand"),
        ("HCTZ 12.5mg", ["hydrochlorothiazide"], "abbreviation"),
        ("ASA 81 mg EC daily", ["aspirin"], "abbreviation"),
        ("dabigatran etexilate 150 mg bid", ["dabigatran"], "exact"),
        ("warfarin sodium 5 mg tab at night", ["warfarin"], "exact"),
        ("atorvastatin calcium 40", ["atorvastatin"], "exact"),
        ("esomeprazole magnesium 40 mg", ["esomeprazole"], "exact"),
        ("Symbicort 160/4.5 2 puffs bid inh", ["formoterol", "budesonide"], "brand"),
        ("MK-7 180 mcg", ["menaquinone-7"], "abbreviation"),
        ("vitamin K 2", ["menaquinone"], "exact"),
        ("frusemide 40mg mane", ["furosemide"], "exact"),
        ("B01AA03", ["warfarin"], "exact"),
        ("Coumadin5mg", ["warfarin"], "brand"),
        ("IV iron sucrose 200 mg", ["iron sucrose"], "exact"),
        ("liquid paraffin 10 ml nocte", ["mineral oil"], "exact"),
        ("calcium carbonate 500 mg", ["calcium carbonate"], "exact"),
        ("Préviscan 20 mg", ["fluindione"], "brand"),
    ],
)
def test_resolves(text: str, generics: list[str], kind: str) -> None:
    med = resolve_medication(text)
    assert med.generics == generics
    assert med.matched_by == kind
    assert med.input == text


@pytest.mark.parametrize(
    ("text", "generics", "kind"),
    [
        ("Zestoretic 20/12.5", {"lisinopril", "hydrochlorothiazide"}, "brand"),
        ("Prinzide", {"lisinopril", "hydrochlorothiazide"}, "brand"),
        ("lisinopril/HCTZ 20/12.5", {"lisinopril", "hydrochlorothiazide"}, "abbreviation"),
        ("lisinopril + hydrochlorothiazide", {"lisinopril", "hydrochlorothiazide"}, "exact"),
        ("amlodipine-benazepril 5/10", {"amlodipine", "benazepril"}, "exact"),
        ("losartan and HCTZ", {"losartan", "hydrochlorothiazide"}, "abbreviation"),
        ("Hyzaar 50/12.5", {"losartan", "hydrochlorothiazide"}, "brand"),
        ("Exforge HCT 10/160/12.5", {"amlodipine", "valsartan", "hydrochlorothiazide"}, "brand"),
        ("Caduet", {"amlodipine", "atorvastatin"}, "brand"),
        ("Vytorin 10/40", {"ezetimibe", "simvastatin"}, "brand"),
        ("Seretide 250 Accuhaler", {"salmeterol", "fluticasone"}, "brand"),
        ("Breo Ellipta", {"vilanterol", "fluticasone"}, "brand"),
        ("co-amilofruse 5/40", {"amiloride", "furosemide"}, "exact"),
        ("Co-Aprovel", {"irbesartan", "hydrochlorothiazide"}, "brand"),
        ("Aggrenox", {"aspirin", "dipyridamole"}, "brand"),
        ("Augmentin 875", {"amoxicillin", "clavulanic acid"}, "brand"),
        ("Dyazide", {"triamterene", "hydrochlorothiazide"}, "brand"),
    ],
)
def test_combinations_resolve_to_every_ingredient(text: str, generics: set[str], kind: str) -> None:
    med = resolve_medication(text)
    assert set(med.generics) == generics
    assert med.matched_by == kind


def test_a_combination_carries_every_ingredient_class() -> None:
    med = resolve_medication("Zestoretic")
    assert med.classes == ["ace_inhibitor", "thiazide_diuretic"]
    assert "C09AA03" in med.atc
    assert "C03AA03" in med.atc


def test_a_salt_word_after_a_drug_is_a_salt_but_after_a_separator_is_a_drug() -> None:
    assert resolve_medication("esomeprazole magnesium").generics == ["esomeprazole"]
    assert resolve_medication("warfarin + magnesium").generics == ["warfarin", "magnesium"]


def test_combination_matched_by_is_the_weakest_part() -> None:
    assert resolve_medication("lisinopril/HCTZ").matched_by == "abbreviation"
    assert resolve_medication("lisinopirl/HCTZ").matched_by == "fuzzy"
    assert resolve_medication("lisinopril/hydrochlorothiazide").matched_by == "exact"


# --- typos ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [("warfarn", "warfarin"), ("Coumadine", "Coumadin"), ("Warfarine 5 mg", "warfarin")],
)
def test_vka_typos_are_fuzzy_and_treated_as_vka(text: str, name: str) -> None:
    med = resolve_medication(text)
    assert med.matched_by == "fuzzy"
    assert med.generics == ["warfarin"]
    assert VKA in med.classes
    assert med.matched_name == name
    assert med.score is not None
    assert med.score >= 85
    assert med.note is not None
    assert POSSIBLE_VKA_NOTE in med.note


@pytest.mark.parametrize(
    ("text", "generic"),
    [
        ("atorvastatine", "atorvastatin"),
        ("hydrochlorthiazide", "hydrochlorothiazide"),
        ("Symbicourt", "formoterol"),
        ("propanolol", "propranolol"),
        ("Eliquise", "apixaban"),
    ],
)
def test_other_typos_resolve_fuzzily(text: str, generic: str) -> None:
    med = resolve_medication(text)
    assert med.matched_by == "fuzzy"
    assert generic in med.generics
    assert not med.note or POSSIBLE_VKA_NOTE not in med.note


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_single_typo_of_a_vka_name_is_treated_as_a_vka(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from([n for n in _vka_names() if len(n) >= 6])).lower()
    i = data.draw(st.integers(0, len(name) - 1))
    letter = data.draw(st.sampled_from(string.ascii_lowercase))
    edit = data.draw(st.sampled_from(["delete", "replace", "insert", "swap"]))
    if edit == "delete":
        typo = name[:i] + name[i + 1 :]
    elif edit == "replace":
        typo = name[:i] + letter + name[i + 1 :]
    elif edit == "insert":
        typo = name[:i] + letter + name[i:]
    else:
        typo = name[:i] + name[i + 1 : i + 2] + name[i] + name[i + 2 :]
    # A typo that is itself another real drug's name ("Orfadin", nitisinone, one letter from
    # Orfarin) is that drug: known drugs are known (issue 8 §3).
    known = _known_name(typo)
    assume(known is None or VKA in known)
    med = resolve_medication(typo + " 5 mg daily")
    assert VKA in med.classes, (typo, med)


@pytest.mark.parametrize(
    ("text", "other"),
    [("dievan", "Diovan"), ("atoven", "Atrovent"), ("prescan", "Prescal"), ("macuar", "Acular")],
)
def test_a_name_as_near_a_vka_as_another_drug_is_treated_as_the_vka(text: str, other: str) -> None:
    med = resolve_medication(text)
    assert VKA in med.classes
    assert med.matched_by == "fuzzy"
    assert other in med.alternatives
    assert med.note is not None
    assert POSSIBLE_VKA_NOTE in med.note


@pytest.mark.parametrize(("text", "name"), [("mrvan", "Marevan"), ("sntrm", "Sintrom")])
def test_a_far_but_possible_vka_below_the_cutoff_is_treated_as_the_vka(
    text: str, name: str
) -> None:
    med = resolve_medication(text)
    assert med.score is not None
    assert med.score < 85
    assert med.matched_name == name
    assert VKA in med.classes


@pytest.mark.parametrize(
    ("text", "alternatives"),
    [("pavastatin", {"pravastatin", "pitavastatin"}), ("isotin", {"Isoptin", "Istin"})],
)
def test_two_close_candidates_for_different_drugs_leave_the_name_unresolved(
    text: str, alternatives: set[str]
) -> None:
    med = resolve_medication(text)
    assert med.matched_by == "unresolved"
    assert alternatives <= set(med.alternatives)


# --- look-alike / sound-alike names -------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), lookalike_pairs())
def test_lookalike_pairs_resolve_exactly_and_apart(a: str, b: str) -> None:
    ma, mb = resolve_medication(a), resolve_medication(b)
    assert ma.matched_by != "fuzzy"
    assert mb.matched_by != "fuzzy"
    assert set(ma.generics) != set(mb.generics)


def test_celebrex_is_not_cerebyx_and_zyprexa_is_not_zyrtec() -> None:
    assert resolve_medication("Celebrex").generics == ["celecoxib"]
    assert resolve_medication("Cerebyx").generics == ["fosphenytoin"]
    assert resolve_medication("Zyprexa").generics == ["olanzapine"]
    assert resolve_medication("Zyrtec").generics == ["cetirizine"]


def test_a_name_between_two_lookalikes_is_left_unresolved_with_both_as_alternatives() -> None:
    med = resolve_medication("Cerebrex")
    assert med.matched_by == "unresolved"
    assert med.generics == []
    assert {"Celebrex", "Cerebyx"} <= set(med.alternatives)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_typo_of_one_lookalike_is_never_fuzzy_matched_to_its_partner(
    data: st.DataObject,
) -> None:
    a, b = data.draw(st.sampled_from(lookalike_pairs()))
    if data.draw(st.booleans()):
        a, b = b, a
    word = a.lower()
    i = data.draw(st.integers(0, len(word) - 1))
    letter = data.draw(st.sampled_from(string.ascii_lowercase))
    typo = word[:i] + letter + word[i + 1 :]
    med = resolve_medication(typo)
    partner = resolve_medication(b)
    if med.matched_by == "fuzzy":
        assert set(med.generics) != set(partner.generics), (typo, med)


# --- unresolved names ----------------------------------------------------------------------------


def test_an_unknown_name_stays_unresolved_and_in_the_output() -> None:
    meds = resolve_medications(["xyzzy 10 mg", "Coumadin"])
    assert [m.input for m in meds] == ["xyzzy 10 mg", "Coumadin"]
    assert meds[0].matched_by == "unresolved"
    assert meds[0].generics == []
    assert meds[0].classes == []


def test_a_partly_recognised_combination_keeps_the_known_part_and_flags_the_rest() -> None:
    med = resolve_medication("warfarin/xyzzy")
    assert med.generics == ["warfarin"]
    assert unrecognised_parts(med) == ["xyzzy"]
    assert med.note is not None
    assert "not recognised" in med.note


def test_a_dose_alone_is_not_a_medication() -> None:
    med = resolve_medication("20 mg daily")
    assert med.matched_by == "unresolved"
    assert med.note == "no medication name found in this entry"


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_resolve_never_raises_and_returns_a_valid_model(text: str) -> None:
    med = resolve_medication(text)
    assert isinstance(med, ResolvedMedication)
    assert med.input == text
    assert med.matched_by in ("exact", "brand", "abbreviation", "fuzzy", "unresolved")
    if med.matched_by == "unresolved":
        assert med.generics == []
        assert med.classes == []
    else:
        assert med.generics
    assert all(generic_info(g) is not None for g in med.generics)
    assert set(med.classes) <= set(CLASS_LABELS)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["Coumadin", "Lipitor", "HCTZ", "Zestoretic", "Eliquis"]),
    st.sampled_from(["", " 5 mg", " 12.5mg", " 20/12.5", " 1 tab"]),
    st.sampled_from(["", " po", " PO", " inh", " sc"]),
    st.sampled_from(["", " daily", " bid", " qhs", " once daily", " at night", " prn"]),
)
def test_doses_routes_and_frequencies_do_not_change_the_match(
    name: str, dose: str, route: str, freq: str
) -> None:
    plain = resolve_medication(name)
    decorated = resolve_medication(f"{name}{dose}{route}{freq}")
    assert decorated.generics == plain.generics
    assert decorated.matched_by == plain.matched_by


# --- describing and confirming -------------------------------------------------------------------


def test_describe_names_generic_class_and_atc() -> None:
    text = describe(resolve_medication("Coumadin"))
    assert text == "Coumadin → warfarin (vitamin K antagonist, B01AA03)"


def test_describe_marks_unconfirmed_atc_and_unresolved_names() -> None:
    assert "ATC unconfirmed" in describe(resolve_medication("Tekturna"))
    assert "ATC unconfirmed" not in describe(resolve_medication("Lipitor"))
    assert describe(resolve_medication("xyzzy")) == "xyzzy → not recognised"


def test_confirming_a_fuzzy_vka_match_records_it_and_drops_the_possible_vka_note() -> None:
    med = resolve_medication("Coumadine")
    assert confirmation_choices(med)[0] == "Coumadin"
    done = confirm(med, "Coumadin")
    assert done.generics == ["warfarin"]
    assert done.matched_by == "fuzzy"
    assert done.note is not None
    assert "confirmed by the user as Coumadin" in done.note
    assert POSSIBLE_VKA_NOTE not in done.note
    assert confirmation_choices(done) == []


def test_confirming_an_alternative_of_an_ambiguous_name() -> None:
    med = resolve_medication("Cerebrex")
    done = confirm(med, "Cerebyx")
    assert done.generics == ["fosphenytoin"]
    assert done.matched_by == "fuzzy"


def test_rejecting_a_suggestion_leaves_the_name_unresolved() -> None:
    done = confirm(resolve_medication("Coumadine"), None)
    assert done.matched_by == "unresolved"
    assert done.generics == []


def test_confirm_refuses_an_unknown_name_or_a_certain_match() -> None:
    with pytest.raises(InputError):
        confirm(resolve_medication("Coumadine"), "not a drug")
    with pytest.raises(InputError):
        confirm(resolve_medication("Coumadin"), "Coumadin")
