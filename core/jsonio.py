"""Strict JSON reading for every input path: a duplicate key is an error, never a silent drop.

Python's ``json`` keeps the last of two equal keys, so ``{"medications": ["warfarin"],
"medications": ["aspirin"]}`` would lose warfarin without a word. Every reader of user JSON
(profiles, JSON Lines, FHIR Bundles, diary JSON) goes through :func:`loads` instead.
"""

from __future__ import annotations

import json
import re
from typing import Any

from core.errors import InputError


class DuplicateKeyError(ValueError):
    """Two members of one JSON object share a name."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(key)
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def _line_of_duplicate(text: str, key: str) -> int | None:
    """The line of the second ``"key":`` in the text (the member that would have won)."""
    pattern = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:')
    hits = pattern.finditer(text)
    first = next(hits, None)
    second = next(hits, None)
    hit = second or first
    return text.count("\n", 0, hit.start()) + 1 if hit else None


def loads(text: str, *, where: str = "input", line_offset: int = 0) -> Any:
    """Parse JSON text; a duplicate key or bad syntax raises InputError naming key and line.

    ``line_offset`` is added to line numbers, for one line of a JSON Lines file.
    """
    try:
        return _DECODER.decode(text)
    except DuplicateKeyError as exc:
        line = _line_of_duplicate(text, exc.key)
        at = f" (line {line + line_offset})" if line is not None else ""
        raise InputError(
            f"duplicate key '{exc.key}'{at}: each field may appear once, "
            "otherwise one of the values would be silently dropped",
            where=where,
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} (line {exc.lineno + line_offset}, column {exc.colno})",
            where=where,
        ) from None
    except ValueError as exc:  # NaN / Infinity, which JSON does not have
        raise InputError(str(exc), where=where) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", where=where) from None
