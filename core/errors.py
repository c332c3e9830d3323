"""The one error type for bad user input, carrying where the problem is."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a user or a file; the message says what is wrong and where.

    Raised by parsers and caught at the edges (command line, pages), which show the
    message and never a traceback.
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class DataError(RuntimeError):
    """A data file under ``core/data/`` is wrong: one line naming the file, the rule and the
    unknown token. Raised at load time so the program stops before answering anything."""

    def __init__(self, file: str, rule: str, problem: str) -> None:
        self.file = file
        self.rule = rule
        self.problem = problem
        super().__init__(f"{file}: {rule}: {problem}")

    @classmethod
    def from_validation(cls, file: str, exc: Exception, raw: object = None) -> DataError:
        """A pydantic ``ValidationError`` as one line: where (``records[vka_interaction]`` when
        ``raw`` gives the record's code) and the token; an unknown key is named first."""
        errors = getattr(exc, "errors", None)
        if not callable(errors):
            return cls(file, "(file)", str(exc).splitlines()[0])
        found = errors()
        extra = [e for e in found if e.get("type") == "extra_forbidden"]
        missing = [e for e in found if e.get("type") == "missing"]
        first = (extra or found)[0]
        loc = tuple(first.get("loc", ()))
        where = _where(loc[:-1] if extra or first.get("type") == "missing" else loc, raw)
        token = str(loc[-1]) if loc else "(top level)"
        if extra:
            also = [str(m["loc"][-1]) for m in missing if tuple(m["loc"][:-1]) == loc[:-1]]
            hint = f" (expected '{also[0]}')" if also else ""
            return cls(file, where, f"unknown key '{token}'{hint}")
        if first.get("type") == "missing":
            return cls(file, where, f"missing key '{token}'")
        return cls(file, where, f"{first.get('msg', 'invalid')} (got {first.get('input')!r:.60})")


def _where(loc: tuple[object, ...], raw: object) -> str:
    """A location such as ``records[vka_interaction].classes`` (codes instead of indexes)."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            name = next(
                (node[k] for k in ("code", "id", "status") if isinstance(node, dict) and k in node),
                step,
            )
            parts[-1:] = [f"{parts[-1] if parts else ''}[{name}]"]
            continue
        node = node.get(str(step)) if isinstance(node, dict) else None
        parts.append(str(step))
    return ".".join(parts) or "(top level)"
