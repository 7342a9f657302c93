"""``GET /readyz``: may this replica take traffic?

``/healthz`` says the process is up (and answers without touching the store or waiting for a
lock); ``/readyz`` answers 200 only when the policy index is loaded (it has chunks) and the store
can take a write right now (``bot.store.check_writable``: a tiny committed write under a short
lock wait); otherwise 503 with the check that failed, e.g. the store ``locked by another writer``
or ``full: no space left``. A load balancer sends traffic to ready replicas only.

A store that fails a request (locked, full, unreachable) is answered for that request alone with
503 ``store_busy`` / ``store_full`` / ``store_unavailable`` and ``Retry-After``: the store layer
raises ``bot.errors.StoreUnavailable`` and the one error handler maps it (bot/server.py).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.store import check_writable

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
    except Exception as exc:  # the engine cannot even be built (bad URL, missing driver)
        log.warning("store not available: %s", type(exc).__name__)
        return Check(ok=False, detail=f"store not available ({type(exc).__name__})")
    ok, detail = check_writable(engine)
    return Check(ok=ok, detail=detail if ok else f"store {detail}")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness, "description": "not ready"}})
def readyz(request: Request) -> Any:
    """Ready when the index is loaded and the store can take a write; 503 naming what is missing."""
    services = request.app.state.services
    checks = {"index": check_index(services), "store": check_store(services)}
    ready = all(c.ok for c in checks.values())
    body = Readiness(status="ready" if ready else "not_ready", checks=checks)
    if ready:
        return body
    return JSONResponse(status_code=503, content=body.model_dump())


def install(app: FastAPI, settings: Any) -> None:
    """Serve /readyz."""
    app.include_router(router)
