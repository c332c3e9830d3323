"""Rows identical to an earlier row: flagged with that row's line, never dropped."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

KEYS: Final = ("date", "minute_of_day", "duration_min", "severity", "side", "count", "notes")
"""Every cleaned field a repeat must share (the line and the K2 flag are not compared)."""


def duplicate_of(frame: pd.DataFrame) -> pd.Series:
    """Line of the first identical kept row for each repeat (NA otherwise).

    A 64-bit hash of each row (``hash_pandas_object``) picks the rows that may repeat,
    in one pass and little memory; ``groupby(...).transform("first")`` over just those
    rows then decides exactly, so a hash collision cannot flag a row wrongly.
    """
    first = frame["line"].to_numpy(np.int64).copy()
    if len(frame):
        keys = {k: frame[k] for k in KEYS}
        keys["notes"] = frame["notes"].astype("category")  # hashes the few distinct notes
        hashes = pd.util.hash_pandas_object(pd.DataFrame(keys, copy=False), index=False)
        del keys
        maybe = hashes.duplicated(keep=False).to_numpy()
        del hashes
        if maybe.any():
            sub = frame[maybe]
            groups = sub.groupby(list(KEYS), dropna=False, sort=False, observed=True)
            first[maybe] = groups["line"].transform("first").to_numpy(np.int64)
    repeat = first != frame["line"].to_numpy(np.int64)
    return pd.Series(pd.arrays.IntegerArray(np.where(repeat, first, 0), ~repeat), index=frame.index)
