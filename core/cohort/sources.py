"""Many diary files at once: a folder, one ZIP, or several uploads, under the panel's caps.

Each file is one patient, named by its file name (its path inside a ZIP or folder). Files
that cannot be taken are refused one by one with a reason; the rest still load. A ZIP is
read in memory only, member by member, and refuses zip bombs (declared and actual sizes
checked against the cap while reading), unsafe member names and nested archives.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from core.cohort.schema import RefusedFile
from core.diary import SUPPORTED_TYPES
from core.errors import InputError

MAX_FILES = 500
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 10 * MAX_FILES
"""A ZIP listing more members than this is refused whole (a flood of tiny entries)."""
MANIFEST_NAME = "manifest.csv"
_CHUNK = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_SYSTEM_DIRS = ("__MACOSX/",)  # macOS resource forks: copies, not diaries


@dataclass(frozen=True)
class DiaryFile:
    """One file's name (the patient's label) and its bytes, held in memory."""

    name: str
    data: bytes


@dataclass
class Collected:
    """The diary files taken, the files refused, and a manifest if one came along."""

    files: list[DiaryFile] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)
    manifest: DiaryFile | None = None
    total_bytes: int = 0

    def names(self) -> list[str]:
        """Every file name seen, taken or refused."""
        return [f.name for f in self.files] + [r.file for r in self.refused]

    def refuse(self, name: str, reason: str) -> None:
        """Name a file that is not read, and why."""
        self.refused.append(RefusedFile(file=name, error=reason))

    def room(self) -> int:
        """Bytes still allowed under the total cap."""
        return MAX_TOTAL_BYTES - self.total_bytes

    def admit(self, name: str, size: int) -> bool:
        """Whether a diary of ``size`` bytes fits the caps; refuses it by name if not."""
        if len(self.files) >= MAX_FILES:
            self.refuse(name, f"over the cap of {MAX_FILES} files in one panel; not read")
            return False
        if size > self.room():
            self.refuse(name, f"over the {_mb(MAX_TOTAL_BYTES)} total cap ({_mb(size)}); not read")
            return False
        return True

    def add(self, name: str, data: bytes) -> None:
        """Take a diary that was admitted."""
        self.files.append(DiaryFile(name, data))
        self.total_bytes += len(data)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def _kind_problem(name: str, head: bytes) -> str | None:
    """Why a file is not a diary by its name or first bytes, or None if it may be one."""
    base = PurePosixPath(name).name
    ext = _suffix(name)
    if base.startswith("."):
        return "a hidden file, not a diary; not read"
    if ext == "zip" or (ext != "xlsx" and head.startswith(_ZIP_MAGIC)):
        return "a ZIP inside the upload; nested archives are not opened"
    if ext not in SUPPORTED_TYPES:
        shown = f".{ext}" if ext else "no extension"
        return f"not a diary file type ({shown}); expected {', '.join(SUPPORTED_TYPES)}"
    return None


def _is_manifest(name: str) -> bool:
    return PurePosixPath(name).name.lower() == MANIFEST_NAME


def _place(out: Collected, name: str, data: bytes) -> None:
    """Keep a file already checked against the caps: the manifest, or a diary."""
    if not _is_manifest(name):
        out.add(name, data)
    elif out.manifest is not None:
        raise InputError(f"two manifests ({out.manifest.name} and {name}); keep one")
    else:
        out.manifest = DiaryFile(name, data)


def _take(out: Collected, name: str, data: bytes) -> None:
    """Sort one in-memory file into the manifest, a diary, or a refusal."""
    if _is_manifest(name):
        _place(out, name, data)
        return
    problem = _kind_problem(name, data[:4])
    if problem is not None:
        out.refuse(name, problem)
    elif out.admit(name, len(data)):
        out.add(name, data)


def collect_uploads(uploads: Sequence[tuple[str, bytes]]) -> Collected:
    """Several uploaded files, or one ZIP of them (as the page receives them)."""
    zips = [(n, d) for n, d in uploads if _suffix(n) == "zip" or d[:4] == _ZIP_MAGIC]
    zips = [(n, d) for n, d in zips if _suffix(n) != "xlsx"]
    if zips and len(uploads) > 1:
        raise InputError("upload either diary files or one ZIP of them, not both", where=zips[0][0])
    if zips:
        return collect_zip(zips[0][1], zips[0][0])
    out = Collected()
    for name, data in uploads:
        _take(out, name, data)
    return out


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
        raise InputError(f"the ZIP is larger than the {_mb(MAX_TOTAL_BYTES)} cap", where=where)
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
    if not _is_manifest(name):
        problem = _kind_problem(name, b"")
        if problem is not None:
            out.refuse(name, problem)
            return
        if not out.admit(name, info.file_size):
            return
    elif info.file_size > out.room():
        raise InputError(f"the manifest is larger than the {_mb(MAX_TOTAL_BYTES)} cap", where=name)
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
    problem = None if _is_manifest(name) else _kind_problem(name, body[:4])
    if problem is not None:
        out.refuse(name, problem)
    else:
        _place(out, name, body)


def collect_dir(path: Path) -> Collected:
    """The diaries in a folder and its subfolders, named by their path inside it."""
    out = Collected()
    for item in sorted(_walk(path), key=lambda p: p.relative_to(path).as_posix()):
        name = item.relative_to(path).as_posix()
        if item.is_symlink():
            out.refuse(name, "a symbolic link; not followed")
            continue
        problem = None if _is_manifest(name) else _kind_problem(name, b"")
        if problem is not None:
            out.refuse(name, problem)
            continue
        try:
            size = item.stat().st_size
            if not _is_manifest(name) and not out.admit(name, size):
                continue
            body = item.read_bytes()
        except OSError as exc:
            out.refuse(name, f"cannot be read ({exc.strerror or exc})")
            continue
        problem = None if _is_manifest(name) else _kind_problem(name, body[:4])
        if problem is not None:
            out.refuse(name, problem)
        else:
            _place(out, name, body)
    return out


def _walk(root: Path) -> Iterable[Path]:
    for item in root.rglob("*"):
        if any(part.startswith(".") for part in item.relative_to(root).parts[:-1]):
            continue  # inside a hidden folder (.git, .Trash)
        if item.is_file() or item.is_symlink():
            yield item


def collect_path(path: Path) -> Collected:
    """A folder of diaries or one ZIP file (the command line's argument)."""
    where = str(path)
    if path.is_dir():
        out = collect_dir(path)
        if not out.files and not out.refused:
            raise InputError("no files in the folder", where=where)
        return out
    if not path.exists():
        raise InputError("file or folder not found", where=where)
    if _suffix(path.name) != "zip":
        raise InputError("expected a folder of diaries or a .zip of them", where=where)
    try:
        if path.stat().st_size > MAX_TOTAL_BYTES:
            raise InputError(f"the ZIP is larger than the {_mb(MAX_TOTAL_BYTES)} cap", where=where)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", where=where) from None
    return collect_zip(data, where)
