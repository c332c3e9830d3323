"""Serve the CDS Hooks app with uvicorn: no access log, so no request line or body is logged."""

from __future__ import annotations

from collections.abc import Sequence

from core.service.app import create_app

__all__ = ["serve"]


def serve(host: str = "127.0.0.1", port: int = 8765, cors_origins: Sequence[str] = ()) -> None:
    """Run the service until interrupted (uvicorn, one process, warnings only)."""
    import uvicorn

    uvicorn.run(
        create_app(cors_origins),
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )
