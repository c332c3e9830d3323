"""An unexpected error inside a hook: JSON 500, no traceback, and no patient data in the log.
Driven through the ASGI interface directly (no network), with the decision made to fail."""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import core.service.app as service_app
from tests.service.test_cds_service import patient_view


def _call(app: Any, path: str, body: bytes) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    # A thread of its own: an earlier test in this worker (Playwright's sync API) may have left
    # an event loop running on the main thread, where asyncio.run() refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_an_internal_error_is_a_json_500_and_logs_no_patient_data(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "Qwerty-secret-med"

    def broken(profile: Any) -> Any:
        raise RuntimeError(f"boom with {profile.medications}")

    monkeypatch.setattr(service_app, "evaluate", broken)
    body = patient_view()
    body["prefetch"]["medications"]["entry"][0]["resource"]["medicationCodeableConcept"] = {
        "text": marker
    }
    with caplog.at_level(logging.DEBUG):
        status, out = _call(
            service_app.create_app(), "/cds-services/patient-view", json.dumps(body).encode()
        )
    assert status == 500
    assert json.loads(out) == {"error": "internal error"}
    assert marker not in caplog.text
    assert "RuntimeError" in caplog.text
