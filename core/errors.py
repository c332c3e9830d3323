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
    def from_validation(cls, file: str, exc: Exception) -> DataError:
        """The first problem of a pydantic ``ValidationError`` as one line (location, token)."""
        errors = getattr(exc, "errors", None)
        if not callable(errors):
            return cls(file, "(file)", str(exc).splitlines()[0])
        first = errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ())) or "(top level)"
        token = loc.rsplit(".", 1)[-1]
        if first.get("type") == "extra_forbidden":
            return cls(file, loc, f"unknown key '{token}'")
        if first.get("type") == "missing":
            return cls(file, loc, f"missing key '{token}'")
        return cls(file, loc, f"{first.get('msg', 'invalid')} (got {first.get('input')!r:.60})")
