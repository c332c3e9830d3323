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
