"""``core/data/diary_texts.json``: its names resolve, and a misspelt one fails loudly.

Each mutation is made in a copy of the data (a dict), never in ``core/data``; loading it must
fail with one line naming the file, the statement and the token.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest

from core import evidence, trial
from core.errors import DataError
from core.interactions import combined_version, data_version
from core.outputs.diary_text import diary_texts, load_diary_texts

NAME = "diary_texts.json"


def _raw() -> Any:
    return json.loads(resources.files("core.data").joinpath(NAME).read_text("utf-8"))


def _fails(raw: Any, *tokens: str) -> None:
    with pytest.raises(DataError) as info:
        load_diary_texts(raw)
    message = str(info.value)
    assert "\n" not in message
    for token in ("core/data/diary_texts.json", *tokens):
        assert token in message, (token, message)


def _edit(change: Callable[[Any], None]) -> Any:
    raw = copy.deepcopy(_raw())
    change(raw)
    return raw


def test_the_shipped_file_loads_and_every_evidence_id_resolves() -> None:
    statements = diary_texts().statements()
    assert {"reading.comparison", "trial_comparison", "caveats[poisson]"} <= set(statements)
    for item in statements.values():
        assert set(item.evidence) <= set(evidence.catalogue())


def test_no_trial_figure_is_typed_into_the_file() -> None:
    """The trial's numbers and id come from ``core.trial`` through placeholders."""
    prose = " ".join(item.text for item in diary_texts().statements().values())
    figures = (trial.K2_BASELINE, trial.K2_DURING, trial.PLACEBO_BASELINE, trial.PLACEBO_DURING)
    for typed in (*(f"{v:.2f}" for v in figures), trial.EVIDENCE_ID, str(trial.DOSE_MCG)):
        assert typed not in prose, typed
    assert not re.search(r"\b\d+-week\b", prose)


def test_a_misspelt_statement_key_is_refused() -> None:
    def rename(raw: Any) -> None:
        raw["reading"]["fewr"] = raw["reading"].pop("fewer")

    _fails(_edit(rename), "reading", "'fewr'", "'fewer'")


def test_an_unknown_key_in_a_statement_is_refused() -> None:
    def rename(raw: Any) -> None:
        raw["caveats"][0]["evidenc"] = raw["caveats"][0].pop("evidence")

    _fails(_edit(rename), "caveats[one_diary]", "'evidenc'")


def test_an_unknown_evidence_id_is_refused() -> None:
    def cite(raw: Any) -> None:
        raw["notes"]["short_after"]["evidence"] = ["tan2042"]

    _fails(_edit(cite), "notes.short_after", "tan2042")


def test_an_unknown_placeholder_is_refused() -> None:
    def misspell(raw: Any) -> None:
        item = raw["reading"]["comparison"]
        item["text"] = item["text"].replace("{rate_ratio:.2f}", "{rate_ration:.2f}")

    _fails(_edit(misspell), "reading.comparison", "{rate_ration}")


def test_a_figure_of_the_comparison_is_refused_where_it_is_not_filled() -> None:
    def misplace(raw: Any) -> None:
        raw["caveats"][3]["text"] += " {weeks_after:.1f}"

    _fails(_edit(misplace), "caveats[poisson]", "{weeks_after}")


def test_a_bad_format_is_refused() -> None:
    def misformat(raw: Any) -> None:
        raw["trial_comparison"]["text"] += " {k2_baseline:.2q}"

    _fails(_edit(misformat), "trial_comparison", "bad template")


def test_a_trial_figure_without_the_trial_cited_is_refused() -> None:
    def uncite(raw: Any) -> None:
        raw["caveats"][1]["evidence"] = []

    _fails(_edit(uncite), "caveats[placebo_rose]", trial.EVIDENCE_ID)


def test_a_caveat_id_used_twice_is_refused() -> None:
    def twice(raw: Any) -> None:
        raw["caveats"][3]["id"] = "one_diary"

    _fails(_edit(twice), "caveats[one_diary]", "used twice")


def test_the_version_stamp_covers_the_file() -> None:
    data = resources.files("core.data")
    files = {p.name: p.read_bytes() for p in data.iterdir() if p.name.endswith(".json")}
    assert NAME in files
    base = data_version().split("+")[0]
    edited = {**files, NAME: files[NAME] + b" "}
    assert combined_version(base, edited) != combined_version(base, files)
    assert combined_version(base, files) == data_version()
