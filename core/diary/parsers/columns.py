"""Small whole-column helpers over pyarrow compute, returning numpy arrays."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]


def np_bool(arr: Any) -> npt.NDArray[np.bool_]:
    """A boolean Arrow array as numpy, null read as False."""
    return np.array(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def np_int(arr: Any, missing: int = -1) -> npt.NDArray[np.int64]:
    """Digits-only strings (or empty) -> int64, ``missing`` where empty or null."""
    clean = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    ints = pc.fill_null(pc.cast(clean, pa.int64()), missing)
    return np.array(ints.to_numpy(zero_copy_only=False), np.int64)


def empty(arr: Any) -> npt.NDArray[np.bool_]:
    """Cells holding nothing at all (not even a space)."""
    lengths = np.asarray(pc.binary_length(arr).to_numpy(zero_copy_only=False), np.int64)
    return np.asarray(lengths == 0, bool)


def match(arr: Any, pattern: str) -> npt.NDArray[np.bool_]:
    """Whether each value matches an RE2 pattern."""
    return np_bool(pc.match_substring_regex(arr, pattern))


def extract(arr: Any, pattern: str, names: Iterable[str]) -> dict[str, Any]:
    """Named groups of ``pattern`` as string arrays (empty where unmatched); ``_ok`` mask."""
    struct = pc.extract_regex(arr, pattern)
    out: dict[str, Any] = {"_ok": np_bool(pc.is_valid(struct))}
    for name in names:
        out[name] = pc.fill_null(pc.struct_field(struct, name), "")
    return out


def rest(
    s: Any, done: npt.NDArray[np.bool_], is_empty: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], Any, npt.NDArray[np.bool_]]:
    """Indices, trimmed text and blank mask of the values the fast path did not read."""
    idx = np.flatnonzero(~done & ~is_empty)
    if idx.size == 0:
        return idx, None, np.zeros(0, bool)
    sub = pc.utf8_trim_whitespace(s.take(pa.array(idx)))
    return idx, sub, empty(sub)


def cast_all(s: Any, is_empty: npt.NDArray[np.bool_], to: Any) -> npt.NDArray[Any] | None:
    """Cast a whole column in one pass if every non-empty value is a plain number."""
    arr = pc.if_else(pa.array(is_empty), pa.scalar(None, pa.string()), s) if is_empty.any() else s
    try:
        cast_arr = pc.cast(arr, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pa.types.is_floating(to):
        return np.array(cast_arr.to_numpy(zero_copy_only=False), np.float64)
    return np.array(pc.fill_null(cast_arr, -1).to_numpy(zero_copy_only=False), np.int64)


def to_float(s: Any) -> npt.NDArray[np.float64]:
    """Strings already checked to be numbers (decimal comma or point) -> float64.

    The comma is swapped for a point here only; the file's text is kept as written.
    """
    clean = pc.replace_substring(s, ",", ".")
    clean = pc.if_else(pc.equal(clean, ""), pa.scalar(None, pa.string()), clean)
    return np.asarray(pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False), np.float64)


def lookup(arr: Any, words: list[str]) -> npt.NDArray[np.int64]:
    """Position of each value in ``words`` (-1 if absent)."""
    pos = pc.fill_null(pc.index_in(arr, value_set=pa.array(words)), -1)
    return np.array(pos.to_numpy(zero_copy_only=False), np.int64)


def put(
    target: npt.NDArray[Any],
    idx: npt.NDArray[np.int64],
    ok: npt.NDArray[np.bool_],
    values: npt.NDArray[Any],
) -> None:
    """``target[idx[ok]] = values[ok]``."""
    target[idx[ok]] = values[ok]
