"""The fuzz budget and the checks every fuzz test shares.

``FUZZ_EXAMPLES`` sets the examples per entry point (default 50, for ``make test``;
``make fuzz`` asks for 10,000). Each example must finish: hypothesis fails one slower than
5 s (a hang guard, not a speed target) and a hard alarm stops one that would run for ever.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import timedelta
from types import FrameType

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
HARD_LIMIT_S = 60

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5),
    suppress_health_check=list(HealthCheck),
    derandomize="FUZZ_EXAMPLES" not in os.environ,  # make test: the same examples every run
    database=None,
    print_blob=True,
)

COUNTS: Counter[str] = Counter()

# Words that say where a problem is; every refusal must hold one (or the file's name).
WHERE_WORDS = ("line", "column", "row", "field", "entry", "MED", "medication", "<stdin>")


class Hang(Exception):
    """One example ran past the hard limit."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"one example ran for more than {HARD_LIMIT_S} s")


@contextlib.contextmanager
def example(entry_point: str) -> Iterator[None]:
    """Count one example of an entry point and stop it if it hangs."""
    COUNTS[entry_point] += 1
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, HARD_LIMIT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def names_where(message: str, *names: str) -> bool:
    """Whether a refusal says where the problem is."""
    return any(n and n in message for n in names) or any(w in message for w in WHERE_WORDS)


def run_cli(args: Sequence[str], stdin: bytes = b"") -> tuple[int, bytes, str]:
    """``core.cli.main`` with bytes on stdin: exit status, stdout bytes and stderr text."""
    from core.cli import main

    out = io.BytesIO()
    err = io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    threshold = gc.get_threshold()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout = stdout
    sys.stderr = err
    try:
        code = main(list(args))
        stdout.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        stdout.detach()  # keep ``out`` open after the wrapper goes
        gc.unfreeze()  # the batch freezes the heap for speed; undo it between examples
        gc.set_threshold(*threshold)
    return code, out.getvalue(), err.getvalue()


def check_refusal(code: int, out: bytes, err: str, *names: str) -> None:
    """Exit 2, nothing on stdout, one line on stderr that names where."""
    assert code == 2, (code, err)
    assert out == b"", out[:200]
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[:500]
    assert lines[0].startswith("error: "), lines[0][:300]
    assert names_where(lines[0], *names), lines[0][:300]


def check_no_crash(code: int, err: str) -> None:
    """Success or a refusal; never an internal error or a traceback."""
    assert code in (0, 2), err[-2000:]
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
