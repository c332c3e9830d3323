"""Pydantic models of the public contract (shared/contract.md).

Every field carries a title and a description so that the JSON Schema documents the
contract by itself. Input models forbid unknown fields: a misspelt ``medicatons`` must
never silently drop a drug list.

Size (about 470 lines): the whole outside contract in one module, so its JSON Schema and the
contract document come from one place; most lines are field titles and descriptions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class ConditionCode(StrEnum):
    """Conditions a clinician can record; each may contribute to cramps."""

    diabetes = "diabetes"
    peripheral_neuropathy = "peripheral_neuropathy"
    ckd = "ckd"
    hemodialysis = "hemodialysis"
    cirrhosis = "cirrhosis"
    hypothyroidism = "hypothyroidism"
    peripheral_artery_disease = "peripheral_artery_disease"
    lumbar_stenosis = "lumbar_stenosis"
    electrolyte_disorder = "electrolyte_disorder"
    neuromuscular_disease = "neuromuscular_disease"


class SymptomCode(StrEnum):
    """Symptoms that point to restless legs, DVT, claudication or nerve disease."""

    urge_to_move = "urge_to_move"
    worse_at_rest = "worse_at_rest"
    relieved_by_movement = "relieved_by_movement"
    worse_in_evening = "worse_in_evening"
    unilateral_swelling = "unilateral_swelling"
    exertional_calf_pain = "exertional_calf_pain"
    muscle_weakness = "muscle_weakness"
    fasciculations = "fasciculations"
    sensory_loss = "sensory_loss"


Sex = Literal["female", "male", "other", "unknown"]
MatchKind = Literal["exact", "brand", "abbreviation", "fuzzy", "unresolved"]
Severity = Literal["major", "moderate", "minor"]
Strength = Literal["recommended", "consider", "defer", "not_recommended"]
K2Status = Literal[
    "consult_prescriber",
    "evaluate_first",
    "check_medications",
    "outside_trial_population",
    "consider",
]
Confirmation = Literal["not_needed", "unconfirmed", "confirmed", "rejected"]
Route = Literal[
    "oral",
    "topical",
    "ophthalmic",
    "otic",
    "nasal",
    "inhaled",
    "vaginal",
    "transdermal",
    "injection",
    "unknown",
]

SEVERITY_ORDER: dict[str, int] = {"major": 0, "moderate": 1, "minor": 2}
SEVERITY_WORD: dict[str, str] = {"major": "Major", "moderate": "Moderate", "minor": "Minor"}
STRENGTH_WORD: dict[str, str] = {
    "recommended": "Recommended",
    "consider": "Consider",
    "defer": "Defer",
    "not_recommended": "Not recommended",
}
MAX_MEDICATIONS: int = 500
"""Entries checked at once: each unique name costs resolution time, so a huge list is refused
with its count instead of running for minutes (issue 11); no real list comes near it."""
PREGNANCY_MIN_AGE: int = 10
PREGNANCY_MAX_AGE: int = 60


class _Out(BaseModel):
    """Base for output models: immutable, and no field outside the contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PatientProfile(BaseModel):
    """What a clinician knows about the patient: the input of ``evaluate``."""

    model_config = ConfigDict(extra="forbid", title="PatientProfile")

    age: int = Field(
        ..., ge=0, le=120, strict=True, title="Age", description="Age in whole years (0-120)."
    )
    sex: Sex = Field("unknown", title="Sex", description="female, male, other or unknown.")
    pregnant: bool = Field(False, strict=True, title="Pregnant", description="Currently pregnant.")
    cramps_per_week: float | None = Field(
        None,
        ge=0,
        allow_inf_nan=False,
        strict=True,
        title="Cramps per week",
        description="Current frequency of nocturnal leg cramps, if known.",
    )
    dehydration: bool = Field(
        False,
        strict=True,
        title="Dehydration",
        description="Low fluid intake or signs of dehydration.",
    )
    prolonged_sitting: bool = Field(
        False, strict=True, title="Prolonged sitting", description="Sits for long periods."
    )
    prolonged_standing: bool = Field(
        False, strict=True, title="Prolonged standing", description="Stands for long periods."
    )
    medications: list[str] = Field(
        default_factory=list,
        max_length=MAX_MEDICATIONS,
        title="Medications",
        description="As written: brand, generic, abbreviation, dose, typos (at most 500).",
    )
    conditions: list[ConditionCode] = Field(
        default_factory=list, title="Conditions", description="Condition codes."
    )
    symptoms: list[SymptomCode] = Field(
        default_factory=list, title="Symptoms", description="Symptom codes."
    )

    @model_validator(mode="after")
    def _consistent(self) -> PatientProfile:
        """Refuse a contradictory profile (contract: pregnant male, or outside 10-60)."""
        if self.pregnant and self.sex == "male":
            raise ValueError("'pregnant' is true but 'sex' is 'male'; correct one of them")
        if self.pregnant and not PREGNANCY_MIN_AGE <= self.age <= PREGNANCY_MAX_AGE:
            raise ValueError(
                f"'pregnant' is true but 'age' is {self.age}; pregnancy is accepted at ages "
                f"{PREGNANCY_MIN_AGE} to {PREGNANCY_MAX_AGE}"
            )
        return self


