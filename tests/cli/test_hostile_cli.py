"""Regression tests for the hostile-input findings of issue 11 on the command line.

Each refusal is exit 2 with one message naming the file, the line and the field; a bad line of
a JSON Lines batch fails alone, and nothing the user gave is dropped without a word.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.cli import main

ROOT = Path(__file__).resolve().parents[2]


def call(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: bytes = b"",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def one_message(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def objects(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def mp(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return monkeypatch


WARFARIN_THEN_ASPIRIN = (
    '{"age": 70, "cramps_per_week": 3,\n "medications": ["warfarin"],\n "medications": ["aspirin"]}'
)


def test_duplicate_medications_key_in_a_profile_is_refused_naming_key_line_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "patient.json"
    f.write_text(WARFARIN_THEN_ASPIRIN)
    code, out, err = call(["evaluate", str(f)], capsys, mp)
    assert (code, out) == (2, "")  # never "consider" without the VKA caution
    msg = one_message(err)
    assert str(f) in msg and "duplicate key 'medications'" in msg and "line 3" in msg


def test_duplicate_conditions_key_on_stdin_is_refused(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    doc = b'{"age": 70, "conditions": ["hemodialysis"], "conditions": []}'
    code, out, err = call(["evaluate", "-"], capsys, mp, stdin=doc)
    assert (code, out) == (2, "")
    msg = one_message(err)
    assert "<stdin>" in msg and "duplicate key 'conditions' (line 1)" in msg


def test_duplicate_key_in_one_json_lines_line_fails_that_line_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "batch.jsonl"
    lines = ['{"age": 70}', WARFARIN_THEN_ASPIRIN.replace("\n", ""), '{"age": 71}']
    f.write_text("\n".join(lines) + "\n")
    code, out, err = call(["evaluate", str(f)], capsys, mp)
    assert code == 2
    got = objects(out)
    assert len(got) == 3
    assert got[1]["line"] == 2
    assert "duplicate key 'medications' (line 2)" in got[1]["error"]
    assert got[0]["k2"]["status"] == "consider" and got[2]["k2"]["status"] == "consider"
    assert str(f) in one_message(err)


def latin1_batch() -> bytes:
    return b'{"age": 70}\n{"age": 70, "medications": ["caf\xe9"]}\n\n{"age": 71}\n'


def check_latin1_batch(code: int, out: str) -> None:
    assert code == 2
    got = objects(out)
    assert len(got) == 3  # line 3 is blank; every profile line is accounted for
    assert got[0]["k2"]["status"] == "consider"
    assert got[1]["line"] == 2
    assert "not UTF-8" in got[1]["error"] and "0xe9" in got[1]["error"]
    assert "column 33" in got[1]["error"]
    assert got[2]["k2"]["reasons"][0].startswith("Age 71")


def test_one_latin1_line_fails_alone_in_a_jsonl_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "batch.jsonl"
    f.write_bytes(latin1_batch())
    code, out, _ = call(["evaluate", str(f)], capsys, mp)
    check_latin1_batch(code, out)


def test_one_latin1_line_fails_alone_on_stdin(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    code, out, _ = call(["evaluate", "-"], capsys, mp, stdin=latin1_batch())
    check_latin1_batch(code, out)


def test_latin1_first_line_does_not_hide_the_batch(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    raw = b'{"age": 70, "medications": ["caf\xe9"]}\n{"age": 71}\n'
    code, out, _ = call(["evaluate", "-"], capsys, mp, stdin=raw)
    got = objects(out)
    assert code == 2 and got[0]["line"] == 1 and "k2" in got[1]


def test_latin1_batch_as_a_real_process(tmp_path: Path) -> None:
    f = tmp_path / "batch.jsonl"
    f.write_bytes(latin1_batch())
    proc = subprocess.run(
        [sys.executable, "-m", "core", "evaluate", str(f)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    check_latin1_batch(proc.returncode, proc.stdout)
    assert "1 line(s) failed" in proc.stderr and "Traceback" not in proc.stderr


def test_latin1_in_a_single_profile_names_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "p.json"
    f.write_bytes(b'{"age": 70,\n "medications": ["caf\xe9"]}')
    code, out, err = call(["evaluate", str(f)], capsys, mp)
    assert (code, out) == (2, "")
    msg = one_message(err)
    assert str(f) in msg and "not UTF-8" in msg and "line 2, column 22" in msg


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf"])
def test_empty_jsonl_exits_2_with_a_message(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "none.jsonl"
    f.write_bytes(content)
    code, out, err = call(["evaluate", str(f)], capsys, mp)
    assert (code, out) == (2, "")
    msg = one_message(err)
    assert str(f) in msg and "empty" in msg


def test_empty_stdin_with_jsonl_flag_exits_2(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    code, out, err = call(["evaluate", "--jsonl", "-"], capsys, mp)
    assert (code, out) == (2, "")
    assert "<stdin>" in one_message(err) and "empty" in err


def test_lone_surrogate_names_the_field_and_line(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    doc = b'{"age": 70,\n "medications": ["warfarin", "\\ud800"]}'
    code, out, err = call(["evaluate", "-"], capsys, mp, stdin=doc)
    assert (code, out) == (2, "")
    msg = one_message(err)
    assert "medications[1]" in msg and "line 2" in msg and "surrogate" in msg


def test_lone_surrogate_in_a_jsonl_line_fails_that_line(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    raw = b'{"age": 70}\n{"age": 70, "medications": ["\\udfff"]}\n'
    code, out, _ = call(["evaluate", "--jsonl", "-"], capsys, mp, stdin=raw)
    got = objects(out)
    assert code == 2 and len(got) == 2
    assert got[1]["line"] == 2 and "medications[0] (line 2)" in got[1]["error"]


def test_a_valid_surrogate_pair_is_an_ordinary_character(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    doc = b'{"age": 70, "medications": ["\\ud83d\\ude00"]}'
    code, out, _ = call(["evaluate", "-"], capsys, mp, stdin=doc)
    assert code == 0
    assert json.loads(out)["medications"][0]["input"] == "\U0001f600"


def test_nul_byte_in_a_profile_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "p.json"
    f.write_bytes(b'{"age": 70,\n "sex": "male",\n "medications": ["a\x00b"]}')
    code, out, err = call(["evaluate", str(f)], capsys, mp)
    assert (code, out) == (2, "")
    msg = one_message(err)
    assert str(f) in msg and "U+0000" in msg and "line 3" in msg


def test_nan_in_a_profile_names_its_line(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    code, out, err = call(
        ["evaluate", "-"], capsys, mp, stdin=b'{"age": 70,\n "cramps_per_week": NaN}'
    )
    assert (code, out) == (2, "")
    assert "NaN (line 2)" in one_message(err)


def test_a_medication_argument_that_is_not_utf8_is_named(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    code, out, err = call(["interactions", "warfarin", "caf\udce9"], capsys, mp)
    assert (code, out) == (2, "")
    msg = one_message(err)
    assert "MED 2" in msg and "not UTF-8" in msg


def test_a_control_character_in_a_field_name_keeps_the_message_on_one_line(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    # Found by tests/fuzz: a raw CR in the message split it in two on a terminal.
    code, out, err = call(["evaluate", "-"], capsys, mp, stdin=b'{"age": 70, "\\r": null}')
    assert (code, out) == (2, "")
    assert "unknown field '\\r'" in one_message(err)


def test_a_medication_file_of_100k_lines_is_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "meds.txt"
    f.write_text("\n".join(f"zz{i}q" for i in range(100_000)))
    code, out, err = call(["interactions", "--file", str(f)], capsys, mp)
    assert (code, out) == (2, "")
    assert str(f) in one_message(err)
    assert "100000 medications" in one_message(err)


def test_a_profile_with_100k_medications_is_refused_naming_the_field(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    doc = json.dumps({"age": 70, "medications": [f"zz{i}q" for i in range(100_000)]})
    code, out, err = call(["evaluate", "-"], capsys, mp, stdin=doc.encode())
    assert (code, out) == (2, "")
    assert "medications" in one_message(err)
