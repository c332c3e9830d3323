"""The contract's command line: arguments, exit codes and I/O (shared/contract.md).

Output is JSON on stdout. Bad input exits 2 with one message on stderr naming what is wrong
and where; never a traceback. Heavy modules are imported only by the command that needs them,
so ``evaluate`` starts fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, cast

from core import __version__
from core.batch import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    BrokenPipe,
    evaluate_batch,
    parse_profile,
    split_byte_lines,
    split_lines,
    write_out,
)
from core.errors import DataError, InputError
from core.models import MAX_MEDICATIONS, PatientProfile

FORMATS = ("json", "note", "cds-hooks")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")


def _one_line(message: str) -> str:
    """The message on one line: control characters from the input shown as escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), message)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see 'python -m core --help')\n")


def _read_bytes(source: str) -> tuple[bytes, str]:
    """The bytes of FILE or of stdin for '-', with the name used in messages."""
    if source == "-":
        stdin = sys.stdin
        if hasattr(stdin, "buffer"):
            return stdin.buffer.read(), "<stdin>"
        return stdin.read().encode("utf-8", "surrogatepass"), "<stdin>"
    return _read_file(source), source


def _decode(raw: bytes, name: str) -> str:
    """UTF-8 text (a BOM is dropped); otherwise an error naming the line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line}, column {column} "
            "(save the file as UTF-8)",
            where=name,
        ) from None


def _read_text(source: str) -> tuple[str, str]:
    """The text of FILE or of stdin for '-', with the name used in messages."""
    raw, name = _read_bytes(source)
    return _decode(raw, name), name


def _read_file(source: str) -> bytes:
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", where=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", where=source) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", where=source) from None


def _emit(text: str) -> None:
    """Write one document and a newline to stdout as UTF-8."""
    write_out(text.encode("utf-8") + b"\n")


def _looks_like_jsonl(raw: bytes) -> bool:
    """True when stdin holds JSON Lines: its first non-blank line is a JSON object by itself
    and more lines follow. A pretty-printed (even malformed) document is not JSON Lines."""
    text = raw.decode("utf-8-sig", "replace")  # a bad byte in one line must not hide the rest
    lines = [line for line in split_lines(text) if line.strip()]
    if len(lines) < 2:
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except (ValueError, RecursionError):  # JSONDecodeError, huge numbers, deep nesting
        return False


def cmd_evaluate(source: str, *, jsonl: bool, fmt: str = "json") -> int:
    """PatientProfile JSON (or JSON Lines) in; Recommendation JSON, a note or cards out."""
    from core.consult import evaluate, evaluate_json

    raw, name = _read_bytes(source)
    if jsonl or source.endswith(".jsonl") or (source == "-" and _looks_like_jsonl(raw)):
        if fmt != "json":
            raise InputError(f"--format {fmt} takes one profile, not JSON Lines", where=name)
        return evaluate_batch(split_byte_lines(raw), where=name)  # each line decoded alone
    text = _decode(raw, name)
    if not text.strip():
        raise InputError("empty input: expected one patient profile as a JSON object", where=name)
    profile = parse_profile(text, where=name)
    if fmt == "json":
        _emit(evaluate_json(profile))
    elif fmt == "note":
        from core.outputs.note import note_text

        _emit(note_text(evaluate(profile), profile))
    else:
        from core.outputs.cds_hooks import cds_hooks_cards

        _emit(json.dumps(cds_hooks_cards(evaluate(profile)), ensure_ascii=False))
    return EXIT_OK


def cmd_interactions(meds: Sequence[str], file: str | None) -> int:
    """Medication strings (or a file of them, or a FHIR R4 Bundle) in, InteractionReport out."""
    from core.interactions import check_interactions

    not_current: list[tuple[str, str]] = []
    for number, med in enumerate(meds, start=1):
        if _SURROGATE.search(med):  # bytes that were not UTF-8 (os.fsdecode's surrogateescape)
            raise InputError(f"MED {number} ({med!a}) is not UTF-8 text")
    names = list(meds)
    statuses: dict[str, str] = {}
    if file is not None:
        from core.fhir import load_medication_file

        loaded = load_medication_file(Path(file))
        names.extend(loaded.current)
        statuses = dict(loaded.current_status)
        not_current = list(loaded.not_current)
        if not names and not not_current:
            skipped = f" ({len(loaded.skipped)} entered in error)" if loaded.skipped else ""
            raise InputError(
                "no MedicationStatement or MedicationRequest to check in this file" + skipped,
                where=file,
            )
    if not names and not not_current:
        raise InputError("no medication given: name at least one, or use --file FILE")
    count = len(names) + len(not_current)
    if count > MAX_MEDICATIONS:
        raise InputError(
            f"{count} medications; at most {MAX_MEDICATIONS} are checked at once: split the list",
            where=file if file is not None else "MED arguments",
        )
    report = check_interactions(names, not_current=not_current, statuses=statuses)
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


def cmd_cohort(target: str, manifest: str | None) -> int:
    """A folder or ZIP of diaries (one per patient) in, the panel's report JSON out."""
    from core.cohort import DiaryFile, build_report, collect_path

    extra = DiaryFile(manifest, _read_file(manifest)) if manifest is not None else None
    report = build_report(collect_path(Path(target)), extra)
    _emit(report.model_dump_json())
    return EXIT_OK


