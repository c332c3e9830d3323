"""Times of day: "02:30", "2:30 am", "23:10:05", a date-time's time, or a part of the day."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from core.diary.parsers.columns import empty, extract, match, np_bool, np_int, rest
from core.diary.parsers.result import Parsed
from core.diary.parsers.words import time_of_day_codes

RE_TIME: Final = (
    r"(?i)^(?:\d{4}-\d{2}-\d{2}[T ])?(?P<H>\d{1,2})(?:[:.h](?P<M>\d{2})(?::\d{2}(?:[.,]\d+)?)?)?"
    r"\s*(?P<ap>[ap]\.?m\.?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)
TIME_MESSAGE: Final = "not a time of day (e.g. 02:30 or 2:30 am); kept without time"


def ampm_hours(hours: npt.NDArray[np.int64], ap: Any) -> npt.NDArray[np.int64]:
    """Apply am/pm to 1-12 hours; -1 where the hour is impossible."""
    apl = pc.utf8_lower(ap)
    is_pm = match(apl, r"^p")
    has = match(apl, r"^[ap]")
    h = hours.copy()
    h[has & ~is_pm & (hours == 12)] = 0
    pm = has & is_pm & (hours != 12)
    h[pm] = hours[pm] + 12
    h[has & ((hours < 1) | (hours > 12))] = -1
    return h


def minutes_from(hour_s: Any, min_s: Any, ap: Any) -> npt.NDArray[np.int64]:
    """Minutes after midnight, -2 if a time is present but impossible, -1 if absent."""
    hours = ampm_hours(np_int(hour_s), ap)
    mins = np_int(min_s, missing=0)
    present = np_bool(pc.not_equal(hour_s, ""))
    ok = present & (hours >= 0) & (hours <= 23) & (mins >= 0) & (mins <= 59)
    out = np.full(hours.shape, -1, np.int64)
    out[ok] = hours[ok] * 60 + mins[ok]
    out[present & ~ok] = -2
    return out


def _fast_hhmm(s: Any) -> npt.NDArray[np.int64]:
    """Exactly "HH:MM" (hour 00-23, minute 00-59) read from the bytes; -1 elsewhere.

    Hand-written: pyarrow cannot cast text to a time, and strptime("%H:%M") takes several
    times longer than these four byte lookups on a million-row column.
    """
    arr = s.combine_chunks() if isinstance(s, pa.ChunkedArray) else s
    n = len(arr)
    out = np.full(n, -1, np.int64)
    if n == 0 or arr.null_count or pa.types.is_large_string(arr.type):
        return out
    offsets = np.frombuffer(arr.buffers()[1], np.int32, count=n + 1, offset=arr.offset * 4)
    data = arr.buffers()[2]
    if data is None:
        return out
    body = np.frombuffer(data, np.uint8)
    rows = np.flatnonzero(np.diff(offsets) == 5)
    start = offsets[:-1][rows]
    ok = body[start + 2] == 58
    digits = []
    for k in (0, 1, 3, 4):
        d = body[start + k] - np.uint8(48)  # wraps above 9 when not a digit
        ok &= d <= 9
        digits.append(d.astype(np.int16))
    hours = digits[0] * 10 + digits[1]
    minutes = digits[2] * 10 + digits[3]
    ok &= (hours <= 23) & (minutes <= 59)
    out[rows[ok]] = hours[ok].astype(np.int64) * 60 + minutes[ok]
    return out


def parse_times(s: Any) -> Parsed:
    """Minutes after midnight (-1 where none); ``info["time_of_day"]`` holds part-of-day codes.

    A part of the day ("morning", "pm", "night") is not a clock time: it is kept as a
    time-of-day code (see ``words.TIME_OF_DAY``) and not reported as bad.
    """
    n = len(s)
    is_empty = empty(s)
    out = _fast_hhmm(s)
    out[(out < 0) & ~is_empty] = -2
    blank = is_empty.copy()
    buckets = np.full(n, -1, np.int8)
    idx, sub, sub_blank = rest(s, out >= 0, is_empty)
    if idx.size:
        g = extract(sub, RE_TIME, ("H", "M", "ap"))
        has_min_or_ap = np_bool(pc.or_(pc.not_equal(g["M"], ""), pc.not_equal(g["ap"], "")))
        mins = minutes_from(g["H"], g["M"], g["ap"])
        ok = g["_ok"] & has_min_or_ap & (mins >= 0)
        out[idx] = np.where(ok, mins, np.where(sub_blank, -1, -2))
        blank[idx[sub_blank]] = True
        left = ~ok & ~sub_blank
        if left.any():
            codes = time_of_day_codes(sub.filter(pa.array(left)))
            buckets[idx[left]] = codes
            out[idx[left][codes >= 0]] = -1
    bad = out == -2
    return Parsed.single(np.where(out >= 0, out, -1), blank, bad, TIME_MESSAGE, time_of_day=buckets)
