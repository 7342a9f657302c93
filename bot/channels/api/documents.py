"""The documents API and page: list, upload, inspect, correct, retire and delete policy documents.

    GET    /api/documents                 the indexed documents with status
    POST   /api/documents                 upload (multipart/form-data: file + optional metadata fields,
                                          or the raw bytes with ?filename=…)
    GET    /api/documents/{id}            metadata, parsed outline, recent changes
    GET    /api/documents/{id}/passages   every passage (chunk id, section, text) in reading order
    PATCH  /api/documents/{id}            correct metadata / status (JSON, MetadataPatch)
    DELETE /api/documents/{id}            remove it from the index
    GET    /api/document-changes          the audit log (?doc=…&limit=…)
    GET    /documents                     the documents page

``{id}`` is the doc id (its 文号, e.g. ``国发〔2020〕7号``, URL-encoded, any bracket style) or its
short ``slug``. Changing routes need a token allowed to manage documents. Thin: everything
happens in ``bot.documents.DocumentService``.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor

from bot.channels.api.params import known_query_only
from bot.documents import DocumentService, service_for
from bot.documents.errors import BadUpload, UploadTooLarge
from bot.documents.models import (
    ChangeResult,
    DocumentDetail,
    DocumentPassages,
    DocumentSummary,
    MetadataPatch,
)
from bot.documents.multipart import parse_form
from bot.documents.records import Change
from bot.http.auth import Principal, require_document_management
from retrieval.models import DocStatus

router = APIRouter(tags=["documents"], dependencies=[Depends(known_query_only)])


class _DocRef(Convertor[str]):
    """A document id in a path (it may hold slashes) that is not the `…/passages` sub-resource,
    so `PATCH …/passages` is a 405 for that resource rather than a PATCH of a document."""

    regex = r"(?:(?!/passages$).)+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("docref", _DocRef())

PAGE = Path(__file__).resolve().parents[1] / "web" / "static" / "documents.html"
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'self'")
_META_FIELDS = set(MetadataPatch.model_fields)
_FORM_OVERHEAD = 64 * 1024


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


class ChangeList(BaseModel):
    changes: list[Change]


def _service(request: Request) -> DocumentService:
    return service_for(request.app.state.services)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` (not read whole first)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(f"the upload is larger than the {limit - _FORM_OVERHEAD}-byte limit "
                                 "(documents.max_upload_bytes); split the document or ask the administrator")
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/api/documents", response_model=DocumentList)
def list_documents(request: Request, status: DocStatus | None = None) -> DocumentList:
    """The indexed documents: id, slug, title, 文号, issuer, dates, status, passages, added at
    (``?status=in_force`` for the documents in force only)."""
    found = _service(request).documents()
    return DocumentList(documents=[d for d in found if status is None or d.status == status])


@router.post(
    "/api/documents", response_model=ChangeResult, status_code=201,
    openapi_extra={"requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"},
            "supersedes": {"type": "string", "description": "Ids/文号 this document replaces (comma-separated)"},
            **{k: {"type": "string"} for k in MetadataPatch.model_fields}}}},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def upload_document(request: Request, principal: Principal = Depends(require_document_management)
                          ) -> ChangeResult:
    """Upload a TXT, Markdown, HTML, DOCX or PDF file; it is searchable when this returns.

    The type is judged by the bytes, not the name. A file that cannot be read changes nothing
    and the error says why (the same errors as `parkbot ingest`).
    """
    service = _service(request)
    body = await _read_body(request, service.settings.max_upload_bytes + _FORM_OVERHEAD)
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/"):
        fields, files = parse_form(body, content_type)
        if "file" not in files:
            raise BadUpload("file: the form has no file part named 'file'")
        filename, data = files["file"]
    else:
        fields = dict(request.query_params)
        filename, data = fields.pop("filename", ""), body
        if not filename:
            raise BadUpload("filename: send the file as multipart/form-data (field 'file'), or the raw bytes "
                            "with ?filename=NAME.pdf")
    supersedes = [s for s in re.split(r"[,，;；\n]+", fields.pop("supersedes", "")) if s.strip()]
    unknown = sorted(k for k in fields if k not in _META_FIELDS)
    if unknown:
        raise BadUpload(f"{', '.join(unknown)}: unknown field(s); allowed: file, supersedes, "
                        f"{', '.join(sorted(_META_FIELDS))}")
    meta = {k: v.strip() for k, v in fields.items() if v.strip()}
    return await run_in_threadpool(service.upload, filename, data, actor=principal.name, fields=meta,
                                   supersedes=supersedes)


@router.get("/api/document-changes", response_model=ChangeList)
def document_changes(
    request: Request,
    doc: str | None = Query(None, min_length=1, description="Only this document's changes"),
    limit: int = Query(100, ge=1, le=1000, description="Most recent changes to return"),
) -> ChangeList:
    """Every change to the corpus, newest first: who, when, what (optionally of one document)."""
    return ChangeList(changes=_service(request).history(doc, limit))


@router.get("/api/documents/{ref:path}/passages", response_model=DocumentPassages)
def document_passages(ref: str, request: Request) -> DocumentPassages:
    """Every passage of the document in reading order, with its section: what search and the
    assistant see of it."""
    return _service(request).passages(ref)


@router.get("/api/documents/{ref:docref}", response_model=DocumentDetail)
def get_document(ref: str, request: Request) -> DocumentDetail:
    """One document: metadata, the outline of headings as the parser read it, recent changes."""
    return _service(request).get(ref)


@router.patch("/api/documents/{ref:docref}", response_model=ChangeResult)
def patch_document(ref: str, body: MetadataPatch, request: Request,
                   principal: Principal = Depends(require_document_management)) -> ChangeResult:
    """Correct metadata or change the status (superseded_by names the replacing document)."""
    return _service(request).update(ref, body, actor=principal.name)


@router.delete("/api/documents/{ref:docref}", response_model=ChangeResult)
def delete_document(ref: str, request: Request,
                    principal: Principal = Depends(require_document_management)) -> ChangeResult:
    """Remove the document and all its passages from the index (the change is in the audit log)."""
    return _service(request).delete(ref, actor=principal.name)


@router.get("/documents", include_in_schema=False)
def documents_page() -> FileResponse:
    """The documents page (list, upload, outline, status, delete)."""
    return FileResponse(PAGE, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
                                 "Content-Security-Policy": _CSP, "Referrer-Policy": "no-referrer"})
