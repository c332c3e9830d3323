"""The JSON Lines batch of ``evaluate``: one profile a line, one JSON object a line out.

A bad line does not stop the batch: its output line is ``{"line": N, "error": "..."}`` and the
exit status is 2 (contract). Large batches run in forked workers that write in input order.
Also holds the profile parsing and stdout helpers the command line shares with the batch.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from collections.abc import Iterator

from core.errors import InputError
from core.models import PatientProfile

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2


def write_out(data: bytes) -> None:
    """Write UTF-8 bytes to stdout, whatever the locale's encoding (or a text-only stream)."""
    out = sys.stdout
    out.flush()
    if hasattr(out, "buffer"):
        out.buffer.write(data)
    else:
        out.write(data.decode("utf-8"))
    out.flush()


def split_lines(text: str) -> list[str]:
    """JSON Lines split on newline only: U+2028 or a form feed inside a line stays in it."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def split_byte_lines(raw: bytes) -> list[str | bytes]:
    """JSON Lines from bytes, each line decoded alone: a line that is not UTF-8 stays bytes,
    to be reported at its own line while the other lines are evaluated."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return list(split_lines(raw.decode("utf-8")))
    except UnicodeDecodeError:
        pass
    out: list[str | bytes] = []
    for line in raw.split(b"\n"):
        line = line.removesuffix(b"\r")
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line)
    return out


