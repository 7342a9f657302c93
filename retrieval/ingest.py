"""Ingest: parse → chunk → embed only what is new → write a new build → switch to it atomically.

    ingest(paths, config, embedder, *, replace=False, progress=None) -> IngestReport
    ingest_documents(docs, config, embedder, *, failures=(), replace=False, progress=None,
                     remove=(), updates={})
    build_index(corpus_dir, config, embedder=None)      what `make run` needs: cheap when current

Idempotent (STYLE.md practice 12):
- every chunk has a content hash = sha256(embedder name, passage text); a vector is computed
  only for a hash found neither in the vector cache nor in the current build;
- each embedded batch is committed to the vector cache at once, so an interrupted ingest
  resumes where it stopped;
- when every document is unchanged (same metadata, same chunks, same hashes) and the keyword
  index was cut with the same tokenizer, nothing is written at all;
- otherwise a new build is written beside the current one and the pointer is switched only when
  it is complete; until then readers keep the old build, even if this process is killed.

Documents are merged into the current index: a file's documents replace those previously read
from a file of the same name (DocumentMeta.source) or with the same doc id; others stay. `replace=True`
makes the index hold exactly the given documents. A file that fails to parse keeps its old
version in the index and is reported in `failed`.

`remove` names doc ids to take out of the index and `updates` maps doc ids to metadata fields to
change (status, superseded_by, dates, title…) on given or indexed documents; both are applied in
the same new build, under the ingest lock, so a reader sees all of a change or none of it (the
document manager, bot/documents/, works through these). An id in `updates` that is in neither
the given documents nor the index raises `UnknownDocument`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from retrieval.config import RetrievalConfig
from retrieval.embedding import Embedder, make_embedder
from retrieval.errors import UnknownDocument
from retrieval.index import keyword_fingerprint, read_chunks, render
from retrieval.keyword_index import KeywordIndex, Tokenizer, default_tokenizer
from retrieval.models import Chunk, DocumentMeta, ParsedDocument
from retrieval.store import Store, chunk_from_record, chunk_record, new_build_id, open_store
from retrieval.vector_cache import VectorCache, passage_hash

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""progress(phase, done, total); phases: "parse" (files), "embed" (passages), "write" (chunks)."""

_WRITE_BATCH = 1000


class Failure(BaseModel):
    """A file (or document) that could not be ingested."""

    source: str
    code: str = "bad_document"
    reason: str


class IngestReport(BaseModel):
    """What an ingest did. Document lists hold doc ids (文号 or title)."""

    build_id: str | None
    previous_build: str | None
    changed: bool
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    failed: list[Failure] = []
    documents: int = 0
    chunks: int = 0
    passages_embedded: int = 0
    vectors_reused: int = 0
    seconds: float = 0.0

    @property
    def all_failed(self) -> bool:
        """True when not a single given document could be read (the CLI exits non-zero)."""
        return not (self.added or self.updated or self.unchanged)


class _Row(BaseModel):
    chunk: Chunk
    passage: str
    hash: str


class _Doc(BaseModel):
    meta: DocumentMeta
    rows: list[_Row]
    fingerprint: str


# -- loading -------------------------------------------------------------------------
def load_documents(paths: Iterable[str | Path], progress: Progress | None = None
                   ) -> tuple[list[ParsedDocument], list[Failure]]:
    """Parse files and directories with the parser; a bad file is reported, the rest go on."""
    docs: list[ParsedDocument] = []
    failures: list[Failure] = []
    targets = [Path(p) for p in paths]
    for n, path in enumerate(targets, 1):
        try:
            found, failed = _parse_path(path)
            docs += found
            failures += failed
        except Exception as exc:  # one bad input must not stop the others
            logger.warning("could not ingest %s: %s", path, exc)
            failures.append(_failure(exc, path))
        if progress:
            progress("parse", n, len(targets))
    return docs, failures


def _parse_path(path: Path) -> tuple[list[ParsedDocument], list[Failure]]:
    """One file or directory through the parser (`load_corpus` / `parse_file_documents` of retrieval.corpus)."""
    from retrieval.corpus import load_corpus, parse_file_documents

    if not path.exists():
        return [], [Failure(source=str(path), code="not_found", reason="no such file or directory")]
    if path.is_dir():
        docs, failed = load_corpus(path)
        return list(docs), [_failure(f, path) for f in failed]
    return parse_file_documents(path), []


