"""POST /api/search: hybrid search over the policy corpus (CONTRACT.md).

Thin: validate the request, call the searcher on ``request.app.state.services.searcher``
(a `retrieval.search.Searcher`), shape the response. Bad input gets a 4xx naming the field:
422 for a malformed body or k out of range, 400 for a blank query, 404 for an unknown ``doc``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.errors import Unavailable
from retrieval.models import Jurisdiction

router = APIRouter(tags=["search"])

K_MAX = 50


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=2000, description="The question, as staff would ask it")
    k: int = Field(5, ge=1, le=K_MAX, description="Number of hits")
    doc: str | None = Field(None, description="Only this document: its 文号 (e.g. 国发〔2020〕7号) or its title")
    jurisdiction: str | None = Field(None, max_length=40, description="Only documents of this jurisdiction: "
                                     "national, province, city, or a place name (广东省, 青岛市)")


class SearchHit(BaseModel):
    chunk_id: str
    doc: str
    title: str
    section: str
    text: str
    score: float
    date: str | None = None
    issuer: str | None = None
    doc_number: str | None = Field(None, description="文号 of the document, when it has one")
    effective_date: str | None = Field(None, description="施行/实施 date, from \"自…起施行\"")
    jurisdiction: Jurisdiction | None = Field(None, description="national, province or city, with the place")
    status: str = "in_force"
    superseded_by: str | None = None
    context: str = Field("", description="Section context shown with very short passages (table rows…)")


class CoverageOut(BaseModel):
    covered: bool = Field(description="False when the corpus does not seem to cover the question")
    score: float
    threshold: float


class SearchResponse(BaseModel):
    hits: list[SearchHit]
    coverage: CoverageOut


@router.post("/api/search", response_model=SearchResponse)
def search(body: SearchRequest, request: Request) -> SearchResponse:
    searcher = request.app.state.services.searcher
    if searcher is None:
        raise Unavailable("No search index yet: run `parkbot ingest` to build it", code="index_missing")
    filters = {k: v for k, v in {"doc": body.doc, "jurisdiction": body.jurisdiction}.items() if v}
    result = searcher.run(body.query, body.k, filters or None)
    return SearchResponse(
        hits=[SearchHit(**hit.model_dump(include=set(SearchHit.model_fields))) for hit in result.hits],
        coverage=CoverageOut(**result.coverage.model_dump(include={"covered", "score", "threshold"})),
    )