class Evidence(_Out):
    """One source the rules cite, resolved so a clinician can read it."""

    id: str = Field(..., title="Evidence id", description="Stable lower_snake_case id.")
    citation: str = Field(..., title="Citation", description="Authors, title, journal, year.")
    doi: str | None = Field(None, title="DOI", description="Digital object identifier.")
    pmid: str | None = Field(None, title="PMID", description="PubMed id.")
    url: str | None = Field(None, title="URL", description="Where the source can be read.")
    summary: str = Field(..., title="Summary", description="One line with N and effect size.")
    kind: str = Field(
        "other", title="Kind", description="trial, guideline, review, regulatory, study, reference."
    )
    population: str | None = Field(
        None, title="Population", description="Who was studied, where it matters."
    )
    exclusions: str | None = Field(
        None, title="Exclusions", description="Who was excluded, where it matters."
    )
    caveats: str | None = Field(
        None, title="Caveats", description="Limits of the source, unconfirmed figures."
    )


class Finding(_Out):
    """A risk factor, red flag or differential found for this patient."""

    code: str = Field(..., title="Code", description="Stable lower_snake_case code.")
    label: str = Field(..., title="Label", description="Short human-readable name.")
    detail: str = Field(..., title="Detail", description="Why it was found and what it means.")
    evidence: list[str] = Field(
        default_factory=list, title="Evidence ids", description="Ids in the evidence list."
    )
    basis: str = Field("", title="Basis", description="The rule in plain words.")


class ResolvedMedication(_Out):
    """One medication string as the formulary understood it."""

    input: str = Field(..., title="Input", description="The string as entered.")
    generics: list[str] = Field(
        default_factory=list, title="Generics", description="Generic ingredient names."
    )
    classes: list[str] = Field(
        default_factory=list, title="Classes", description="Drug class codes."
    )
    atc: list[str] = Field(default_factory=list, title="ATC", description="ATC codes.")
    matched_by: MatchKind = Field(
        ..., title="Matched by", description="exact, brand, abbreviation, fuzzy or unresolved."
    )
    matched_name: str | None = Field(
        None, title="Matched name", description="The formulary name the input matched."
    )
    score: float | None = Field(
        None, title="Score", description="Similarity (0-100) for fuzzy matches."
    )
    alternatives: list[str] = Field(
        default_factory=list,
        title="Alternatives",
        description="Other candidate names for an uncertain match.",
    )
    note: str | None = Field(
        None, title="Note", description="Why this match needs a look (e.g. possible VKA)."
    )
    confirmation: Confirmation = Field(
        "not_needed",
        title="Confirmation",
        description="not_needed, unconfirmed (an uncertain match awaiting the user), "
        "confirmed or rejected by the user.",
    )
    fhir_status: str | None = Field(
        None,
        title="FHIR status",
        description="MedicationStatement/MedicationRequest status, when read from a Bundle.",
    )
    route: Route = Field(
        "unknown",
        title="Route",
        description="oral, topical, ophthalmic, otic, nasal, inhaled, vaginal, transdermal, "
        "injection or unknown; local routes trigger no systemic caution.",
    )
    unresolved_parts: list[str] = Field(
        default_factory=list,
        title="Unresolved parts",
        description="Words of the input that could not be accounted for (nothing is dropped).",
    )


