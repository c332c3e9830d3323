"""Scoped memos: reuse of work derived from what a user typed, only inside one ``memo_scope``.

A process-wide cache is shared by every Streamlit session, so nothing patient-derived may sit
in one. Functions wrapped with ``scoped`` compute afresh on every call unless the calling
code opened ``with memo_scope():`` (the JSON Lines batch does); the memo lives in a context
variable (one per thread and task), each table holds at most ``LIMIT`` values, and all of it
is dropped when the scope closes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

LIMIT = 16384  # values per table; a full table starts again empty

_Tables = dict[object, dict[Any, Any]]
_SCOPE: ContextVar[_Tables | None] = ContextVar("core_memo_scope", default=None)


@contextmanager
def memo_scope() -> Iterator[None]:
    """Memoise ``scoped`` functions until the block ends, then drop everything they kept.

    A scope inside another scope shares the outer one's memo.
    """
    if _SCOPE.get() is not None:
        yield
        return
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def table(slot: object) -> dict[Any, Any] | None:
    """The current scope's dict for ``slot`` (created empty), or ``None`` outside a scope."""
    tables = _SCOPE.get()
    if tables is None:
        return None
    found = tables.get(slot)
    if found is None:
        found = tables[slot] = {}
    elif len(found) > LIMIT:
        found.clear()
    return found


def held() -> int:
    """How many values the current scope's memo holds (0 outside a scope)."""
    tables = _SCOPE.get()
    return 0 if tables is None else sum(len(t) for t in tables.values())


def scoped(fn: F) -> F:
    """``fn`` memoised on its positional arguments inside a ``memo_scope``; outside one, a
    plain call that keeps nothing."""
    slot = object()

    def wrapper(*args: Any) -> Any:
        tables = _SCOPE.get()
        if tables is None:
            return fn(*args)
        memo = tables.get(slot)
        if memo is None:
            memo = tables[slot] = {}
        try:
            return memo[args]
        except KeyError:
            if len(memo) > LIMIT:
                memo.clear()
            value = memo[args] = fn(*args)
            return value

    wrapper.__doc__ = fn.__doc__
    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return cast(F, wrapper)