def _failure(item: object, default_source: Path) -> Failure:
    """A Failure from a parser error or failure record (path/source, code, reason/message)."""
    source = getattr(item, "path", None) or getattr(item, "source", None) or str(default_source)
    reason = getattr(item, "reason", None) or getattr(item, "message", None) or str(item)
    return Failure(source=str(source), code=str(getattr(item, "code", "bad_document")), reason=str(reason))


# -- planning ------------------------------------------------------------------------
def _prepare(meta: DocumentMeta, chunks: Sequence[Chunk], embedder_name: str, template: str) -> _Doc:
    rows = []
    for chunk in sorted(chunks, key=lambda c: c.position):
        passage = render(template, chunk)
        rows.append(_Row(chunk=chunk, passage=passage, hash=passage_hash(embedder_name, passage)))
    stable_meta = meta.model_dump(mode="json") | {"source": Path(meta.source).name}  # same file, any path
    blob = json.dumps([stable_meta, [[r.chunk.model_dump(mode="json"), r.hash] for r in rows]],
                      ensure_ascii=False, sort_keys=True)
    return _Doc(meta=meta, rows=rows, fingerprint=hashlib.sha256(blob.encode()).hexdigest()[:32])


def _old_chunks(store: Store, build_id: str) -> dict[str, list[Chunk]]:
    """The current build's chunks by doc id (read only when something changed)."""
    ids, texts, metas = read_chunks(store.get_collection(build_id))
    by_doc: dict[str, list[Chunk]] = {}
    for chunk_id, text, meta in zip(ids, texts, metas, strict=True):
        chunk = chunk_from_record(chunk_id, text, meta)
        by_doc.setdefault(chunk.doc, []).append(chunk)
    return by_doc


# -- the pipeline --------------------------------------------------------------------
def ingest(
    paths: Iterable[str | Path],
    config: RetrievalConfig,
    embedder: Embedder | None = None,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    tokenizer: Tokenizer | None = None,
) -> IngestReport:
    """Parse the files and directories in `paths` and bring the index up to date with them."""
    start = time.perf_counter()
    docs, failures = load_documents(paths, progress)
    report = ingest_documents(docs, config, embedder, failures=failures, replace=replace,
                              progress=progress, tokenizer=tokenizer)
    report.seconds = round(time.perf_counter() - start, 3)
    return report


def build_index(corpus: str | Path, config: RetrievalConfig, embedder: Embedder | None = None,
                progress: Progress | None = None) -> IngestReport:
    """Build the index from `corpus` when it is missing or stale; a no-op (no writes, no
    embedding) when it is current. This is what `make run` calls through `parkbot ingest`."""
    return ingest([corpus], config, embedder, progress=progress)


def ingest_documents(
    docs: Sequence[ParsedDocument],
    config: RetrievalConfig,
    embedder: Embedder | None = None,
    *,
    failures: Sequence[Failure] = (),
    replace: bool = False,
    progress: Progress | None = None,
    tokenizer: Tokenizer | None = None,
    remove: Sequence[str] = (),
    updates: Mapping[str, Mapping[str, Any]] | None = None,
) -> IngestReport:
    """Bring the index up to date with already-parsed documents (see the module docstring)."""
    start = time.perf_counter()
    embedder = embedder or make_embedder(config.embedding)
    tokenizer = tokenizer or default_tokenizer()
    failures = list(failures)
    store = open_store(config)
    try:
        with store.ingest_lock():
            report = _ingest_locked(store, docs, config, embedder, tokenizer, failures, replace, progress,
                                    set(remove), dict(updates or {}))
    finally:
        store.close()
    report.seconds = round(time.perf_counter() - start, 3)
    logger.info("ingest: %s", report.model_dump(exclude={"failed"}))
    return report