class Caution(_Out):
    """A caution about vitamin K2 for this medication list."""

    code: str = Field(..., title="Code", description="Stable lower_snake_case code.")
    severity: Severity = Field(..., title="Severity", description="major, moderate or minor.")
    drugs: list[str] = Field(
        default_factory=list, title="Drugs", description="Generic names involved."
    )
    management: str = Field(..., title="Management", description="What to do about it.")
    evidence: list[str] = Field(
        default_factory=list, title="Evidence ids", description="Ids in the evidence list."
    )
    label: str = Field("", title="Label", description="Short name of the caution.")
    pair: str = Field("", title="Pair", description="The interacting pair.")
    applies_to: list[str] = Field(
        default_factory=list,
        title="Applies to",
        description="Inputs as entered with their generic, e.g. 'Coumadin (warfarin)'.",
    )
    mechanism: str = Field("", title="Mechanism", description="How the interaction arises.")
    clinical_effect: str = Field("", title="Clinical effect", description="What may happen.")
    documentation: str = Field(
        "", title="Documentation", description="Level of documentation behind it."
    )


class Action(_Out):
    """A next step with the strength its evidence supports for this patient."""

    code: str = Field(..., title="Code", description="Stable lower_snake_case code.")
    label: str = Field(..., title="Label", description="Short human-readable name.")
    detail: str = Field(..., title="Detail", description="What the step is and why.")
    strength: Strength = Field(
        ..., title="Strength", description="recommended, consider, defer or not_recommended."
    )
    evidence: list[str] = Field(
        default_factory=list, title="Evidence ids", description="Ids in the evidence list."
    )
    basis: str = Field("", title="Basis", description="The rule in plain words.")


class K2Assessment(_Out):
    """Whether vitamin K2 is worth considering, and why."""

    status: K2Status = Field(..., title="Status", description="The first status that applies.")
    dose_mcg: int | None = Field(
        None,
        title="Trial dose (mcg)",
        description="Daily dose in the trial; null unless the status is consider.",
    )
    form: str | None = Field(
        None, title="Form", description="Form used in the trial; null unless consider."
    )
    duration_weeks: int | None = Field(
        None, title="Trial duration", description="Weeks in the trial; null unless consider."
    )
    reasons: list[str] = Field(
        default_factory=list, title="Reasons", description="How the patient matches the trial."
    )
    evidence: list[str] = Field(
        default_factory=list, title="Evidence ids", description="Ids in the evidence list."
    )
    label: str = Field("", title="Label", description="The status in words.")


class Recommendation(_Out):
    """The structured recommendation: output of ``evaluate``."""

    ruleset_version: str = Field(..., title="Ruleset version", description="Rules version.")
    risk_factors: list[Finding] = Field(
        default_factory=list, title="Risk factors", description="Contributing factors found."
    )
    red_flags: list[Finding] = Field(
        default_factory=list,
        title="Red flags",
        description="Evaluate these before treating the cramps as benign.",
    )
    differentials: list[Finding] = Field(
        default_factory=list,
        title="Differentials",
        description="Conditions that mimic cramps, e.g. restless legs syndrome.",
    )
    medications: list[ResolvedMedication] = Field(
        default_factory=list, title="Medications", description="Each input as resolved."
    )
    cautions: list[Caution] = Field(
        default_factory=list, title="Cautions", description="Vitamin K2 cautions, major first."
    )
    actions: list[Action] = Field(
        default_factory=list, title="Actions", description="Next steps with their strength."
    )
    k2: K2Assessment = Field(
        ..., title="Vitamin K2", description="Whether K2 is worth considering, and why."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, title="Evidence", description="Every id referenced above."
    )


class InteractionReport(_Out):
    """Vitamin K2 cautions for a medication list: output of ``interactions``."""

    ruleset_version: str = Field(
        ..., title="Ruleset version", description="Interaction data and formulary version."
    )
    medications: list[ResolvedMedication] = Field(
        default_factory=list, title="Medications", description="Each input as resolved."
    )
    cautions: list[Caution] = Field(
        default_factory=list, title="Cautions", description="Vitamin K2 cautions, major first."
    )
    unresolved: list[str] = Field(
        default_factory=list, title="Unresolved", description="Inputs not recognised."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, title="Evidence", description="Every id referenced above."
    )
    not_current: list[ResolvedMedication] = Field(
        default_factory=list,
        title="Not current",
        description="Stopped, completed or cancelled statements from a FHIR Bundle.",
    )


class RowError(_Out):
    """A bad value in a diary file: line in the file (header = 1), column, reason."""

    row: int = Field(..., title="Row", description="Line in the file; the header is line 1.")
    column: str = Field(..., title="Column", description="Column name as in the file.")
    message: str = Field(..., title="Message", description="What is wrong.")


