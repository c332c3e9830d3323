"""The CDS Hooks service running for real: ``python -m core serve-cds`` on a free port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_ORIGIN = "https://ehr.example.org"


@dataclass
class Reply:
    """One HTTP response: status, headers (lower-case names) and the body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    """A running service and a tiny HTTP client for it."""

    base: str
    process: subprocess.Popen[bytes]

    def request(
        self,
        method: str,
        path: str,
        body: bytes | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return Reply(
                    resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
                )
        except urllib.error.HTTPError as err:
            return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(*extra: str) -> Server:
    """Start ``python -m core serve-cds`` on a free port and wait until discovery answers."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "core", "serve-cds", "--port", str(port), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    srv = Server(f"http://127.0.0.1:{port}", proc)
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"the service exited: {err[-2000:]}")
        try:
            if srv.request("GET", "/cds-services").status == 200:
                return srv
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the service did not answer within 30 s")
        time.sleep(0.2)


def stop_server(srv: Server) -> str:
    """Stop the service; return everything it wrote to stdout and stderr."""
    srv.process.terminate()
    try:
        out, err = srv.process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        srv.process.kill()
        out, err = srv.process.communicate()
    return (out + err).decode("utf-8", "replace")


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    srv = start_server("--cors-origin", ALLOWED_ORIGIN)
    yield srv
    stop_server(srv)