def not_utf8_message(line: bytes) -> str:
    """Why a line of bytes is refused, naming the first bad byte's column."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            f"not UTF-8 text: byte 0x{line[exc.start]:02x} at column {exc.start + 1} "
            "(save the file as UTF-8)"
        )
    return "not UTF-8 text"


def profile_error(exc: Exception) -> str:
    """A readable message for a profile that failed to parse or validate."""
    from pydantic import ValidationError

    from core.models import format_validation_error

    if isinstance(exc, InputError):
        return exc.message
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        if errors and errors[0]["type"] == "model_type":
            return "expected a JSON object (a patient profile)"
        return format_validation_error(exc)
    return str(exc)


def parse_profile(text: str, *, where: str = "input", line_offset: int = 0) -> PatientProfile:
    """A PatientProfile from JSON text; duplicate keys, bad JSON or bad fields raise InputError."""
    from pydantic import ValidationError

    from core import jsonio

    data = jsonio.loads(text, where=where, line_offset=line_offset)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object (a patient profile)", where=where)
    try:
        return PatientProfile.model_validate(data)
    except ValidationError as exc:
        raise InputError(profile_error(exc), where=where) from None


BATCH_CHUNK = 1000
PARALLEL_MIN_LINES = 4 * BATCH_CHUNK


def _evaluate_chunk(job: tuple[int, list[str | bytes]]) -> tuple[list[bytes], int]:
    """Evaluate consecutive lines (the first is line ``job[0]``): the JSON lines out as
    pieces (each line's parts, then a newline), and the number of failures."""
    from core.consult.fastjson import evaluate_json_parts

    first, lines = job
    out: list[bytes] = []
    failed = 0
    for number, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        try:
            if isinstance(line, bytes):
                raise InputError(not_utf8_message(line), where=f"line {number}")
            profile = parse_profile(line, where=f"line {number}", line_offset=number - 1)
        except InputError as exc:
            failed += 1
            out.append(json.dumps({"line": number, "error": exc.message}).encode())
            out.append(b"\n")
            continue
        out.extend(evaluate_json_parts(profile))
        out.append(b"\n")
    return out, failed


def _can_fork() -> bool:
    """Whether forked workers are available (they share the loaded rules for free)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _stdout_is_fd1() -> bool:
    """Whether stdout is the process's file descriptor 1 (not a replaced stream)."""
    try:
        return sys.stdout.fileno() == 1
    except (AttributeError, OSError, ValueError):
        return False


_IOV_MAX = 1024  # pieces per writev call (POSIX guarantees at least 16; Linux takes 1024)


def _write_all(parts: list[bytes]) -> None:
    """Write the pieces straight to file descriptor 1 (shared by forked workers) with
    ``writev``: the shared cached pieces are never copied into one buffer."""
    pending: list[bytes | memoryview] = list(parts)
    start = 0
    while start < len(pending):
        written = os.writev(1, pending[start : start + _IOV_MAX])
        while start < len(pending) and written >= len(pending[start]):
            written -= len(pending[start])
            start += 1
        if written:  # a piece written in part: the rest of it goes next
            pending[start] = memoryview(pending[start])[written:]


class BrokenPipe(Exception):
    """The reader of stdout went away (``| head``): stop quietly."""


MAX_PENDING = 4  # finished chunks a worker may hold while an earlier one is still being made


def _run_parallel(jobs: list[tuple[int, list[str | bytes]]], workers: int) -> int:
    """Evaluate chunks in forked workers that write to stdout in turn, in input order.

    Each worker claims the next chunk from a shared counter (a worker slowed by the machine
    simply takes fewer), and writes its finished chunks as soon as their turn comes, holding
    up to ``MAX_PENDING`` of them instead of waiting after each one; output never passes
    through the parent. A worker that fails raises the abort flag, so the others stop instead
    of waiting for ever. Returns the number of failed lines.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    claim = ctx.Value("l", 0)  # the next chunk to take (with its own lock)
    turn = ctx.Value("l", 0, lock=False)  # the next chunk to write
    abort = ctx.Value("l", 0, lock=False)  # 1: a worker failed; 2: stdout was closed
    cond = ctx.Condition()
    failures = ctx.Array("l", workers, lock=False)

    def flush(pending: dict[int, list[bytes]], limit: int) -> None:
        """Write what is due; wait while more than ``limit`` chunks are held."""
        with cond:
            while not abort.value:
                if turn.value in pending:
                    _write_all(pending.pop(turn.value))
                    turn.value += 1
                    cond.notify_all()
                elif len(pending) > limit:
                    cond.wait()
                else:
                    return

    def work(k: int) -> None:
        code = 0
        pending: dict[int, list[bytes]] = {}
        try:
            while not abort.value:
                with claim.get_lock():
                    index = claim.value
                    claim.value += 1
                if index >= len(jobs):
                    break
                pending[index], bad = _evaluate_chunk(jobs[index])
                failures[k] += bad
                flush(pending, MAX_PENDING)
            flush(pending, 0)
        except BrokenPipeError:
            code = 2
        except BaseException as exc:  # report in one line; the parent exits non-zero
            sys.stderr.write(f"internal error in a batch worker: {type(exc).__name__}: {exc}\n")
            code = 1
        if code:
            with cond:
                abort.value = code
                cond.notify_all()
        os._exit(1 if code == 1 else 0)  # no interpreter teardown, no traceback

    procs = [ctx.Process(target=work, args=(k,), daemon=True) for k in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    if abort.value == 2:
        raise BrokenPipe
    if abort.value or any(proc.exitcode != 0 for proc in procs):
        raise RuntimeError("a batch worker failed")
    return sum(failures)


def evaluate_batch(text: str | list[str | bytes], *, where: str = "input") -> int:
    """One profile a line in, one JSON object a line out, in input order; bad lines reported.

    ``text`` is the whole text or its lines (bytes for a line that is not UTF-8). Input with
    no profile line at all is an error, not a silent success. Large batches are split into
    chunks evaluated by one worker process per core (forked, so the loaded rules are shared);
    the output order is the input order either way.
    """
    from core.consult import check_data
    from core.memo import memo_scope

    lines: list[str | bytes] = list(split_lines(text)) if isinstance(text, str) else text
    if not any(line.strip() for line in lines):
        raise InputError(
            "empty input: expected one patient profile (a JSON object) a line", where=where
        )
    check_data()  # load and check every data file before forking, so workers share them
    # Work on repeated names and lists is memoised for this batch only (forked workers start
    # from its empty memo); nothing typed outlives the call.
    with memo_scope():
        return _run_batch(lines, where)


@contextlib.contextmanager
def _no_collector() -> Iterator[None]:
    """The cyclic garbage collector off for a batch, as it was afterwards.

    A batch makes many short-lived objects beside large memo tables and no reference cycles
    (tests/cli/test_batch_gc.py holds it, bad lines included), so the collector would only
    walk the tables again and again: with it on, it cost more than some of the rules.
    Reference counting still frees everything as soon as it is unused.
    """
    enabled = gc.isenabled()
    gc.freeze()  # what exists now is never walked (forked workers share its pages)
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _run_batch(lines: list[str | bytes], where: str) -> int:
    jobs = [(i + 1, lines[i : i + BATCH_CHUNK]) for i in range(0, len(lines), BATCH_CHUNK)]
    workers = min(os.cpu_count() or 1, 4)
    sys.stdout.flush()
    with _no_collector():
        if workers > 1 and len(lines) >= PARALLEL_MIN_LINES and _stdout_is_fd1() and _can_fork():
            failed = _run_parallel(jobs, workers)
        else:
            failed = 0
            direct = _stdout_is_fd1()
            for job in jobs:
                chunk, bad = _evaluate_chunk(job)
                if direct:
                    _write_all(chunk)
                else:
                    write_out(b"".join(chunk))
                failed += bad
    if failed:
        sys.stderr.write(
            f"{where}: {failed} line(s) failed; see the objects with an 'error' field\n"
        )
        return EXIT_BAD_INPUT
    return EXIT_OK
