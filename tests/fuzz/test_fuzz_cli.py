"""Fuzz the command line (``core.cli.main``) with hostile profiles, batches and medication files.

Per example: success or exit 2 (never an internal error), a refusal is one line naming where,
every JSON Lines line is answered in order, and every medication given is in the result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import jsonio
from core.errors import InputError
from tests.fuzz.budget import FUZZ, check_no_crash, check_refusal, example, run_cli
from tests.strategies_hostile import (
    fhir_bundle_bytes,
    jsonl_batches,
    medication_file_bytes,
    medication_lists,
    profile_bytes,
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz_cli")


def _given_medications(line: str) -> list[str] | None:
    """The medications a profile line gave, when it is a JSON object with a list of them."""
    try:
        data = jsonio.loads(line)
    except InputError:
        return None
    meds = data.get("medications", []) if isinstance(data, dict) else None
    return meds if isinstance(meds, list) else None


def _check_recommendation(doc: dict[str, Any], source_text: str) -> None:
    assert "k2" in doc and doc["k2"]["status"], doc
    given_meds = _given_medications(source_text)
    if given_meds is not None:
        assert [m["input"] for m in doc["medications"]] == given_meds


@FUZZ
@given(raw=profile_bytes(), via_file=st.booleans())
def test_evaluate_one_profile(raw: bytes, via_file: bool, workdir: Path) -> None:
    with example("cli evaluate (one profile)"):
        if via_file:
            path = workdir / "profile.json"
            path.write_bytes(raw)
            code, out, err = run_cli(["evaluate", str(path)])
            name = str(path)
        else:
            code, out, err = run_cli(["evaluate", "-"], stdin=raw)
            name = "<stdin>"
    check_no_crash(code, err)
    if code == 2 and out == b"":
        check_refusal(code, out, err, name)
        return
    # stdin that looks like JSON Lines is read as a batch: one object a line.
    for line in out.decode("utf-8").split("\n")[:-1]:  # JSON Lines: split on \n only
        doc = json.loads(line)
        if "error" in doc:
            assert isinstance(doc["line"], int) and doc["error"]
    if code == 0 and via_file:
        _check_recommendation(json.loads(out), raw.decode("utf-8-sig"))


def _profile_lines(raw: bytes) -> list[tuple[int, str | bytes]]:
    """The (line number, line) pairs a batch must answer: every line that is not blank."""
    lines = raw.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    out: list[tuple[int, str | bytes]] = []
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix(b"\r")
        try:
            text: str | bytes = line.decode("utf-8")
        except UnicodeDecodeError:
            text = line
        if text.strip():
            out.append((number, text))
    return out


@FUZZ
@given(raw=jsonl_batches())
def test_evaluate_json_lines_answers_every_line_in_order(raw: bytes, workdir: Path) -> None:
    path = workdir / "batch.jsonl"
    path.write_bytes(raw)
    with example("cli evaluate (JSON Lines)"):
        code, out, err = run_cli(["evaluate", str(path)])
    check_no_crash(code, err)
    expected = _profile_lines(raw)
    if not expected:
        check_refusal(code, out, err, str(path))
        assert "empty" in err
        return
    answers = [json.loads(x) for x in out.decode("utf-8").split("\n")[:-1]]
    assert len(answers) == len(expected), "a line was dropped or added"
    failed = 0
    for (number, line), answer in zip(expected, answers, strict=True):
        if "error" in answer:
            failed += 1
            assert answer["line"] == number and answer["error"].strip()
        else:
            assert isinstance(line, str)
            _check_recommendation(answer, line)
    assert code == (2 if failed else 0)
    if failed:
        assert str(path) in err and f"{failed} line(s) failed" in err


@FUZZ
@given(meds=medication_lists())
def test_interactions_from_arguments(meds: list[str]) -> None:
    with example("cli interactions MED..."):
        code, out, err = run_cli(["interactions", "--", *meds])
    check_no_crash(code, err)
    if code == 2:
        check_refusal(code, out, err)
        return
    report = json.loads(out)
    assert [m["input"] for m in report["medications"]] == meds  # nothing dropped


@FUZZ
@given(
    file=st.tuples(fhir_bundle_bytes(), st.just(".json"))
    | st.tuples(
        fhir_bundle_bytes(heavy=False) | medication_file_bytes(), st.sampled_from([".json", ".txt"])
    )
)
def test_interactions_from_a_file(file: tuple[bytes, str], workdir: Path) -> None:
    # A Bundle of 5,000 entries saved as .txt would be 50,000 one-line "medications".
    raw, suffix = file
    path = workdir / f"meds{suffix}"
    path.write_bytes(raw)
    with example("cli interactions --file"):
        code, out, err = run_cli(["interactions", "--file", str(path)])
    check_no_crash(code, err)
    if code == 2:
        check_refusal(code, out, err, str(path))
        return
    if suffix == ".txt":  # one medication a line: every word given is in the report
        given_words = {
            w for line in raw.decode("utf-8-sig").split("\n") for w in line.split("#", 1)[0].split()
        }
        inputs = [m["input"] for m in json.loads(out)["medications"]]
        assert given_words <= {w for name in inputs for w in name.split()}
