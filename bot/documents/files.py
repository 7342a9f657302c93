"""Uploaded files on disk: ``<uploads_dir>/<sha8>_<name><suffix>`` plus its ``.meta.toml`` sidecar.

A file is written to ``.staging/`` first, parsed and indexed from there, and moved into place only
once the new index build is published; a replaced or deleted upload moves to ``.archive/``.
Both folders start with a dot, so ``parkbot ingest <uploads_dir>`` reads neither. Whatever a
process killed mid-upload left in ``.staging/`` is removed by :func:`clear_staging`, which the
document service runs under its cross-process lock (when nobody can be uploading).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from retrieval.parsing.sidecar import SUFFIX

_UNSAFE = re.compile(r"[^\w\u3000-\u9fff\uff00-\uffef.()（）〔〕\[\]【】-]+")
_SIDECAR_KEYS = ("title", "doc_number", "issuer", "date", "effective_date", "status", "superseded_by")


def stored_name(filename: str, suffix: str, sha256: str) -> str:
    """A safe, unique file name: content hash prefix, the original stem cleaned, the real suffix."""
    stem = _UNSAFE.sub("_", Path(filename).stem).strip("._") or "document"
    return f"{sha256[:8]}_{stem[:80]}{suffix}"


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def write_sidecar(path: Path, fields: Mapping[str, Any]) -> Path | None:
    """Write the metadata fields staff gave as ``<file>.meta.toml``; remove it when there are none."""
    side = sidecar_of(path)
    lines = [f"{k} = {json.dumps(str(fields[k]), ensure_ascii=False)}"
             for k in _SIDECAR_KEYS if fields.get(k) is not None]
    if not lines:
        side.unlink(missing_ok=True)
        return None
    header = "# Written by ParkBot's document manager: corrections staff made to what the parser read.\n"
    tmp = side.with_name(side.name + ".tmp")
    tmp.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, side)
    return side


def staging_dir(uploads: Path) -> Path:
    root = uploads / ".staging"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=root))


def clear_staging(uploads: Path) -> list[str]:
    """Remove everything under ``<uploads>/.staging`` (call it only while holding the documents
    lock); returns the names removed."""
    root = uploads / ".staging"
    if not root.is_dir():
        return []
    removed = []
    for entry in root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry.name)
    return removed


def move_into_place(staged: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    side = sidecar_of(staged)
    if side.exists():
        os.replace(side, sidecar_of(final))
    else:
        sidecar_of(final).unlink(missing_ok=True)
    os.replace(staged, final)


def archive(path: Path, uploads: Path) -> Path | None:
    """Move an uploaded file (and its sidecar) to ``.archive/``; None if it is not there."""
    if not path.is_file() or path.parent.resolve() != uploads.resolve():
        return None
    target_dir = uploads / ".archive"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{time.strftime('%Y%m%dT%H%M%S')}_{path.name}"
    os.replace(path, target)
    side = sidecar_of(path)
    if side.exists():
        os.replace(side, sidecar_of(target))
    return target


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
