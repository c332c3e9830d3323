"""Dates: ISO, US, EU, "Mar 5, 2024" and "2nd Feb 2026", with any time in the same cell.

ISO dates go through pyarrow (a checked cast, else ``strptime`` with a month check, since
strptime rolls 2023-02-29 over to March). Other forms are split by regular expressions and
checked against a month-length table: hand-written because the day/month order of numeric
dates is inferred from the whole file before any value can be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from core.diary.model import DateOrder
from core.diary.parsers.columns import empty, extract, lookup, np_bool, np_int, put, rest
from core.diary.parsers.result import Parsed
from core.diary.parsers.times import minutes_from

MONTHS: Final[Mapping[str, int]] = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}

_TIME_TAIL: Final = (
    r"(?:(?:T|,?\s+)(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::\d{2}(?:[.,]\d+)?)?"
    r"\s*(?P<ap>[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?\s*$"
)
RE_YMD: Final = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME_TAIL
RE_NUM: Final = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})" + _TIME_TAIL
_WEEKDAY: Final = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
RE_TEXT_DMY: Final = (
    r"(?i)^"
    + _WEEKDAY
    + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<mon>[a-z]{3,9})\.?,?\s+(?P<y>\d{4})"
    + _TIME_TAIL
)
RE_TEXT_MDY: Final = (
    r"(?i)^"
    + _WEEKDAY
    + r"(?P<mon>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"
    + _TIME_TAIL
)

OK, BLANK, NOT_A_DATE, NOT_REAL, WRONG_ORDER, NOT_YMD = range(6)
DATE_MESSAGES: Final[Mapping[int, str]] = {
    BLANK: "no date; row set aside",
    NOT_A_DATE: "not a date; row set aside",
    NOT_REAL: "not a real calendar date; row set aside",
    WRONG_ORDER: "date does not fit the day/month order of the rest of the file; row set aside",
    NOT_YMD: "expected a year-first date (date order ymd); row set aside",
}
TIME_IN_DATE_MESSAGE: Final = "the time in this date is not a real time; time ignored"

_YEAR_MIN: Final = 1900
_YEAR_MAX: Final = 2100
_MONTHS_SPAN: Final = (np.arange((_YEAR_MAX - _YEAR_MIN + 1) * 12 + 1) - 70 * 12).astype(
    "datetime64[M]"
)
_MONTH_START: Final = _MONTHS_SPAN[:-1].astype("datetime64[D]").astype(np.int32)
_MONTH_LENGTH: Final = np.diff(_MONTHS_SPAN.astype("datetime64[D]").astype(np.int32))
"""First day (days since 1970-01-01) and length of every month from 1900 to 2100."""
_DAY_MIN: Final = int(_MONTH_START[0])
_DAY_MAX: Final = int(_MONTH_START[-1] + _MONTH_LENGTH[-1] - 1)


@dataclass
class _Parts:
    """Year, month, day and minutes per row as found (-1 where not found)."""

    y: npt.NDArray[np.int32]
    m: npt.NDArray[np.int32]
    d: npt.NDArray[np.int32]
    minutes: npt.NDArray[np.int32]

    @classmethod
    def empty(cls, n: int) -> _Parts:
        return cls(*(np.full(n, -1, np.int32) for _ in range(4)))


@dataclass
class _Numeric:
    """Numeric dates ("3/4/2024") whose order is not known yet: rows and their parts."""

    idx: npt.NDArray[np.int64]
    a: npt.NDArray[np.int64]
    b: npt.NDArray[np.int64]
    y: npt.NDArray[np.int64]


Mask = npt.NDArray[np.bool_]


def _iso_days(s: Any, is_empty: Mask) -> tuple[npt.NDArray[np.int64], Mask, Mask]:
    """Days since 1970 of exact "YYYY-MM-DD" values, where found, and where rolled over."""
    n = len(s)
    if not is_empty.any():
        try:  # the whole column at once: a checked cast, the common export
            days = pc.cast(pc.cast(s, pa.date32()), pa.int32())
            found = np.ones(n, bool)
            return np.array(days.to_numpy(zero_copy_only=False), np.int64), found, ~found
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    ten = pc.if_else(pc.equal(pc.binary_length(s), 10), s, pa.scalar(None, pa.string()))
    stamp = pc.strptime(ten, format="%Y-%m-%d", unit="s", error_is_null=True)
    month_text = pc.utf8_slice_codeunits(ten, 5, 7)
    shaped = np_bool(pc.and_(pc.is_valid(stamp), pc.utf8_is_digit(month_text)))
    shaped &= np_bool(pc.equal(pc.utf8_slice_codeunits(ten, 4, 5), "-"))
    month = np_int(pc.if_else(pa.array(shaped), month_text, ""))
    rolled = shaped & (np.array(pc.fill_null(pc.month(stamp), 0), np.int64) != month)
    days = pc.fill_null(pc.cast(pc.cast(stamp, pa.date32()), pa.int32()), 0)
    return np.array(days.to_numpy(zero_copy_only=False), np.int64), shaped & ~rolled, rolled


def _text_dates(sub: Any, idx: npt.NDArray[np.int64], parts: _Parts) -> None:
    """'5 Mar 2024', 'Tue 5 March 2024', '2nd Feb 2026', 'Mar 5, 2024' (English months)."""
    names = list(MONTHS)
    numbers = np.asarray([MONTHS[k] for k in names], np.int64)
    for pattern in (RE_TEXT_DMY, RE_TEXT_MDY):
        if idx.size == 0:
            return
        g = extract(sub, pattern, ("d", "mon", "y", "H", "M", "ap"))
        pos = lookup(pc.utf8_lower(g["mon"]), names)
        ok = g["_ok"] & (pos >= 0)
        put(parts.y, idx, ok, np_int(g["y"]))
        put(parts.m, idx, ok, numbers[np.clip(pos, 0, None)])
        put(parts.d, idx, ok, np_int(g["d"]))
        put(parts.minutes, idx, ok, minutes_from(g["H"], g["M"], g["ap"]))
        if ok.any():
            idx = idx[~ok]
            sub = sub.filter(pa.array(~ok))


def _by_pattern(sub: Any, idx: npt.NDArray[np.int64], parts: _Parts) -> _Numeric:
    """Year-first and text dates into ``parts``; numeric dates returned for the order step."""
    tail = ("H", "M", "ap")
    g = extract(sub, RE_YMD, ("y", "m", "d", *tail))
    ok = g["_ok"]
    put(parts.y, idx, ok, np_int(g["y"]))
    put(parts.m, idx, ok, np_int(g["m"]))
    put(parts.d, idx, ok, np_int(g["d"]))
    put(parts.minutes, idx, ok, minutes_from(g["H"], g["M"], g["ap"]))
    none = np.zeros(0, np.int64)
    if ok.all():
        return _Numeric(none, none, none, none)
    idx2 = idx[~ok]
    sub2 = sub.filter(pa.array(~ok))
    g = extract(sub2, RE_NUM, ("a", "b", "y", *tail))
    ok2 = g["_ok"]
    put(parts.minutes, idx2, ok2, minutes_from(g["H"], g["M"], g["ap"]))
    if not ok2.all():
        _text_dates(sub2.filter(pa.array(~ok2)), idx2[~ok2], parts)
    years = np_int(g["y"])[ok2]
    return _Numeric(
        idx2[ok2],
        np_int(g["a"])[ok2],
        np_int(g["b"])[ok2],
        np.where(years < 100, 2000 + years, years),
    )


def _resolve_order(s: Any, num: _Numeric, order: DateOrder) -> tuple[str, tuple[str, ...]]:
    """The file's day/month order; examples are given only when it cannot be told."""
    if num.idx.size == 0:
        return ("ymd" if order == "auto" else order), ()
    if order != "auto":
        return order, ()
    n_dmy = int(((num.a > 12) & (num.b <= 12)).sum())
    n_mdy = int(((num.b > 12) & (num.a <= 12)).sum())
    if n_dmy or n_mdy:
        return ("dmy" if n_dmy >= n_mdy else "mdy"), ()
    differ = num.a != num.b
    if not differ.any():
        return "dmy", ()  # the same day either way when day == month
    values = s.take(pa.array(num.idx[differ][:50])).to_pylist()
    return "ambiguous", tuple(dict.fromkeys(str(v).strip() for v in values))[:3]


