"""Files and folders → `ParsedDocument`s: the parser's public entry points.

`parse_file_documents(path)` reads one file (with its ``.meta.toml`` sidecar, if any) into its
documents — one, or two for a 转发 notice carrying the text it forwards — and raises a
`retrieval.errors.DocumentError` / `MetadataError` naming the file when it cannot; a file that
yields no passage at all is refused (`EmptyDocument`) rather than indexed empty. `parse_file`
is its first document.
`load_corpus(folder)` parses every document in a folder (README*, sidecars and hidden files are
not documents), keeps going past bad files and returns them as `LoadFailure`s.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from retrieval.chunking import ChunkingConfig
from retrieval.errors import DocumentError, EmptyDocument, MetadataError, UnparsableDocument
from retrieval.loaders import LoadFailure, load_file
from retrieval.models import ParsedDocument
from retrieval.parsing import parse_documents
from retrieval.parsing.sidecar import is_sidecar, read_sidecar, sidecar_path

log = logging.getLogger(__name__)


def parse_file_documents(path: str | Path, chunking: ChunkingConfig | None = None) -> list[ParsedDocument]:
    path = Path(path)
    loaded = load_file(path)
    side = sidecar_path(path)
    overrides = read_sidecar(side) if side else None
    try:
        docs = parse_documents(loaded.text, source=str(path), sha256=loaded.sha256, markup=loaded.markup,
                               overrides=overrides, chunking=chunking)
    except (DocumentError, MetadataError):
        raise
    except Exception as exc:  # a parser bug must not look like the user's fault, nor stop a batch
        log.exception("parser failed on %s", path)
        raise UnparsableDocument(path, f"the parser failed ({exc.__class__.__name__}: {exc})") from exc
    for doc in docs:
        if not doc.chunks:
            raise EmptyDocument(path, f"no passage could be read from it (only a title: {doc.meta.title!r})",
                                "check that the file holds the document's text, not only its title or a scan")
        log.info("parsed %s: %s, %d sections, %d chunks", path.name, doc.meta.doc, len(doc.sections),
                 len(doc.chunks))
    return docs


def parse_file(path: str | Path, chunking: ChunkingConfig | None = None) -> ParsedDocument:
    """The file's first document (see `parse_file_documents`)."""
    return parse_file_documents(path, chunking)[0]


def document_files(folder: str | Path) -> list[Path]:
    """The files of `folder` (recursively) that are documents, in name order."""
    out = []
    for p in sorted(Path(folder).rglob("*")):
        rel = p.relative_to(folder)
        if not p.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if is_sidecar(p) or p.name.upper().startswith("README"):
            continue
        out.append(p)
    return out


def parse_files(paths: Iterable[str | Path], chunking: ChunkingConfig | None = None
                ) -> tuple[list[ParsedDocument], list[LoadFailure]]:
    docs: list[ParsedDocument] = []
    failures: list[LoadFailure] = []
    for p in paths:
        try:
            docs.extend(parse_file_documents(p, chunking))
        except DocumentError as err:
            log.warning("skipped %s", err.message)
            failures.append(LoadFailure.from_error(err))
        except MetadataError as err:
            log.warning("skipped %s", err.message)
            failures.append(LoadFailure(path=str(p), code=err.code, reason=err.reason, message=err.message))
    return docs, failures


def load_corpus(folder: str | Path, chunking: ChunkingConfig | None = None
                ) -> tuple[list[ParsedDocument], list[LoadFailure]]:
    folder = Path(folder)
    if not folder.is_dir():
        raise DocumentError(folder, "not a folder", "pass the folder that holds the documents")
    return parse_files(document_files(folder), chunking)
