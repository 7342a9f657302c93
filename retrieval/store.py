"""Where index builds live and which one is current (embedded Chroma or a Chroma server).

Layout, embedded mode (default)::

    <index_dir>/CURRENT                    the current build id (replaced atomically, os.replace)
    <index_dir>/builds/<build id>/chroma/  a Chroma PersistentClient holding that build only
    <index_dir>/builds/<build id>/keyword/ its BM25 keyword index
    <index_dir>/vectors.sqlite             passage vectors by content hash (see vector_cache.py)
    <index_dir>/ingest.lock                held (flock) by the one ingest allowed at a time

Server mode (`chroma.host` set): the build's collection lives on the server and the pointer is
the record "current" of the collection `<prefix>-pointer`, replaced with one upsert. The keyword
index and vector cache stay under `<index_dir>` (readers rebuild a missing keyword index).

A build is one collection `<prefix>-<build id>`: per chunk its vector, text and metadata; the
collection's metadata holds the build manifest (embedder, tokenizer fingerprint, documents).
Builds are written beside the current one and never modified after the pointer names them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chromadb
import chromadb.errors
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from retrieval.config import RetrievalConfig
from retrieval.errors import IndexCorrupt, IndexUnavailable
from retrieval.models import Chunk

logger = logging.getLogger(__name__)

BUILD_ID = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{4}$")
CURRENT_FILE = "CURRENT"
_CHUNK_FIELDS = ("doc", "title", "issuer", "date", "section", "section_title", "position", "kind", "overlap")


def new_build_id(after: str | None = None) -> str:
    """Sortable and unique: UTC start time to the microsecond plus 4 random hex digits.

    Always sorts after `after` (the current build), even if the clock stepped back.
    """
    while True:
        now = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now % 1 * 1e6):06d}Z"
        build_id = f"{stamp}-{secrets.token_hex(2)}"
        if after is None or build_id > after:
            return build_id
        time.sleep(0.001)


def chunk_record(chunk: Chunk, *, status: str, content_hash: str) -> dict[str, Any]:
    """A chunk's Chroma metadata: its fields (None dropped) plus the document status and hash."""
    meta: dict[str, Any] = {f: getattr(chunk, f) for f in _CHUNK_FIELDS if getattr(chunk, f) is not None}
    meta["status"] = status
    meta["content_hash"] = content_hash
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    fields = {f: meta[f] for f in _CHUNK_FIELDS if f in meta}
    return Chunk(chunk_id=chunk_id, text=text, **fields)


def _close(client: ClientAPI) -> None:
    """Release a client's system (chromadb >= 1.1 has Client.close)."""
    close = getattr(client, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):
            close()


def _chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


