"""The diary's words: the before/after reading, the trial beside it, and the caveats.

The sentences live in ``core/data/diary_texts.json`` with the evidence ids each rests on, so
the diary page shows them from one place and states none of its own. Their figures are
placeholders: the trial's from ``core.trial``, the diary's from its ``K2Result``. An unknown
key, evidence id or placeholder in the file stops loading with one line naming the file and
the token (``core.errors.DataError``).
"""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, ValidationError

from core import analytics, evidence, texts, trial
from core.analytics import K2Result
from core.errors import DataError

__all__ = [
    "DiaryTexts",
    "Statement",
    "caveats",
    "diary_texts",
    "load_diary_texts",
    "reading",
    "trial_comparison_text",
    "trial_values",
]

FILE: Final = "core/data/diary_texts.json"

_RESULT_FIELDS: Final = frozenset(
    {
        "before_per_week",
        "after_per_week",
        "k2_start",
        "rate_ratio",
        "ci_low",
        "ci_high",
        "weeks_before",
        "weeks_after",
    }
)
"""Placeholders ``reading.comparison`` may name, filled from the ``K2Result``."""

_OWN_FIELDS: Final[dict[str, frozenset[str]]] = {
    "reading.unavailable": frozenset({"reason"}),
    "reading.comparison": _RESULT_FIELDS,
    "notes.short_after": frozenset({"weeks_after"}),
    "notes.corrected": frozenset({"continuity"}),
}
"""Placeholders a statement may name besides the trial's figures (see ``trial_values``)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Statement(_Strict):
    """One sentence (a template) and the evidence it rests on."""

    text: str
    evidence: tuple[str, ...]


class Caveat(Statement):
    """A caveat shown with every diary, under a stable id."""

    id: str


class Reading(_Strict):
    """The before/after reading: its figures, then one verdict on the 95% interval."""

    unavailable: Statement
    comparison: Statement
    fewer: Statement
    more: Statement
    chance: Statement


class Notes(_Strict):
    """Caveats that depend on the comparison: a short time on K2, a continuity correction."""

    short_after: Statement
    corrected: Statement


class DiaryTexts(_Strict):
    """The whole ``diary_texts.json``."""

    version: str
    source_note: str
    reading: Reading
    trial_comparison: Statement
    caveats: tuple[Caveat, ...]
    notes: Notes

    def statements(self) -> dict[str, Statement]:
        """Every statement under its key (``reading.fewer``, ``caveats[poisson]``, ...)."""
        out: dict[str, Statement] = {}
        for group in ("reading", "notes"):
            section: BaseModel = getattr(self, group)
            for name in type(section).model_fields:
                out[f"{group}.{name}"] = getattr(section, name)
        out["trial_comparison"] = self.trial_comparison
        out.update({f"caveats[{c.id}]": c for c in self.caveats})
        return out


def trial_values() -> dict[str, float | str]:
    """The trial's figures any statement may quote (tan2024), with the ratios of its arm means
    and its evidence id."""
    return {
        **texts.trial_fields(),
        "evidence_id": trial.EVIDENCE_ID,
    }


def _check(key: str, item: Statement, *, file: str) -> None:
    """Refuse an unknown evidence id or placeholder, a template that cannot be filled, and a
    trial figure quoted without citing the trial."""
    evidence.check_ids(item.evidence, file=file, rule=key)
    trial_names = set(trial_values())
    own = _OWN_FIELDS.get(key, frozenset())
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(item.text) if f is not None}
    except ValueError as exc:
        raise DataError(file, key, f"bad template ({exc})") from None
    for name in sorted(names):
        if name not in trial_names | own:
            raise DataError(file, key, f"unknown placeholder '{{{name}}}'")
    if names & trial_names and trial.EVIDENCE_ID not in item.evidence:
        raise DataError(file, key, f"quotes the trial but does not cite '{trial.EVIDENCE_ID}'")
    sample: dict[str, Any] = dict.fromkeys(own, 1.0) | {"k2_start": "2024-01-01", "reason": "x"}
    try:
        item.text.format(**trial_values(), **sample)
    except (ValueError, TypeError) as exc:
        raise DataError(file, key, f"bad template ({exc})") from None


def load_diary_texts(raw: Any, *, file: str = FILE) -> DiaryTexts:
    """Validate parsed ``diary_texts.json``: unknown keys, evidence ids and placeholders, and a
    caveat id used twice, are refused with one line naming the file and the token."""
    try:
        parsed = DiaryTexts.model_validate(raw)
    except ValidationError as exc:
        raise DataError.from_validation(file, exc, raw) from None
    ids = [c.id for c in parsed.caveats]
    for i in ids:
        if ids.count(i) > 1:
            raise DataError(file, f"caveats[{i}]", "caveat id used twice")
    for key, item in parsed.statements().items():
        _check(key, item, file=file)
    return parsed


@cache
def diary_texts() -> DiaryTexts:
    """The shipped file, loaded and checked once."""
    raw = resources.files("core.data").joinpath("diary_texts.json").read_text("utf-8")
    return load_diary_texts(json.loads(raw))


def _fill(item: Statement, **values: object) -> str:
    return item.text.format(**trial_values(), **values)


def reading(result: K2Result) -> str:
    """The comparison in plain words: rates, ratio and interval, weeks on each side, and whether
    chance alone could explain the change (or why there is no comparison)."""
    t = diary_texts().reading
    if not result.available:
        return _fill(t.unavailable, reason=result.reason)
    text = _fill(
        t.comparison,
        before_per_week=result.before_per_week,
        after_per_week=result.after_per_week,
        k2_start=result.k2_start.isoformat(),
        rate_ratio=result.rate_ratio,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        weeks_before=result.weeks_before,
        weeks_after=result.weeks_after,
    )
    if result.ci_high < 1:
        verdict = t.fewer
    elif result.ci_low > 1:
        verdict = t.more
    else:
        verdict = t.chance
    return f"{text} {_fill(verdict)}"


def trial_comparison_text() -> str:
    """The trial's arms beside a diary, with the computed ratios of their means."""
    return _fill(diary_texts().trial_comparison)


def caveats(result: K2Result | None) -> list[str]:
    """Why one diary is not a trial, plus the notes this comparison needs (a short time on K2,
    a continuity correction)."""
    loaded = diary_texts()
    notes = [_fill(c) for c in loaded.caveats]
    if result is not None and result.available:
        if result.weeks_after < trial.WEEKS:
            notes.append(_fill(loaded.notes.short_after, weeks_after=result.weeks_after))
        if result.corrected:
            notes.append(_fill(loaded.notes.corrected, continuity=analytics.CONTINUITY))
    return notes
