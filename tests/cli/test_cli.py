"""The command line of shared/contract.md: JSON out, exit 2 with one clear message on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.models import InteractionReport, Recommendation

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def call(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_a_file_as_a_real_process(tmp_path: Path) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"age": 70, "cramps_per_week": 3, "medications": ["Coumadin"]}))
    proc = run(["evaluate", str(f)])
    assert proc.returncode == 0, proc.stderr
    rec = Recommendation.model_validate_json(proc.stdout)
    assert rec.k2.status == "consult_prescriber"


def test_evaluate_stdin(capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch) -> None:
    code, out, _ = call(["evaluate", "-"], capsys, mp, stdin='{"age": 80, "cramps_per_week": 4}')
    assert code == 0
    assert json.loads(out)["k2"]["status"] == "consider"


@pytest.fixture
def mp(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return monkeypatch


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        (
            '{"age": 70, "medicatons": ["warfarin"]}',
            ["medicatons", "allowed fields", "medications"],
        ),
        ('{"age": 70, "conditions": ["gout"]}', ["conditions.0", "diabetes"]),
        ('{"age": 170}', ["age"]),
        ("{}", ["age", "required"]),
        ('{"age": 70,', ["not valid JSON"]),
        ("[1, 2]", ["JSON object"]),
        ("", ["empty"]),
    ],
)
def test_bad_profile_exits_2_with_one_clear_message(
    doc: str, words: list[str], capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    code, out, err = call(["evaluate", "-"], capsys, mp, stdin=doc)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    for w in words:
        assert w in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch) -> None:
    code, out, err = call(["evaluate", "/nonexistent/p.json"], capsys, mp)
    assert (code, out) == (2, "")
    assert "/nonexistent/p.json" in err and "not found" in err


def test_jsonl_batch_keeps_order_and_reports_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"age": 70, "cramps_per_week": 3}),
        '{"age": "old"}',
        "",
        json.dumps({"age": 40, "medications": ["Lasix"]}),
        '{"age": 70, "medicatons": []}',
    ]
    f = tmp_path / "batch.jsonl"
    f.write_text("\n".join(lines) + "\n")
    proc = run(["evaluate", str(f)])
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["k2"]["status"] == "consider"
    assert out[1]["line"] == 2 and "age" in out[1]["error"]
    assert out[2]["k2"]["status"] == "outside_trial_population"
    assert out[3]["line"] == 5 and "medicatons" in out[3]["error"]


def test_jsonl_all_good_exits_0(capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch) -> None:
    stdin = '{"age": 70}\n{"age": 71}\n'
    code, out, _ = call(["evaluate", "-"], capsys, mp, stdin=stdin)
    assert code == 0
    assert [Recommendation.model_validate_json(x).k2.status for x in out.splitlines()] == [
        "consider",
        "consider",
    ]


def test_usage_errors_exit_2_without_traceback() -> None:
    for args in (["frobnicate"], [], ["diary"], ["diary", "x.csv", "--k2-start", "2024-13-40"]):
        proc = run(args)
        assert proc.returncode == 2, args
        assert proc.stdout == ""
        assert "Traceback" not in proc.stderr
        assert proc.stderr.strip()


def test_version() -> None:
    proc = run(["--version"])
    assert proc.returncode == 0
    assert "cramp-consult" in proc.stdout


def test_interactions_args(capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch) -> None:
    code, out, _ = call(["interactions", "Coumadin 5 mg", "Zzyxqorb"], capsys, mp)
    assert code == 0
    report = InteractionReport.model_validate_json(out)
    assert report.cautions[0].code == "vka_interaction"
    assert report.unresolved == ["Zzyxqorb"]
    assert {e.id for e in report.evidence} >= set(report.cautions[0].evidence)


def test_interactions_file_of_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "meds.txt"
    f.write_text("Xarelto 20 mg\n\nQuestran 4 g\n")
    code, out, _ = call(["interactions", "--file", str(f)], capsys, mp)
    assert code == 0
    codes = {c.code for c in InteractionReport.model_validate_json(out).cautions}
    assert {"doac_no_known_interaction", "absorption_reduced"} <= codes


def test_interactions_without_input_exits_2(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    code, out, err = call(["interactions"], capsys, mp)
    assert (code, out) == (2, "")
    assert "medication" in err


def test_large_batch_in_parallel_keeps_input_order(tmp_path: Path) -> None:
    from core.batch import PARALLEL_MIN_LINES

    n = PARALLEL_MIN_LINES + 7
    lines = [json.dumps({"age": 18 + i % 100, "cramps_per_week": i % 5}) for i in range(n)]
    lines[n - 3] = '{"age": -1}'
    f = tmp_path / "many.jsonl"
    f.write_text("\n".join(lines) + "\n")
    proc = run(["evaluate", str(f)])
    assert proc.returncode == 2  # one bad line
    out = proc.stdout.splitlines()
    assert len(out) == n
    assert json.loads(out[n - 3]) == {"line": n - 2, "error": json.loads(out[n - 3])["error"]}
    for i in (0, 1, 999, 1000, 2500, n - 1):
        reasons = json.loads(out[i])["k2"]["reasons"]
        assert reasons[0].startswith(f"Age {18 + i % 100}:"), (i, reasons[0])


def test_parallel_batch_keeps_order_when_a_later_chunk_finishes_first(tmp_path: Path) -> None:
    """The first chunk is slow (many misspelt names to match), the rest fast: the other worker
    finishes and holds later chunks, and must still write them after the first."""
    from core.batch import BATCH_CHUNK, MAX_PENDING, PARALLEL_MIN_LINES

    n = max(PARALLEL_MIN_LINES, BATCH_CHUNK * (MAX_PENDING + 4))

    def meds(i: int) -> list[str]:  # names new to each line, so no memo shortens the work
        if i >= BATCH_CHUNK:
            return [f"line{i}"]
        slow = (f"{stem}{i}x{k}" for k in range(5) for stem in ("warfarn", "lisnoprl", "metfrmin"))
        return [f"line{i}", *slow]

    lines = [json.dumps({"age": 18 + i % 80, "medications": meds(i)}) for i in range(n)]
    f = tmp_path / "uneven.jsonl"
    f.write_text("\n".join(lines) + "\n")
    proc = run(["evaluate", str(f)])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == n
    firsts = [json.loads(line)["medications"][0]["input"] for line in out]
    assert firsts == [f"line{i}" for i in range(n)]


def test_stdin_pretty_json_that_is_malformed_is_one_error_not_a_batch(
    capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    doc = '{\n  "age": 70,\n  "cramps_per_week": 3,\n}\n'
    code, out, err = call(["evaluate", "-"], capsys, mp, stdin=doc)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1


def test_jsonl_lines_split_on_newline_only(tmp_path: Path) -> None:
    # U+2028 and U+0085 are legal inside a JSON string; str.splitlines() would cut there.
    f = tmp_path / "odd.jsonl"
    good = json.dumps({"age": 70, "medications": ["odd\u2028name\x85x"]}, ensure_ascii=False)
    f.write_text(good + "\n" + '{"age": "x"}' + "\n", encoding="utf-8")
    proc = run(["evaluate", str(f)])
    out = [json.loads(x) for x in proc.stdout.split("\n") if x.strip()]
    assert len(out) == 2
    assert [m["input"] for m in out[0]["medications"]] == ["odd\u2028name\x85x"]
    assert out[1]["line"] == 2


def test_output_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run(
        [sys.executable, "-m", "core", "evaluate", "-"],
        input=b'{"age": 70}',
        capture_output=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "µg" in proc.stdout.decode("utf-8")


def test_parallel_batch_stops_quietly_when_the_reader_leaves(tmp_path: Path) -> None:
    from core.batch import PARALLEL_MIN_LINES

    f = tmp_path / "many.jsonl"
    f.write_text("\n".join(['{"age": 70}'] * (PARALLEL_MIN_LINES * 2)) + "\n")
    cli = subprocess.Popen(
        [sys.executable, "-m", "core", "evaluate", str(f)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert cli.stdout is not None and cli.stderr is not None
    cli.stdout.read(100)
    cli.stdout.close()
    cli.wait(timeout=60)  # a hang here is the bug this test guards against
    err = cli.stderr.read().decode()
    assert cli.returncode == 0, err
    assert "Traceback" not in err
