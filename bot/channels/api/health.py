"""GET /healthz: is the server up, how big is the index, which answer backend runs.

It answers at once: it runs on the event loop, reads only what this process has in memory (the
loaded index's size) and never touches the store or waits for a lock. ``/readyz`` does the checks.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class IndexStats(BaseModel):
    documents: int
    chunks: int


class Health(BaseModel):
    status: str
    index: IndexStats
    llm: str


@router.get("/healthz", response_model=Health)
async def healthz(request: Request) -> Health:
    services = request.app.state.services
    return Health(
        status="ok",
        index=IndexStats(**services.index_stats(refresh=False)),
        llm=services.settings.llm.backend,
    )