class WeeklyPoint(_Out):
    """One Monday-starting week of a diary."""

    week_start: str = Field(..., title="Week start", description="Monday, YYYY-MM-DD.")
    episodes: int = Field(..., title="Episodes", description="Cramps in this week.")
    mean_severity: float | None = Field(
        None, title="Mean severity", description="On the diary's own scale; null if none."
    )
    mean_duration_min: float | None = Field(
        None, title="Mean duration (min)", description="Minutes; null if none recorded."
    )


class K2Comparison(_Out):
    """Episodes per week before and after the K2 start, with a Poisson rate ratio."""

    k2_start: str = Field(..., title="K2 start", description="YYYY-MM-DD.")
    before_per_week: float = Field(
        ..., title="Before, per week", description="Cramps a week before the K2 start."
    )
    after_per_week: float = Field(
        ..., title="After, per week", description="Cramps a week from the K2 start on."
    )
    rate_ratio: float = Field(..., title="Rate ratio", description="After / before.")
    ci95: tuple[float, float] = Field(..., title="95% CI", description="Poisson, log scale.")
    weeks_before: float = Field(..., title="Weeks before", description="Weeks observed before.")
    weeks_after: float = Field(..., title="Weeks after", description="Weeks observed after.")
    episodes_before: int | None = Field(
        None, title="Episodes before", description="Cramps counted before the K2 start."
    )
    episodes_after: int | None = Field(
        None, title="Episodes after", description="Cramps counted from the K2 start on."
    )
    continuity_correction: bool = Field(
        False,
        title="Continuity correction",
        description="True when 0.5 was added to both counts because one side had none.",
    )


class DiarySummary(_Out):
    """What a cramp diary shows: output of ``diary``."""

    rows_read: int = Field(..., title="Rows read", description="Data rows in the file.")
    episodes: int = Field(..., title="Episodes", description="Cramps counted.")
    rows_rejected: int = Field(
        ..., title="Rows rejected", description="Rows set aside (no usable date)."
    )
    errors: list[RowError] = Field(default_factory=list, title="Errors", description="First 100.")
    first_date: str | None = Field(None, title="First date", description="YYYY-MM-DD.")
    last_date: str | None = Field(None, title="Last date", description="YYYY-MM-DD.")
    weekly: list[WeeklyPoint] = Field(
        default_factory=list, title="Weekly", description="Monday-starting weeks."
    )
    episodes_per_week: float = Field(
        0.0, title="Episodes per week", description="Over the observed span."
    )
    k2_comparison: K2Comparison | None = Field(
        None, title="K2 comparison", description="Before and after the K2 start, if known."
    )


def format_validation_error(exc: ValidationError, model: type[BaseModel] = PatientProfile) -> str:
    """One readable message per problem, naming the field (and the allowed names if unknown)."""
    allowed = ", ".join(model.model_fields)
    parts: list[str] = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown field '{loc}'; allowed fields: {allowed}")
        elif err["type"] == "missing":
            parts.append(f"field '{loc}' is required")
        else:
            parts.append(f"field '{loc}': {err['msg']}")
    return "; ".join(parts)


CONDITION_LABELS: dict[ConditionCode, str] = {
    ConditionCode.diabetes: "Diabetes",
    ConditionCode.peripheral_neuropathy: "Peripheral neuropathy",
    ConditionCode.ckd: "Chronic kidney disease",
    ConditionCode.hemodialysis: "Hemodialysis",
    ConditionCode.cirrhosis: "Cirrhosis",
    ConditionCode.hypothyroidism: "Hypothyroidism",
    ConditionCode.peripheral_artery_disease: "Peripheral artery disease",
    ConditionCode.lumbar_stenosis: "Lumbar canal stenosis",
    ConditionCode.electrolyte_disorder: "Electrolyte disorder (K, Mg, Ca)",
    ConditionCode.neuromuscular_disease: "Neuromuscular disease (e.g. ALS)",
}

SYMPTOM_LABELS: dict[SymptomCode, str] = {
    SymptomCode.urge_to_move: "Urge to move the legs",
    SymptomCode.worse_at_rest: "Worse at rest",
    SymptomCode.relieved_by_movement: "Relieved by movement",
    SymptomCode.worse_in_evening: "Worse in the evening or night",
    SymptomCode.unilateral_swelling: "One calf swollen, warm or tender",
    SymptomCode.exertional_calf_pain: "Calf pain on walking, eased by rest",
    SymptomCode.muscle_weakness: "Muscle weakness or wasting",
    SymptomCode.fasciculations: "Fasciculations (muscle twitching)",
    SymptomCode.sensory_loss: "Numbness or sensory loss",
}