def _ingest_locked(
    store: Store,
    docs: Sequence[ParsedDocument],
    config: RetrievalConfig,
    embedder: Embedder,
    tokenizer: Tokenizer,
    failures: list[Failure],
    replace: bool,
    progress: Progress | None,
    remove: set[str] | None = None,
    updates: dict[str, Mapping[str, Any]] | None = None,
) -> IngestReport:
    remove, updates = remove or set(), updates or {}
    current_id = store.current_build()
    manifest: dict[str, Any] = store.read_manifest(current_id) if current_id else {}
    old = {d["doc"]: d for d in manifest.get("documents", [])}  # doc id → {meta, fingerprint, chunks}
    template = config.passage_template
    kw_fingerprint = keyword_fingerprint(tokenizer, config.keyword_template)
    same_recipe = (manifest.get("embedder"), manifest.get("passage_template"), manifest.get("keyword")) == (
        embedder.name, template, kw_fingerprint)

    # 1. the new document set: the given documents, then the old ones they do not replace
    given: dict[str, _Doc] = {}
    for doc in docs:
        if doc.meta.doc in given:
            failures.append(Failure(source=doc.meta.source or doc.meta.doc, code="duplicate_document",
                                    reason=f"document id {doc.meta.doc!r} was already read from "
                                           f"{given[doc.meta.doc].meta.source or 'another file'}; kept the first"))
            continue
        meta, chunks = with_meta(doc.meta, doc.chunks, updates.get(doc.meta.doc))
        given[doc.meta.doc] = _prepare(meta, chunks, embedder.name, template)
    unknown = sorted(d for d in updates if d not in given and d not in old)
    if unknown:
        raise UnknownDocument(unknown[0], known=sorted(old))
    if not given and not (remove & set(old)) and not updates:
        return IngestReport(build_id=current_id, previous_build=current_id, changed=False, failed=failures,
                            documents=len(old), chunks=int(manifest.get("chunk_count", 0)))
    sources = {Path(d.meta.source).name for d in given.values() if d.meta.source}
    kept = [] if replace else [d for d, e in old.items() if d not in given and d not in remove
                               and Path(e["meta"].get("source") or "").name not in sources]
    added = [d for d in given if d not in old]
    unchanged = [d for d in given if d in old and given[d].fingerprint == old[d]["fingerprint"]]
    removed = [d for d in old if d not in given and d not in kept]
    report = IngestReport(build_id=current_id, previous_build=current_id, changed=False, added=added,
                          unchanged=unchanged, removed=removed, failed=failures)
    touched = [d for d in kept if d in updates and _changes(DocumentMeta.model_validate(old[d]["meta"]), updates[d])]
    if current_id is not None and same_recipe and len(unchanged) == len(given) and not removed and not touched:
        report.documents = len(old)
        report.chunks = int(manifest.get("chunk_count", 0))
        logger.info("index %s is current: nothing to do", current_id)
        return report

    new = dict(given)
    if kept:
        old_chunks = _old_chunks(store, current_id)  # type: ignore[arg-type]
        for doc_id in kept:
            meta, chunks = with_meta(DocumentMeta.model_validate(old[doc_id]["meta"]),
                                     old_chunks.get(doc_id, []), updates.get(doc_id))
            new[doc_id] = _prepare(meta, chunks, embedder.name, template)
            if doc_id not in updates or not _changes(DocumentMeta.model_validate(old[doc_id]["meta"]),
                                                     updates[doc_id]):
                # carried over untouched: it is the same document, whatever its chunks' records
                # lost on the way through the store (older builds did not keep `overlap`)
                new[doc_id].fingerprint = old[doc_id]["fingerprint"]
    new = dict(sorted(new.items(), key=lambda item: (item[1].meta.source, item[0])))
    report.updated = [d for d in new if d in old and d not in unchanged and
                      new[d].fingerprint != old[d]["fingerprint"]]
    rows = _unique_rows(new.values())
    report.documents, report.chunks = len(new), len(rows)

    # 2. vectors: cache, then the current build, then the embedder
    cache = VectorCache(store.index_dir / "vectors.sqlite")
    try:
        vectors = _vectors(store, current_id, rows, cache, embedder, config.embedding.batch_size, progress, report)
        # 3. write the new build beside the current one, then switch
        build_id = new_build_id(after=current_id)
        _write_build(store, build_id, new, rows, vectors, embedder, tokenizer, config, kw_fingerprint, progress)
        store.publish(build_id)
        report.build_id, report.changed = build_id, True
        dropped = store.gc(config.keep_builds)
        cache.keep_only(r.hash for r in rows)
        logger.info("published build %s (dropped %s)", build_id, dropped or "none")
    finally:
        cache.close()
    return report


_CHUNK_COPIED = ("title", "issuer", "date")


def with_meta(meta: DocumentMeta, chunks: Sequence[Chunk], fields: Mapping[str, Any] | None
              ) -> tuple[DocumentMeta, list[Chunk]]:
    """The document with some metadata fields changed; chunks follow its title, issuer and date.
    The doc id itself cannot change here (it names the chunks)."""
    if not fields:
        return meta, list(chunks)
    fields = {k: v for k, v in fields.items() if k != "doc"}
    new_meta = DocumentMeta.model_validate(meta.model_dump() | dict(fields))
    copied = {k: getattr(new_meta, k) for k in _CHUNK_COPIED if k in fields}
    return new_meta, [c.model_copy(update=copied) if copied else c for c in chunks]


