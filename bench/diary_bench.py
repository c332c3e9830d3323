"""Diary benchmark (issue #4, item 7): read + validate + aggregate vs a bare pandas.read_csv.

Generates synthetic diaries of 10k, 100k and 1M rows (about 39 bytes a row: the 1M file is
about 39 MB) in a temporary directory, then prints for each size:

- in process: read_diary + summarize time, and its ratio to pandas.read_csv of the same
  file measured in the same run (best of several runs each);
- as processes: ``python -m core diary FILE`` vs ``python -c "import pandas;
  pandas.read_csv(FILE)"`` wall time, their ratio, and the peak RSS of each (os.wait4).

Targets (checked here, not by timed tests): on the 1M-row file the whole CLI process takes at
most 2.5x the bare pandas process and peaks at no more than 450 MB RSS (issue 7 §4); a rerun
of the diary page with a 100k-row diary loaded takes at most 250 ms (Streamlit AppTest).

Run: ``.venv/bin/python bench/diary_bench.py [--sizes 10000,100000,1000000] [--no-page]``.
The data are synthetic; nothing is written outside the temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.diary import read_diary, summarize  # noqa: E402

PROCESS_RATIO_TARGET = 2.5
RSS_TARGET_MB = 450.0
RERUN_TARGET_MS = 250.0
NOTES = np.array(["", "", "", "calf", "woke up", "foot", "stretched, eased", "long walk"])


def generate(rows: int, path: Path, seed: int = 4) -> None:
    """Write a synthetic episode-per-row diary of ``rows`` rows (ISO dates, K2 from mid-way)."""
    rng = np.random.default_rng(seed)
    span_days = min(max(56, rows // 3), 3650)
    days = np.sort(rng.integers(0, span_days, rows))
    start = np.datetime64("2015-01-05")
    dates = (start + days.astype("timedelta64[D]")).astype(str)
    hour = rng.choice(np.r_[np.arange(21, 24), np.arange(0, 7)], rows)
    minute = rng.integers(0, 60, rows)
    times = np.char.add(
        np.char.add(np.char.zfill(hour.astype(str), 2), ":"), np.char.zfill(minute.astype(str), 2)
    )
    frame = pd.DataFrame(
        {
            "date": dates,
            "time": times,
            "duration_min": np.round(rng.gamma(2.0, 1.2, rows), 1),
            "severity": rng.integers(1, 11, rows),
            "side": rng.choice(np.array(["L", "R", "Both"]), rows),
            "notes": rng.choice(NOTES, rows),
            "supplement": np.where(days >= span_days // 2, "MK-7 180mcg", ""),
        }
    )
    frame.to_csv(path, index=False)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# A small launcher process starts each measured command, so the child's peak RSS is its
# own and not inherited from this (large) benchmark process at fork time.
_LAUNCHER = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t0
err = proc.stderr.read().decode("utf-8", "replace")[-300:]
print(json.dumps({"wall": wall, "rss_kb": usage.ru_maxrss,
                  "rc": os.waitstatus_to_exitcode(status), "stderr": err}))
"""


