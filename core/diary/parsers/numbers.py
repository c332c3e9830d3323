"""Number fields: durations, severities (numbers or words) and nightly counts.

Decimal commas are read here without rewriting the file's text, which stays as written.
"""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from core.diary.mapping import norm
from core.diary.parsers.columns import (
    cast_all,
    empty,
    extract,
    match,
    np_bool,
    np_int,
    rest,
    to_float,
)
from core.diary.parsers.result import Parsed
from core.diary.parsers.words import severity_word_levels

RE_DURATION: Final = (
    r"(?i)^(?:(?P<v>\d+(?:[.,]\d+)?|[.,]\d+)\s*"
    r"(?P<u>minutes|minute|mins|min|m|seconds|second|secs|sec|sek|s|hours|hour|hrs|hr|h|std)?\.?"
    r"|(?P<a>\d{1,3}):(?P<b>\d{2})(?::(?P<c>\d{2}))?)$"
)
RE_SEVERITY: Final = r"^(?P<v>\d+(?:[.,]\d+)?)\s*(?:/\s*10)?$"
RE_COUNT: Final = r"^\d{1,6}(?:\.0+)?$"
DURATION_MESSAGE: Final = (
    "not a duration in minutes (e.g. 2.5, '90 s' or 1:30); kept without duration"
)
MAX_DURATION_MIN: Final = 24 * 60


def _clock(g: dict[str, Any], has: npt.NDArray[np.bool_], clock: str) -> npt.NDArray[np.float64]:
    """Minutes from "a:b" (m:ss, or h:mm for "Lasted" columns) and "h:mm:ss"; -1 if bad."""
    a = np_int(g["a"]).astype(np.float64)
    b = np_int(g["b"]).astype(np.float64)
    c = np_int(g["c"]).astype(np.float64)
    three = np_bool(pc.not_equal(g["c"], ""))
    two_parts = a * 60 + b if clock == "h:mm" else a + b / 60
    minutes = np.where(three, a * 60 + b + c / 60, two_parts)
    ok = has & (b < 60) & (~three | (c < 60))
    return np.where(ok, minutes, -1.0)


def _durations_by_pattern(
    sub: Any, blank: npt.NDArray[np.bool_], seconds: bool, clock: str
) -> npt.NDArray[np.float64]:
    g = extract(sub, RE_DURATION, ("v", "u", "a", "b", "c"))
    ok = g["_ok"]
    val = np.where(blank, np.nan, -1.0)
    has_v = ok & np_bool(pc.not_equal(g["v"], ""))
    if has_v.any():
        num = to_float(pc.if_else(pa.array(has_v), g["v"], ""))
        unit = pc.utf8_lower(g["u"])
        is_sec = match(unit, r"^s")
        is_hour = match(unit, r"^(h|std)")
        no_unit = np_bool(pc.equal(unit, ""))
        factor = np.where(is_sec | (no_unit & seconds), 1 / 60, np.where(is_hour, 60.0, 1.0))
        val[has_v] = (num * factor)[has_v]
    has_clock = ok & ~has_v
    if has_clock.any():
        val[has_clock] = _clock(g, has_clock, clock)[has_clock]
    return val


def parse_durations(s: Any, *, seconds: bool, clock: str = "m:ss") -> Parsed:
    """Minutes: numbers with an optional unit, decimal commas, m:ss (or h:mm), h:mm:ss."""
    n = len(s)
    is_empty = empty(s)
    blank = is_empty.copy()
    fast = cast_all(s, is_empty, pa.float64())
    if fast is not None:
        out = fast / 60.0 if seconds else fast
        out[~is_empty & ~np.isfinite(out)] = -1.0
    else:
        out = np.full(n, -1.0)
        out[is_empty] = np.nan
        idx, sub, sub_blank = rest(s, np.zeros(n, bool), is_empty)
        if idx.size:
            out[idx] = _durations_by_pattern(sub, sub_blank, seconds, clock)
            blank[idx[sub_blank]] = True
    out[(out > MAX_DURATION_MIN) | (out < 0)] = -1.0
    bad = out == -1.0
    return Parsed.single(np.where(bad, np.nan, out), blank, bad, DURATION_MESSAGE)


def _severity_scale(values: npt.NDArray[np.float64], header: str, n_num: int) -> tuple[str, str]:
    hnorm = norm(header)
    if n_num == 0:
        return "none", "not recorded"
    if re.search(r"\b1 10\b", hnorm):
        return "numeric", "1–10 as recorded (the column says 1-10)"
    if re.search(r"\b0 10\b", hnorm) or bool((values == 0).any()):
        return "numeric", "0–10 as recorded"
    return "numeric", "1–10 or 0–10 as recorded (no 0 in the file)"


def parse_severity(s: Any, header: str) -> Parsed:
    """Numbers on the recorded 0-10/1-10 scale, or words mapped to ordinal 1-3.

    ``info`` holds ``kind`` (numeric, words, none) and ``scale`` (how to read the values).
    """
    n = len(s)
    is_empty = empty(s)
    blank = is_empty.copy()
    nums = cast_all(s, is_empty, pa.float64())
    word_level = np.full(n, np.nan)
    if nums is None:
        nums = np.full(n, np.nan)
        idx, sub, sub_blank = rest(s, np.zeros(n, bool), is_empty)
        if idx.size:
            blank[idx[sub_blank]] = True
            g = extract(sub, RE_SEVERITY, ("v",))
            ok = g["_ok"]
            if ok.any():
                nums[idx[ok]] = to_float(g["v"])[ok]
            word_level[idx] = severity_word_levels(sub)
    num_ok = ~np.isnan(nums)
    word_ok = ~np.isnan(word_level)
    if int(word_ok.sum()) > int(num_ok.sum()):
        return Parsed.single(
            word_level,
            blank,
            ~blank & ~word_ok,
            "not one of the severity words used in this column (mild, moderate, severe); "
            "kept without severity",
            kind="words",
            scale="words mapped to an ordinal: mild = 1, moderate = 2, severe = 3",
        )
    low = 1.0 if re.search(r"\b1 10\b", norm(header)) else 0.0
    in_range = num_ok & (nums >= low) & (nums <= 10)
    values = np.where(in_range, nums, np.nan)
    kind, scale = _severity_scale(values, header, int(num_ok.sum()))
    return Parsed.single(
        values,
        blank,
        ~blank & ~in_range,
        f"not a severity from {int(low)} to 10; kept without severity",
        kind=kind,
        scale=scale,
    )


def parse_counts(s: Any) -> Parsed:
    """Whole numbers >= 0 of cramps a night; a blank count is itself reported."""
    n = len(s)
    is_empty = empty(s)
    fast = cast_all(s, is_empty, pa.int64())
    if fast is not None:
        out = np.where(fast >= 0, fast, -2)
        out[is_empty] = -1
    else:
        out = np.full(n, -2, np.int64)
        out[is_empty] = -1
        idx, sub, blank = rest(s, np.zeros(n, bool), is_empty)
        if idx.size:
            ok = match(sub, RE_COUNT)
            vals = np.full(idx.size, -2, np.int64)
            if ok.any():
                whole = pc.replace_substring_regex(sub.filter(pa.array(ok)), r"\.0+$", "")
                vals[ok] = np_int(whole)
            vals[blank] = -1
            out[idx] = vals
    return Parsed(
        out,
        out == -1,
        (
            (out == -1, "no count for this night; kept, its cramps not counted"),
            (out == -2, "not a whole number of cramps; kept, its cramps not counted"),
        ),
    )
