"""Synthetic diaries with known effects for the panel tests (made-up data, in memory)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable

START = dt.date(2024, 1, 1)


def nightly_diary(
    before: int,
    after: int,
    *,
    nights_before: int = 56,
    nights_after: int = 56,
    start: dt.date = START,
    k2_column: bool = True,
    skip: Iterable[int] = (),
) -> bytes:
    """One row per night with a count: ``before`` cramps spread over the nights before the
    K2 start, ``after`` over the nights from it on; the K2 column says yes from the start.
    Nights listed in ``skip`` (0 = first night) have no row: a gap in logging."""
    header = "night,cramps,K2" if k2_column else "night,cramps"
    lines = [header]
    missing = set(skip)
    for i in range(nights_before + nights_after):
        if i in missing:
            continue
        day = start + dt.timedelta(days=i)
        if i < nights_before:
            count = before // nights_before + (1 if i < before % nights_before else 0)
            k2 = "no"
        else:
            j = i - nights_before
            count = after // nights_after + (1 if j < after % nights_after else 0)
            k2 = "yes"
        lines.append(f"{day.isoformat()},{count}" + (f",{k2}" if k2_column else ""))
    return ("\n".join(lines) + "\n").encode()


def zip_of(files: Iterable[tuple[str, bytes]]) -> bytes:
    """A ZIP (deflated) of the given members, built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buffer.getvalue()
