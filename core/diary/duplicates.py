"""Rows identical to an earlier row: flagged with that row's line, never dropped."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

KEYS: Final = ("date", "minute_of_day", "duration_min", "severity", "side", "count", "notes")
"""Every cleaned field a repeat must share (the line and the K2 flag are not compared)."""


def duplicate_of(frame: pd.DataFrame) -> pd.Series:
    """Line of the first identical kept row for each repeat (NA otherwise)."""
    if frame.empty:
        return pd.Series(pd.array([], dtype="Int64"), index=frame.index)
    groups = frame.groupby(list(KEYS), dropna=False, sort=False, observed=True)
    first = groups["line"].transform("first").to_numpy(np.int64)
    repeat = first != frame["line"].to_numpy(np.int64)
    return pd.Series(pd.arrays.IntegerArray(np.where(repeat, first, 0), ~repeat), index=frame.index)
