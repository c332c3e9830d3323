"""The consult: PatientProfile (and its resolved medications) -> Recommendation.

Pipeline, one module each: ``facts`` (the declared vocabulary and a patient's facts),
``ruleset`` (schema and loader that refuses unknown names), ``stages`` (the rules applied to
facts: findings, K2 status and reasons, actions), ``worded`` and ``wording`` (patient values
into the stages' texts), ``engine`` (the pipeline for one patient), ``fastjson`` (cached-bytes
JSON for batches) and ``describe`` (the About page's rule list).
"""

from __future__ import annotations

from core.consult.describe import describe_facts, describe_rules
from core.consult.engine import evaluate, patient_facts
from core.consult.fastjson import evaluate_json, evaluate_json_bytes
from core.consult.ruleset import RuleSet, load_rules, ruleset
from core.interactions import RULESET_VERSION

__all__ = [
    "RULESET_VERSION",
    "RuleSet",
    "check_data",
    "describe_facts",
    "describe_rules",
    "evaluate",
    "evaluate_json",
    "evaluate_json_bytes",
    "load_rules",
    "patient_facts",
    "ruleset",
]


def check_data() -> None:
    """Load and check every data file the decisions use (rules, formulary groups, interaction
    records, texts, evidence); raise ``core.errors.DataError`` naming the first problem."""
    from core import evidence, texts
    from core.consult.stages import compiled
    from core.interactions import interaction_rules

    evidence.catalogue()
    texts.keys()
    interaction_rules()
    compiled()
