"""Which file column holds which diary field: aliases, leading words, the user's overrides.

Names are compared after normalisation: accents stripped, lower case, every run of other
characters collapsed to one space ("Duration (min)" -> "duration min").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Final

from core.diary.model import MissingColumnsError
from core.errors import InputError


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split("|"))


FIELDS: Final = _names("date|time|duration|severity|side|count|notes|supplement|category|detail")
"""Diary fields a file column can be mapped to (``column_map`` keys)."""

FIELD_LABELS: Final[Mapping[str, str]] = {
    "date": "Date (or date and time) of the cramp or night",
    "time": "Time of the cramp",
    "duration": "Duration (minutes, or seconds if the column says so)",
    "severity": "Severity / pain / intensity",
    "side": "Leg or side (left, right, both)",
    "count": "Cramps that night (nightly diaries)",
    "notes": "Notes",
    "supplement": "Supplement taken (to find the K2 start)",
    "category": "Category (symptom-tracker exports)",
    "detail": "Detail / item (symptom-tracker exports)",
}

ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
    "date": _names(
        "date|datetime|date time|date and time|timestamp|time stamp|night|night of|"
        "date of night|day|start|start date|date formatted|entry date|logged at|recorded at|"
        "created at|started|started at|start date time|datum|fecha"
    ),
    "time": _names(
        "time|start time|time of day|time of cramp|clock|onset|onset time|uhrzeit|zeit|heure|tijd"
    ),
    "duration": _names(
        "duration|duration min|duration mins|duration minutes|duration m|minutes|mins|min|"
        "length|how long|lasted|duration s|duration sec|duration secs|duration seconds|"
        "seconds|secs|dauer|duree|duur"
    ),
    "severity": _names(
        "severity|pain|intensity|pain level|pain score|severity score|severity level|score|"
        "strength|rating|schmerz|intensitat|intensite"
    ),
    "side": _names("side|leg|legs|which leg|which side|limb|bein|seite|jambe|cote"),
    "count": _names(
        "count|cramps|cramp count|number of cramps|no of cramps|n cramps|cramps per night|"
        "cramps that night|episodes|number|anzahl|krampfe"
    ),
    "notes": _names(
        "notes|note|comment|comments|remarks|remark|description|memo|notizen|notiz|bemerkung"
    ),
    "supplement": _names(
        "supplement|supplements|supplement taken|supplements taken|k2|vitamin k2|vit k2|mk7|"
        "mk 7|took k2|k2 taken|medication|medications|meds"
    ),
    "category": _names("category|type|item type|group|kategorie"),
    "detail": _names("detail|details|item|name|symptom|entry|what"),
}
# Long tracker exports carry the rating in a shared column.
_TRACKER_VALUE_ALIASES: Final = ("rating amount", "rating", "amount", "value", "severity")
# A column whose normalised name starts with one of these words maps to the field
# when no exact alias matched ("Pain (0-10)" -> severity).
_PREFIX_WORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "date": ("date", "datum"),
    "duration": ("duration", "dauer", "lasted"),
    "severity": ("severity", "pain", "intensity"),
    "notes": ("notes", "comment", "comments"),
}


@lru_cache(maxsize=4096)
def norm(name: str) -> str:
    """A column name reduced for comparison ("Duration (min)" -> "duration min").

    Cached: a panel's files repeat the same header cells, and the sniffer asks often.
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def matches_field(normalised: str, fld: str) -> bool:
    """Whether a normalised column name is an alias, or starts with a leading word, of ``fld``."""
    if normalised in ALIASES[fld]:
        return True
    words = _PREFIX_WORDS.get(fld, ())
    return bool(normalised) and normalised.split(" ", 1)[0] in words


def _overrides(names: Sequence[str], column_map: Mapping[str, str], where: str) -> dict[str, int]:
    """The user's own field -> column choices, checked against the file."""
    mapping: dict[str, int] = {}
    for fld, col in column_map.items():
        if fld not in FIELDS:
            raise InputError(
                f"unknown diary field {fld!r}; fields are: {', '.join(FIELDS)}", where=where
            )
        if not col:
            continue
        if col not in names:
            raise InputError(
                f"column {col!r} (for {fld}) is not in the file; columns: {', '.join(names)}",
                where=where,
            )
        mapping[fld] = names.index(col)
    return mapping


def infer_mapping(
    names: Sequence[str], column_map: Mapping[str, str] | None, where: str
) -> dict[str, int]:
    """Field -> column index: exact aliases first, then leading words; overrides win.

    Raises ``MissingColumnsError`` when no column can hold the date.
    """
    norms = [norm(n) for n in names]
    overrides = dict(column_map or {})
    mapping = _overrides(names, overrides, where)
    used = set(mapping.values())
    tracker = all(any(n in ALIASES[f] for n in norms) for f in ("category", "detail"))
    for fld in FIELDS:
        if fld in overrides or (fld == "count" and tracker):
            continue
        aliases = ALIASES[fld] + (_TRACKER_VALUE_ALIASES if tracker and fld == "severity" else ())
        hit = next(
            (i for alias in aliases for i, n in enumerate(norms) if n == alias and i not in used),
            None,
        )
        if hit is None and fld in _PREFIX_WORDS:
            hit = next(
                (i for i, n in enumerate(norms) if i not in used and matches_field(n, fld)),
                None,
            )
        if hit is not None:
            mapping[fld] = hit
            used.add(hit)
    if "date" not in mapping:
        accepted = ", ".join(ALIASES["date"][:12])
        raise MissingColumnsError(
            f"no date column found. Columns in the file: {', '.join(names)}. "
            f"A date column may be called: {accepted} (any capitalisation); "
            "or map one yourself",
            where=where,
            found=names,
            missing=["date"],
        )
    return mapping


def duration_clock(header: str) -> str:
    """How a duration column's ``a:b`` values read: "h:mm" for "Lasted"/"(h:mm)", else "m:ss"."""
    words = norm(header)
    if words.startswith("lasted") or re.search(r"\bh{1,2} mm\b|\bhours?\b", words):
        return "h:mm"
    return "m:ss"


def duration_in_seconds(header: str) -> bool:
    """Whether a duration column's bare numbers are seconds (its name says so)."""
    return bool(re.search(r"\b(s|sec|secs|seconds|sek)\b", norm(header)))
