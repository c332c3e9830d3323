"""Word fields: sides, severity words, parts of the day, and whether a supplement is K2."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from core.diary.mapping import norm
from core.diary.parsers.columns import empty, lookup, match, np_bool, rest
from core.diary.parsers.result import Parsed
from core.diary.vocab import SIDE_ORDER, TIME_OF_DAY


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split("|"))


CRAMP_PATTERN: Final = r"(?i)cramp|krampf|kramp|charley.?horse"
K2_PATTERN: Final = r"(?i)(^|[^a-z0-9])(k2|k-2|vit\.? ?k2|mk-?7|mk 7|menaquinon)"
_K2_HEADER_WORDS: Final = frozenset({"k2", "mk7", "mk", "menaquinone"})
_YES_WORDS: Final = ("yes", "y", "true", "1", "x", "✓", "✔", "taken", "ja", "oui", "si")

SIDE_WORDS: Final[Mapping[str, str]] = {
    **dict.fromkeys(("l", "left", "lt", "left leg", "links", "gauche", "izq"), "left"),
    **dict.fromkeys(("r", "right", "rt", "right leg", "rechts", "droite", "der"), "right"),
    **dict.fromkeys(
        _names(
            "b|both|both legs|bilateral|l+r|l/r|l&r|left and right|left+right|beide|les deux|lr"
        ),
        "both",
    ),
}
SIDE_MESSAGE: Final = "not a side (left, right or both); kept without side"

SEVERITY_WORDS: Final[Mapping[str, int]] = {
    **dict.fromkeys(("mild", "light", "low", "leicht", "leger", "legere", "licht"), 1),
    **dict.fromkeys(("moderate", "medium", "mod", "mittel", "modere", "moderee", "matig"), 2),
    **dict.fromkeys(
        ("severe", "strong", "high", "intense", "stark", "schwer", "ernstig", "hevig"),
        3,
    ),
}
"""Severity words and the ordinal each maps to (mild 1, moderate 2, severe 3)."""

"""Parts of the day some trackers log instead of a clock time."""
TIME_OF_DAY_WORDS: Final[Mapping[str, str]] = {
    **dict.fromkeys(_names("morning|am|a m|early morning|on waking|waking"), "morning"),
    **dict.fromkeys(_names("afternoon|mid|midday|noon|mid day|daytime"), "afternoon"),
    **dict.fromkeys(_names("evening|pm|p m|late evening"), "evening"),
    **dict.fromkeys(
        _names("night|overnight|nighttime|night time|pre bed|bedtime|bed time|in bed|asleep"),
        "night",
    ),
}


def time_of_day_codes(s: Any) -> npt.NDArray[np.int8]:
    """Index into ``TIME_OF_DAY`` for part-of-day words (any case, punctuation), else -1."""
    words = list(TIME_OF_DAY_WORDS)
    codes = np.asarray([TIME_OF_DAY.index(TIME_OF_DAY_WORDS[w]) for w in words], np.int8)
    key = pc.utf8_trim_whitespace(pc.replace_substring_regex(pc.utf8_lower(s), r"[^a-z0-9]+", " "))
    pos = lookup(key, words)
    return np.where(pos >= 0, codes[np.clip(pos, 0, None)], -1).astype(np.int8)


def parse_sides(s: Any) -> Parsed:
    """Codes into ``SIDE_ORDER`` (0 left, 1 right, 2 both), -1 where blank or unknown."""
    words = list(SIDE_WORDS)
    codes_of = np.asarray([SIDE_ORDER.index(SIDE_WORDS[w]) for w in words], np.int8)
    is_empty = empty(s)
    pos = lookup(pc.utf8_lower(s), words)
    idx, sub, blank = rest(s, pos >= 0, is_empty)
    if idx.size:
        key = pc.replace_substring_regex(pc.utf8_lower(pc.utf8_trim(sub, " .")), r"\s+", " ")
        pos[idx] = np.where(blank, -1, lookup(key, words))
    codes = np.where(pos >= 0, codes_of[np.clip(pos, 0, None)], -2).astype(np.int8)
    all_blank = is_empty.copy()
    if idx.size:
        all_blank[idx[blank]] = True
    codes[all_blank] = -1
    bad = codes == -2
    codes[bad] = -1
    return Parsed.single(codes, all_blank, bad, SIDE_MESSAGE)


def severity_word_levels(sub: Any) -> npt.NDArray[np.float64]:
    """Ordinal 1-3 for severity words (accents and punctuation ignored), NaN otherwise."""
    words = list(SEVERITY_WORDS)
    key = pc.utf8_normalize(pc.utf8_lower(pc.utf8_trim(sub, " .!")), "NFKD")
    key = pc.replace_substring_regex(key, r"[^\x00-\x7f]", "")
    pos = lookup(key, words)
    levels = np.asarray([SEVERITY_WORDS[w] for w in words], np.float64)
    return np.where(pos >= 0, levels[np.clip(pos, 0, None)], np.nan)


def k2_flags(s: Any, header: str) -> npt.NDArray[np.bool_]:
    """Whether each supplement value indicates vitamin K2 (MK-7).

    In a column named for K2 (e.g. "K2", "MK-7"), a yes-like value or a dose counts; in a
    general supplement column only a value naming K2/MK-7/menaquinone does.
    """
    named = match(s, K2_PATTERN)
    if set(norm(header).split()) & _K2_HEADER_WORDS:
        low = pc.utf8_lower(pc.utf8_trim_whitespace(s))
        yes = np_bool(pc.is_in(low, value_set=pa.array(list(_YES_WORDS))))
        dose = match(low, r"^\d+(?:[.,]\d+)?\s*(?:mcg|µg|ug|mg)?$") & ~match(low, r"^0+$")
        return named | yes | dose
    return named
