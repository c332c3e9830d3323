"""Benchmark of ``python -m core evaluate`` on JSON Lines, against a plain baseline.

Generates N synthetic profiles, then times two whole processes on the same file:
the real command (start-up included) and a baseline that only parses each line with
``json`` and validates it with pydantic. Prints profiles/s and the ratio between them.
Target (issue #2): >= 10,000 profiles/s for the whole process on 100k profiles.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_PER_S = 10_000

MEDS = [
    "warfarin 5 mg", "Coumadin", "Xarelto 20mg", "Eliquis 5 mg bid", "aspirin 81mg",
    "HCTZ 25 mg", "Lasix 40mg bid", "spironolactone 25 mg", "Lipitor 20 mg po qhs",
    "simvastatin 40mg", "lisinopril 10 mg", "amlodipine 5mg", "metoprolol succinate ER 50 mg",
    "Advair Diskus 250/50", "Symbicort", "naproxen 500 mg", "Premarin", "Questran 4 g",
    "orlistat", "metformin 500 mg", "levothyroxine 50 mcg", "omeprazole", "Zestoretic",
    "warfarn", "Lipitr", "unknownium 5 mg",
]  # fmt: skip
CONDITIONS = [
    "diabetes", "peripheral_neuropathy", "ckd", "hemodialysis", "cirrhosis", "hypothyroidism",
    "peripheral_artery_disease", "lumbar_stenosis", "electrolyte_disorder",
    "neuromuscular_disease",
]  # fmt: skip
SYMPTOMS = [
    "urge_to_move", "worse_at_rest", "relieved_by_movement", "worse_in_evening",
    "unilateral_swelling", "exertional_calf_pain", "muscle_weakness", "fasciculations",
    "sensory_loss",
]  # fmt: skip

BASELINE = """
import json, sys
from core.models import PatientProfile
n = 0
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        PatientProfile.model_validate(json.loads(line))
        n += 1
print(n)
"""


def make_profiles(n: int, seed: int = 7) -> list[str]:
    """N synthetic profiles as JSON lines, spanning ages, flags, codes and messy medications."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        age = rng.randint(18, 99)
        sex = rng.choice(["female", "male", "unknown"])
        lines.append(
            json.dumps(
                {
                    "age": age,
                    "sex": sex,
                    # a pregnant male or a pregnancy over 60 is refused (contract)
                    "pregnant": sex == "female" and age <= 60 and rng.random() < 0.02,
                    "cramps_per_week": rng.choice([None, 0.5, 1, 2, 3, 5, 7]),
                    "dehydration": rng.random() < 0.2,
                    "prolonged_sitting": rng.random() < 0.2,
                    "prolonged_standing": rng.random() < 0.2,
                    "medications": rng.sample(MEDS, rng.randint(0, 5)),
                    "conditions": rng.sample(CONDITIONS, rng.randint(0, 2)),
                    "symptoms": rng.sample(SYMPTOMS, rng.randint(0, 2)),
                }
            )
        )
    return lines


def timed(cmd: list[str]) -> float:
    """Wall time of a whole process; its output goes to /dev/null (it can be ~GBs)."""
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {cmd}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    """Generate, time the command and the baseline, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100_000, help="profiles (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profiles.jsonl"
        path.write_text("\n".join(make_profiles(args.n)) + "\n", encoding="utf-8")
        cli = [sys.executable, "-m", "core", "evaluate", str(path)]
        base = [sys.executable, "-c", BASELINE, str(path)]
        cli_s = min(timed(cli) for _ in range(args.repeat))
        base_s = min(timed(base) for _ in range(args.repeat))
    rate = args.n / cli_s
    print(f"evaluate_bench: {args.n} profiles as JSON Lines, best of {args.repeat}")
    print(f"  python -m core evaluate (whole process): {cli_s:.2f} s = {rate:,.0f} profiles/s")
    print(f"  baseline json + pydantic validation:     {base_s:.2f} s = {args.n / base_s:,.0f}/s")
    print(f"  ratio evaluate / baseline time: {cli_s / base_s:.2f}x")
    verdict = "met" if rate >= TARGET_PER_S else "NOT met"
    print(f"  target >= {TARGET_PER_S:,} profiles/s: {verdict}")


if __name__ == "__main__":
    main()
