"""The batch's memoised path gives, patient by patient, exactly the model's JSON.

Inside a ``memo_scope`` each rule stage, each worded segment and each medication list is
computed once and shared by later patients with the same facts or values; a wrong key would
hand one patient another's wording. Checked on the benchmark's own mixed profiles (ages,
flags, brands, typos, unknown names), twice over so the second pass is served from the memo.
"""

from __future__ import annotations

from bench.evaluate_bench import make_profiles
from core.batch import parse_profile
from core.consult import evaluate, evaluate_json_bytes
from core.memo import memo_scope


def test_every_memoised_output_equals_the_unmemoised_model_json() -> None:
    profiles = [parse_profile(line) for line in make_profiles(600, seed=11)]
    expected = [evaluate(p).model_dump_json().encode() for p in profiles]  # no scope: no memo
    with memo_scope():
        for _ in range(2):
            got = [evaluate_json_bytes(p) for p in profiles]
            mismatched = [i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
            assert not mismatched, f"profiles {mismatched[:5]} differ from their model JSON"


def test_the_memoised_model_equals_the_unmemoised_one() -> None:
    profiles = [parse_profile(line) for line in make_profiles(300, seed=12)]
    expected = [evaluate(p) for p in profiles]
    with memo_scope():
        got = [evaluate(p) for p in profiles]
    assert got == expected