def _write_pdf(out: str, data: bytes) -> int:
    """Write a PDF to --out and report it on stdout as JSON."""
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write the PDF ({exc.strerror or exc})", where=out) from None
    _emit(json.dumps({"written": out, "bytes": len(data)}))
    return EXIT_OK


def _read_profile(source: str) -> PatientProfile:
    text, name = _read_text(source)
    return parse_profile(text, where=name)


def cmd_report(profile_file: str, diary: str | None, k2_start: dt.date | None, out: str) -> int:
    """A profile (and optionally a diary) in; the consult report PDF written to --out."""
    from core.consult import evaluate
    from core.outputs.report_pdf import report_pdf

    if k2_start is not None and diary is None:
        raise InputError("--k2-start needs --diary FILE")
    profile = _read_profile(profile_file)
    summary = None
    if diary is not None:
        from core.diary import summarize_path

        if not Path(diary).is_file():
            raise InputError("file not found", where=diary)
        summary = summarize_path(Path(diary), k2_start)
    return _write_pdf(out, report_pdf(evaluate(profile), profile, summary))


def cmd_counselling(profile_file: str, override: str | None, out: str) -> int:
    """A profile in; the patient's counselling sheet PDF (refused: exit 2 with the reason)."""
    from core.consult import evaluate
    from core.outputs.counselling_pdf import counselling_pdf

    profile = _read_profile(profile_file)
    return _write_pdf(out, counselling_pdf(evaluate(profile), override=override))


def _origin(value: str) -> str:
    """A CORS origin: scheme://host[:port], nothing else (no wildcard, no path)."""
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", value):
        raise argparse.ArgumentTypeError(
            f"'{value}' is not an origin such as https://ehr.example.org (no '*', no path)"
        )
    return value


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number (1-65535)")
    return int(value)


def cmd_serve_cds(host: str, port: int, origins: Sequence[str]) -> int:
    """Serve the CDS Hooks 2.0 service until interrupted."""
    from core.service import serve

    serve(host, port, tuple(origins))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the contract's command line."""
    parser = _Parser(prog="python -m core", description="Cramp Consult command line (JSON out).")
    parser.add_argument("--version", action="version", version=f"cramp-consult {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ev = sub.add_parser("evaluate", help="PatientProfile JSON -> Recommendation JSON")
    ev.add_argument("file", metavar="FILE|-", help="a profile (.json), profiles (.jsonl), or -")
    ev.add_argument("--jsonl", action="store_true", help="treat the input as JSON Lines")
    ev.add_argument(
        "--format", choices=FORMATS, default="json", help="json (default), note or cds-hooks"
    )

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

    co = sub.add_parser("cohort", help="folder or ZIP of diaries -> clinic panel JSON")
    co.add_argument("target", metavar="DIR_OR_ZIP", help="one diary file per patient")
    co.add_argument("--manifest", default=None, metavar="FILE", help="CSV of file,k2_start")

    rp = sub.add_parser("report", help="PatientProfile JSON -> consult report PDF")
    rp.add_argument("profile", metavar="PROFILE.json")
    rp.add_argument("--diary", default=None, help="a cramp diary export to chart")
    rp.add_argument("--k2-start", type=_parse_date, default=None, help="YYYY-MM-DD")
    rp.add_argument("--out", required=True, metavar="FILE.pdf")

    cs = sub.add_parser("counselling", help="PatientProfile JSON -> patient counselling PDF")
    cs.add_argument("profile", metavar="PROFILE.json")
    cs.add_argument("--override", default=None, metavar="REASON", help="clinician's reason")
    cs.add_argument("--out", required=True, metavar="FILE.pdf")

    sv = sub.add_parser("serve-cds", help="serve the CDS Hooks 2.0 service")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=_port, default=8765)
    sv.add_argument(
        "--cors-origin",
        type=_origin,
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browser calls from this origin (repeatable; none by default)",
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
            return cmd_evaluate(args.file, jsonl=args.jsonl, fmt=args.format)
        if args.command == "interactions":
            return cmd_interactions(args.meds, args.file)
        if args.command == "report":
            return cmd_report(args.profile, args.diary, args.k2_start, args.out)
        if args.command == "counselling":
            return cmd_counselling(args.profile, args.override, args.out)
        if args.command == "cohort":
            return cmd_cohort(args.target, args.manifest)
        if args.command == "serve-cds":
            return cmd_serve_cds(args.host, args.port, args.cors_origin)
        return cmd_diary(args.file, args.k2_start, args.date_order)
    except InputError as exc:
        sys.stderr.write(f"error: {_one_line(str(exc))}\n")
        return EXIT_BAD_INPUT
    except DataError as exc:  # a wrong data file under core/data: one line, exit 1
        sys.stderr.write(f"data error: {exc}\n")
        return 1
    except (BrokenPipeError, BrokenPipe):
        # The reader left; point stdout at /dev/null so the exit flush cannot complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the edge: never a traceback for the user
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_INTERNAL
