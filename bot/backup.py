"""Backups of the store and the index, and restoring them.

A backup directory holds::

    manifest.json          what was copied, when, and the sha256 of every file
    store.db               the SQLite store (conversations, feedback, dedupe keys)
    index/CURRENT          the build id that was serving
    index/builds/<id>/     that build (embedded Chroma + keyword index)
    index/vectors.sqlite   the passage vector cache

SQLite files are copied with SQLite's online backup API, so the server may keep running and
writing while a backup is taken; every other file of the current build is immutable once
published. A PostgreSQL store is not copied: back it up with ``pg_dump`` (the result says so).
With a Chroma server (``chroma.host``) the index lives on that server: back up its data
directory there.

Restoring writes the store through the backup API as well (one transaction for readers) and
publishes the restored build the way ingest does (build directory first, then ``CURRENT``
replaced atomically), so a running server switches to it on its next search. Stop the server
anyway when restoring the store, so no answer is written between the backup's state and now.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from bot.errors import BadRequest

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
STORE_FILE = "store.db"
INDEX_DIR = "index"
CURRENT_FILE = "CURRENT"
_SQLITE_HEADER = b"SQLite format 3\x00"
_SKIP_SUFFIXES = ("-wal", "-shm", "-journal", ".lock")


class BackupReport(BaseModel):
    out: str
    created_at: str
    store: str = Field(description="'copied', or why not")
    index: str = Field(description="'copied build <id>', or why not")
    files: dict[str, str] = Field(default_factory=dict, description="relative path -> sha256")
    notes: list[str] = Field(default_factory=list)


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///…`` URL, or None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    rest = rest.split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == _SQLITE_HEADER
    except OSError:
        return False


def sqlite_copy(src: Path, dst: Path) -> None:
    """Copy a (possibly live, WAL-mode) SQLite database with the online backup API."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(dst, timeout=30)
    try:
        source.backup(target)
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BadRequest(f"the copy of {src} fails PRAGMA integrity_check: {result}", code="backup_corrupt")
    finally:
        target.close()
        source.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_tree(src: Path, dst: Path) -> None:
    """Copy a directory; SQLite databases through the backup API, lock/WAL side files skipped."""
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        target = dst / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.name.endswith(_SKIP_SUFFIXES):
            continue
        elif is_sqlite_file(path):
            sqlite_copy(path, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def backup(settings: Any, out: Path) -> BackupReport:
    """Copy the store and the current index build into ``out`` (a new or empty directory)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BadRequest(f"backup directory {out} is not empty; name a new directory.", code="backup_exists")
    out.mkdir(parents=True, exist_ok=True)
    report = BackupReport(out=str(out), created_at=datetime.now(UTC).isoformat(timespec="seconds"), store="", index="")

    url = settings.store.resolved_url()
    db = sqlite_path(url)
    if db is None:
        report.store = "not copied: the store is not a SQLite file"
        if url.startswith("postgres"):
            report.notes.append(
                "The store is PostgreSQL: back it up with `pg_dump --format=custom --file parkbot.dump <database>` "
                "and restore with `pg_restore --clean --dbname <database> parkbot.dump`."
            )
    elif not db.exists():
        report.store = f"not copied: {db} does not exist yet"
    else:
        sqlite_copy(db, out / STORE_FILE)
        report.store = "copied"

    index_dir = Path(settings.paths.index)
    current_file = index_dir / CURRENT_FILE
    if getattr(settings.chroma, "host", ""):
        report.index = "not copied: the index is on the Chroma server"
        report.notes.append(
            f"chroma.host is {settings.chroma.host}: back up that server's data directory (`chroma run --path`)."
        )
    elif not current_file.is_file():
        report.index = f"not copied: no index at {index_dir} (run `parkbot ingest`)"
    else:
        build_id = current_file.read_text(encoding="utf-8").strip()
        build = index_dir / "builds" / build_id
        if not build.is_dir():
            raise BadRequest(f"{current_file} names build {build_id!r} but {build} is missing; run `parkbot ingest`.",
                             code="index_corrupt")
        _copy_tree(build, out / INDEX_DIR / "builds" / build_id)
        for extra in sorted(index_dir.iterdir()):
            if extra.is_file() and extra.name != CURRENT_FILE and not extra.name.endswith(_SKIP_SUFFIXES):
                if is_sqlite_file(extra):
                    sqlite_copy(extra, out / INDEX_DIR / extra.name)
                else:
                    shutil.copy2(extra, out / INDEX_DIR / extra.name)
        (out / INDEX_DIR / CURRENT_FILE).write_text(build_id + "\n", encoding="utf-8")
        report.index = f"copied build {build_id}"

    report.files = {
        str(p.relative_to(out)): _sha256(p) for p in sorted(out.rglob("*")) if p.is_file() and p.name != MANIFEST
    }
    (out / MANIFEST).write_text(report.model_dump_json(indent=2), encoding="utf-8")
    log.info("backup written to %s: store %s, index %s", out, report.store, report.index)
    return report


def verify(src: Path) -> BackupReport:
    """Read a backup's manifest and check every file's sha256."""
    src = Path(src)
    manifest = src / MANIFEST
    if not manifest.is_file():
        raise BadRequest(f"{src} is not a ParkBot backup (no {MANIFEST}); name the directory `parkbot backup` wrote.",
                         code="not_a_backup")
    report = BackupReport.model_validate_json(manifest.read_text(encoding="utf-8"))
    for rel, digest in report.files.items():
        path = src / rel
        if not path.is_file():
            raise BadRequest(f"backup file {rel} is missing from {src}; the backup is incomplete.", code="backup_corrupt")
        if _sha256(path) != digest:
            raise BadRequest(f"backup file {rel} does not match its checksum; the backup is damaged.", code="backup_corrupt")
    return report


def restore(settings: Any, src: Path) -> list[str]:
    """Restore a verified backup into the configured store and index; returns what was done."""
    src = Path(src)
    report = verify(src)
    done: list[str] = []

    if (src / STORE_FILE).is_file():
        url = settings.store.resolved_url()
        db = sqlite_path(url)
        if db is None:
            raise BadRequest(
                f"the backup holds a SQLite store but store.url is {url.split(':', 1)[0]}; "
                "point store.url at a SQLite file or load the data into PostgreSQL yourself.",
                code="restore_mismatch",
            )
        db.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{src / STORE_FILE}?mode=ro", uri=True)
        target = sqlite3.connect(db, timeout=30)
        try:
            source.backup(target)
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if result != "ok":
            raise BadRequest(f"the restored store {db} fails PRAGMA integrity_check: {result}", code="restore_failed")
        done.append(f"store restored to {db}")

    backup_index = src / INDEX_DIR
    if (backup_index / CURRENT_FILE).is_file():
        index_dir = Path(settings.paths.index)
        build_id = (backup_index / CURRENT_FILE).read_text(encoding="utf-8").strip()
        target_build = index_dir / "builds" / build_id
        if not target_build.is_dir():
            staging = index_dir / "builds" / f".restore-{build_id}"
            shutil.rmtree(staging, ignore_errors=True)
            _copy_tree(backup_index / "builds" / build_id, staging)
            os.replace(staging, target_build)
        for extra in sorted(backup_index.iterdir()):
            if extra.is_file() and extra.name != CURRENT_FILE:
                if is_sqlite_file(extra):
                    _restore_sqlite(extra, index_dir / extra.name)
                else:
                    shutil.copy2(extra, index_dir / extra.name)
        tmp = index_dir / (CURRENT_FILE + ".restore")
        tmp.write_text(build_id + "\n", encoding="utf-8")
        os.replace(tmp, index_dir / CURRENT_FILE)
        done.append(f"index build {build_id} restored and published in {index_dir}")
    if not done:
        done.append(f"nothing to restore: the backup's store was {report.store!r}, its index {report.index!r}")
    log.info("restore from %s: %s", src, "; ".join(done))
    return done


def _restore_sqlite(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst, timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
