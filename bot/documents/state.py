"""The published index as document management sees it: manifest, one document's passages, outline.

Read without the embedding model or the tokenizer, so listing documents is cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.documents.errors import DocumentNotFound
from bot.documents.models import OutlineEntry, OutlineSource, slug_of
from bot.paths import resolve
from retrieval.config import RetrievalConfig
from retrieval.errors import RetrievalError
from retrieval.models import Chunk, DocumentMeta
from retrieval.parsing.meta import normalize_doc_number
from retrieval.store import chunk_from_record, open_store

Entries = dict[str, dict[str, Any]]  # doc id → manifest entry {doc, meta, fingerprint, chunks}


def current(config: RetrievalConfig) -> tuple[str | None, Entries]:
    """The current build id and its documents (empty before the first ingest)."""
    store = open_store(config)
    try:
        build = store.current_build()
        if build is None:
            return None, {}
        manifest = store.read_manifest(build)
    finally:
        store.close()
    return build, {d["doc"]: d for d in manifest.get("documents", [])}


def meta_of(entries: Entries, doc: str) -> DocumentMeta:
    return DocumentMeta.model_validate(entries[doc]["meta"])


def resolve_ref(ref: str, entries: Mapping[str, Any]) -> str:
    """The doc id for an id, a slug, a 文号 in any bracket style or a title."""
    ref = ref.strip()
    if ref in entries:
        return ref
    for doc in entries:
        if slug_of(doc) == ref:
            return doc
    wanted = normalize_doc_number(ref)
    for doc, entry in entries.items():
        meta = entry["meta"]
        if wanted in {normalize_doc_number(doc), normalize_doc_number(meta.get("doc_number") or ""), meta.get("title")}:
            return doc
    known = ", ".join(sorted(entries)) or "none"
    raise DocumentNotFound(f"Document '{ref}' is not in the index (known: {known}); pass its id, 文号 or slug "
                           "as GET /api/documents lists them")


def chunks_of(config: RetrievalConfig, build: str, doc: str) -> list[Chunk]:
    store = open_store(config)
    try:
        got = store.get_collection(build).get(where={"doc": doc}, include=["documents", "metadatas"])
    finally:
        store.close()
    chunks = [chunk_from_record(i, t, dict(m or {}))
              for i, t, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)]
    return sorted(chunks, key=lambda c: c.position)


def source_path(source: str) -> Path | None:
    return resolve(source) if source else None


def outline(config: RetrievalConfig, build: str, meta: DocumentMeta) -> tuple[list[OutlineEntry], OutlineSource]:
    """The headings the parser found: parsed again from the file when it is still the one indexed,
    else rebuilt from the indexed passages' section paths."""
    from retrieval.corpus import parse_file_documents

    path = source_path(meta.source)
    if path is not None and path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == meta.sha256:
        try:
            for parsed in parse_file_documents(path):  # a file may hold two documents (转发)
                if parsed.meta.doc == meta.doc:
                    return [OutlineEntry(path=s.path, heading=s.heading, level=s.level)
                            for s in parsed.sections], "file"
        except RetrievalError:
            pass
    entries: list[OutlineEntry] = []
    seen: set[str] = set()
    for chunk in chunks_of(config, build, meta.doc):
        if chunk.section and chunk.section not in seen:
            seen.add(chunk.section)
            entries.append(OutlineEntry(path=chunk.section, heading=chunk.section_title or chunk.section,
                                        level=len(chunk.section.split())))
    return entries, "chunks"
