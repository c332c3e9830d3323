"""The diary command line: ``python -m core diary`` as a process and through ``core.cli.main``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main as cli_main
from core.diary import AmbiguousDatesError, summarize_path
from core.errors import InputError
from core.models import DiarySummary

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def test_main_prints_a_diary_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "d.csv"
    path.write_text("date,pain\n2024-01-01,5\n2024-01-08,4\n2024-01-15,3\n", encoding="utf-8")
    assert cli_main(["diary", str(path), "--k2-start", "2024-01-08"]) == 0
    out, err = capsys.readouterr()
    summary = DiarySummary.model_validate_json(out)
    assert summary.episodes == 3 and err == ""
    assert summary.k2_comparison is not None
    assert summary.k2_comparison.k2_start == "2024-01-08"
    assert summary.weekly[0].week_start == "2024-01-01"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", [], "empty"),
        (b"severity\n5\n", [], "no date column"),
        (b"\x00\x01binary\x00", [], "binary"),
        (b"date\n03/04/2024\n05/06/2024\n", [], "--date-order dmy"),
        (b"date\nnope\n", [], "no row has a usable date"),
        (b"date\n2024-01-01\n", ["--k2-start", "01/02/2024"], "--k2-start"),
    ],
)
def test_main_refuses_bad_input_with_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    args: list[str],
    message: str,
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert cli_main(["diary", str(path), *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_ambiguous_dates_resolved_with_the_date_order_option(tmp_path: Path) -> None:
    path = tmp_path / "amb.csv"
    path.write_text("date\n03/04/2024\n05/06/2024\n", encoding="utf-8")
    with pytest.raises(AmbiguousDatesError, match="--date-order") as info:
        summarize_path(path)
    assert isinstance(info.value, InputError)
    assert summarize_path(path, date_order="dmy").first_date == "2024-04-03"


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_module_entry_point_runs_as_a_process(tmp_path: Path) -> None:
    good = _run(["-m", "core", "diary", str(SAMPLES / "episodes_iso_k2.csv")])
    assert good.returncode == 0, good.stderr
    assert DiarySummary.model_validate_json(good.stdout).episodes == 22
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    bad = _run(["-m", "core", "diary", str(empty)])
    assert (bad.returncode, bad.stdout) == (2, "")
    assert "empty" in bad.stderr


@pytest.mark.skipif(
    not (ROOT / "core" / "__main__.py").exists(), reason="core/__main__.py not wired yet"
)
def test_contract_cli_python_m_core_diary(tmp_path: Path) -> None:
    good = _run(["-m", "core", "diary", str(SAMPLES / "nightly_counts.csv")])
    assert good.returncode == 0, good.stderr
    summary = DiarySummary.model_validate_json(good.stdout)
    assert summary.k2_comparison is not None  # K2 start read from the file's K2 column
    assert summary.k2_comparison.k2_start == "2024-10-07"
    bad = tmp_path / "nodate.csv"
    bad.write_text("pain\n3\n", encoding="utf-8")
    refused = _run(["-m", "core", "diary", str(bad)])
    assert (refused.returncode, refused.stdout) == (2, "")


def test_importing_core_diary_stays_cheap() -> None:
    code = (
        "import sys, core.diary; "
        "bad = [m for m in ('altair', 'streamlit', 'vl_convert') if m in sys.modules]; "
        "print(bad)"
    )
    result = _run(["-c", code])
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.parametrize(
    "name",
    ["tracker_started_lasted.csv", "tracker_ordinal_buckets.csv", "tracker_utf16_title.txt"],
)
def test_tracker_samples_need_no_column_map_on_the_command_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["diary", str(SAMPLES / name)]) == 0
    summary = DiarySummary.model_validate_json(capsys.readouterr().out)
    assert (summary.episodes, summary.rows_rejected) == (22, 0)
    assert summary.k2_comparison is not None
    assert summary.k2_comparison.k2_start == "2024-10-07"


def test_a_hostile_file_is_refused_naming_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"date,pain\n2024-01-01,3\n2024-01-02,\x00\n")
    assert cli_main(["diary", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "line 3" in err
