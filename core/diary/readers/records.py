"""JSON: a list of records, or an object holding one; lines are where each record starts.

Parsed with ``core.jsonio`` so a duplicate key is refused (naming key and line) instead of
one value silently replacing the other.
"""

from __future__ import annotations

import json
import re

import numpy as np
import numpy.typing as npt

from core import jsonio
from core.diary.model import ROW_COLUMN
from core.diary.readers.raw import (
    MAX_COLUMNS,
    Problem,
    RawTable,
    cell_text,
    display_names,
    text_table,
)
from core.errors import InputError


def _parse(text: str, where: str) -> object:
    try:
        return jsonio.loads(text, where=where)
    except InputError as exc:
        message = exc.message.replace("not valid JSON:", "malformed JSON:", 1)
        found = re.search(r"\(line (\d+)", message)
        at = f"{where}, line {found.group(1)}" if found else where
        raise InputError(message, where=at) from None


def _records(doc: object, text: str, where: str) -> tuple[list[object], int]:
    """The list of records and the offset of its opening bracket (-1 if unknown)."""
    if isinstance(doc, list):
        return doc, text.find("[")
    if isinstance(doc, dict):
        key = next(
            (
                k
                for k, v in doc.items()
                if isinstance(v, list) and v and all(isinstance(r, dict) for r in v[:10])
            ),
            None,
        )
        if key is None:
            raise InputError(
                "expected a JSON list of records (one object per cramp or night)", where=where
            )
        found = re.search(re.escape(json.dumps(key)) + r"\s*:\s*\[", text)
        return doc[key], found.end() - 1 if found else -1
    raise InputError("expected a JSON list of records", where=where)


def record_lines(text: str, list_start: int, n: int) -> npt.NDArray[np.int64]:
    """Line on which each element of the JSON array at ``list_start`` begins.

    Hand-written: no JSON library reports element positions; raw_decode walks the array.
    """
    fallback = np.arange(2, n + 2, dtype=np.int64)
    if list_start < 0 or text[list_start : list_start + 1] != "[":
        return fallback
    decoder = json.JSONDecoder()
    ws = re.compile(r"[\s,]*")
    pos = list_start + 1
    line = text.count("\n", 0, pos) + 1
    out = np.empty(n, dtype=np.int64)
    try:
        for i in range(n):
            nxt = ws.match(text, pos)
            start = nxt.end() if nxt else pos
            line += text.count("\n", pos, start)
            out[i] = line
            _, end = decoder.raw_decode(text, start)
            line += text.count("\n", start, end)
            pos = end
    except (json.JSONDecodeError, ValueError, IndexError, RecursionError):
        return fallback
    return out


def read_records(text: str, where: str) -> RawTable:
    """A JSON list of records as text columns, each with the line its record starts on."""
    records, list_start = _records(_parse(text, where), text, where)
    if not records:
        raise InputError("the JSON list is empty", where=where)
    lines = record_lines(text, list_start, len(records))
    names = list(dict.fromkeys(str(k) for rec in records if isinstance(rec, dict) for k in rec))
    if not names:
        raise InputError("the JSON records have no fields", where=where)
    if len(names) > MAX_COLUMNS:
        raise InputError(
            f"the records have {len(names)} different fields; a diary has at most {MAX_COLUMNS}",
            where=where,
        )
    problems: list[Problem] = []
    rows: list[list[str]] = []
    for rec, line in zip(records, lines, strict=True):
        if isinstance(rec, dict):
            rows.append([cell_text(rec.get(name)) for name in names])
        else:
            problems.append(
                Problem(int(line), ROW_COLUMN, cell_text(rec)[:80], "not a JSON object; set aside")
            )
            rows.append([""] * len(names))
    table = text_table(rows, len(names))
    return RawTable("json", display_names(names), table, lines, problems, 1)
