"""The CDS Hooks 2.0 service (Starlette, served by uvicorn): discovery, hooks, feedback."""

from core.service.app import create_app
from core.service.server import serve

__all__ = ["create_app", "serve"]
