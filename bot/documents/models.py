"""The shapes documents have in the API, the web page and ``parkbot docs --json``."""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.documents.records import Change
from retrieval.models import DocStatus, DocumentMeta, Jurisdiction, RelatedDocument
from retrieval.versions import status_label

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
OutlineSource = Literal["file", "chunks"]


def slug_of(doc: str) -> str:
    """A stable ASCII id for a doc id (文号 with 〔〕, Chinese titles): ``d`` + 10 hex digits."""
    return "d" + hashlib.sha256(doc.encode("utf-8")).hexdigest()[:10]


class DocumentSummary(BaseModel):
    id: str = Field(description="Document id: its 文号 or, without one, its title")
    slug: str = Field(description="Stable short ASCII id; usable wherever the id is")
    title: str
    doc_number: str | None = Field(None, description="文号")
    issuer: str | None = None
    date: str | None = Field(None, description="Issue date YYYY-MM-DD")
    effective_date: str | None = Field(None, description="施行/实施 date, from \"自…起施行\"")
    jurisdiction: Jurisdiction | None = Field(None, description="national, province or city, with the place")
    status: DocStatus = "in_force"
    status_label: str = Field("现行有效", description="The status in words, e.g. 已被 国科发火〔2013〕388号 替代")
    superseded_by: str | None = None
    chunks: int = 0
    source: str = Field("", description="File name the document was read from")
    uploaded: bool = Field(False, description="True when it was uploaded through ParkBot (kept under uploads_dir)")
    added_at: str | None = Field(None, description="When it was first uploaded or ingested (UTC), if recorded")

    @classmethod
    def from_meta(cls, meta: DocumentMeta, chunks: int, *, uploaded: bool, added_at: str | None) -> DocumentSummary:
        return cls(
            id=meta.doc, slug=slug_of(meta.doc), title=meta.title, doc_number=meta.doc_number, issuer=meta.issuer,
            date=meta.date, effective_date=meta.effective_date, jurisdiction=meta.jurisdiction, status=meta.status,
            status_label=status_label(meta.status, meta.superseded_by), superseded_by=meta.superseded_by,
            chunks=chunks, source=meta.source.replace("\\", "/").rsplit("/", 1)[-1], uploaded=uploaded,
            added_at=added_at,
        )


class OutlineEntry(BaseModel):
    path: str = Field(description="Heading path as printed, e.g. 六、（十八）")
    heading: str
    level: int


class Passage(BaseModel):
    chunk_id: str
    section: str = Field(description="Heading path as printed, e.g. 第十条, 二、（五）, 附1 一")
    text: str


class DocumentPassages(BaseModel):
    """GET /api/documents/{id}/passages: what search and the assistant see, in reading order."""

    document: str = Field(description="The document id")
    passages: list[Passage]


class DocumentDetail(DocumentSummary):
    history: list[str] = Field([], description="Adoption and revision records, as printed (laws)")
    related: list[RelatedDocument] = []
    outline: list[OutlineEntry] = []
    outline_from: OutlineSource = Field("file", description="Parsed again from the file, or "
                                                    "rebuilt from the indexed passages when the file is gone")
    changes: list[Change] = Field([], description="Recent changes to it (who, when, what), newest first")


class MetadataPatch(BaseModel):
    """PATCH /api/documents/{id}: the fields to correct; a field sent as null is cleared."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=300)
    doc_number: str | None = Field(None, max_length=100)
    issuer: str | None = Field(None, max_length=200)
    date: str | None = Field(None, pattern=ISO_DATE)
    effective_date: str | None = Field(None, pattern=ISO_DATE)
    status: DocStatus | None = None
    superseded_by: str | None = Field(None, max_length=300, description="Id, 文号 or slug of the replacing document")

    def changes(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in type(self).model_fields if k in self.model_fields_set}


class ChangeResult(BaseModel):
    document: DocumentSummary | None = Field(None, description="The document after the change (None when deleted)")
    change: Change | None = Field(None, description="The audit record (None when nothing changed)")
    build: str | None = Field(None, description="The index build that carries the change")
    affected: list[str] = Field(default_factory=list, description="Other documents changed with it (e.g. the one it supersedes)")
