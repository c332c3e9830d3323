"""The formulary: medication strings as written turned into generic drugs, in pipeline order.

``tokens`` (words, routes, splitting a list) → ``index`` (the data, read through strict
schemas, and its indexes) → ``fuzzy`` (typo-tolerant matching, curated names only) →
``resolve`` (exact windows, then fuzzy, into the contract model) → ``confirm``
(the user's answer to an uncertain match) → ``describe`` (one checkable line). Every public
name is re-exported here.
"""

from __future__ import annotations

from core.formulary.confirm import confirm, confirmation_choices
from core.formulary.describe import MATCH_KIND_LABELS, ROUTE_LABELS, describe, describe_name
from core.formulary.index import (
    CLASS_LABELS,
    FORMULARY_VERSION,
    KNOWN_DRUGS_VERSION,
    VKA_CLASS,
    GenericInfo,
    all_names,
    class_groups,
    generic_info,
    generics_in_class,
    ingredient_classes,
    is_atc_code,
    lookalike_pairs,
)
from core.formulary.resolve import (
    POSSIBLE_VKA_NOTE,
    clear_caches,
    is_local,
    resolve_medication,
    resolve_medications,
    unrecognised_parts,
)
from core.formulary.tokens import MAX_NAME_CHARS, split_medication_list

__all__ = [
    "CLASS_LABELS",
    "FORMULARY_VERSION",
    "KNOWN_DRUGS_VERSION",
    "MATCH_KIND_LABELS",
    "MAX_NAME_CHARS",
    "POSSIBLE_VKA_NOTE",
    "ROUTE_LABELS",
    "VKA_CLASS",
    "GenericInfo",
    "all_names",
    "class_groups",
    "clear_caches",
    "confirm",
    "confirmation_choices",
    "describe",
    "describe_name",
    "generic_info",
    "generics_in_class",
    "ingredient_classes",
    "is_atc_code",
    "is_local",
    "lookalike_pairs",
    "resolve_medication",
    "resolve_medications",
    "split_medication_list",
    "unrecognised_parts",
]
