"""Realistic FHIR R4 exports (Synthea style, RxNorm display strings) resolve as a clinician
would read them: at least 98% of distinct strings fully, none to a wrong ingredient, no
ingredient lost, and every warfarin patient on a vitamin K antagonist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.fhir import read_bundle
from core.formulary import resolve_medication
from core.formulary.tokens import name_key
from core.models import ResolvedMedication

REALISTIC = Path(__file__).resolve().parents[2] / "fixtures" / "fhir" / "realistic"
BUNDLES = sorted(REALISTIC.glob("*.json"))
WARFARIN_PATIENTS = ("cardiac_warfarin", "af_jantoven", "elderly_warfarin_mixed")

# Strings that name a brand or pack only: the ingredients RxNorm lists for them.
BRAND_ONLY: dict[str, set[str]] = {
    "Yaz 28 Day Pack": {"drospirenone", "ethinylestradiol"},
    "Natazia 28 Day Pack": {"dienogest", "estradiol"},
    "Seasonique 91 Day Pack": {"ethinylestradiol", "levonorgestrel"},
    "Trinessa 28 Day Pack": {"ethinylestradiol", "norgestimate"},
    "Ortho Tri-Cyclen 28 Day Pack": {"ethinylestradiol", "norgestimate"},
    "Camila 28 Day Pack": {"norethisterone"},
    "Errin 28 Day Pack": {"norethisterone"},
    "Levora 0.15/30 28 Day Pack": {"ethinylestradiol", "levonorgestrel"},
    "Mirena 52 MG Intrauterine System": {"levonorgestrel"},
    "Kyleena 19.5 MG Intrauterine System": {"levonorgestrel"},
    "Liletta 52 MG Intrauterine System": {"levonorgestrel"},
    "NuvaRing 0.12/0.015 MG per 24 HR Vaginal Ring": {"ethinylestradiol", "etonogestrel"},
}
# Curated generic names whose RxNorm spelling differs from the formulary's.
SPELLED: dict[str, set[str]] = {
    "paracetamol": {"acetaminophen"},
    "ethinylestradiol": {"ethinyl estradiol"},
    "norethisterone": {"norethindrone"},
    "alendronate": {"alendronic acid"},
    "cefalexin": {"cephalexin"},
    "clavulanic acid": {"clavulanate"},
    "insulin isophane": {"insulin isophane"},
}


def _names(path: Path) -> list[str]:
    read = read_bundle(path.read_bytes(), source=path.name)
    return [e.name for e in read.entries]


def _all_strings() -> list[str]:
    return sorted({n for path in BUNDLES for n in _names(path)})


def _fully_resolved(med: ResolvedMedication) -> bool:
    return (
        med.matched_by not in ("unresolved", "fuzzy")
        and not med.unresolved_parts
        and med.confirmation != "unconfirmed"
    )


def _named_in(generic: str, text: str) -> bool:
    """Whether the string names ``generic`` (or its RxNorm spelling) word for word."""
    words = f" {name_key(text)} "
    spellings = {generic, *SPELLED.get(generic, set())}
    return any(f" {name_key(s).split()[0]} " in words for s in spellings if name_key(s))


def _components(text: str) -> int:
    """How many ingredients an RxNorm clinical-drug string lists ("A 5 MG / B 10 MG")."""
    body = text.split("[", 1)[0]
    return sum(1 for piece in re.split(r"\s/\s", body) if re.search(r"[A-Za-z]{3}", piece))


def test_the_fixtures_are_there() -> None:
    assert len(BUNDLES) >= 6
    assert len(_all_strings()) >= 150


def test_at_least_98_percent_of_distinct_strings_resolve() -> None:
    strings = _all_strings()
    missed = [s for s in strings if not _fully_resolved(resolve_medication(s))]
    assert len(missed) <= 0.02 * len(strings), missed


@pytest.mark.parametrize("text", _all_strings())
def test_no_string_resolves_to_an_ingredient_it_does_not_name(text: str) -> None:
    med = resolve_medication(text)
    if text in BRAND_ONLY:
        assert set(med.generics) == BRAND_ONLY[text]
        return
    wrong = [g for g in med.generics if not _named_in(g, text)]
    assert not wrong, (text, med.generics)


@pytest.mark.parametrize("text", _all_strings())
def test_no_ingredient_is_lost(text: str) -> None:
    med = resolve_medication(text)
    if text in BRAND_ONLY:
        return
    assert len(med.generics) + len(med.unresolved_parts) >= _components(text), med


@pytest.mark.parametrize("patient", WARFARIN_PATIENTS)
def test_every_warfarin_patient_resolves_to_a_vka(patient: str) -> None:
    names = _names(REALISTIC / f"{patient}.json")
    assert any("vitamin_k_antagonist" in resolve_medication(n).classes for n in names)


def test_routes_follow_the_dose_form() -> None:
    routes = {s: resolve_medication(s).route for s in _all_strings()}
    assert routes["Ciprofloxacin 3 MG/ML Ophthalmic Solution [Ciloxan]"] == "ophthalmic"
    assert routes["NuvaRing 0.12/0.015 MG per 24 HR Vaginal Ring"] == "vaginal"
    assert routes["diclofenac sodium 10 MG/ML Topical Gel"] == "topical"
    assert routes["72 HR Fentanyl 0.025 MG/HR Transdermal System"] == "transdermal"
    assert routes["NDA020503 200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"] == "inhaled"
    assert routes["0.4 ML Enoxaparin sodium 100 MG/ML Prefilled Syringe"] == "injection"
    assert routes["Warfarin Sodium 5 MG Oral Tablet"] == "oral"


def test_the_fixtures_are_what_the_generator_writes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_bundles", REALISTIC / "make_bundles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for pid, meds in module.PATIENTS.items():
        on_disk = json.loads((REALISTIC / f"{pid}.json").read_text("utf-8"))
        assert on_disk == module.bundle(pid, meds)


@pytest.mark.parametrize("patient", WARFARIN_PATIENTS)
def test_every_warfarin_patient_gets_the_major_vka_caution(patient: str) -> None:
    from core.interactions import check_interactions

    path = REALISTIC / f"{patient}.json"
    read = read_bundle(path.read_bytes(), source=path.name)
    report = check_interactions(read.current, not_current=read.not_current)
    vka = [c for c in report.cautions if c.code == "vka_interaction"]
    assert vka
    assert vka[0].severity == "major"
