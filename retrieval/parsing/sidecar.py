"""Metadata sidecars: ``<file name>.meta.toml`` (or ``<stem>.meta.toml``) beside a document.

A sidecar holds only what the text does not say, and wins over what the parser read::

    # 001_00d00938aa48ed77.meta.toml
    issuer = "科学技术部"          # the text carries no signature
    # later, for document management (issue 10):
    status = "expired"            # in_force | superseded | repealed | expired
    effective_date = "2011-01-01"
    superseded_by = "国科发火〔2013〕388号"

    [[related]]
    relation = "forwarded_by"
    doc = "粤府办〔2005〕92号"

Keys are the fields of `retrieval.models.DocumentMeta` except ``source`` and ``sha256``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from retrieval.errors import MetadataError
from retrieval.models import DocumentMeta
from retrieval.parsing.meta import normalize_doc_number

SUFFIX = ".meta.toml"
ALLOWED = set(DocumentMeta.model_fields) - {"source", "sha256"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def sidecar_path(document: str | Path) -> Path | None:
    document = Path(document)
    for candidate in (document.with_name(document.name + SUFFIX), document.with_name(document.stem + SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


def is_sidecar(path: str | Path) -> bool:
    return Path(path).name.endswith(SUFFIX)


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """The sidecar's fields, checked: unknown keys, bad dates and bad status are refused."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MetadataError(path, f"not readable TOML ({exc})") from exc
    unknown = sorted(set(data) - ALLOWED)
    if unknown:
        raise MetadataError(path, f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(ALLOWED))})")
    for key in ("date", "effective_date"):
        value = data.get(key)
        if value is not None and not _ISO.match(str(value)):
            raise MetadataError(path, f"{key} = '{value}' is not an ISO date YYYY-MM-DD")
        if value is not None:
            data[key] = str(value)
    for key in ("doc", "doc_number", "superseded_by"):
        if isinstance(data.get(key), str):
            data[key] = normalize_doc_number(data[key])
    try:
        DocumentMeta.model_validate({"doc": "x", "title": "x", **data})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MetadataError(path, f"{where}: {first['msg']}") from exc
    return data
