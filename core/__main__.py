"""Command line of shared/contract.md: ``python -m core evaluate|interactions|diary``.

Output is JSON on stdout. Bad input exits 2 with one message on stderr naming what is wrong
and where; never a traceback. Heavy modules are imported only by the command that needs them,
so ``evaluate`` starts fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, cast

from core import __version__
from core.errors import InputError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see 'python -m core --help')\n")


def _read_text(source: str) -> tuple[str, str]:
    """The text of FILE or of stdin for '-', with the name used in messages."""
    if source == "-":
        stdin = sys.stdin
        raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
        source = "<stdin>"
    else:
        raw = _read_file(source)
    try:
        return raw.decode("utf-8-sig"), source
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", where=source) from None


def _read_file(source: str) -> bytes:
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", where=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", where=source) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", where=source) from None


def _write_out(data: bytes) -> None:
    """Write UTF-8 bytes to stdout, whatever the locale's encoding (or a text-only stream)."""
    out = sys.stdout
    out.flush()
    if hasattr(out, "buffer"):
        out.buffer.write(data)
    else:
        out.write(data.decode("utf-8"))
    out.flush()


def _emit(text: str) -> None:
    """Write one JSON document and a newline to stdout as UTF-8."""
    _write_out(text.encode("utf-8") + b"\n")


def _lines(text: str) -> list[str]:
    """JSON Lines split on newline only: U+2028 or a form feed inside a line stays in it."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def _profile_error(exc: Exception) -> str:
    """A readable message for a profile that failed to parse or validate."""
    from pydantic import ValidationError

    from core.models import format_validation_error

    if isinstance(exc, ValidationError):
        json_errors = [e for e in exc.errors() if e["type"] == "json_invalid"]
        if json_errors:
            return str(json_errors[0]["msg"])
        if exc.errors() and exc.errors()[0]["type"] == "model_type":
            return "expected a JSON object (a patient profile)"
        return format_validation_error(exc)
    return str(exc)


def _looks_like_jsonl(text: str) -> bool:
    """True when stdin holds JSON Lines: its first non-blank line is a JSON object by itself
    and more lines follow. A pretty-printed (even malformed) document is not JSON Lines."""
    lines = [line for line in _lines(text) if line.strip()]
    if len(lines) < 2:
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except (ValueError, RecursionError):  # JSONDecodeError, huge numbers, deep nesting
        return False


def cmd_evaluate(source: str, *, jsonl: bool) -> int:
    """PatientProfile JSON (or JSON Lines) in, Recommendation JSON out."""
    from pydantic import ValidationError

    from core.models import PatientProfile
    from core.rules import evaluate_json

    text, name = _read_text(source)
    if jsonl or source.endswith(".jsonl") or (source == "-" and _looks_like_jsonl(text)):
        return _evaluate_batch(text)
    if not text.strip():
        raise InputError("empty input: expected one patient profile as a JSON object", where=name)
    try:
        profile = PatientProfile.model_validate_json(text)
    except ValidationError as exc:
        raise InputError(_profile_error(exc), where=name) from None
    _emit(evaluate_json(profile))
    return EXIT_OK


BATCH_CHUNK = 1000
PARALLEL_MIN_LINES = 4 * BATCH_CHUNK


def _evaluate_chunk(job: tuple[int, list[str]]) -> tuple[bytes, int]:
    """Evaluate consecutive lines (the first is line ``job[0]``): JSON lines out, and failures."""
    from pydantic import ValidationError

    from core.models import PatientProfile
    from core.rules import evaluate_json_bytes

    first, lines = job
    out: list[bytes] = []
    failed = 0
    for number, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        try:
            profile = PatientProfile.model_validate_json(line)
        except ValidationError as exc:
            failed += 1
            out.append(json.dumps({"line": number, "error": _profile_error(exc)}).encode())
            continue
        out.append(evaluate_json_bytes(profile))
    return (b"\n".join(out) + b"\n" if out else b""), failed


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


def _write_all(data: bytes) -> None:
    """Write bytes straight to file descriptor 1 (shared by forked workers)."""
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


class _BrokenPipe(Exception):
    """The reader of stdout went away (``| head``): stop quietly."""


def _run_parallel(jobs: list[tuple[int, list[str]]], workers: int) -> int:
    """Evaluate chunks in forked workers that write to stdout in turn, in input order.

    Worker k takes chunks k, k+W, ...; each waits for its chunk's turn before writing, so
    output never passes through the parent. A worker that fails raises the abort flag, so
    the others stop at their next turn instead of waiting for ever. Returns the number of
    failed lines.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    turn = ctx.Value("l", 0, lock=False)
    abort = ctx.Value("l", 0, lock=False)  # 1: a worker failed; 2: stdout was closed
    cond = ctx.Condition()
    failures = ctx.Array("l", workers, lock=False)

    def work(k: int) -> None:
        code = 0
        try:
            for index in range(k, len(jobs), workers):
                chunk, bad = _evaluate_chunk(jobs[index])
                failures[k] += bad
                with cond:
                    cond.wait_for(lambda i=index: turn.value == i or abort.value)  # type: ignore[misc]
                    if abort.value:
                        break
                    _write_all(chunk)
                    turn.value = index + 1
                    cond.notify_all()
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
        raise _BrokenPipe
    if abort.value or any(proc.exitcode != 0 for proc in procs):
        raise RuntimeError("a batch worker failed")
    return sum(failures)


