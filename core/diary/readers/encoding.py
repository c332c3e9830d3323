"""Bytes -> UTF-8 text bytes: BOMs, UTF-16, UTF-8, then cp1252/Latin-1; binary refused."""

from __future__ import annotations

from typing import Final

from core.errors import InputError

BINARY_MAGIC: Final = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0",  # legacy .xls / .doc
    b"\x1f\x8b",
    b"MZ",
    b"\x7fELF",
)
_UPLOAD_HINT: Final = "upload CSV, TSV, TXT, XLSX or JSON"
_CONTROL_BYTES: Final = bytes((*range(1, 9), 11, 12, *range(14, 27)))


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _refuse_nul(data: bytes, pos: int, where: str) -> None:
    raise InputError(
        f"line {_line_of(data, pos)} holds a NUL byte: this looks like a binary file, "
        f"not a diary export; {_UPLOAD_HINT}",
        where=where,
    )


def _looks_utf16le(head: bytes) -> bool:
    """BOM-less UTF-16LE text (Excel's "Unicode text"): ASCII with every odd byte NUL."""
    odd = head[1::2]
    return len(head) >= 8 and odd.count(0) >= 0.9 * len(odd) and head[0::2].count(0) == 0


def _from_utf16(data: bytes, encoding: str, where: str) -> bytes:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise InputError("the file is not readable text (bad UTF-16)", where=where) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(
            f"line {text.count(chr(10), 0, nul) + 1} holds a NUL character: this looks like "
            f"a binary file, not a diary export; {_UPLOAD_HINT}",
            where=where,
        )
    return text.encode("utf-8")


def _from_8bit(data: bytes, where: str) -> tuple[bytes, str]:
    """UTF-8 (with or without BOM), else cp1252, else Latin-1 (which always decodes)."""
    if any(data.startswith(m) for m in BINARY_MAGIC):
        raise InputError(f"this is a binary file, not a diary export; {_UPLOAD_HINT}", where=where)
    nul = data.find(b"\x00")
    if nul >= 0:
        _refuse_nul(data, nul, where)
    head = data[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # one pass, not 23
    if controls > max(8, len(head) // 20):
        raise InputError(
            f"this looks like a binary file, not a diary export; {_UPLOAD_HINT}", where=where
        )
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            encoding = "cp1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            encoding = "latin-1"
        data = text.encode("utf-8")
    return data, encoding


def to_utf8(data: bytes, where: str) -> tuple[bytes, str]:
    """UTF-8 bytes and the encoding read; line endings normalised to LF.

    LF line ends make line numbers match what an editor shows. Binary content (NUL bytes,
    known magic numbers, many control characters) is refused, naming the line of a NUL.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        data, encoding = _from_utf16(data, "utf-16", where), "utf-16"
    elif _looks_utf16le(data[:512]):
        data, encoding = _from_utf16(data, "utf-16-le", where), "utf-16-le"
    else:
        data, encoding = _from_8bit(data, where)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data, encoding
