"""The contract models: self-documenting, strict on input, and as shared/contract.md names them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from core import models
from core.models import PatientProfile, format_validation_error
from tests.strategies import profile_dicts

CONTRACT_MODELS: list[type[BaseModel]] = [
    models.PatientProfile,
    models.Recommendation,
    models.Finding,
    models.ResolvedMedication,
    models.Caution,
    models.Action,
    models.K2Assessment,
    models.Evidence,
    models.InteractionReport,
    models.DiarySummary,
    models.WeeklyPoint,
    models.K2Comparison,
    models.RowError,
]


@pytest.mark.parametrize("model", CONTRACT_MODELS, ids=lambda m: m.__name__)
def test_every_field_documents_itself(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()
    assert schema.get("description"), model.__name__
    for name, prop in schema["properties"].items():
        assert prop.get("title"), f"{model.__name__}.{name} has no title"
        assert prop.get("description"), f"{model.__name__}.{name} has no description"


def test_contract_field_names() -> None:
    rec = set(models.Recommendation.model_fields)
    assert rec >= {"ruleset_version", "risk_factors", "red_flags", "differentials",
                   "medications", "cautions", "actions", "k2", "evidence"}  # fmt: skip
    assert set(models.K2Assessment.model_fields) >= {
        "status", "dose_mcg", "form", "duration_weeks", "reasons", "evidence",
    }  # fmt: skip
    assert set(models.ResolvedMedication.model_fields) >= {
        "input", "generics", "classes", "atc", "matched_by",
    }  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(profile_dicts(), st.text(min_size=1, max_size=12))
def test_unknown_fields_are_errors_that_list_the_allowed_names(
    profile: dict[str, object], extra: str
) -> None:
    if extra in PatientProfile.model_fields:
        return
    with pytest.raises(ValidationError) as info:
        PatientProfile.model_validate({**profile, extra: 1})
    message = format_validation_error(info.value)
    assert "unknown field" in message
    assert "medications" in message and "symptoms" in message


def test_unknown_codes_are_rejected_with_the_allowed_codes() -> None:
    with pytest.raises(ValidationError) as info:
        PatientProfile.model_validate({"age": 70, "symptoms": ["restless"]})
    message = format_validation_error(info.value)
    assert "symptoms.0" in message and "urge_to_move" in message


@pytest.mark.parametrize(
    "doc",
    [
        '{"age": true}',
        '{"age": 70.0}',
        '{"age": "70"}',
        '{"age": 70, "pregnant": "yes"}',
        '{"age": 70, "dehydration": 1}',
        '{"age": 70, "cramps_per_week": true}',
    ],
)
def test_no_silent_coercion_of_the_profile(doc: str) -> None:
    with pytest.raises(ValidationError):
        PatientProfile.model_validate_json(doc)


@given(
    age=st.integers(0, 120),
    sex=st.sampled_from(["female", "male", "other", "unknown"]),
)
@settings(max_examples=200)
def test_pregnancy_is_refused_exactly_where_the_contract_calls_it_a_contradiction(
    age: int, sex: str
) -> None:
    contradiction = sex == "male" or not 10 <= age <= 60
    try:
        PatientProfile.model_validate({"age": age, "sex": sex, "pregnant": True})
    except ValidationError as exc:
        assert contradiction
        message = format_validation_error(exc)
        assert "pregnant" in message
        assert ("sex" in message) if sex == "male" else ("age" in message)
    else:
        assert not contradiction


def test_not_pregnant_is_never_a_contradiction() -> None:
    for age, sex in [(8, "male"), (90, "female"), (30, "male")]:
        assert PatientProfile.model_validate({"age": age, "sex": sex}).pregnant is False
