"""Benchmark: the CDS Hooks service under 20 concurrent EHR clients (issue 10).

Starts ``python -m core serve-cds`` on a free port, sends 2,000 ``patient-view`` calls (50
synthetic patients with FHIR prefetch, cycled) from 20 threads over keep-alive connections,
and prints calls/s, p50, p95 and errors. A bare Starlette endpoint returning a fixed JSON body,
served by uvicorn with the same settings, is measured in the same run as the baseline.
Targets on the 2-core machine: 0 errors, p95 <= 50 ms, >= 300 calls/s.
Run from the repository root: ``python bench/cds_bench.py``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CALLS = 2000
CLIENTS = 20
WARMUP = 100
TARGET_P95_MS = 50.0
TARGET_RATE = 300.0
MEDS = [
    "Warfarin Sodium 5 MG Oral Tablet",
    "Atorvastatin 20 MG Oral Tablet",
    "Hydrochlorothiazide 25 MG Oral Tablet",
    "Lisinopril 10 MG Oral Tablet",
    "Metformin 500 MG Oral Tablet",
    "Apixaban 5 MG Oral Tablet",
    "Salmeterol/fluticasone 50/250 inhaler",
    "Levothyroxine 50 MCG Oral Tablet",
    "Amlodipine 5 MG Oral Tablet",
    "Omeprazole 20 MG capsule",
]


def _bare_app() -> Any:
    """The baseline: a Starlette endpoint that returns a fixed body."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    body = json.dumps({"cards": []}).encode()

    async def fixed(request: Any) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/cds-services/{sid}", fixed, methods=["POST"])])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"server on port {port} did not start")


def _bodies() -> list[bytes]:
    """50 synthetic patient-view calls with Patient and MedicationRequest prefetch."""
    today = dt.date.today()
    out = []
    for i in range(50):
        meds = [MEDS[(i + k) % len(MEDS)] for k in range(i % 4)]
        entries = [
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": f"mr-{i}-{k}",
                    "status": "active",
                    "intent": "order",
                    "medicationCodeableConcept": {"text": m},
                    "subject": {"reference": f"Patient/p-{i}"},
                }
            }
            for k, m in enumerate(meds)
        ]
        body = {
            "hook": "patient-view",
            "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/bench", "patientId": f"p-{i}"},
            "prefetch": {
                "patient": {
                    "resourceType": "Patient",
                    "id": f"p-{i}",
                    "gender": "female" if i % 2 else "male",
                    "birthDate": dt.date(today.year - 50 - i % 40, 1 + i % 12, 1).isoformat(),
                },
                "medications": {"resourceType": "Bundle", "type": "searchset", "entry": entries},
            },
        }
        out.append(json.dumps(body).encode())
    return out


def _load(port: int, bodies: list[bytes], calls: int) -> tuple[float, list[float], int]:
    """``calls`` POSTs from CLIENTS threads; returns wall seconds, latencies (ms), errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_client = [calls // CLIENTS + (1 if c < calls % CLIENTS else 0) for c in range(CLIENTS)]
    start_gate = threading.Barrier(CLIENTS + 1)

    def client(n: int, offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        start_gate.wait()
        for j in range(n):
            body = bodies[(offset + j) % len(bodies)]
            t0 = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    "/cds-services/patient-view",
                    body=body,
                    headers={"Content-Type": "application/json"},
                )
                resp = conn.getresponse()
                data = resp.read()
                if resp.status != 200 or not data.startswith(b'{"cards"'):
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((time.perf_counter() - t0) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(n, c * 7)) for c, n in enumerate(per_client)]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, errors[0]


def _measure(name: str, args: list[str], port: int, bodies: list[bytes]) -> dict[str, float]:
    proc = _start(args, port)
    try:
        _load(port, bodies, WARMUP)
        wall, lat, errors = _load(port, bodies, CALLS)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    lat.sort()
    result = {
        "rate": CALLS / wall,
        "p50": statistics.median(lat),
        "p95": lat[int(0.95 * (len(lat) - 1))],
        "errors": float(errors),
    }
    print(
        f"{name:<28} {result['rate']:8.0f} calls/s   p50 {result['p50']:6.1f} ms   "
        f"p95 {result['p95']:6.1f} ms   errors {errors}"
    )
    return result


def main() -> int:
    """Run both measurements and print the figures, the ratio and the verdict."""
    if len(sys.argv) == 3 and sys.argv[1] == "--bare-server":
        import uvicorn

        uvicorn.run(
            _bare_app(),
            host="127.0.0.1",
            port=int(sys.argv[2]),
            access_log=False,
            log_level="warning",
        )
        return 0
    bodies = _bodies()
    print(f"{CALLS} patient-view calls from {CLIENTS} concurrent clients ({os.cpu_count()} CPUs)")
    port = _free_port()
    svc = _measure(
        "CDS service (patient-view)", ["-m", "core", "serve-cds", "--port", str(port)], port, bodies
    )
    port = _free_port()
    bare = _measure(
        "bare Starlette, fixed body",
        [str(Path(__file__).resolve()), "--bare-server", str(port)],
        port,
        bodies,
    )
    print(
        f"ratio service/bare: throughput {svc['rate'] / bare['rate']:.2f}x, "
        f"p95 {svc['p95'] / bare['p95']:.1f}x"
    )
    ok = svc["errors"] == 0 and svc["p95"] <= TARGET_P95_MS and svc["rate"] >= TARGET_RATE
    print(
        f"targets: 0 errors, p95 <= {TARGET_P95_MS:.0f} ms, >= {TARGET_RATE:.0f} calls/s: "
        + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
