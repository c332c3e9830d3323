"""The panel's prose is data: validated strictly, traced to evidence, figures from the trial."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
from pydantic import ValidationError

from core import trial
from core.cohort import FLAG_CODES, texts
from core.cohort.texts import CohortTexts
from core.evidence import catalogue


def raw() -> dict[str, Any]:
    text = resources.files("core.data").joinpath("cohort_texts.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_every_flag_has_one_text_in_triage_order() -> None:
    assert [f.code for f in texts().flags] == list(FLAG_CODES)


def test_every_cited_source_exists_and_every_citation_is_listed() -> None:
    known = catalogue()
    for caveat in texts().caveats:
        assert set(caveat.evidence) <= set(known)
        cited = set(re.findall(r"\(([a-z]+\d{4})\)", caveat.text))
        assert cited <= set(caveat.evidence), caveat.id


def test_trial_figures_are_filled_from_core_trial() -> None:
    uncontrolled = next(c for c in texts().caveats if c.id == "uncontrolled")
    assert f"{trial.PLACEBO_BASELINE:.2f} to {trial.PLACEBO_DURING:.2f}" in uncontrolled.text
    assert "{" not in json.dumps([c.text for c in texts().caveats])
    assert "{" not in json.dumps([f.label + f.description for f in texts().flags])


def test_unknown_keys_and_missing_flags_are_refused() -> None:
    data = raw()
    with pytest.raises(ValidationError):
        CohortTexts.model_validate({**data, "surprise": 1})
    flags = [f for f in data["flags"] if f["code"] != "logging_gap"]
    with pytest.raises(ValidationError, match="flags must be exactly"):
        CohortTexts.model_validate({**data, "flags": flags})
