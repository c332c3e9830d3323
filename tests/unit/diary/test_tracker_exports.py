"""Exports from trackers people already use (issue 9 §5), read without a column map."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.diary import DiaryTable, cleaned_frame, read_diary, summarize

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
TRACKER_SAMPLES = (
    "tracker_started_lasted.csv",
    "tracker_ordinal_buckets.csv",
    "tracker_utf16_title.txt",
)


def read(text: str | bytes, name: str = "t.csv") -> DiaryTable:
    return read_diary(text.encode("utf-8") if isinstance(text, str) else text, name)


@pytest.mark.parametrize("name", TRACKER_SAMPLES)
def test_tracker_samples_tell_the_same_story_as_the_others(name: str) -> None:
    t = read_diary((SAMPLES / name).read_bytes(), name)
    s = summarize(t)
    assert (s.first_date, s.last_date, s.episodes) == ("2024-09-11", "2024-11-30", 22)
    assert t.errors.empty
    assert t.k2_start_from_file == dt.date(2024, 10, 7)
    assert len(t.episodes) + len(t.set_aside) + len(t.ignored) == t.rows_read
    reference = summarize(read_diary((SAMPLES / "episodes_iso_k2.csv").read_bytes(), "ref.csv"))
    assert [(w.week_start, w.episodes) for w in s.weekly] == [
        (w.week_start, w.episodes) for w in reference.weekly
    ]


def test_started_twelve_hour_timestamps_lasted_h_mm_and_pain_level() -> None:
    t = read(
        "Started,Lasted,Pain Level\n"
        "10/7/2026 11:53 PM,0:05,6\n"
        "10/14/2026 2:10 AM,1:20,4\n"
        "10/15/2026 12:05 AM,0:00:30,3\n"
    )
    assert dict(t.mapping) == {"date": "Started", "duration": "Lasted", "severity": "Pain Level"}
    assert t.date_order == "mdy"
    assert [str(d.date()) for d in t.episodes["date"]] == ["2026-10-07", "2026-10-14", "2026-10-15"]
    assert t.episodes["minute_of_day"].tolist() == [23 * 60 + 53, 2 * 60 + 10, 5]
    assert t.episodes["duration_min"].tolist() == [5.0, 80.0, 0.5]
    assert t.episodes["severity"].tolist() == [6.0, 4.0, 3.0]


def test_minutes_seconds_stay_the_reading_of_a_plain_duration_column() -> None:
    t = read("date,duration\n2024-01-02,1:30\n")
    assert t.episodes["duration_min"].tolist() == [1.5]


def test_ordinal_dates() -> None:
    t = read('Date\n2nd Feb 2026\n"21st March 2026"\n3rd Feb 2026 11:40 pm\n"Mon, 23rd Feb 2026"\n')
    assert [str(d.date()) for d in t.episodes["date"]] == [
        "2026-02-02",
        "2026-03-21",
        "2026-02-03",
        "2026-02-23",
    ]
    assert t.episodes["minute_of_day"].tolist()[2] == 23 * 60 + 40
    assert t.errors.empty


def test_time_of_day_buckets_in_a_long_tracker_export() -> None:
    t = read(
        "date,time of day,category,rating/amount,detail,notes\n"
        "2026-02-01,pre-bed,Symptoms,6,Leg cramps,\n"
        "2026-02-01,am,Mood,4,Mood,\n"
        "2026-02-02,Night,Symptoms,3,Leg cramp,calf\n"
        "2026-02-03,23:40,Symptoms,5,Leg cramp,\n"
        "2026-02-04,teatime?,Symptoms,2,Leg cramp,\n"
    )
    assert t.shape == "tracker"
    assert t.episodes["time_of_day"].astype(object).where(
        t.episodes["time_of_day"].notna(), None
    ).tolist() == ["night", "night", None, None]
    assert t.episodes["minute_of_day"].isna().tolist() == [True, True, False, True]
    assert [(e.row, e.column) for e in t.error_list()] == [(6, "time of day")]
    assert "time_of_day" in cleaned_frame(t).columns


def test_files_without_buckets_keep_their_columns() -> None:
    t = read("date,time\n2024-01-02,02:30\n")
    assert "time_of_day" not in t.episodes.columns
    assert "time_of_day" not in cleaned_frame(t).columns


def test_utf16_text_with_a_title_line_above_the_header() -> None:
    text = "Leg cramps – export\r\nDate\tTime\tPain Level\r\n2026-02-02\t23:10\t5\r\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-le")):
        t = read(data, "export.txt")
        assert t.header_line == 2 and t.delimiter == "\t"
        assert t.encoding in ("utf-16", "utf-16-le")
        assert t.episodes["line"].tolist() == [3]
        assert t.episodes["minute_of_day"].tolist() == [23 * 60 + 10]
