"""The hand-off commands: note and cards from evaluate, report and counselling PDFs, serve-cds."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from pypdf import PdfReader

from core.cli import main
from core.outputs.cds_hooks import card_schema

ROOT = Path(__file__).resolve().parents[2]
DIARY = ROOT / "samples" / "episodes_iso_k2.csv"


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def call(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _profile(tmp_path: Path, **fields: object) -> str:
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"age": 75, "cramps_per_week": 3, **fields}))
    return str(f)


def _text(pdf: Path) -> str:
    return " ".join(
        " ".join(
            p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages
        ).split()
    )


def test_note_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(["evaluate", _profile(tmp_path), "--format", "note"], capsys)
    assert code == 0
    assert out.startswith("CRAMP CONSULT NOTE")
    assert "Vitamin K2: " in out and "Sources:" in out


def test_cds_hooks_format_cards_are_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = call(
        ["evaluate", _profile(tmp_path, medications=["Coumadin"]), "--format", "cds-hooks"], capsys
    )
    assert code == 0
    cards = json.loads(out)["cards"]
    validator = Draft202012Validator(card_schema())
    for card in cards:
        validator.validate(card)
    assert cards[0]["indicator"] == "critical"


def test_report_as_a_process_with_a_diary(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    proc = run(
        [
            "report",
            _profile(tmp_path),
            "--diary",
            str(DIARY),
            "--k2-start",
            "2024-10-07",
            "--out",
            str(out),
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["written"] == str(out)
    text = _text(out)
    assert "Cramp diary" in text
    assert "Rate ratio" in text
    assert "Page 1 of" in text


def test_report_without_diary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.pdf"
    code, stdout, _ = call(["report", _profile(tmp_path), "--out", str(out)], capsys)
    assert code == 0 and json.loads(stdout)["bytes"] == out.stat().st_size
    assert "Cramp diary" not in _text(out)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--k2-start", "2024-10-07"], "--k2-start needs --diary"),
        (["--diary", "no/such/file.csv"], "file not found"),
    ],
)
def test_report_bad_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    code, out, err = call(
        ["report", _profile(tmp_path), *args, "--out", str(tmp_path / "x.pdf")], capsys
    )
    assert code == 2 and out == ""
    assert words in err
    assert not (tmp_path / "x.pdf").exists()


def test_report_needs_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(["report", _profile(tmp_path)], capsys)
    assert code == 2 and out == "" and "--out" in err


def test_bad_profile_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"age": 75, "medicatons": []}')
    code, out, err = call(["counselling", str(bad), "--out", str(tmp_path / "c.pdf")], capsys)
    assert code == 2 and out == "" and "medicatons" in err


def test_counselling_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sheet.pdf"
    code, _, _ = call(["counselling", _profile(tmp_path), "--out", str(out)], capsys)
    assert code == 0
    text = _text(out)
    assert "180 µg once a day for 8 weeks" in text
    assert "not a substitute for clinical judgement" in text


def test_counselling_refused_as_a_process(tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    proc = run(["counselling", _profile(tmp_path, medications=["warfarin"]), "--out", str(out)])
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "consult_prescriber" in proc.stderr and "override" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_counselling_override_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheet.pdf"
    reason = "INR clinic agreed, INR in one week"
    code, _, err = call(
        [
            "counselling",
            _profile(tmp_path, medications=["warfarin"]),
            "--override",
            reason,
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    assert reason in _text(out)


@pytest.mark.parametrize(
    "args",
    [
        ["--port", "0"],
        ["--port", "70000"],
        ["--cors-origin", "*"],
        ["--cors-origin", "https://a.org/path"],
    ],
)
def test_serve_cds_refuses_bad_options(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = call(["serve-cds", *args], capsys)
    assert code == 2 and out == ""
    assert "error:" in err
