"""Readers: a diary file's bytes -> RawTable (text columns, the line of each record).

Dispatch is on content, not just the extension: a ZIP is a workbook, text starting with
``[`` or ``{`` is JSON, anything else is read as delimited text.
"""

from __future__ import annotations

from typing import Final

from core.diary.readers.delimited import read_delimited
from core.diary.readers.encoding import to_utf8
from core.diary.readers.raw import RawTable
from core.diary.readers.records import read_records
from core.diary.readers.workbook import read_workbook
from core.errors import InputError

__all__ = ["RawTable", "load"]

_WS: Final = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"


def load(data: bytes, where: str) -> RawTable:
    """Read any supported diary file; refuse an empty, binary or unreadable one."""
    if not data or (not data[:65536].strip(_WS) and not data.strip(_WS)):
        raise InputError("the file is empty", where=where)
    ext = where.rsplit(".", 1)[-1].lower() if "." in where else ""
    if data[:4] == b"PK\x03\x04":
        return read_workbook(data, where)
    if ext == "xlsx":
        raise InputError("this is not a valid .xlsx workbook", where=where)
    if ext == "xls" or data[:4] == b"\xd0\xcf\x11\xe0":
        raise InputError(
            "old binary Excel (.xls) files are not read; save it as .xlsx or CSV", where=where
        )
    body, encoding = to_utf8(data, where)
    first = body[:64].lstrip()[:1]
    if ext == "json" or (first in (b"[", b"{") and ext not in ("csv", "tsv", "txt")):
        return read_records(body.decode("utf-8"), where)
    return read_delimited(body, encoding, where)
