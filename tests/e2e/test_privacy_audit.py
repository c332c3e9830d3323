"""Nothing kept, nothing sent: a privacy audit of the full browser flow.

Every field and upload of every page gets a marker word made for this run. Afterwards no file
created or changed under the project, the temp folder or the home folder holds the marker (in
its content or its name), the server's log does not, the page spoke only to loopback, and the
server's settings keep usage statistics off, XSRF protection on and uploads capped.
"""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import ROOT, VIEWPORT, _free_port, _wait_healthy

pytestmark = pytest.mark.e2e

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_READ = 64 * 1024 * 1024
# Folders the audit does not read: git's object store (compressed; only a commit writes it),
# compiled bytecode, language toolchains in the home folder (gigabytes the app never writes)
# and the machinery that runs this session's shell jobs.
SKIP_DIRS = {".git", "__pycache__", ".pyenv", ".rustup", ".cargo", ".m2", ".npm", ".gradle"}
SKIP_PREFIXES = ("bash_jobs",)


@pytest.fixture(scope="module")
def marker() -> str:
    """Letters only, so it passes through every parser as one word; new each run."""
    return "zqpriv" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(10)) + "zq"


@pytest.fixture(scope="module")
def audited_server() -> Iterator[tuple[str, IO[bytes], subprocess.Popen[bytes]]]:
    """The app served as ``make run`` serves it, with its whole log kept for the audit."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:  # unnamed: never a file the audit would find
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_healthy(url, proc, log)
            yield url, log, proc
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _diary_csv(marker: str) -> bytes:
    rows = [f"2024-02-{d:02d},03:00,4,6,R,{marker} night {d}," for d in (1, 3, 8, 12, 20)]
    return ("date,time,duration_min,severity,side,notes,supplement\n" + "\n".join(rows)).encode()


def _bundle(marker: str) -> bytes:
    return (
        '{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": '
        '{"resourceType": "MedicationStatement", "status": "active", '
        f'"medicationCodeableConcept": {{"text": "{marker}bundle 5 mg"}}}}}}]}}'
    ).encode()


def _zip(marker: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{marker}_patient_a.csv", _diary_csv(marker))
        z.writestr(f"{marker}_patient_b.csv", _diary_csv(marker + "b"))
    return buf.getvalue()


def _upload(pg: Any, label: str, files: list[dict[str, Any]]) -> None:
    """Upload in-memory files (no file on this disk) to the uploader with this label."""
    uploader = pg.get_by_test_id("stFileUploader").filter(has_text=label).first
    uploader.locator("input[type=file]").set_input_files(files)
    uploader.get_by_test_id("stFileChip").nth(len(files) - 1).wait_for()


def _settle(pg: Any) -> None:
    """Wait until the app's script has finished its run (the status widget is gone)."""
    pg.wait_for_timeout(300)
    pg.get_by_test_id("stStatusWidget").wait_for(state="hidden")


def _drive_every_page(pg: Any, server: str, marker: str) -> None:
    pg.goto(f"{server}/")
    pg.get_by_role("textbox", name="Medications, one a line").fill(
        f"Coumadin 5 mg daily\n{marker} 10 mg"
    )
    pg.get_by_role("button", name="Get recommendation").click()
    pg.get_by_text(marker).first.wait_for()
    handoff = pg.get_by_test_id("stFileUploader").filter(has_text="Diary export")
    if handoff.count():
        _upload(pg, "Diary export", [_file(f"{marker}_handoff.csv", _diary_csv(marker))])
        _settle(pg)

    pg.get_by_test_id("stTopNavLink").filter(has_text="Interaction checker").click()
    pg.get_by_role("textbox", name="Medication list").fill(f"Xarelto 20 mg\n{marker}list 1 mg")
    _upload(pg, "FHIR R4 Bundle", [_file(f"{marker}.json", _bundle(marker), "application/json")])
    pg.get_by_role("button", name="Check interactions").click()
    pg.get_by_text(f"{marker}list").first.wait_for()
    _settle(pg)

    pg.get_by_test_id("stTopNavLink").filter(has_text="Cramp diary").click()
    _upload(pg, "Diary export", [_file(f"{marker}_diary.csv", _diary_csv(marker))])
    pg.get_by_text("2024-02-01 to 2024-02-20").first.wait_for()
    _settle(pg)

    pg.get_by_test_id("stTopNavLink").filter(has_text="Clinic panel").click()
    _upload(
        pg,
        "Diary files, one per patient",
        [_file(f"{marker}_panel.zip", _zip(marker), "application/zip")],
    )
    manifest = f"file,k2_start\n{marker}_patient_a.csv,2024-02-10\n".encode()
    _upload(pg, "Manifest", [_file("manifest.csv", manifest)])
    pg.get_by_text("Patients read").first.wait_for()
    _settle(pg)
    assert pg.get_by_test_id("stException").count() == 0


def _file(name: str, data: bytes, mime: str = "text/csv") -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


def _changed_files(root: Path, since: float) -> Iterator[Path]:
    """Files under root created or modified since the given time."""
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: None):
        dirnames[:] = [
            d for d in dirnames if d not in SKIP_DIRS and not d.startswith(SKIP_PREFIXES)
        ]
        for name in filenames:
            path = Path(dirpath, name)
            try:
                st = path.lstat()
            except OSError:
                continue
            if max(st.st_mtime, st.st_ctime) >= since and path.is_file():
                yield path


def _holds(path: Path, needles: list[bytes]) -> bool:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_READ)
    except OSError:
        return False
    return any(n in data for n in needles)


def test_nothing_entered_is_kept_or_sent(
    browser: Any, audited_server: tuple[str, IO[bytes], subprocess.Popen[bytes]], marker: str
) -> None:
    server, log, proc = audited_server
    since = time.time() - 1
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    urls: list[str] = []
    pg.on("request", lambda req: urls.append(req.url))
    pg.on("websocket", lambda ws: urls.append(ws.url))
    try:
        _drive_every_page(pg, server, marker)
    finally:
        context.close()

    hosts = {
        urlparse(u).hostname for u in urls if "://" in u and not u.startswith(("data:", "blob:"))
    }
    assert hosts <= LOOPBACK, f"the page made requests off this machine: {hosts - LOOPBACK}"

    needles = [marker.encode(), marker.encode("utf-16-le"), marker.upper().encode()]
    kept: list[str] = []
    for root in {ROOT, Path(tempfile.gettempdir()), Path.home()}:
        for path in _changed_files(root, since):
            if marker in path.name or _holds(path, needles):
                kept.append(str(path))
    assert not kept, f"files hold what was entered: {kept}"

    log.flush()
    log.seek(0)
    server_log = log.read()
    assert proc.poll() is None, "the server stopped during the flow"
    assert not any(n in server_log for n in needles), "the server's log holds what was entered"


def test_server_settings_keep_usage_data_home_and_uploads_capped() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert 0 < server["maxUploadSize"] <= 200  # megabytes; Streamlit's default is 200
    assert server.get("address", "127.0.0.1") in LOOPBACK | {""}
    assert config["client"]["showErrorDetails"] in ("none", False)
    assert "--server.address 127.0.0.1" in (ROOT / "Makefile").read_text(encoding="utf-8")
