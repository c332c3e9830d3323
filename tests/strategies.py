"""Hypothesis strategies shared by the tests: valid patient profiles and medication names."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from core.models import ConditionCode, PatientProfile, SymptomCode

KNOWN_MEDS = [
    "warfarin 5 mg",
    "Coumadin",
    "Xarelto 20mg",
    "apixaban",
    "aspirin 81 mg",
    "HCTZ 25 mg",
    "Lasix 40mg bid",
    "spironolactone",
    "Lipitor 20 mg po qhs",
    "lisinopril",
    "amlodipine 5mg",
    "metoprolol succinate ER 50 mg daily",
    "Advair Diskus",
    "naproxen",
    "Premarin",
    "Questran",
    "orlistat",
    "quinine sulfate",
    "metformin",
    "levothyroxine",
]

NON_VKA_MEDS = [m for m in KNOWN_MEDS if m not in {"warfarin 5 mg", "Coumadin"}]


def _consistent(d: dict[str, Any]) -> dict[str, Any]:
    """Clear ``pregnant`` where the contract calls it a contradiction (male, under 10, over 60)."""
    if d["pregnant"] and (d["sex"] == "male" or not 10 <= d["age"] <= 60):
        return {**d, "pregnant": False}
    return d


def profile_dicts(meds: Any = None) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts that validate as PatientProfile, spanning every flag, code and age band."""
    return st.fixed_dictionaries(
        {
            "age": st.integers(0, 120),
            "sex": st.sampled_from(["female", "male", "other", "unknown"]),
            "pregnant": st.booleans(),
            "cramps_per_week": st.none() | st.floats(0, 30, allow_nan=False),
            "dehydration": st.booleans(),
            "prolonged_sitting": st.booleans(),
            "prolonged_standing": st.booleans(),
            "medications": meds
            if meds is not None
            else st.lists(st.sampled_from(KNOWN_MEDS) | st.text(max_size=20), max_size=5),
            "conditions": st.lists(st.sampled_from(list(ConditionCode)), unique=True),
            "symptoms": st.lists(st.sampled_from(list(SymptomCode)), unique=True),
        }
    ).map(_consistent)


def profiles(meds: Any = None) -> st.SearchStrategy[PatientProfile]:
    """Validated PatientProfile objects."""
    return profile_dicts(meds).map(PatientProfile.model_validate)
