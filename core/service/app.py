"""The CDS Hooks 2.0 service as a Starlette app: discovery, two hooks, feedback.

- ``GET /cds-services``: discovery (``patient-view`` and ``order-select``, with prefetch).
- ``POST /cds-services/{id}``: ``{"cards": [...]}`` built by ``core.outputs.cds_hooks``.
- ``POST /cds-services/{id}/feedback``: accepted and counted by outcome; nothing else kept.

Errors are JSON ``{"error": "..."}`` naming the field: 400 malformed, 404 unknown service,
412 missing prefetch (the service never calls a FHIR server). Never a traceback, and no
request body is logged or stored. CORS is on an explicit allow-list (empty: no CORS).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import jsonio
from core.consult import evaluate
from core.errors import InputError
from core.outputs.cds_hooks import cds_hooks_cards, is_k2_product, order_select_cards
from core.service.hook_input import PREFETCH, BadRequest, ServiceError, read_hook_request

__all__ = ["MAX_BODY_BYTES", "SERVICES", "create_app", "discovery"]

MAX_BODY_BYTES: Final = 5 * 1024 * 1024
Endpoint = Callable[[Request], Awaitable[Response]]
_LOG: Final = logging.getLogger("cramp_consult.cds")
_NO_FHIR: Final = (
    " Reads the prefetched Patient (age from birthDate, sex from gender) and MedicationRequest "
    "search (active, on-hold, draft and unknown orders count; stopped, completed, cancelled "
    "and entered-in-error do not). This service does not call a FHIR server: without the "
    "prefetch it answers 412. Conditions and symptoms are not read from the record; red flags "
    "need the consult page."
)
SERVICES: Final[dict[str, dict[str, Any]]] = {
    "patient-view": {
        "hook": "patient-view",
        "id": "patient-view",
        "title": "Cramp Consult: vitamin K2 for nocturnal leg cramps",
        "description": "Whether vitamin K2 (MK-7) is worth considering for nocturnal leg "
        "cramps, with every non-minor vitamin K2 caution for the medication list." + _NO_FHIR,
        "prefetch": dict(PREFETCH),
    },
    "order-select": {
        "hook": "order-select",
        "id": "order-select",
        "title": "Cramp Consult: vitamin K2 order check",
        "description": "Checks selected draft medication orders against the patient's "
        "medicines: a vitamin K2 order for a patient on a vitamin K antagonist is critical."
        + _NO_FHIR,
        "prefetch": dict(PREFETCH),
    },
}


class _TooLarge(ServiceError):
    """The body is over the size limit (HTTP 413)."""

    status = 413


def discovery() -> dict[str, Any]:
    """The discovery document."""
    return {"services": [dict(s) for s in SERVICES.values()]}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _service_id(request: Request) -> str:
    sid = str(request.path_params["service_id"])
    if sid not in SERVICES:
        shown = sid if len(sid) <= 60 else sid[:57] + "..."
        raise HTTPException(404, f"no CDS service {shown!r}; see GET /cds-services")
    return sid


async def _json_body(request: Request) -> Any:
    """The request body as JSON (duplicate keys refused), or a 400 naming the problem."""
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if ctype not in ("application/json", "application/fhir+json", ""):
        raise BadRequest(f"Content-Type must be application/json, not {ctype[:40]!r}")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise _TooLarge(f"request body larger than {MAX_BODY_BYTES // 1024 // 1024} MB")
    if not raw.strip():
        raise BadRequest("empty request body: expected a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"request body is not UTF-8 (byte {exc.start})") from None
    try:
        return jsonio.loads(text, where="request body")
    except InputError as exc:
        msg = exc.message.removeprefix("not valid JSON: ")
        raise BadRequest(f"request body is not valid JSON: {msg}") from None
    except (ValueError, RecursionError):
        raise BadRequest("request body is not valid JSON") from None


async def get_discovery(request: Request) -> Response:
    """GET /cds-services."""
    return JSONResponse(discovery())


def _guarded(endpoint: Endpoint) -> Endpoint:
    """Errors become JSON; an unexpected one is logged by type only (never the body or its
    message, which may quote patient data) and answered 500 without a traceback."""

    @functools.wraps(endpoint)
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except (ServiceError, HTTPException):
            raise
        except Exception as exc:
            _LOG.error("internal error (%s) in %s", type(exc).__name__, endpoint.__name__)
            return _error(500, "internal error")

    return run


@_guarded
async def call_service(request: Request) -> Response:
    """POST /cds-services/{id}: the cards for one hook call."""
    sid = _service_id(request)
    hook = SERVICES[sid]["hook"]
    got = read_hook_request(await _json_body(request), hook)
    if hook == "order-select":
        profile = got.profile
        every = profile.model_copy(update={"medications": [*profile.medications, *got.drafts]})
        resolved = evaluate(every).medications[len(profile.medications) :]
        others = [m.input for m in resolved if not is_k2_product(m)]
        rec = evaluate(profile.model_copy(update={"medications": [*profile.medications, *others]}))
        return JSONResponse(order_select_cards(rec, resolved))
    return JSONResponse(cds_hooks_cards(evaluate(got.profile)))


@_guarded
async def feedback(request: Request) -> Response:
    """POST /cds-services/{id}/feedback: validate, count by outcome, keep nothing else."""
    _service_id(request)
    body = await _json_body(request)
    if not isinstance(body, dict):
        raise BadRequest("field '(request body)' must be a JSON object")
    items = body.get("feedback")
    if not isinstance(items, list) or not items:
        raise BadRequest("field 'feedback' must be a non-empty array")
    outcomes: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadRequest(f"field 'feedback[{i}]' must be an object")
        for key in ("card", "outcome", "outcomeTimestamp"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise BadRequest(f"field 'feedback[{i}].{key}' is required (a string)")
        if item["outcome"] not in ("accepted", "overridden"):
            raise BadRequest(f"field 'feedback[{i}].outcome' must be accepted or overridden")
        if item["outcome"] == "accepted" and not isinstance(item.get("acceptedSuggestions"), list):
            raise BadRequest(
                f"field 'feedback[{i}].acceptedSuggestions' is required for an accepted outcome"
            )
        outcomes.append(item["outcome"])
    counts: Counter[str] = request.app.state.feedback
    with request.app.state.feedback_lock:
        counts.update(outcomes)
        total = sum(counts.values())
    return JSONResponse({"received": len(outcomes), "total": total})


async def _service_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ServiceError):
        return _error(exc.status, exc.message)
    return _error(500, "internal error")


async def _http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        detail = (
            exc.detail
            if exc.status_code == 404 and request.url.path.startswith("/cds-services/")
            else {404: "not found", 405: "method not allowed"}.get(exc.status_code, exc.detail)
        )
        return _error(exc.status_code, str(detail))
    return _error(500, "internal error")


async def _internal(request: Request, exc: Exception) -> Response:
    return _error(500, "internal error")


def create_app(cors_origins: Sequence[str] = ()) -> Starlette:
    """The Starlette app; ``cors_origins`` is the CORS allow-list (empty: no CORS headers)."""
    middleware = []
    if cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type"],
                allow_credentials=False,
                max_age=600,
            )
        )
    app = Starlette(
        debug=False,
        routes=[
            Route("/cds-services", get_discovery, methods=["GET"]),
            Route("/cds-services/{service_id}", call_service, methods=["POST"]),
            Route("/cds-services/{service_id}/feedback", feedback, methods=["POST"]),
        ],
        middleware=middleware,
        exception_handlers={
            ServiceError: _service_error,
            HTTPException: _http_error,
            Exception: _internal,
        },
    )
    app.state.feedback = Counter()
    app.state.feedback_lock = threading.Lock()
    return app
