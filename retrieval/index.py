"""The read side of the policy index: one published build, opened once and searched many times.

Interface (what `retrieval/search.py` codes against)::

    index = Index.open(config: RetrievalConfig, embedder: Embedder | None = None,
                       *, tokenizer: Callable[[str], list[str]] | None = None) -> Index
        raises IndexMissing (nothing ingested yet), IndexStale (built with another embedder),
        IndexUnavailable (Chroma server down), IndexCorrupt
    index.build_id: str
    index.documents: dict[str, DocumentMeta]   doc id (文号 or title) → metadata, in ingest order
    index.chunks: dict[str, Chunk]             chunk id → chunk, by document then position
    index.chunks_of(doc: str) -> list[Chunk]   one document's chunks by position ([] if unknown)
    index.status_of(chunk_id: str) -> str      the chunk's document status (in_force, superseded…)
    index.embedder: Embedder | None
    index.embed_query(text: str) -> np.ndarray                 (dim,) unit vector
    index.dense_search(query_vector, k=10, where=None) -> list[tuple[str, float]]
        chunk ids with cosine similarity, best first. `where` is a Chroma filter over the chunk
        metadata keys doc, title, issuer, date, section, section_title, position, kind, status,
        e.g. {"doc": "国发〔2020〕7号"} or {"status": {"$ne": "repealed"}}.
    index.vectors() -> np.ndarray              (n_chunks, dim) unit vectors, rows in `index.chunks` order
                                               (for exact in-memory cosine; loaded once, then cached)
    index.keyword_index: KeywordIndex          .search(tokens, k, allowed=None) -> [(chunk_id, score)]
                                               .scores(tokens) -> np.ndarray aligned with .chunk_ids
                                               .tokens: each chunk's tokens, aligned with .chunk_ids
    index.tokenizer: Callable[[str], list[str]]    cut queries with this (the index was cut with it)
    index.stats() -> {"documents": n, "chunks": n}
    indexed_documents(config) -> (build_id, [{"doc", "title", "date", "status", "chunks", "source"}])
        manifest only, no model: for `parkbot docs` and /healthz-style listings
    index.is_current() -> bool                 False once a newer build is published (reopen then)
    index.close()

Chunks and documents are held in memory (the corpus is small: ~500 chunks for 5 documents);
vectors stay in Chroma. Passing a `tokenizer` other than the one the build was cut with makes
`open` rebuild the keyword index in memory (the next `parkbot ingest` persists it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from retrieval.config import RetrievalConfig
from retrieval.embedding import Embedder
from retrieval.errors import IndexCorrupt, IndexMissing, IndexStale
from retrieval.keyword_index import KeywordIndex, default_tokenizer, tokenizer_fingerprint
from retrieval.models import Chunk, DocumentMeta
from retrieval.store import Store, chunk_from_record, open_store

logger = logging.getLogger(__name__)

Tokenizer = Callable[[str], list[str]]
_PAGE = 2000


def render(template: str, chunk: Chunk) -> str:
    """A chunk's text through a passage/keyword template (fields: title, section, section_title, doc, text)."""
    return template.format(
        title=chunk.title, section=chunk.section, section_title=chunk.section_title, doc=chunk.doc, text=chunk.text
    ).strip()


def keyword_fingerprint(tokenizer: Tokenizer, template: str) -> str:
    """Changes when the keyword index must be rebuilt (other tokenizer or keyword template)."""
    return hashlib.sha256(f"{tokenizer_fingerprint(tokenizer)}\x00{template}".encode()).hexdigest()[:16]


def read_manifest(metadata: dict[str, Any] | None) -> dict[str, Any]:
    meta = dict(metadata or {})
    if "parkbot_build" not in meta:
        raise IndexCorrupt("The index collection has no ParkBot build manifest; run `parkbot ingest` to rebuild it")
    meta["documents"] = json.loads(meta.get("documents", "[]"))
    return meta


def read_chunks(collection: Any) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """All (ids, texts, metadatas) of a build's collection, page by page."""
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
    offset = 0
    while True:
        got = collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
        ids += got["ids"]
        texts += got["documents"] or []
        metas += [dict(m or {}) for m in got["metadatas"] or []]
        if len(got["ids"]) < _PAGE:
            return ids, texts, metas
        offset += _PAGE


def indexed_documents(config: RetrievalConfig) -> tuple[str, list[dict[str, Any]]]:
    """The current build id and its documents (doc, title, date, status, chunks, source), read
    from the build manifest only: no chunks, no model, no tokenizer. Raises IndexMissing."""
    store = open_store(config)
    try:
        build_id = store.current_build()
        if build_id is None:
            raise IndexMissing(store.where)
        manifest = store.read_manifest(build_id)
    finally:
        store.close()
    return build_id, [
        {"doc": d["doc"], "title": d["meta"]["title"], "date": d["meta"].get("date"),
         "status": d["meta"].get("status", "in_force"), "chunks": d["chunks"], "source": d["meta"].get("source", "")}
        for d in manifest["documents"]
    ]


