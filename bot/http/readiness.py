"""``GET /readyz`` (may this replica take traffic?) and clear answers when the store fails.

``/healthz`` says the process is up; ``/readyz`` answers 200 only when the policy index is
loaded (it has chunks) and the store (SQLite or PostgreSQL) answers ``SELECT 1``; otherwise 503
with the check that failed. A load balancer sends traffic to ready replicas only.

An unreachable store (PostgreSQL restarting, network) or a full one (disk or quota) is reported as
503 ``store_unavailable`` / ``store_full`` with a message saying what to do, instead of a bare 500.
Nothing is half-written: every store write is one transaction that either commits or rolls back.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.errors import error_body

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class Check(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, Check]


def check_index(services: Any) -> Check:
    stats = services.index_stats()
    if stats.get("chunks", 0) > 0:
        return Check(ok=True, detail=f"{stats.get('documents', 0)} documents, {stats['chunks']} chunks")
    return Check(ok=False, detail="no index loaded: run `parkbot ingest`")


def check_store(services: Any) -> Check:
    try:
        engine = services.store_engine
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # the detail names the kind, never the URL (it may hold a password)
        log.warning("store not reachable: %s", type(exc).__name__)
        return Check(ok=False, detail=f"store not reachable ({type(exc).__name__})")
    return Check(ok=True, detail=engine.dialect.name)


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness, "description": "not ready"}})
def readyz(request: Request) -> Any:
    """Ready when the index is loaded and the store is reachable; 503 naming what is missing."""
    services = request.app.state.services
    checks = {"index": check_index(services), "store": check_store(services)}
    ready = all(c.ok for c in checks.values())
    body = Readiness(status="ready" if ready else "not_ready", checks=checks)
    if ready:
        return body
    return JSONResponse(status_code=503, content=body.model_dump())


def store_error_body(exc: BaseException) -> tuple[str, str]:
    """(code, message) for a database error raised by the store."""
    original = str(getattr(exc, "orig", exc)).lower()
    if "full" in original or "no space" in original or "disk quota" in original:
        return "store_full", (
            "ParkBot's store has no space left (database or disk is full); nothing was saved. "
            "Free disk space on the store's volume (settings store.url) and retry."
        )
    return "store_unavailable", (
        "ParkBot's store (settings store.url) is not reachable right now; nothing was saved. "
        "Retry in a few seconds; if it persists, check the database server."
    )


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    code, message = store_error_body(exc)
    log.error("store error on %s: %s: %s", request.url.path, code, type(getattr(exc, "orig", exc)).__name__)
    return JSONResponse(status_code=503, content=error_body(code, message), headers={"Retry-After": "5"})


def install(app: FastAPI, settings: Any) -> None:
    """Serve /readyz and answer store outages with 503 ``store_unavailable`` / ``store_full``."""
    app.include_router(router)
    app.add_exception_handler(OperationalError, _store_error)
