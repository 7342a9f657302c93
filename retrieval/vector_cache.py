"""A local cache of passage vectors keyed by content hash (SQLite, one transaction per batch).

Ingest writes each embedded batch here as soon as it is computed, so an interrupted ingest
loses at most one batch: the next run finds the finished batches and embeds only the rest.
The key is `passage_hash(embedder name, passage text)`, so vectors of different models or of
different passage texts never mix. After a build is published the cache is pruned to the
hashes that build uses.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np


def passage_hash(embedder_name: str, passage: str) -> str:
    """The content hash that decides whether a chunk must be embedded again."""
    return hashlib.sha256(f"{embedder_name}\x00{passage}".encode()).hexdigest()[:32]


class VectorCache:
    """hash → float32 vector, persisted in `<index_dir>/vectors.sqlite`."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path))
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()

    def get_many(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        wanted = list(dict.fromkeys(hashes))
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            rows = self._db.execute(
                f"SELECT hash, vector FROM vectors WHERE hash IN ({','.join('?' * len(part))})", part
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32).copy()
        return found

    def put_many(self, hashes: Sequence[str], vectors: np.ndarray) -> None:
        """Store one batch atomically."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (hash, vector) VALUES (?, ?)",
                [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors, strict=True)],
            )

    def keep_only(self, hashes: Iterable[str]) -> int:
        """Delete every vector whose hash is not listed; returns how many were deleted."""
        keep = set(hashes)
        stale = [h for (h,) in self._db.execute("SELECT hash FROM vectors") if h not in keep]
        with self._db:
            self._db.executemany("DELETE FROM vectors WHERE hash = ?", [(h,) for h in stale])
        return len(stale)

    def close(self) -> None:
        self._db.close()
