"""The panel's manifest: a small CSV of (file, k2_start) that names each patient's K2 start.

A blank k2_start keeps the date read from the diary's supplement column. Every problem is
refused with the manifest's name and line, so no K2 date is guessed or dropped silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from core.errors import InputError

FILE_COLUMN = "file"
DATE_COLUMN = "k2_start"


def _norm(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def read_manifest(data: bytes, where: str) -> list[tuple[int, str, dt.date | None]]:
    """(line, file, K2 start or None) for each row of a manifest CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", where=where) from None
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputError(f"empty; expected columns {FILE_COLUMN},{DATE_COLUMN}", where=where)
    first = next(line for line in lines if line.strip())
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, str, dt.date | None]] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [_norm(c) for c in row]
            missing = [c for c in (FILE_COLUMN, DATE_COLUMN) if c not in header]
            if missing:
                raise InputError(
                    f"line {line}: no {' or '.join(missing)} column; "
                    f"expected a header {FILE_COLUMN},{DATE_COLUMN}",
                    where=where,
                )
            continue
        cells = dict(zip(header, row, strict=False))
        name = cells.get(FILE_COLUMN, "").strip()
        raw = cells.get(DATE_COLUMN, "").strip()
        if not name:
            raise InputError(f"line {line}, column {FILE_COLUMN}: no file name", where=where)
        rows.append((line, name, _date(raw, where, line)))
    return rows


def _date(raw: str, where: str, line: int) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(
            f"line {line}, column {DATE_COLUMN}: {raw!r} is not a date as YYYY-MM-DD",
            where=where,
        ) from None


def match_manifest(
    rows: Sequence[tuple[int, str, dt.date | None]], names: Sequence[str], where: str
) -> Mapping[str, dt.date | None]:
    """File name -> K2 start for the files in the panel.

    A manifest name matches a file's full name (its path in a ZIP or folder) or, when only
    one file has it, its base name. Unknown or repeated names are refused with their line.
    """
    full = set(names)
    by_base: dict[str, list[str]] = {}
    for n in names:
        by_base.setdefault(PurePosixPath(n).name, []).append(n)
    out: dict[str, dt.date | None] = {}
    seen: dict[str, int] = {}
    for line, name, start in rows:
        target = name if name in full else None
        if target is None:
            hits = by_base.get(PurePosixPath(name).name, [])
            if len(hits) > 1:
                raise InputError(
                    f"line {line}: {name!r} matches {len(hits)} files; give its full path",
                    where=where,
                )
            target = hits[0] if hits else None
        if target is None:
            raise InputError(f"line {line}: no diary named {name!r} in the panel", where=where)
        if target in seen:
            raise InputError(
                f"line {line}: {name!r} is listed again (first on line {seen[target]})",
                where=where,
            )
        seen[target] = line
        out[target] = start
    return out
