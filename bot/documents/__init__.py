"""Corpus management: staff add, correct, retire and delete policy documents (issue 10).

The API (``bot/channels/api/documents.py``), the web page (``/documents``) and the CLI
(``parkbot docs …``, ``parkbot ingest``) all go through one :class:`DocumentService`:

- uploads are size-limited and type-checked by their bytes (``sniff.py``), parsed by the same
  parser as ``parkbot ingest`` and kept under ``documents.uploads_dir``;
- every change is applied through ``retrieval.ingest.ingest_documents`` (a new build, published
  atomically), under one lock, after re-reading the index: a search never sees half a document
  and two changes at once both land;
- metadata corrections and deletions are remembered in the store (``records.py``) so a later
  ``parkbot ingest`` of the corpus keeps them, and every change is in the audit log.
"""

from __future__ import annotations

from typing import Any

from bot.documents.config import DocumentSettings, document_settings

__all__ = ["DocumentService", "DocumentSettings", "document_settings", "service_for"]


def __getattr__(name: str) -> Any:
    """`DocumentService` and `service_for` load the index machinery only when used (settings import
    this package for `DocumentSettings` and must stay light)."""
    if name in ("DocumentService", "service_for"):
        from bot.documents import service

        return getattr(service, name)
    raise AttributeError(name)