def _check_calendar(parts: _Parts, status: npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
    """Days since 1970 where the parts make a real date from 1900 to 2100; status updated."""
    y, m, d = parts.y, parts.m, parts.d
    has_parts = y >= 0
    valid_ym = has_parts & (y >= _YEAR_MIN) & (y <= _YEAR_MAX) & (m >= 1) & (m <= 12)
    month_idx = np.where(valid_ym, (y - _YEAR_MIN) * 12 + (m - 1), 0)
    ok_day = valid_ym & (d >= 1) & (d <= _MONTH_LENGTH[month_idx])
    status[has_parts & ~ok_day] = NOT_REAL
    status[ok_day] = OK
    return (_MONTH_START[month_idx] + d - 1).astype(np.int64)


def parse_dates(s: Any, order: DateOrder) -> Parsed:
    """Days since 1970-01-01 per row; ``info``: order, examples (if ambiguous), minutes.

    ``issues`` name why a row has no usable date; ``info["order"]`` is "ambiguous" when
    every numeric date reads either way (the caller asks instead of guessing).
    """
    n = len(s)
    is_empty = empty(s)
    status = np.where(is_empty, BLANK, NOT_A_DATE).astype(np.int8)
    parts = _Parts.empty(n)
    iso, found, rolled = _iso_days(s, is_empty)
    done = found | rolled
    idx, sub, blank = rest(s, done, is_empty)
    num = _Numeric(*(np.zeros(0, np.int64) for _ in range(4)))
    if idx.size:
        status[idx[blank]] = BLANK
        if not blank.all():
            num = _by_pattern(sub.filter(pa.array(~blank)), idx[~blank], parts)
    resolved, examples = _resolve_order(s, num, order)
    if num.idx.size and resolved == "ymd":
        status[num.idx] = NOT_YMD
    elif num.idx.size and resolved in ("dmy", "mdy"):
        day, month = (num.a, num.b) if resolved == "dmy" else (num.b, num.a)
        parts.y[num.idx], parts.m[num.idx], parts.d[num.idx] = num.y, month, day
    days = _check_calendar(parts, status)
    in_range = found & (iso >= _DAY_MIN) & (iso <= _DAY_MAX)
    days[in_range] = iso[in_range]
    status[in_range] = OK
    status[(found & ~in_range) | rolled] = NOT_REAL
    if num.idx.size and resolved in ("dmy", "mdy"):
        status[num.idx[(num.b if resolved == "dmy" else num.a) > 12]] = WRONG_ORDER
    issues = tuple((status == code, msg) for code, msg in DATE_MESSAGES.items())
    return Parsed(
        days,
        status == BLANK,
        issues,
        {"order": resolved, "examples": examples, "minutes": parts.minutes, "status": status},
    )
