"""Clinic panel benchmark (issue #12, item 5): 500 diaries of a year each, about 400 rows.

Generates the panel (synthetic, one episode a row, ISO dates, K2 from mid-way, some
patients improving and some not) in a temporary directory, then measures in the same run:

- in process: ``collect_dir`` + ``build_report`` (reading, flags, pooling) against reading
  the same files with bare ``pandas.read_csv`` (best of several runs each);
- as processes: ``python -m core cohort DIR`` against
  ``python -c "import pandas; [pandas.read_csv(f) for f in files]"`` (wall time);
- the page: the Streamlit AppTest run that takes the 500 uploaded files and shows the
  panel (reading, flags, pool, forest plot and table).

Targets (checked here, not by timed tests): ours at most 3x bare pandas; the command line
within 3 s and the page within 5 s on this machine. Exit 1 if a target is missed.

Run: ``.venv/bin/python bench/cohort_bench.py [--files 500] [--rows 400] [--no-page]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.cohort import build_report, collect_dir  # noqa: E402

RATIO_TARGET = 3.0
CLI_TARGET_S = 3.0
PAGE_TARGET_S = 5.0
NOTES = np.array(["", "", "", "calf", "woke up", "foot", "stretched, eased"])


def generate(folder: Path, files: int, rows: int, seed: int = 12) -> None:
    """Write ``files`` synthetic year-long diaries of about ``rows`` rows each."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01")
    for i in range(files):
        effect = rng.choice([0.35, 0.6, 1.0, 1.4])  # after / before rate ratio
        before = rows / (182 + 183 * effect)
        n_before = rng.poisson(before * 182)
        n_after = rng.poisson(before * effect * 183)
        days = np.sort(
            np.concatenate([rng.integers(0, 182, n_before), rng.integers(182, 365, n_after)])
        )
        n = len(days)
        hours = rng.choice(np.r_[21:24, 0:7], n)
        frame = pd.DataFrame(
            {
                "date": (start + days.astype("timedelta64[D]")).astype(str),
                "time": [
                    f"{h:02d}:{m:02d}" for h, m in zip(hours, rng.integers(0, 60, n), strict=True)
                ],
                "duration_min": np.round(rng.gamma(2.0, 1.2, n), 1),
                "severity": rng.integers(1, 11, n),
                "side": rng.choice(np.array(["L", "R", "Both"]), n),
                "notes": rng.choice(NOTES, n),
                "supplement": np.where(days >= 182, "MK-7 180mcg", ""),
            }
        )
        frame.to_csv(folder / f"patient_{i:04d}.csv", index=False)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def wall(cmd: Sequence[str], repeat: int) -> float:
    """Fastest wall time of a command, in seconds (it must succeed)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"command failed: {' '.join(cmd)}\n{done.stderr.decode()}")
    return min(times)


def bench_page(folder: Path) -> float:
    """Seconds for the page's run that takes the uploaded files and shows the panel."""
    from streamlit.testing.v1 import AppTest

    uploads = [(p.name, p.read_bytes(), "text/csv") for p in sorted(folder.glob("*.csv"))]
    at = AppTest.from_file(str(ROOT / "pages" / "panel.py"), default_timeout=300)
    at.run()
    at.file_uploader(key="panel_files").set_value(uploads)
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    if at.exception:
        raise SystemExit(f"page raised: {at.exception[0].value}")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the figures and whether each target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-page", action="store_true")
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="cohort_bench_") as tmp:
        folder = Path(tmp) / "panel"
        folder.mkdir()
        generate(folder, args.files, args.rows)
        paths = sorted(folder.glob("*.csv"))
        rows = sum(len(p.read_bytes().splitlines()) - 1 for p in paths)
        size = sum(p.stat().st_size for p in paths) / 1e6
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"panel: {len(paths)} diaries, {rows:,} rows, {size:.1f} MB | "
            f"{len(os.sched_getaffinity(0))} CPUs, load average {load} (others' work skews figures)"
        )

        bare = best_of(lambda: [pd.read_csv(p) for p in paths], args.repeat)
        ours = best_of(lambda: build_report(collect_dir(folder)), args.repeat)
        serial = best_of(lambda: build_report(collect_dir(folder), workers=1), 1)
        report = build_report(collect_dir(folder))
        ratio = ours / bare
        ok &= ratio <= RATIO_TARGET
        print(
            f"in process: bare pandas.read_csv {bare:6.2f} s | cohort {ours:6.2f} s "
            f"(one process {serial:6.2f} s) | ratio {ratio:4.1f}x (target <= {RATIO_TARGET:.0f}x)"
        )
        pooled = report.pooled
        print(
            f"  {len(report.patients)} patients, {len(report.refused)} refused; pooled "
            + (
                f"{pooled.rate_ratio:.3f} ({pooled.ci95[0]:.3f}-{pooled.ci95[1]:.3f}), "
                f"I2 {pooled.i2:.0f}%"
                if pooled
                else "none"
            )
        )

        listing = Path(tmp) / "files.txt"
        listing.write_text("\n".join(str(p) for p in paths))
        bare_cmd = [
            sys.executable,
            "-c",
            "import sys, pandas; [pandas.read_csv(f) for f in open(sys.argv[1]).read().split()]",
            str(listing),
        ]
        cli_cmd = [sys.executable, "-m", "core", "cohort", str(folder)]
        bare_p = wall(bare_cmd, args.repeat)
        cli_p = wall(cli_cmd, args.repeat)
        ok &= cli_p <= CLI_TARGET_S and cli_p / bare_p <= RATIO_TARGET
        print(
            f"processes: bare pandas {bare_p:6.2f} s | python -m core cohort {cli_p:6.2f} s "
            f"| ratio {cli_p / bare_p:4.1f}x | CLI target <= {CLI_TARGET_S:.0f} s: "
            + ("met" if cli_p <= CLI_TARGET_S else "MISSED")
        )
        if not args.no_page:
            page = bench_page(folder)
            ok &= page <= PAGE_TARGET_S
            print(
                f"page (AppTest run with {len(paths)} uploads): {page:6.2f} s | target <= "
                f"{PAGE_TARGET_S:.0f} s: " + ("met" if page <= PAGE_TARGET_S else "MISSED")
            )
    print("all targets met" if ok else "some targets MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