class Index:
    """One published build, read-only. Build it with :meth:`Index.open`."""

    def __init__(
        self,
        *,
        store: Store,
        build_id: str,
        collection: Any,
        manifest: dict[str, Any],
        documents: dict[str, DocumentMeta],
        chunks: dict[str, Chunk],
        keyword_index: KeywordIndex,
        tokenizer: Tokenizer,
        embedder: Embedder | None,
    ) -> None:
        self.store = store
        self.build_id = build_id
        self.manifest = manifest
        self.documents = documents
        self.chunks = chunks
        self.keyword_index = keyword_index
        self.tokenizer = tokenizer
        self.embedder = embedder
        self._collection = collection
        self._vectors: np.ndarray | None = None
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()  # recent query vectors, by text
        self._queries_lock = threading.Lock()
        self._by_doc: dict[str, list[Chunk]] = {}
        for chunk in chunks.values():
            self._by_doc.setdefault(chunk.doc, []).append(chunk)

    @classmethod
    def open(
        cls, config: RetrievalConfig, embedder: Embedder | None = None, *, tokenizer: Tokenizer | None = None
    ) -> Index:
        """Open the current build. Cheap: reads the chunks once, loads the persisted keyword index."""
        store = open_store(config)
        build_id = store.current_build()
        if build_id is None:
            raise IndexMissing(store.where)
        collection = store.get_collection(build_id)
        manifest = read_manifest(collection.metadata)
        if embedder is not None and embedder.name != manifest.get("embedder"):
            raise IndexStale(
                f"The index {build_id} was embedded with {manifest.get('embedder')!r} but the configured "
                f"embedder is {embedder.name!r}: run `parkbot ingest` to re-embed (or restore the setting)"
            )
        documents = {d["doc"]: DocumentMeta.model_validate(d["meta"]) for d in manifest["documents"]}
        order = {doc: i for i, doc in enumerate(documents)}
        ids, texts, metas = read_chunks(collection)
        chunk_list = sorted(
            (chunk_from_record(i, t, m) for i, t, m in zip(ids, texts, metas, strict=True)),
            key=lambda c: (order.get(c.doc, len(order)), c.position),
        )
        chunks = {c.chunk_id: c for c in chunk_list}
        tokenizer = tokenizer or default_tokenizer()
        keyword_index = cls._keyword_index(store, build_id, chunk_list, tokenizer, config.keyword_template)
        logger.info("index %s opened from %s: %d documents, %d chunks",
                    build_id, store.where, len(documents), len(chunks))
        return cls(
            store=store, build_id=build_id, collection=collection, manifest=manifest, documents=documents,
            chunks=chunks, keyword_index=keyword_index, tokenizer=tokenizer, embedder=embedder,
        )

    @staticmethod
    def _keyword_index(
        store: Store, build_id: str, chunks: list[Chunk], tokenizer: Tokenizer, template: str
    ) -> KeywordIndex:
        fingerprint = keyword_fingerprint(tokenizer, template)
        directory = store.keyword_dir(build_id)
        try:
            persisted = KeywordIndex.load(directory)
            if persisted.fingerprint == fingerprint and set(persisted.chunk_ids) == {c.chunk_id for c in chunks}:
                return persisted
            logger.warning("keyword index of build %s was cut with another tokenizer; rebuilding it in memory "
                           "(`parkbot ingest` persists it)", build_id)
        except (FileNotFoundError, KeyError, ValueError):
            logger.info("no keyword index persisted for build %s here; building it", build_id)
        return KeywordIndex.build(
            [c.chunk_id for c in chunks], [render(template, c) for c in chunks], tokenizer, fingerprint
        )

    # -- reading -------------------------------------------------------------------
    def chunks_of(self, doc: str) -> list[Chunk]:
        return list(self._by_doc.get(doc, []))

    def status_of(self, chunk_id: str) -> str:
        meta = self.documents.get(self.chunks[chunk_id].doc)
        return meta.status if meta else "in_force"

    def stats(self) -> dict[str, int]:
        return {"documents": len(self.documents), "chunks": len(self.chunks)}

    QUERY_CACHE = 256

    def embed_query(self, text: str) -> np.ndarray:
        """The query's vector; the last ``QUERY_CACHE`` ones are kept, so one question searched in
        several documents (or asked again) is embedded once."""
        if self.embedder is None:
            raise IndexStale("This index was opened without an embedder; pass one to Index.open to embed queries")
        with self._queries_lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = self.embedder.embed_query(text)
        with self._queries_lock:
            self._queries[text] = vector
            while len(self._queries) > self.QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector

    def vectors(self) -> np.ndarray:
        """All chunk vectors as one float32 matrix whose rows follow `self.chunks`."""
        if self._vectors is None:
            ids = list(self.chunks)
            rows: dict[str, np.ndarray] = {}
            for start in range(0, len(ids), _PAGE):
                got = self._collection.get(ids=ids[start : start + _PAGE], include=["embeddings"])
                rows.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True))
            if len(rows) != len(ids):
                raise IndexCorrupt(f"Build {self.build_id} lacks vectors for {len(ids) - len(rows)} chunks; "
                                   "run `parkbot ingest` to rebuild it")
            dim = int(self.manifest.get("dim", 0)) or (len(next(iter(rows.values()))) if rows else 0)
            self._vectors = np.stack([rows[i] for i in ids]) if ids else np.zeros((0, dim), np.float32)
        return self._vectors

    def dense_search(
        self, query_vector: Sequence[float] | np.ndarray, k: int = 10, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunks by cosine similarity (1 − Chroma's cosine distance), best first."""
        k = max(0, min(k, len(self.chunks)))
        if k == 0:
            return []
        vector = np.asarray(query_vector, dtype=np.float32).tolist()
        try:
            got = self._collection.query(
                query_embeddings=[vector], n_results=k, where=where or None, include=["distances"]
            )
        except Exception as exc:
            raise self.store._failure(exc, f"search build {self.build_id}") from exc
        ids = got["ids"][0] if got["ids"] else []
        distances = got["distances"][0] if got.get("distances") else []
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]

    def is_current(self) -> bool:
        """True while no newer build has been published (a long-running server may reopen then)."""
        return self.store.current_build() == self.build_id

    def close(self) -> None:
        self.store.close()
