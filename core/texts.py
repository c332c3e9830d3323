"""Clinical prose that is not a rule, read from ``core/data/texts.json`` with its evidence ids.

Pages and outputs show these sentences from here only, so a page never states a clinical
sentence of its own. Unknown keys in the file, or an evidence id the catalogue does not hold,
stop the program at start-up (``core.errors.DataError``).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from core import evidence, trial
from core.errors import DataError

FILE = "core/data/texts.json"


class Text(BaseModel):
    """One sentence or paragraph and the evidence it rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    evidence: tuple[str, ...]


class TextsFile(BaseModel):
    """The whole ``texts.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    source_note: str
    texts: dict[str, Text]


def load_texts(raw: Any, *, file: str = FILE) -> TextsFile:
    """Validate parsed ``texts.json``: unknown keys and unknown evidence ids are refused."""
    try:
        parsed = TextsFile.model_validate(raw)
    except ValidationError as exc:
        raise DataError.from_validation(file, exc, raw) from None
    for key, item in parsed.texts.items():
        evidence.check_ids(item.evidence, file=file, rule=f"texts.{key}")
    return parsed


@cache
def _texts() -> TextsFile:
    raw = resources.files("core.data").joinpath("texts.json").read_text("utf-8")
    return load_texts(json.loads(raw))


@cache
def content_hash() -> str:
    """A short hash of ``texts.json`` (part of the combined ruleset version)."""
    raw = resources.files("core.data").joinpath("texts.json").read_bytes()
    return hashlib.sha256(raw).hexdigest()[:12]


def text(key: str) -> str:
    """The sentence stored under ``key``; an unknown key is a programming error (KeyError)."""
    return _texts().texts[key].text


def trial_fields() -> dict[str, float]:
    """The trial's figures (``core.trial``, tan2024) a template may name, e.g. ``{k2_baseline}``,
    with the ratios of its arm means (computed here, not reported by the trial)."""
    return {
        "dose_mcg": trial.DOSE_MCG,
        "trial_weeks": trial.WEEKS,
        "trial_min_age": trial.MIN_AGE,
        "k2_baseline": trial.K2_BASELINE,
        "k2_during": trial.K2_DURING,
        "placebo_baseline": trial.PLACEBO_BASELINE,
        "placebo_during": trial.PLACEBO_DURING,
        "k2_ratio": trial.K2_DURING / trial.K2_BASELINE,
        "placebo_ratio": trial.PLACEBO_DURING / trial.PLACEBO_BASELINE,
    }


def filled(key: str, **values: str) -> str:
    """The template under ``key`` with the trial's figures and ``values`` filled in."""
    return text(key).format(**trial_fields(), **values)


def texts_with_evidence(key: str) -> tuple[str, tuple[str, ...]]:
    """The sentence under ``key`` with the evidence ids it rests on."""
    item = _texts().texts[key]
    return item.text, item.evidence


def keys() -> list[str]:
    """Every key in ``texts.json`` (for tests and the About page)."""
    return list(_texts().texts)
