"""Regenerate the synthetic sample diaries in this folder (no real patient data).

Run from the repository root: ``.venv/bin/python samples/make_samples.py``. The output is
deterministic (fixed seed), so the committed files only change when this script does.
Every sample tells the same made-up story in a different export shape: about three cramps
a week for five weeks, then vitamin K2 (MK-7) is started and cramps become less frequent.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = dt.date(2024, 9, 2)  # a Monday
K2_START = dt.date(2024, 10, 7)
END = dt.date(2024, 12, 1)
NOTES = ["", "", "", "calf", "woke me up", "stretched it out", "after a long walk", "foot"]


def episodes(seed: int = 2024) -> list[dict[str, object]]:
    """Made-up cramp episodes: ~3 a week before K2, ~1 a week after."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    day = START
    while day <= END:
        rate = 3.0 / 7 if day < K2_START else 1.0 / 7
        for _ in range(2):
            if rng.random() < rate / 2:
                minute = rng.choice([*range(22 * 60, 24 * 60, 7), *range(0, 6 * 60, 7)])
                out.append(
                    {
                        "date": day,
                        "minute": minute,
                        "duration": round(rng.uniform(0.5, 6.0), 1),
                        "severity": rng.randint(3, 9) if day < K2_START else rng.randint(2, 7),
                        "side": rng.choice(["L", "L", "R", "Both"]),
                        "notes": rng.choice(NOTES),
                        "k2": day >= K2_START,
                    }
                )
        day += dt.timedelta(days=1)
    return out


def hhmm(minute: object) -> str:
    m = int(str(minute))
    return f"{m // 60:02d}:{m % 60:02d}"


def word(severity: object) -> str:
    s = int(str(severity))
    return "Mild" if s <= 3 else "Moderate" if s <= 6 else "Severe"


