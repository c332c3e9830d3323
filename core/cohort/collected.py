"""The files a panel takes: one diary per patient, held in memory, under the panel's caps.

Each file is named by its file name (its path inside a ZIP or folder); a file that is not
taken is refused by name with a reason, and the rest still load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from core.cohort.schema import RefusedFile
from core.diary import SUPPORTED_TYPES
from core.errors import InputError

MAX_FILES = 500
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MANIFEST_NAME = "manifest.csv"
ZIP_MAGIC = b"PK\x03\x04"


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
            self.refuse(name, f"over the {mb(MAX_TOTAL_BYTES)} total cap ({mb(size)}); not read")
            return False
        return True

    def add(self, name: str, data: bytes) -> None:
        """Take a diary that was admitted."""
        self.files.append(DiaryFile(name, data))
        self.total_bytes += len(data)


def mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def kind_problem(name: str, head: bytes) -> str | None:
    """Why a file is not a diary by its name or first bytes, or None if it may be one."""
    base = PurePosixPath(name).name
    ext = suffix(name)
    if base.startswith("."):
        return "a hidden file, not a diary; not read"
    if ext == "zip" or (ext != "xlsx" and head.startswith(ZIP_MAGIC)):
        return "a ZIP inside the upload; nested archives are not opened"
    if ext not in SUPPORTED_TYPES:
        shown = f".{ext}" if ext else "no extension"
        return f"not a diary file type ({shown}); expected {', '.join(SUPPORTED_TYPES)}"
    return None


def is_manifest(name: str) -> bool:
    return PurePosixPath(name).name.lower() == MANIFEST_NAME


def place(out: Collected, name: str, data: bytes) -> None:
    """Keep a file already checked against the caps: the manifest, or a diary."""
    if not is_manifest(name):
        out.add(name, data)
    elif out.manifest is not None:
        raise InputError(f"two manifests ({out.manifest.name} and {name}); keep one")
    else:
        out.manifest = DiaryFile(name, data)


def take(out: Collected, name: str, data: bytes) -> None:
    """Sort one in-memory file into the manifest, a diary, or a refusal."""
    if is_manifest(name):
        place(out, name, data)
        return
    problem = kind_problem(name, data[:4])
    if problem is not None:
        out.refuse(name, problem)
    elif out.admit(name, len(data)):
        out.add(name, data)
