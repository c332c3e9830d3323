"""Many diary files at once: several uploads, one ZIP, or a folder, under the panel's caps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from core.cohort.collected import (
    MAX_TOTAL_BYTES,
    ZIP_MAGIC,
    Collected,
    is_manifest,
    kind_problem,
    mb,
    place,
    suffix,
    take,
)
from core.cohort.zipped import collect_zip
from core.errors import InputError


def collect_uploads(uploads: Sequence[tuple[str, bytes]]) -> Collected:
    """Several uploaded files, or one ZIP of them (as the page receives them)."""
    zips = [(n, d) for n, d in uploads if suffix(n) == "zip" or d[:4] == ZIP_MAGIC]
    zips = [(n, d) for n, d in zips if suffix(n) != "xlsx"]
    if zips and len(uploads) > 1:
        raise InputError("upload either diary files or one ZIP of them, not both", where=zips[0][0])
    if zips:
        return collect_zip(zips[0][1], zips[0][0])
    out = Collected()
    for name, data in uploads:
        take(out, name, data)
    return out


def collect_dir(path: Path) -> Collected:
    """The diaries in a folder and its subfolders, named by their path inside it."""
    out = Collected()
    for item in sorted(_walk(path), key=lambda p: p.relative_to(path).as_posix()):
        name = item.relative_to(path).as_posix()
        if item.is_symlink():
            out.refuse(name, "a symbolic link; not followed")
            continue
        problem = None if is_manifest(name) else kind_problem(name, b"")
        if problem is not None:
            out.refuse(name, problem)
            continue
        try:
            size = item.stat().st_size
            if not is_manifest(name) and not out.admit(name, size):
                continue
            body = item.read_bytes()
        except OSError as exc:
            out.refuse(name, f"cannot be read ({exc.strerror or exc})")
            continue
        problem = None if is_manifest(name) else kind_problem(name, body[:4])
        if problem is not None:
            out.refuse(name, problem)
        else:
            place(out, name, body)
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
    if suffix(path.name) != "zip":
        raise InputError("expected a folder of diaries or a .zip of them", where=where)
    try:
        if path.stat().st_size > MAX_TOTAL_BYTES:
            raise InputError(f"the ZIP is larger than the {mb(MAX_TOTAL_BYTES)} cap", where=where)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", where=where) from None
    return collect_zip(data, where)
