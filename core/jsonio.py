"""Strict JSON reading for every input path: a duplicate key is an error, never a silent drop.

Python's ``json`` keeps the last of two equal keys, so ``{"medications": ["warfarin"],
"medications": ["aspirin"]}`` would lose warfarin without a word. Every reader of user JSON
(profiles, JSON Lines, FHIR Bundles, diary JSON) goes through :func:`loads` instead. It also
refuses NaN/Infinity and lone UTF-16 surrogate escapes (``"\\ud800"``), which no UTF-8 output
can carry, and names the line (and the field, where it can) of each problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from core.errors import InputError


class DuplicateKeyError(ValueError):
    """Two members of one JSON object share a name."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


class _ConstantError(ValueError):
    """NaN, Infinity or -Infinity, which JSON does not have."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):  # a name came twice: find the first repeat
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return out


def _no_constant(name: str) -> Any:
    raise _ConstantError(name)


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constant)

# Strings, structural characters and the bare constants, for the error-time rescan only.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|NaN|-?Infinity', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _tokens(text: str) -> Iterator[re.Match[str]]:
    return _TOKEN.finditer(text)


def _first_duplicate(text: str) -> tuple[str, int] | None:
    """The first key that repeats within one object, in reading order, and its line."""
    stack: list[set[str] | None] = []  # a set of keys per open object, None per open array
    pending: re.Match[str] | None = None
    for tok in _tokens(text):
        t = tok.group()
        if t == ":" and pending is not None and stack and stack[-1] is not None:
            key = json.loads(pending.group())
            if key in stack[-1]:
                return key, _line_at(text, pending.start())
            stack[-1].add(key)
        pending = None
        if t == "{":
            stack.append(set())
        elif t == "[":
            stack.append(None)
        elif t in "}]" and stack:
            stack.pop()
        elif t.startswith('"'):
            pending = tok
    return None


def _line_of_constant(text: str, name: str) -> int | None:
    for tok in _tokens(text):
        if tok.group() == name:
            return _line_at(text, tok.start())
    return None


def _line_of_lone_surrogate(text: str) -> int | None:
    """The line of the first ``\\uD8xx``-style escape that is not half of a valid pair."""
    hits = [m for m in _SURROGATE_ESCAPE.finditer(text) if len(m.group(1)) % 2 == 1]
    i = 0
    while i < len(hits):
        code = int(hits[i].group(2), 16)
        nxt = hits[i + 1] if i + 1 < len(hits) else None
        paired = nxt is not None and nxt.start() == hits[i].end()
        if code < 0xDC00 and paired and nxt and int(nxt.group(2), 16) >= 0xDC00:
            i += 2
            continue
        return _line_at(text, hits[i].start())
    return None


def _path_of_surrogate(value: Any, path: str = "") -> str | None:
    """The field path (``medications[0]``) of the first string holding a lone surrogate."""
    if isinstance(value, str):
        return (path or "(top level)") if _SURROGATES.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATES.search(key):
                return f"{path}.{key!r}" if path else repr(key)
            found = _path_of_surrogate(item, f"{path}.{key}" if path else key)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _path_of_surrogate(item, f"{path}[{i}]")
            if found:
                return found
    return None


def _show(key: str) -> str:
    """A key as quoted text, escaped when it holds control characters or surrogates."""
    return f"'{key}'" if key.isprintable() else f"{key!a}"


def _at(line: int | None, line_offset: int) -> str:
    return f" (line {line + line_offset})" if line is not None else ""


def loads(text: str, *, where: str = "input", line_offset: int = 0) -> Any:
    """Parse JSON text; a duplicate key or bad syntax raises InputError naming key and line.

    ``line_offset`` is added to line numbers, for one line of a JSON Lines file.
    """
    try:
        data = _DECODER.decode(text)
    except DuplicateKeyError as exc:
        found = _first_duplicate(text)
        key, line = found if found else (exc.key, None)
        raise InputError(
            f"duplicate key {_show(key)}{_at(line, line_offset)}: each field may appear once, "
            "otherwise one of the values would be silently dropped",
            where=where,
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(_syntax_message(text, exc, line_offset), where=where) from None
    except _ConstantError as exc:
        line = _line_of_constant(text, exc.name)
        raise InputError(
            f"{exc.name}{_at(line, line_offset)} is not a JSON number; "
            "use null for an unknown value",
            where=where,
        ) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", where=where) from None
    except ValueError as exc:  # an integer too long to convert
        if "digits" in str(exc):
            raise InputError("a number has too many digits", where=where) from None
        raise InputError(str(exc), where=where) from None
    if "\\" in text and _SURROGATE_ESCAPE.search(text):
        field = _path_of_surrogate(data)
        if field is not None:
            line = _line_of_lone_surrogate(text)
            raise InputError(
                f"field {field}{_at(line, line_offset)}: a lone UTF-16 surrogate escape "
                "(\\ud800-\\udfff without its pair) is not a character",
                where=where,
            )
    return data


def _syntax_message(text: str, exc: json.JSONDecodeError, line_offset: int) -> str:
    """A syntax error's message; a raw control character (a NUL byte, a tab) is named."""
    at = f"(line {exc.lineno + line_offset}, column {exc.colno})"
    char = text[exc.pos] if exc.pos < len(text) else ""
    if char and (ord(char) < 0x20 or ord(char) == 0x7F):
        inside = "inside a string " if exc.msg.startswith("Invalid control") else ""
        return (
            f"not valid JSON: control character U+{ord(char):04X} {inside}{at}; "
            "a NUL byte or other control character must be escaped or removed"
        )
    return f"not valid JSON: {exc.msg} {at}"
