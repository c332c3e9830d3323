"""Data invariants: every name a data file uses is declared, and a misspelt one fails loudly.

Each mutation is made in a copy of the data (a dict), never in ``core/data``; loading it must
fail with one line naming the file, the rule and the token.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from core import evidence
from core.consult import ruleset
from core.consult.ruleset import load_rules
from core.errors import DataError
from core.evidence import load_file
from core.formulary import CLASS_LABELS, class_groups
from core.interactions import (
    RULESET_VERSION,
    combined_version,
    data_version,
    interaction_rules,
    load_interactions,
)
from core.texts import load_texts


def _raw(name: str) -> Any:
    return json.loads(resources.files("core.data").joinpath(name).read_text("utf-8"))


def _fails(load: Callable[[Any], object], raw: Any, *tokens: str) -> str:
    with pytest.raises(DataError) as info:
        load(raw)
    message = str(info.value)
    assert "\n" not in message
    for token in tokens:
        assert token in message, (token, message)
    return message


# --- the shipped data satisfies every invariant ------------------------------------------------


def test_every_fact_a_rule_names_is_declared() -> None:
    rules = ruleset()
    declared = rules.fact_labels()
    named: set[str] = set()
    for f in rules.findings:
        named |= f.when.names()
    for s in rules.k2_status:
        named |= s.when.names()
    for r in rules.k2_reasons:
        named |= r.when.names()
    for a in rules.actions:
        named |= a.when.names()
        for v in a.variants:
            named |= v.when.names()
    assert named <= set(declared)
    assert all(declared[n] for n in named)


def test_every_class_a_group_names_exists() -> None:
    for name, classes in class_groups().items():
        assert classes <= set(CLASS_LABELS), name


def test_every_evidence_id_resolves() -> None:
    cat = evidence.catalogue()
    assert ruleset().evidence_ids() <= set(cat)
    for rule in interaction_rules():
        assert set(rule.evidence) <= set(cat)
    raw = _raw("texts.json")
    for item in raw["texts"].values():
        assert set(item["evidence"]) <= set(cat)


def test_rules_name_groups_not_class_lists() -> None:
    raw = _raw("rules.json")
    assert "drug_groups" not in raw
    for f in ruleset().findings:
        assert not any(n.startswith("class:") for n in f.when.names()), f.code


# --- a misspelt name in a copy stops loading, with the token named -----------------------------


def _first(raw: dict[str, Any], section: str, key: str, value: str) -> dict[str, Any]:
    return next(r for r in raw[section] if r.get(key) == value)


def test_misspelt_group_fact_is_refused() -> None:
    raw = copy.deepcopy(_raw("rules.json"))
    _first(raw, "findings", "code", "diuretic")["when"] = {"any": ["group:diuretc"]}
    _fails(load_rules, raw, "core/data/rules.json", "findings[diuretic]", "diuretc", "drug group")


def test_misspelt_class_fact_is_refused() -> None:
    raw = copy.deepcopy(_raw("rules.json"))
    _first(raw, "k2_status", "status", "outside_trial_population")["when"]["any"].append(
        "class:thiazide_diuretc"
    )
    _fails(load_rules, raw, "k2_status[outside_trial_population]", "thiazide_diuretc", "class")


def test_unknown_fact_is_refused() -> None:
    raw = copy.deepcopy(_raw("rules.json"))
    _first(raw, "actions", "code", "hydration")["when"] = {"any": ["dehydratoin"]}
    _fails(load_rules, raw, "actions[hydration]", "unknown fact 'dehydratoin'")


def test_misspelt_evidence_id_is_refused() -> None:
    raw = copy.deepcopy(_raw("rules.json"))
    _first(raw, "findings", "code", "statin")["evidence"] = ["garrison2021"]
    _fails(load_rules, raw, "findings[statin]", "garrison2021")


def test_misspelt_drug_group_is_refused() -> None:
    raw = copy.deepcopy(_raw("rules.json"))
    _first(raw, "findings", "code", "laba")["drug_group"] = "lab"
    _fails(load_rules, raw, "findings[laba]", "'lab'")


def test_misspelt_template_field_is_refused() -> None:
    raw = copy.deepcopy(_raw("rules.json"))
    rule = _first(raw, "findings", "code", "statin")
    rule["detail"] = rule["detail"].replace("{drugs}", "{drgus}")
    _fails(load_rules, raw, "findings[statin]", "{drgus}")


def test_unknown_rule_key_is_refused() -> None:
    raw = copy.deepcopy(_raw("rules.json"))
    _first(raw, "findings", "code", "statin")["wehn"] = {}
    _fails(load_rules, raw, "rules.json", "wehn")


def test_a_finding_cannot_depend_on_a_finding() -> None:
    raw = copy.deepcopy(_raw("rules.json"))
    _first(raw, "findings", "code", "statin")["when"] = {"any": ["any_red_flag"]}
    _fails(load_rules, raw, "findings[statin]", "any_red_flag")


def test_status_order_is_the_contracts() -> None:
    raw = copy.deepcopy(_raw("rules.json"))
    raw["k2_status"] = [s for s in raw["k2_status"] if s["status"] != "check_medications"]
    _fails(load_rules, raw, "k2_status")


def test_interactions_renamed_classes_key_is_refused() -> None:
    raw = copy.deepcopy(_raw("interactions.json"))
    vka = _first(raw, "records", "code", "vka_interaction")
    vka["clases"] = vka.pop("classes")
    _fails(load_interactions, raw, "core/data/interactions.json", "clases")


def test_interactions_unknown_class_and_evidence_are_refused() -> None:
    raw = copy.deepcopy(_raw("interactions.json"))
    _first(raw, "records", "code", "vka_interaction")["classes"] = ["vitamin_k_antagonst"]
    _fails(load_interactions, raw, "records[vka_interaction]", "vitamin_k_antagonst")
    raw = copy.deepcopy(_raw("interactions.json"))
    _first(raw, "records", "code", "absorption_reduced")["evidence"] = ["adam_vitk"]
    _fails(load_interactions, raw, "records[absorption_reduced]", "medicalalgorithms_vitk")


def test_evidence_unknown_key_is_refused() -> None:
    raw = copy.deepcopy(_raw("evidence.json"))
    raw["records"][0]["sumary"] = raw["records"][0].pop("summary")
    _fails(lambda r: load_file("evidence.json", r), raw, "evidence.json", "sumary")


def test_texts_unknown_key_and_evidence_are_refused() -> None:
    raw = copy.deepcopy(_raw("texts.json"))
    raw["texts"]["about.known_gaps"]["evidenc"] = []
    _fails(load_texts, raw, "texts.json", "evidenc")
    raw = copy.deepcopy(_raw("texts.json"))
    raw["texts"]["about.known_gaps"]["evidence"] = ["tan2042"]
    _fails(load_texts, raw, "texts.json", "about.known_gaps", "tan2042")


# --- one version stamp -------------------------------------------------------------------------


def _data_files() -> dict[str, bytes]:
    data = resources.files("core.data")
    return {p.name: p.read_bytes() for p in data.iterdir() if p.name.endswith(".json")}


def test_the_version_covers_every_data_file() -> None:
    files = _data_files()
    base = ruleset().ruleset_version
    assert data_version() == RULESET_VERSION
    assert RULESET_VERSION.startswith(base + "+")
    for name in ("formulary.json", "interactions.json", "rules.json", "texts.json"):
        edited = {**files, name: files[name] + b" "}
        assert combined_version(base, edited) != combined_version(base, files), name


# --- start-up: the command line stops with one line, exit 1 ------------------------------------


def test_the_command_line_stops_on_a_bad_data_file(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "core", tmp_path / "core", ignore=shutil.ignore_patterns("__pycache__"))
    rules = tmp_path / "core" / "data" / "rules.json"
    raw = json.loads(rules.read_text("utf-8"))
    _first(raw, "findings", "code", "diuretic")["when"] = {"any": ["group:diuretc"]}
    rules.write_text(json.dumps(raw), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "core", "evaluate", "-"],
        input='{"age": 70}',
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        check=False,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "rules.json" in lines[0] and "findings[diuretic]" in lines[0] and "diuretc" in lines[0]
