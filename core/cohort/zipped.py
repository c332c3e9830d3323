"""One ZIP of diaries, read in memory member by member (never extracted to disk).

Refuses zip bombs (each member's declared size is checked against the room left under the
total cap before reading, and reading stops as soon as more comes out), unsafe member names
(absolute, drive letters, backslashes, '..') and archives nested inside the ZIP.
"""

from __future__ import annotations

import io
import zipfile

from core.cohort.collected import (
    MAX_FILES,
    MAX_TOTAL_BYTES,
    Collected,
    is_manifest,
    kind_problem,
    mb,
    place,
)
from core.errors import InputError

MAX_ZIP_MEMBERS = 10 * MAX_FILES
"""A ZIP listing more members than this is refused whole (a flood of tiny entries)."""
_CHUNK = 1 << 20
_SYSTEM_DIRS = ("__MACOSX/",)  # macOS resource forks: copies, not diaries


def _unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters, backslashes, '..' parts or control characters."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name:
        return True
    if any(ord(ch) < 32 for ch in name):
        return True
    return any(part == ".." for part in name.split("/"))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The member's bytes, or None as soon as more than ``limit`` come out."""
    parts: list[bytes] = []
    got = 0
    with zf.open(info) as member:
        while True:
            chunk = member.read(min(_CHUNK, limit - got + 1))
            if not chunk:
                return b"".join(parts)
            got += len(chunk)
            if got > limit:
                return None
            parts.append(chunk)


def collect_zip(data: bytes, where: str) -> Collected:
    """The diaries in one ZIP held in memory (never extracted to disk)."""
    if len(data) > MAX_TOTAL_BYTES:
        raise InputError(f"the ZIP is larger than the {mb(MAX_TOTAL_BYTES)} cap", where=where)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a readable ZIP ({exc})", where=where) from None
    out = Collected()
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise InputError(
                f"the ZIP lists {len(infos):,} entries, more than {MAX_ZIP_MEMBERS:,}", where=where
            )
        for info in infos:
            _zip_member(zf, info, out)
    return out


def _zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, out: Collected) -> None:
    name = info.filename
    if info.is_dir() or name.startswith(_SYSTEM_DIRS):
        return
    if _unsafe_name(name):
        out.refuse(name, "unsafe path in the ZIP (absolute, '..' or a drive); not read")
        return
    if info.flag_bits & 0x1:
        out.refuse(name, "encrypted; not read")
        return
    if not is_manifest(name):
        problem = kind_problem(name, b"")
        if problem is not None:
            out.refuse(name, problem)
            return
        if not out.admit(name, info.file_size):
            return
    elif info.file_size > out.room():
        raise InputError(f"the manifest is larger than the {mb(MAX_TOTAL_BYTES)} cap", where=name)
    try:
        body = _read_member(zf, info, min(info.file_size, out.room()))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        out.refuse(name, f"damaged in the ZIP ({exc}); not read")
        return
    except NotImplementedError as exc:  # an unsupported compression method
        out.refuse(name, f"cannot be unpacked ({exc}); not read")
        return
    if body is None:
        out.refuse(
            name, "unpacks to more than its declared size or the total cap (a zip bomb?); not read"
        )
        return
    problem = None if is_manifest(name) else kind_problem(name, body[:4])
    if problem is not None:
        out.refuse(name, problem)
    else:
        place(out, name, body)
