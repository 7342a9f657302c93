"""GET /healthz: is the server up, how big is the index, which answer backend runs."""

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
def healthz(request: Request) -> Health:
    services = request.app.state.services
    return Health(
        status="ok",
        index=IndexStats(**services.index_stats()),
        llm=services.settings.llm.backend,
    )