class Store:
    """Builds and the pointer to the current one. Use :func:`open_store` to get the right kind."""

    def __init__(self, config: RetrievalConfig) -> None:
        self.config = config
        self.index_dir = Path(config.index_dir)
        self.prefix = config.chroma.collection_prefix

    # -- paths and names -------------------------------------------------------------
    @property
    def where(self) -> str:
        """Human-readable location, for messages."""
        return str(self.index_dir)

    def build_dir(self, build_id: str) -> Path:
        return self.index_dir / "builds" / build_id

    def keyword_dir(self, build_id: str) -> Path:
        return self.build_dir(build_id) / "keyword"

    def collection_name(self, build_id: str) -> str:
        return f"{self.prefix}-{build_id}"

    # -- locking -------------------------------------------------------------------
    @contextlib.contextmanager
    def ingest_lock(self) -> Iterator[None]:
        """One ingest at a time per index_dir (released by the kernel if the process dies)."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / "ingest.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- builds --------------------------------------------------------------------
    def create_collection(self, build_id: str, manifest: dict[str, Any]) -> Collection:
        meta = {k: (v if isinstance(v, str | int | float | bool) else json.dumps(v, ensure_ascii=False))
                for k, v in manifest.items()}
        try:
            return self.client(build_id).create_collection(
                self.collection_name(build_id),
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=meta,
            )
        except Exception as exc:
            raise self._failure(exc, f"create the collection of build {build_id}") from exc

    def get_collection(self, build_id: str) -> Collection:
        try:
            return self.client(build_id).get_collection(self.collection_name(build_id), embedding_function=None)
        except Exception as exc:
            raise self._failure(exc, f"open build {build_id}") from exc

    def write_manifest(self, build_id: str, manifest: dict[str, Any]) -> None:
        """A copy of the build manifest beside the build, so a no-op ingest need not open Chroma."""
        path = self.build_dir(build_id)
        path.mkdir(parents=True, exist_ok=True)
        (path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")

    def read_manifest(self, build_id: str) -> dict[str, Any]:
        """The build manifest, from the local copy when present, else from the collection."""
        path = self.build_dir(build_id) / "manifest.json"
        if path.is_file():
            return dict(json.loads(path.read_text(encoding="utf-8")))
        meta = dict(self.get_collection(build_id).metadata or {})
        if "parkbot_build" not in meta:
            raise IndexCorrupt(f"Build {build_id} in {self.where} has no ParkBot manifest; run `parkbot ingest`")
        meta["documents"] = json.loads(meta.get("documents", "[]"))
        return meta

    def mark_complete(self, build_id: str) -> None:
        """Written once a build is fully stored, before it is published."""
        path = self.build_dir(build_id)
        path.mkdir(parents=True, exist_ok=True)
        (path / "COMPLETE").write_text(build_id + "\n", encoding="utf-8")

    def is_complete(self, build_id: str) -> bool:
        return (self.build_dir(build_id) / "COMPLETE").is_file()

    def gc(self, keep: int) -> list[str]:
        """Call under `ingest_lock`: drop unfinished builds (a crashed ingest's) and all but the
        `keep` newest complete builds up to the current one. The current build always stays."""
        current = self.current_build()
        if current is None:
            return []
        older = sorted(b for b in self.list_builds() if b != current)
        unpublished = [b for b in older if b > current or not self.is_complete(b)]
        previous = [b for b in older if b not in unpublished]
        dropped = unpublished + previous[: max(0, len(previous) - (keep - 1))]
        for build_id in dropped:
            self.drop_build(build_id)
        return dropped

    def _failure(self, exc: Exception, action: str) -> Exception:
        return IndexCorrupt(f"Could not {action} in {self.where}: {exc}; run `parkbot ingest` to rebuild")

    # -- implemented by the two modes ------------------------------------------------
    def client(self, build_id: str) -> ClientAPI:
        raise NotImplementedError

    def current_build(self) -> str | None:
        raise NotImplementedError

    def publish(self, build_id: str) -> None:
        raise NotImplementedError

    def list_builds(self) -> list[str]:
        raise NotImplementedError

    def drop_build(self, build_id: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release clients."""


class LocalStore(Store):
    """Embedded Chroma: one PersistentClient directory per build, pointer file CURRENT."""

    def __init__(self, config: RetrievalConfig) -> None:
        super().__init__(config)
        self._clients: dict[str, ClientAPI] = {}

    def client(self, build_id: str) -> ClientAPI:
        if build_id not in self._clients:
            path = self.build_dir(build_id) / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            self._clients[build_id] = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
        return self._clients[build_id]

    def current_build(self) -> str | None:
        try:
            build_id = (self.index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        if not BUILD_ID.match(build_id) or not self.build_dir(build_id).is_dir():
            raise IndexCorrupt(
                f"{self.index_dir / CURRENT_FILE} names build {build_id!r}, which is not in "
                f"{self.index_dir / 'builds'}; delete {self.index_dir} and run `parkbot ingest`"
            )
        return build_id

    def publish(self, build_id: str) -> None:
        tmp = self.index_dir / f"{CURRENT_FILE}.{build_id}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(build_id + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.index_dir / CURRENT_FILE)
        dir_fd = os.open(self.index_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def list_builds(self) -> list[str]:
        root = self.index_dir / "builds"
        return sorted(p.name for p in root.iterdir() if BUILD_ID.match(p.name)) if root.is_dir() else []

    def drop_build(self, build_id: str) -> None:
        client = self._clients.pop(build_id, None)
        if client is not None:
            _close(client)
        shutil.rmtree(self.build_dir(build_id), ignore_errors=True)
        logger.info("dropped old build %s", build_id)

    def close(self) -> None:
        for client in self._clients.values():
            _close(client)
        self._clients.clear()


class ServerStore(Store):
    """A Chroma server (`chroma run`): versioned collections plus a pointer collection."""

    def __init__(self, config: RetrievalConfig) -> None:
        super().__init__(config)
        chroma = config.chroma
        self.url = f"{'https' if chroma.ssl else 'http'}://{chroma.host}:{chroma.port}"
        try:
            self._client = chromadb.HttpClient(
                host=chroma.host, port=chroma.port, ssl=chroma.ssl, settings=_chroma_settings()
            )
        except Exception as exc:
            raise IndexUnavailable(
                f"Chroma server at {self.url} cannot be reached ({exc}); start it (`chroma run "
                f"--path DIR --port {chroma.port}`) or leave PARKBOT_CHROMA__HOST empty for the embedded index"
            ) from exc

    @property
    def where(self) -> str:
        return f"Chroma server {self.url} (collections {self.prefix}-*)"

    def _failure(self, exc: Exception, action: str) -> Exception:
        if isinstance(exc, chromadb.errors.NotFoundError):
            return super()._failure(exc, action)
        return IndexUnavailable(f"Chroma server at {self.url} failed to {action}: {exc}")

    def client(self, build_id: str) -> ClientAPI:
        return self._client

    def _pointer(self) -> Collection:
        try:
            return self._client.get_or_create_collection(f"{self.prefix}-pointer", embedding_function=None)
        except Exception as exc:
            raise IndexUnavailable(f"Chroma server at {self.url} failed to answer: {exc}") from exc

    def current_build(self) -> str | None:
        got = self._pointer().get(ids=["current"], include=["metadatas"])
        metas = got.get("metadatas") or []
        build_id = metas[0].get("build") if metas and metas[0] else None
        return str(build_id) if build_id else None

    def publish(self, build_id: str) -> None:
        self._pointer().upsert(ids=["current"], embeddings=np.zeros((1, 1), dtype=np.float32),
                              metadatas=[{"build": build_id}])

    def list_builds(self) -> list[str]:
        names = [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
        start = f"{self.prefix}-"
        return sorted(n[len(start):] for n in names if n.startswith(start) and BUILD_ID.match(n[len(start):]))

    def drop_build(self, build_id: str) -> None:
        with contextlib.suppress(Exception):
            self._client.delete_collection(self.collection_name(build_id))
        shutil.rmtree(self.build_dir(build_id), ignore_errors=True)
        logger.info("dropped old build %s on %s", build_id, self.url)


def open_store(config: RetrievalConfig) -> Store:
    """The store for a config: a Chroma server when `chroma.host` is set, else embedded."""
    return ServerStore(config) if config.chroma.server_mode else LocalStore(config)
