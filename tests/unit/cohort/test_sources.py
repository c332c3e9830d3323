"""Many files at once: caps, ZIP safety (bombs, unsafe names, nesting) and folders."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cohort import (
    MAX_FILES,
    MAX_TOTAL_BYTES,
    build_report,
    collect_dir,
    collect_path,
    collect_uploads,
    collect_zip,
)
from core.errors import InputError
from tests.unit.cohort.factory import nightly_diary, zip_of

DIARY = nightly_diary(20, 10)


def refused(collected: object) -> dict[str, str]:
    return {r.file: r.error for r in collected.refused}  # type: ignore[attr-defined]


def test_more_than_500_files_refuses_each_extra_file_by_name() -> None:
    uploads = [(f"p{i:03d}.csv", b"night,cramps\n2024-01-01,1\n") for i in range(MAX_FILES + 2)]
    got = collect_uploads(uploads)
    assert len(got.files) == MAX_FILES
    assert set(refused(got)) == {"p500.csv", "p501.csv"}
    assert all("500 files" in e for e in refused(got).values())


def test_more_than_50_mb_in_all_refuses_the_files_over_the_cap() -> None:
    big = b"x" * (20 * 1024 * 1024)
    got = collect_uploads([("a.csv", big), ("b.csv", big), ("c.csv", big), ("d.csv", DIARY)])
    assert [f.name for f in got.files] == ["a.csv", "b.csv", "d.csv"]
    assert "50 MB total cap" in refused(got)["c.csv"]
    assert got.total_bytes <= MAX_TOTAL_BYTES


def test_a_zip_bomb_is_refused_by_its_declared_size_without_unpacking() -> None:
    bomb = zip_of([("bomb.csv", b"0" * (MAX_TOTAL_BYTES + 1)), ("ok.csv", DIARY)])
    assert len(bomb) < 1024 * 1024  # tiny on the wire
    got = collect_zip(bomb, "panel.zip")
    assert [f.name for f in got.files] == ["ok.csv"]
    assert "cap" in refused(got)["bomb.csv"]


def _lie_about_size(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size of member ``name`` in both ZIP headers."""
    out = bytearray(data)
    local = out.find(b"PK\x03\x04")
    while local != -1:
        n = struct.unpack_from("<H", out, local + 26)[0]
        if bytes(out[local + 30 : local + 30 + n]) == name:
            struct.pack_into("<I", out, local + 22, size)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        n = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + n]) == name:
            struct.pack_into("<I", out, central + 24, size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused() -> None:
    honest = zip_of([("liar.csv", b"0" * (2 * 1024 * 1024)), ("ok.csv", DIARY)])
    got = collect_zip(_lie_about_size(honest, b"liar.csv", 100), "panel.zip")
    assert [f.name for f in got.files] == ["ok.csv"]
    assert "liar.csv" in refused(got)


def test_the_total_cap_counts_what_members_unpack_to() -> None:
    part = b"0" * (20 * 1024 * 1024)
    got = collect_zip(zip_of([("a.csv", part), ("b.csv", part), ("c.csv", part)]), "z.zip")
    assert [f.name for f in got.files] == ["a.csv", "b.csv"]
    assert "50 MB total cap" in refused(got)["c.csv"]


@pytest.mark.parametrize("name", ["../escape.csv", "/etc/passwd.csv", "a/../../b.csv", "C:x.csv"])
def test_unsafe_member_names_are_refused(name: str) -> None:
    got = collect_zip(zip_of([(name, DIARY), ("ok.csv", DIARY)]), "z.zip")
    assert [f.name for f in got.files] == ["ok.csv"]
    assert len(got.refused) == 1
    assert "unsafe path" in got.refused[0].error


def test_nested_zips_are_not_opened() -> None:
    inner = zip_of([("p.csv", DIARY)])
    got = collect_zip(zip_of([("inner.zip", inner), ("sneaky.csv", inner)]), "z.zip")
    assert got.files == []
    assert set(refused(got)) == {"inner.zip", "sneaky.csv"}
    assert all("nested" in e for e in refused(got).values())


def test_encrypted_members_are_refused() -> None:
    data = bytearray(zip_of([("secret.csv", DIARY)]))
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        flags = struct.unpack_from("<H", data, at + offset)[0]
        struct.pack_into("<H", data, at + offset, flags | 0x1)
    got = collect_zip(bytes(data), "z.zip")
    assert "encrypted" in refused(got)["secret.csv"]


def test_a_zip_keeps_folders_in_names_finds_its_manifest_and_skips_macos_copies() -> None:
    got = collect_zip(
        zip_of(
            [
                ("clinic/p1.csv", DIARY),
                ("clinic/manifest.csv", b"file,k2_start\np1.csv,2024-02-01\n"),
                ("__MACOSX/clinic/._p1.csv", b"\x00\x05\x16\x07"),
                ("clinic/.DS_Store", b"\x00\x00"),
                ("clinic/notes.docx", b"PK\x03\x04"),
            ]
        ),
        "z.zip",
    )
    assert [f.name for f in got.files] == ["clinic/p1.csv"]
    assert got.manifest is not None and got.manifest.name == "clinic/manifest.csv"
    assert set(refused(got)) == {"clinic/.DS_Store", "clinic/notes.docx"}
    report = build_report(got, workers=1)
    k2 = report.patients[0].summary.k2_comparison
    assert k2 is not None and k2.k2_start == "2024-02-01"


def test_a_damaged_zip_is_bad_input() -> None:
    with pytest.raises(InputError, match="not a readable ZIP"):
        collect_zip(b"PK\x03\x04 truncated", "broken.zip")


def test_diaries_and_a_zip_together_are_refused() -> None:
    with pytest.raises(InputError, match="not both"):
        collect_uploads([("a.csv", DIARY), ("b.zip", zip_of([("c.csv", DIARY)]))])


def test_a_folder_is_read_recursively_with_relative_names(tmp_path: Path) -> None:
    (tmp_path / "north").mkdir()
    (tmp_path / "north" / "p1.csv").write_bytes(DIARY)
    (tmp_path / "p2.csv").write_bytes(DIARY)
    (tmp_path / "readme.md").write_bytes(b"# notes")
    (tmp_path / "link.csv").symlink_to(tmp_path / "p2.csv")
    got = collect_dir(tmp_path)
    assert [f.name for f in got.files] == ["north/p1.csv", "p2.csv"]
    assert set(refused(got)) == {"readme.md", "link.csv"}


def test_a_path_that_is_neither_a_folder_nor_a_zip_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_bytes(DIARY)
    with pytest.raises(InputError, match=r"folder of diaries or a \.zip"):
        collect_path(tmp_path / "one.csv")
    with pytest.raises(InputError, match="not found"):
        collect_path(tmp_path / "missing.zip")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no files"):
        collect_path(tmp_path / "empty")


def test_xlsx_members_are_diaries_not_nested_zips() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<x/>")
    got = collect_uploads([("book.xlsx", buffer.getvalue())])
    assert [f.name for f in got.files] == ["book.xlsx"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("ab./\\:.._-"), min_size=1, max_size=12),
        min_size=1,
        max_size=6,
        unique=True,
    )
)
def test_every_zip_member_is_taken_safely_or_refused_by_name(names: list[str]) -> None:
    members = [(f"{n}.csv", DIARY) for n in names]
    got = collect_zip(zip_of(members), "z.zip")
    stored = [info.filename for info in zipfile.ZipFile(io.BytesIO(zip_of(members))).infolist()]
    taken = [f.name for f in got.files]
    for name in taken:
        assert not name.startswith("/") and "\\" not in name and ":" not in name
        assert ".." not in name.split("/")
    seen = taken + [r.file for r in got.refused]
    assert sorted(seen) == sorted(n for n in stored if not n.endswith("/"))
