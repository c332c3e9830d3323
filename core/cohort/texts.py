"""The panel's prose and thresholds, read from ``core/data/cohort_texts.json`` and checked.

Trial figures in the prose are placeholders filled from ``core.trial``, so they cannot drift.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.cohort.schema import PooledEstimate
from core.texts import trial_fields

FLAG_CODES = (
    "cramps_rising",
    "short_before",
    "short_after",
    "logging_gap",
    "rows_set_aside",
    "no_k2_start",
    "no_comparison",
)
"""Every triage flag code, in triage order (most pressing first)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    """Where a flag starts: weeks on each side, days without an entry, rising ratio."""

    min_weeks_each_side: float = Field(..., gt=0)
    gap_days: int = Field(..., gt=0)
    rising_above: float = Field(..., gt=0)


class FlagText(_Strict):
    """A flag's stable code, its short label and what it means."""

    code: str
    label: str
    description: str


class Caveat(_Strict):
    """One caution shown with the pooled estimate, with the evidence it rests on."""

    id: str
    text: str
    evidence: list[str]


class PooledTexts(_Strict):
    """Templates for the pooled estimate, its heterogeneity and the trial's arms."""

    reading: str
    heterogeneity: str
    none: str
    trial: str


class CohortTexts(_Strict):
    """The whole file."""

    version: str
    source_note: str
    thresholds: Thresholds
    flags: list[FlagText]
    caveats: list[Caveat]
    pooled: PooledTexts

    @model_validator(mode="after")
    def _every_flag_once(self) -> CohortTexts:
        codes = [f.code for f in self.flags]
        if sorted(codes) != sorted(FLAG_CODES):
            raise ValueError(f"flags must be exactly {FLAG_CODES}, found {codes}")
        return self


def _fill(template: str, extra: dict[str, Any]) -> str:
    return template.format(**trial_fields(), **extra)


@cache
def texts() -> CohortTexts:
    """The validated file, with every template filled from the trial and the thresholds."""
    raw = json.loads(resources.files("core.data").joinpath("cohort_texts.json").read_text("utf-8"))
    loaded = CohortTexts.model_validate(raw)
    limits = loaded.thresholds.model_dump()
    flags = [
        f.model_copy(
            update={"label": _fill(f.label, limits), "description": _fill(f.description, limits)}
        )
        for f in loaded.flags
    ]
    caveats = [c.model_copy(update={"text": _fill(c.text, limits)}) for c in loaded.caveats]
    order = {code: i for i, code in enumerate(FLAG_CODES)}
    flags.sort(key=lambda f: order[f.code])
    return loaded.model_copy(update={"flags": flags, "caveats": caveats})


def flag_labels() -> dict[str, str]:
    """Flag code -> label, in triage order."""
    return {f.code: f.label for f in texts().flags}


def pooled_text(pooled: PooledEstimate | None) -> list[str]:
    """The pooled estimate in words (or why there is none), then the trial's arms."""
    t = texts().pooled
    lines: list[str] = []
    if pooled is None:
        lines.append(t.none)
    else:
        lines.append(
            t.reading.format(
                patients=pooled.patients,
                rate_ratio=pooled.rate_ratio,
                ci_low=pooled.ci95[0],
                ci_high=pooled.ci95[1],
            )
        )
        lines.append(t.heterogeneity.format(i2=pooled.i2, tau2=pooled.tau2))
    lines.append(_fill(t.trial, {}))
    return lines