def _evaluate_batch(text: str) -> int:
    """One profile a line in, one JSON object a line out, in input order; bad lines reported.

    Large batches are split into chunks evaluated by one worker process per core (forked, so
    the loaded rules are shared); the output order is the input order either way.
    """
    from core.rules import ruleset

    ruleset()  # load before forking, so workers share it
    lines = _lines(text)
    jobs = [(i + 1, lines[i : i + BATCH_CHUNK]) for i in range(0, len(lines), BATCH_CHUNK)]
    # Many short-lived objects and large caches: collecting the caches over and over costs
    # more than the rules, so freeze what exists and collect rarely.
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    workers = min(os.cpu_count() or 1, 4)
    sys.stdout.flush()
    if workers > 1 and len(lines) >= PARALLEL_MIN_LINES and _stdout_is_fd1() and _can_fork():
        failed = _run_parallel(jobs, workers)
    else:
        failed = 0
        for job in jobs:
            chunk, bad = _evaluate_chunk(job)
            _write_out(chunk)
            failed += bad
    if failed:
        sys.stderr.write(f"{failed} line(s) failed; see the objects with an 'error' field\n")
        return EXIT_BAD_INPUT
    return EXIT_OK


def cmd_interactions(meds: Sequence[str], file: str | None) -> int:
    """Medication strings (or a file of them, or a FHIR R4 Bundle) in, InteractionReport out."""
    from core.interactions import check_interactions

    not_current: list[tuple[str, str]] = []
    names = list(meds)
    if file is not None:
        from core.fhir import load_medication_file

        loaded = load_medication_file(Path(file))
        names.extend(loaded.current)
        not_current = list(loaded.not_current)
    if not names and not not_current:
        raise InputError("no medication given: name at least one, or use --file FILE")
    report = check_interactions(names, not_current=not_current)
    _emit(report.model_dump_json())
    return EXIT_OK


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date as YYYY-MM-DD") from None


def cmd_diary(file: str, k2_start: dt.date | None, date_order: str) -> int:
    """A diary export in, DiarySummary JSON out."""
    from core.diary import DateOrder, summarize_path

    path = Path(file)
    if not path.is_file():
        raise InputError("file not found", where=file)
    summary = summarize_path(path, k2_start, date_order=cast("DateOrder", date_order))
    _emit(summary.model_dump_json())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the contract's command line."""
    parser = _Parser(prog="python -m core", description="Cramp Consult command line (JSON out).")
    parser.add_argument("--version", action="version", version=f"cramp-consult {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ev = sub.add_parser("evaluate", help="PatientProfile JSON -> Recommendation JSON")
    ev.add_argument("file", metavar="FILE|-", help="a profile (.json), profiles (.jsonl), or -")
    ev.add_argument("--jsonl", action="store_true", help="treat the input as JSON Lines")

    ia = sub.add_parser("interactions", help="medications -> vitamin K2 InteractionReport")
    ia.add_argument("meds", metavar="MED", nargs="*", help="medication as written")
    ia.add_argument("--file", help="one medication a line, or a FHIR R4 Bundle (.json)")

    di = sub.add_parser("diary", help="cramp diary export -> DiarySummary")
    di.add_argument("file", metavar="FILE")
    di.add_argument("--k2-start", type=_parse_date, default=None, help="YYYY-MM-DD")
    di.add_argument(
        "--date-order",
        choices=["auto", "ymd", "mdy", "dmy"],
        default="auto",
        help="how to read dates such as 03/04/2024 when the file cannot tell",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already reported
        return done.code if isinstance(done.code, int) else EXIT_BAD_INPUT
    try:
        if args.command == "evaluate":
            return cmd_evaluate(args.file, jsonl=args.jsonl)
        if args.command == "interactions":
            return cmd_interactions(args.meds, args.file)
        return cmd_diary(args.file, args.k2_start, args.date_order)
    except InputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
    except (BrokenPipeError, _BrokenPipe):
        # The reader left; point stdout at /dev/null so the exit flush cannot complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the edge: never a traceback for the user
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
