"""The data that flows through retrieval: parsed documents, chunks and search hits.

These pydantic models are the edge types of the `retrieval` library. Every other package
(`bot`, tests, benchmarks) speaks in these types.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DocStatus = Literal["in_force", "superseded", "repealed", "expired"]
ChunkKind = Literal["text", "table_row", "table"]


JurisdictionLevel = Literal["national", "province", "city"]


class Jurisdiction(BaseModel):
    """Whose rule it is, derived from the issuer: national, a province's or a city's."""

    level: JurisdictionLevel
    place: str = Field(description="全国, or the province / city name, e.g. 广东省, 青岛市")


def short_place(name: str) -> str:
    """A place as people and titles often write it, without its 省/市 (广东省 → 广东, 青岛市 → 青岛)."""
    return name[:-1] if name.endswith(("省", "市")) else name


class RelatedDocument(BaseModel):
    """Another document named by this one, e.g. the notice that forwarded it."""

    relation: Literal["forwarded_by", "forwards", "issued_with", "supersedes", "cites"]
    doc: str = Field(description="Its 文号 or, without one, its title")
    title: str | None = None
    issuer: str | None = None
    date: str | None = None


class DocumentMeta(BaseModel):
    """What we know about one policy document."""

    doc: str = Field(description="Document id: its 文号 (e.g. 国发〔2020〕7号) or, without one, its title")
    title: str
    doc_number: str | None = Field(default=None, description="文号, normalised to 〔〕 brackets")
    issuer: str | None = None
    date: str | None = Field(default=None, description="Issue date, ISO YYYY-MM-DD")
    effective_date: str | None = Field(default=None, description="From \"自…起施行/实施\", ISO YYYY-MM-DD")
    history: list[str] = Field(default=[], description="Adoption and revision records, as printed")
    jurisdiction: Jurisdiction | None = Field(
        default=None, description="Derived from the issuer, else from the place a local regulation's title opens with")
    status: DocStatus = "in_force"
    superseded_by: str | None = None
    source: str = Field(default="", description="File name the document was read from")
    sha256: str = Field(default="", description="SHA-256 of the source file's bytes")
    related: list[RelatedDocument] = Field(
        default=[], description="Documents this one names: forwarding notice, superseded version, …"
    )


class Section(BaseModel):
    """A heading in the parsed outline."""

    path: str = Field(description="Heading path as printed, e.g. 六、（十八） or 附1 二")
    heading: str = Field(description="The heading line's text")
    level: int


class Chunk(BaseModel):
    """One indexed passage. Never spans two sections."""

    chunk_id: str = Field(description="Stable id derived from doc id, section and content")
    doc: str
    title: str
    issuer: str | None = None
    date: str | None = None
    section: str = Field(default="", description="Heading path, e.g. 七、（二十一）, 附1 一, 附2")
    section_title: str = Field(default="", description="Text of the innermost heading")
    position: int = Field(description="Order of the chunk within its document, from 0")
    kind: ChunkKind = "text"
    text: str
    overlap: int = Field(default=0, description="Leading characters repeated from the previous chunk")


class ParsedDocument(BaseModel):
    meta: DocumentMeta
    sections: list[Section] = []
    chunks: list[Chunk] = []


class Hit(BaseModel):
    """A search result (CONTRACT.md: chunk_id, doc, title, section, text, score)."""

    chunk_id: str
    doc: str
    title: str
    section: str
    date: str | None = None
    issuer: str | None = None
    doc_number: str | None = Field(default=None, description="文号 of the document, when it has one")
    effective_date: str | None = None
    jurisdiction: Jurisdiction | None = None
    status: DocStatus = "in_force"
    superseded_by: str | None = Field(default=None, description="For a superseded document: what replaced it")
    text: str
    context: str = Field(default="", description="Section heading text shown with very short chunks")
    score: float
