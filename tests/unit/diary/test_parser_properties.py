"""Properties of the field parsers, through read_diary: every written form reads back exactly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from core.diary import DiaryTable, read_diary

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


def read(text: str, **kwargs: object) -> DiaryTable:
    return read_diary(text.encode("utf-8"), "p.csv", **kwargs)  # type: ignore[arg-type]


def _ordinal(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


@settings(max_examples=80, deadline=None)
@given(day=dates, form=st.sampled_from(["iso", "dmy", "mdy", "text", "ordinal", "us_text"]))
def test_any_real_date_reads_back_in_every_form(day: dt.date, form: str) -> None:
    written = {
        "iso": day.isoformat(),
        "dmy": f"{day.day:02d}/{day.month:02d}/{day.year}",
        "mdy": f"{day.month}/{day.day}/{day.year}",
        "text": f"{day.day} {day:%B %Y}",
        "ordinal": f"{day.day}{_ordinal(day.day)} {day:%b %Y}",
        "us_text": f'"{day:%b} {day.day}, {day.year}"',
    }[form]
    order = {"dmy": "dmy", "mdy": "mdy"}.get(form, "auto")
    t = read(f"date\n{written}\n", date_order=order)
    assert [d.date() for d in t.episodes["date"]] == [day]
    assert t.errors.empty


@settings(max_examples=60, deadline=None)
@given(year=st.integers(1900, 2100), month=st.integers(1, 12), day=st.integers(29, 31))
def test_iso_dates_past_the_month_end_are_set_aside_never_rolled_over(
    year: int, month: int, day: int
) -> None:
    text = f"{year}-{month:02d}-{day:02d}"
    t = read(f"date\n{text}\n2024-01-01\n")
    try:
        real = dt.date(year, month, day)
    except ValueError:
        assert t.set_aside["line"].tolist() == [2]
        assert t.errors["message"].iloc[0] == "not a real calendar date; row set aside"
    else:
        assert t.episodes["date"].iloc[0].date() == real


@settings(max_examples=60, deadline=None)
@given(when=times, twelve=st.booleans())
def test_any_clock_time_reads_back(when: dt.time, twelve: bool) -> None:
    if twelve:
        written = f"{(when.hour % 12) or 12}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"
    else:
        written = f"{when.hour:02d}:{when.minute:02d}"
    t = read(f"date,time\n2024-01-02,{written}\n")
    assert t.episodes["minute_of_day"].tolist() == [when.hour * 60 + when.minute]


@settings(max_examples=60, deadline=None)
@given(minutes=st.integers(0, 59), seconds=st.integers(0, 59), hours=st.integers(0, 23))
def test_clock_durations_read_by_the_column_name(minutes: int, seconds: int, hours: int) -> None:
    plain = read(f"date,duration\n2024-01-02,{minutes}:{seconds:02d}\n")
    assert plain.episodes["duration_min"].tolist() == [minutes + seconds / 60]
    lasted = read(f"date,Lasted\n2024-01-02,{hours}:{minutes:02d}\n")
    assert lasted.episodes["duration_min"].tolist() == [hours * 60 + minutes]


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(dates, times), min_size=1, max_size=6))
def test_repeats_point_at_the_first_identical_row(rows: list[tuple[dt.date, dt.time]]) -> None:
    lines = [f"{d.isoformat()},{t.hour:02d}:{t.minute:02d}" for d, t in rows]
    t = read("date,time\n" + "\n".join(lines) + "\n")
    first: dict[str, int] = {}
    expected: list[int | None] = []
    for i, line in enumerate(lines, start=2):
        expected.append(first.get(line))
        first.setdefault(line, i)
    dup = t.episodes["duplicate_of"]
    got = [None if pd.isna(v) else int(v) for v in dup.tolist()]
    assert got == expected
