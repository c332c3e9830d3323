"""``python -m core cohort DIR_OR_ZIP [--manifest FILE]``: the panel's JSON, exit 2 on bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from core.cli import main
from tests.unit.cohort.factory import nightly_diary, zip_of

ROOT = Path(__file__).resolve().parents[2]


def call(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def folder(tmp_path: Path) -> Path:
    panel = tmp_path / "clinic"
    panel.mkdir()
    (panel / "better.csv").write_bytes(nightly_diary(28, 8))
    (panel / "worse.csv").write_bytes(nightly_diary(14, 35))
    (panel / "nok2.csv").write_bytes(nightly_diary(20, 10, k2_column=False))
    (panel / "broken.csv").write_bytes(b"\x00\x01binary")
    return panel


def test_a_folder_gives_the_documented_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = call(["cohort", str(folder(tmp_path))], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"patients", "refused", "pooled"}
    assert [p["file"] for p in doc["patients"]] == ["better.csv", "nok2.csv", "worse.csv"]
    for p in doc["patients"]:
        assert set(p) == {"file", "summary", "flags"}
        assert {"rows_read", "episodes", "weekly", "k2_comparison"} <= set(p["summary"])
    flags = {p["file"]: p["flags"] for p in doc["patients"]}
    assert flags == {"better.csv": [], "nok2.csv": ["no_k2_start"], "worse.csv": ["cramps_rising"]}
    assert [r["file"] for r in doc["refused"]] == ["broken.csv"]
    assert set(doc["refused"][0]) == {"file", "error"}
    assert set(doc["pooled"]) == {"rate_ratio", "ci95", "i2", "tau2", "patients"}
    assert doc["pooled"]["patients"] == 2


def test_the_pooled_figure_can_be_reproduced_from_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = call(["cohort", str(folder(tmp_path))], capsys)
    doc = json.loads(out)
    y, w = [], []
    for p in doc["patients"]:
        k2 = p["summary"]["k2_comparison"]
        if k2:
            lo, hi = k2["ci95"]
            y.append(math.log(k2["rate_ratio"]))
            w.append(1 / ((math.log(hi) - math.log(lo)) / (2 * 1.96)) ** 2)
    fixed = sum(a * b for a, b in zip(w, y, strict=True)) / sum(w)
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(w, y, strict=True))
    tau2 = max(0.0, (q - 1) / (sum(w) - sum(x * x for x in w) / sum(w)))
    ws = [1 / (1 / wi + tau2) for wi in w]
    mu = sum(a * b for a, b in zip(ws, y, strict=True)) / sum(ws)
    assert doc["pooled"]["rate_ratio"] == pytest.approx(math.exp(mu), abs=1e-4)
    assert doc["pooled"]["tau2"] == pytest.approx(tau2, abs=1e-6)


def test_a_zip_and_a_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "panel.zip"
    archive.write_bytes(zip_of([("a.csv", nightly_diary(20, 10, k2_column=False))]))
    manifest = tmp_path / "starts.csv"
    manifest.write_text("file,k2_start\na.csv,2024-02-05\n")
    code, out, _ = call(["cohort", str(archive), "--manifest", str(manifest)], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["patients"][0]["summary"]["k2_comparison"]["k2_start"] == "2024-02-05"
    assert doc["pooled"] is None  # one patient: nothing to pool


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda p: p / "missing", "missing"),
        (lambda p: p / "one.csv", "one.csv"),
        (lambda p: p / "bad.zip", "bad.zip"),
    ],
)
def test_bad_input_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path], named: str
) -> None:
    (tmp_path / "one.csv").write_bytes(nightly_diary(2, 2))
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really")
    target = make(tmp_path)
    code, out, err = call(["cohort", str(target)], capsys)
    assert code == 2
    assert out == ""
    assert named in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_bad_manifest_exits_2_naming_it_and_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "starts.csv"
    manifest.write_text("file,k2_start\nbetter.csv,next tuesday\n")
    code, out, err = call(["cohort", str(folder(tmp_path)), "--manifest", str(manifest)], capsys)
    assert code == 2
    assert out == ""
    assert "starts.csv" in err and "line 2" in err


def test_as_a_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "core", "cohort", str(folder(tmp_path))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["patients"]) == 3
