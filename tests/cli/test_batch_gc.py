"""A batch makes no reference cycles, so it may run with the cyclic collector off.

Run in a fresh interpreter, so that nothing but the batch allocates between the collections:
bench profiles (brands, typos, unknown names, red flags) and every kind of bad line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc, json
from bench.evaluate_bench import make_profiles
from core import batch
from core.consult import check_data
from core.memo import memo_scope

check_data()
bad = ['{"age": 70, "medications": 5}', '{"age": -1}', "not json", '{"age": 1, "age": 2}',
       '[]', '{"age": NaN}', b"\\xff\\xfe", '{"age": 70, "medications": ["x" ]' ]
lines = make_profiles(3000, seed=5) + bad * 50
gc.collect()
gc.disable()
with memo_scope():
    for start in range(0, len(lines), 1000):
        batch._evaluate_chunk((start + 1, lines[start : start + 1000]))
print(json.dumps({"cyclic_garbage": gc.collect()}))
"""


def test_evaluating_a_batch_leaves_no_cyclic_garbage() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == '{"cyclic_garbage": 0}'