def run_process(cmd: Sequence[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of one child process."""
    out = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *cmd], cwd=ROOT, capture_output=True, text=True
    )
    result = json.loads(out.stdout)
    if result["rc"] != 0:
        print(f"    command failed ({result['rc']}): {result['stderr'].strip()}")
    return float(result["wall"]), result["rss_kb"] / 1024.0, int(result["rc"])


def diary_command(path: Path) -> list[str]:
    """``python -m core diary FILE``: the whole command-line process."""
    return [sys.executable, "-m", "core", "diary", str(path)]


def bench_size(rows: int, tmp: Path, repeat: int) -> dict[str, float]:
    """Measure one diary size; prints one block and returns the figures."""
    path = tmp / f"diary_{rows}.csv"
    generate(rows, path)
    size_mb = path.stat().st_size / 1e6
    data = path.read_bytes()

    def ours() -> object:
        return summarize(read_diary(data, path.name))

    def bare() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas' mixed-type DtypeWarning: noise here
            return pd.read_csv(path)

    ours()  # warm caches (imports, regex compilation) before timing
    t_ours = best_of(ours, repeat)
    t_bare = best_of(bare, repeat)
    diary_cmd = diary_command(path)
    bare_cmd = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
    # Interleaved, best of three: on a shared machine a burst of load then hits both.
    cli, base = [], []
    for _ in range(3):
        cli.append(run_process(diary_cmd))
        base.append(run_process(bare_cmd))
    cli_wall = min(r[0] for r in cli)
    base_wall = min(r[0] for r in base)
    cli_rss = max(r[1] for r in cli)
    base_rss = max(r[1] for r in base)
    failed = any(r[2] != 0 for r in cli)
    print(f"{rows:>9,} rows  {size_mb:6.1f} MB")
    print(
        f"    in process: read+validate+aggregate {t_ours * 1000:8.1f} ms | "
        f"pandas.read_csv {t_bare * 1000:8.1f} ms | ratio {t_ours / t_bare:5.2f}"
    )
    print(
        f"    processes:  {' '.join(diary_cmd[1:3])} diary {cli_wall:6.2f} s "
        f"(peak RSS {cli_rss:6.0f} MB) | bare pandas {base_wall:6.2f} s "
        f"(peak RSS {base_rss:6.0f} MB) | ratio {cli_wall / base_wall:5.2f}"
        + ("  [CLI FAILED]" if failed else "")
    )
    return {
        "rows": rows,
        "size_mb": size_mb,
        "ratio_in_process": t_ours / t_bare,
        "ratio_process": cli_wall / base_wall,
        "cli_rss_mb": cli_rss,
        "failed": float(failed),
    }


def bench_page(tmp: Path, rows: int = 100_000, reruns: int = 5) -> float:
    """Median page rerun time (ms) with a ``rows``-row diary uploaded (AppTest)."""
    from streamlit.testing.v1 import AppTest

    path = tmp / f"page_{rows}.csv"
    generate(rows, path)
    at = AppTest.from_file(str(ROOT / "pages" / "diary.py"), default_timeout=120)
    at.run()
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "text/csv"))
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    if at.exception:
        print(f"    page raised: {at.exception[0].value}")
    times = []
    for _ in range(reruns):
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    median_ms = statistics.median(times) * 1000
    print(
        f"page (AppTest) with {rows:,} rows: first run {first * 1000:7.1f} ms, "
        f"rerun median {median_ms:6.1f} ms (of {reruns})"
    )
    return median_ms


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print whether the targets are met (exit 1 if not)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-page", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results = []
    with tempfile.TemporaryDirectory(prefix="diary_bench_") as name:
        tmp = Path(name)
        print(f"python {sys.version.split()[0]}, pandas {pd.__version__}, {os.cpu_count()} CPUs")
        for rows in sizes:
            results.append(bench_size(rows, tmp, args.repeat if rows < 1_000_000 else 2))
        rerun_ms = None if args.no_page else bench_page(tmp)
    ok = True
    largest = max(results, key=lambda r: r["rows"])
    if largest["rows"] >= 1_000_000:
        ratio_ok = largest["ratio_process"] <= PROCESS_RATIO_TARGET
        rss_ok = largest["cli_rss_mb"] <= RSS_TARGET_MB
        ok &= ratio_ok and rss_ok and not largest["failed"]
        print(
            f"target: 1M-row CLI process <= {PROCESS_RATIO_TARGET:.1f}x bare pandas: "
            f"{'met' if ratio_ok else 'NOT met'} ({largest['ratio_process']:.2f}x)"
        )
        print(
            f"target: peak RSS <= {RSS_TARGET_MB:.0f} MB: "
            f"{'met' if rss_ok else 'NOT met'} ({largest['cli_rss_mb']:.0f} MB)"
        )
    if rerun_ms is not None:
        page_ok = rerun_ms <= RERUN_TARGET_MS
        ok &= page_ok
        print(
            f"target: page rerun with 100k rows <= {RERUN_TARGET_MS:.0f} ms: "
            f"{'met' if page_ok else 'NOT met'} ({rerun_ms:.0f} ms)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