def _changes(meta: DocumentMeta, fields: Mapping[str, Any]) -> bool:
    return with_meta(meta, [], fields)[0] != meta


def _unique_rows(docs: Iterable[_Doc]) -> list[_Row]:
    rows: list[_Row] = []
    seen: set[str] = set()
    for doc in docs:
        for row in doc.rows:
            if row.chunk.chunk_id in seen:
                logger.warning("chunk id %s appears twice (doc %s); indexed once", row.chunk.chunk_id, row.chunk.doc)
                continue
            seen.add(row.chunk.chunk_id)
            rows.append(row)
    return rows


def _vectors(
    store: Store,
    current_id: str | None,
    rows: list[_Row],
    cache: VectorCache,
    embedder: Embedder,
    batch_size: int,
    progress: Progress | None,
    report: IngestReport,
) -> dict[str, np.ndarray]:
    needed = list(dict.fromkeys(r.hash for r in rows))
    vectors = cache.get_many(needed)
    missing = [h for h in needed if h not in vectors]
    if missing and current_id is not None:
        from_current = _vectors_from_build(store, current_id, missing)
        if from_current:
            keys = list(from_current)
            cache.put_many(keys, np.stack([from_current[k] for k in keys]))
            vectors.update(from_current)
        missing = [h for h in missing if h not in vectors]
    report.vectors_reused = len(needed) - len(missing)
    passage_of = {r.hash: r.passage for r in rows}
    if progress:
        progress("embed", 0, len(missing))
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        embedded = np.asarray(embedder.embed_passages([passage_of[h] for h in batch]), dtype=np.float32)
        cache.put_many(batch, embedded)  # committed now: an interrupted ingest resumes here
        vectors.update(zip(batch, embedded, strict=True))
        report.passages_embedded += len(batch)
        if progress:
            progress("embed", start + len(batch), len(missing))
    return vectors


def _vectors_from_build(store: Store, build_id: str, hashes: list[str]) -> dict[str, np.ndarray]:
    collection = store.get_collection(build_id)
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(hashes), 500):
        where: Any = {"content_hash": {"$in": hashes[start : start + 500]}}
        got = collection.get(where=where,
                             include=["embeddings", "metadatas"])
        for meta, vector in zip(got["metadatas"] or [], got["embeddings"] if got["embeddings"] is not None else [],
                                strict=True):
            found[str(meta["content_hash"])] = np.asarray(vector, dtype=np.float32)
    return found


def _write_build(
    store: Store,
    build_id: str,
    docs: dict[str, _Doc],
    rows: list[_Row],
    vectors: dict[str, np.ndarray],
    embedder: Embedder,
    tokenizer: Tokenizer,
    config: RetrievalConfig,
    kw_fingerprint: str,
    progress: Progress | None,
) -> None:
    dims = {len(v) for v in vectors.values()}
    if len(dims) > 1:
        raise ValueError(f"embedder {embedder.name} returned vectors of several sizes {sorted(dims)}")
    manifest = {
        "parkbot_build": build_id,
        "embedder": embedder.name,
        "dim": dims.pop() if dims else 0,
        "keyword": kw_fingerprint,
        "passage_template": config.passage_template,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "chunk_count": len(rows),
        "documents": [
            {"doc": d, "meta": doc.meta.model_dump(mode="json"), "fingerprint": doc.fingerprint, "chunks": len(doc.rows)}
            for d, doc in docs.items()
        ],
    }
    store.write_manifest(build_id, manifest)
    collection = store.create_collection(build_id, manifest)
    status = {d: doc.meta.status for d, doc in docs.items()}
    for start in range(0, len(rows), _WRITE_BATCH):
        batch = rows[start : start + _WRITE_BATCH]
        collection.add(
            ids=[r.chunk.chunk_id for r in batch],
            embeddings=np.stack([vectors[r.hash] for r in batch]),
            documents=[r.chunk.text for r in batch],
            metadatas=[chunk_record(r.chunk, status=status.get(r.chunk.doc, "in_force"), content_hash=r.hash)
                       for r in batch],
        )
        if progress:
            progress("write", start + len(batch), len(rows))
    if collection.count() != len(rows):
        raise RuntimeError(f"build {build_id} holds {collection.count()} chunks, expected {len(rows)}")
    keyword = KeywordIndex.build([r.chunk.chunk_id for r in rows],
                                 [render(config.keyword_template, r.chunk) for r in rows], tokenizer, kw_fingerprint)
    keyword.save(store.keyword_dir(build_id))
    store.mark_complete(build_id)