def write_iso(rows: list[dict[str, object]]) -> None:
    lines = ["date,time,duration_min,severity,side,notes,supplement"]
    for r in rows:
        supp = "MK-7 180 mcg" if r["k2"] else ""
        note = str(r["notes"])
        note = f'"{note}"' if "," in note else note
        lines.append(
            f"{r['date']},{hhmm(r['minute'])},{r['duration']},{r['severity']},{r['side']},"
            f"{note},{supp}"
        )
    (HERE / "episodes_iso_k2.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_eu(rows: list[dict[str, object]]) -> None:
    sides = {"L": "left", "R": "right", "Both": "both"}
    lines = ["Date;Time;Duration (min);Intensity;Leg;Notes"]
    for r in rows:
        d = r["date"]
        assert isinstance(d, dt.date)
        duration = str(r["duration"]).replace(".", ",")
        lines.append(
            f"{d:%d/%m/%Y};{hhmm(r['minute'])};{duration};{word(r['severity'])};"
            f"{sides[str(r['side'])]};{r['notes']}"
        )
    text = "\r\n".join(lines) + "\r\n"
    (HERE / "eu_semicolon_words.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def write_us(rows: list[dict[str, object]]) -> None:
    lines = ["Date,Start Time,Minutes,Pain (0-10),Which leg,Comments"]
    for i, r in enumerate(rows):
        d = r["date"]
        assert isinstance(d, dt.date)
        m = int(str(r["minute"]))
        hour12 = (m // 60) % 12 or 12
        clock = f"{hour12}:{m % 60:02d} {'AM' if m < 12 * 60 else 'PM'}"
        lines.append(
            f"{d.month}/{d.day}/{d.year},{clock},{r['duration']},{r['severity']},{r['side']},"
            f"{r['notes']}"
        )
        if i == 5:  # an exact repeat, as when an entry is saved twice
            lines.append(lines[-1])
    # Two deliberately bad rows, shown in the page as set aside / problems.
    lines.insert(9, ",3:10 AM,2,5,L,forgot the date")
    lines.insert(14, "10/14/2024,25:99,two,11,middle,typo row")
    (HERE / "us_dates.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_nightly(rows: list[dict[str, object]]) -> None:
    counts: dict[dt.date, int] = {}
    for r in rows:
        d = r["date"]
        assert isinstance(d, dt.date)
        counts[d] = counts.get(d, 0) + 1
    lines = ["night,cramps,K2"]
    day = START
    while day <= END:
        lines.append(f"{day},{counts.get(day, 0)},{'yes' if day >= K2_START else 'no'}")
        day += dt.timedelta(days=1)
    (HERE / "nightly_counts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_tracker(rows: list[dict[str, object]], seed: int = 7) -> None:
    rng = random.Random(seed)
    by_day: dict[dt.date, list[dict[str, object]]] = {}
    for r in rows:
        d = r["date"]
        assert isinstance(d, dt.date)
        by_day.setdefault(d, []).append(r)
    lines = ["date,category,rating/amount,detail,notes"]
    day = START
    while day <= END:
        lines.append(f"{day},Mood,{rng.randint(2, 5)},Mood,")
        lines.append(f"{day},Sleep,{round(rng.uniform(5.5, 8.5), 1)},Sleep (hours),")
        if day >= K2_START:
            lines.append(f"{day},Supplements,1,Vitamin K2 (MK-7) 180 mcg,with dinner")
        lines.append(f"{day},Supplements,1,Vitamin D,")
        for r in by_day.get(day, []):
            lines.append(f"{day},Symptoms,{r['severity']},Leg cramps,{r['notes']}")
        day += dt.timedelta(days=1)
    (HERE / "tracker_long.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_json(rows: list[dict[str, object]]) -> None:
    records = [
        {
            "timestamp": f"{r['date']}T{hhmm(r['minute'])}:00",
            "durationSeconds": int(float(str(r["duration"])) * 60),
            "intensity": r["severity"],
            "leg": {"L": "left", "R": "right", "Both": "both"}[str(r["side"])],
            "note": r["notes"] or None,
            "supplements": "vitamin K2 (MK-7)" if r["k2"] else "",
        }
        for r in rows
    ]
    (HERE / "app_export.json").write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")


def write_ambiguous(rows: list[dict[str, object]]) -> None:
    lines = ["Date\tCramps"]
    seen: dict[dt.date, int] = {}
    for r in rows:
        d = r["date"]
        assert isinstance(d, dt.date)
        if d.day <= 12:
            seen[d] = seen.get(d, 0) + 1
    for d, n in sorted(seen.items()):
        lines.append(f"{d.day:02d}/{d.month:02d}/{d.year}\t{n}")
    (HERE / "ambiguous_dates.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_xlsx(rows: list[dict[str, object]]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Cramp diary"
    ws.append(["Synthetic cramp diary (made-up data)"])
    ws.append([])
    ws.append(["Date", "Time", "Duration (min)", "Severity (1-10)", "Side", "Supplement"])
    for r in rows:
        m = int(str(r["minute"]))
        ws.append(
            [
                r["date"],
                dt.time(m // 60, m % 60),
                r["duration"],
                r["severity"],
                r["side"],
                "Vitamin K2" if r["k2"] else None,
            ]
        )
    wb.properties.creator = "Cramp Consult sample generator"
    wb.properties.created = dt.datetime(2024, 12, 1)
    wb.properties.modified = dt.datetime(2024, 12, 1)
    wb.save(HERE / "spreadsheet.xlsx")


def _clock12(minute: object) -> str:
    m = int(str(minute))
    return f"{(m // 60) % 12 or 12}:{m % 60:02d} {'AM' if m < 12 * 60 else 'PM'}"


def write_started_lasted(rows: list[dict[str, object]]) -> None:
    """A cramp-tracker app: "Started" 12-hour timestamps, "Lasted" as h:mm, "Pain Level"."""
    lines = ["Started,Lasted,Pain Level,Leg,Notes,Supplements"]
    sides = {"L": "Left", "R": "Right", "Both": "Both"}
    for r in rows:
        d = r["date"]
        assert isinstance(d, dt.date)
        lasted = max(1, round(float(str(r["duration"]))))
        note = str(r["notes"])
        note = f'"{note}"' if "," in note else note
        lines.append(
            f"{d.month}/{d.day}/{d.year} {_clock12(r['minute'])},0:{lasted:02d},{r['severity']},"
            f"{sides[str(r['side'])]},{note},{'Vitamin K2 (MK-7)' if r['k2'] else ''}"
        )
    (HERE / "tracker_started_lasted.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _ordinal(day: dt.date) -> str:
    suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    return f"{day.day}{suffix} {day:%b %Y}"


def write_ordinal_buckets(rows: list[dict[str, object]], seed: int = 11) -> None:
    """A long tracker export with ordinal dates ("2nd Feb 2026") and parts of the day."""
    rng = random.Random(seed)
    by_day: dict[dt.date, list[dict[str, object]]] = {}
    for r in rows:
        d = r["date"]
        assert isinstance(d, dt.date)
        by_day.setdefault(d, []).append(r)
    lines = ["date,time of day,category,rating/amount,detail,notes"]
    day = START
    while day <= END:
        lines.append(f"{_ordinal(day)},am,Mood,{rng.randint(2, 5)},Mood,")
        if day >= K2_START:
            lines.append(f"{_ordinal(day)},pm,Supplements,1,Vitamin K2 (MK-7) 180 mcg,")
        for r in by_day.get(day, []):
            part = "night" if int(str(r["minute"])) < 6 * 60 else "pre-bed"
            lines.append(f"{_ordinal(day)},{part},Symptoms,{r['severity']},Leg cramps,{r['notes']}")
        day += dt.timedelta(days=1)
    (HERE / "tracker_ordinal_buckets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_utf16_title(rows: list[dict[str, object]]) -> None:
    """Excel's "Unicode text": UTF-16 with a BOM, tab-separated, a title line above the header."""
    lines = [
        "Leg cramps – synthetic export (made-up data)",
        "Date\tTime\tDuration (min)\tPain Level\tLeg\tNotes\tSupplement",
    ]
    for r in rows:
        supp = "MK-7 180 µg" if r["k2"] else ""
        lines.append(
            f"{r['date']}\t{hhmm(r['minute'])}\t{r['duration']}\t{r['severity']}\t{r['side']}\t"
            f"{r['notes']}\t{supp}"
        )
    text = "\r\n".join(lines) + "\r\n"
    (HERE / "tracker_utf16_title.txt").write_bytes(text.encode("utf-16"))


def main() -> None:
    rows = episodes()
    write_iso(rows)
    write_eu(rows)
    write_us(rows)
    write_nightly(rows)
    write_tracker(rows)
    write_json(rows)
    write_ambiguous(rows)
    write_xlsx(rows)
    write_started_lasted(rows)
    write_ordinal_buckets(rows)
    write_utf16_title(rows)


if __name__ == "__main__":
    main()
