"""The errors of the `retrieval` library: one documented tree.

Every error carries a ``code`` (snake_case, stable: clients and ``bot/errors.py`` switch on it)
and a message that names the bad value and says what to do about it.

    RetrievalError                       code               HTTP (bot/errors.py)
    ├── DocumentError                    bad_document       4xx: the caller's file
    │   ├── UnsupportedFileType          unsupported_file_type
    │   ├── EmptyDocument                empty_document
    │   ├── CorruptDocument              corrupt_document
    │   ├── UndecodableText              undecodable_text
    │   ├── DocumentTooLarge             document_too_large 413: unpacks to / holds more than the limits
    │   └── UnparsableDocument           unparsable_document (the parser failed: a bug of ours)
    ├── MetadataError                    bad_metadata       4xx: a sidecar .meta.toml is wrong
    ├── BadQuery                         bad_query          400: empty / too long / bad k
    ├── UnknownDocument                  unknown_document   404: no such doc id or 文号
    ├── IndexMissing                     index_missing      503: run `parkbot ingest` first
    ├── IndexCorrupt                     index_corrupt      503: the index is broken (ours)
    ├── IndexUnavailable                 index_unavailable  503: the Chroma server cannot be reached
    ├── IndexStale                       index_stale        503: built with another embedder; re-ingest
    └── EmbeddingUnavailable             embedding_unavailable 503: the embedding endpoint failed

``DocumentError`` subclasses carry ``path`` (the file) and ``reason`` (a short phrase) so a
batch report can list them; their message always starts with the file name.
"""

from __future__ import annotations

from pathlib import Path


class RetrievalError(Exception):
    """Base of every error raised by `retrieval`."""

    code = "retrieval_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DocumentError(RetrievalError):
    """A file could not be turned into a document. Names the file and the reason."""

    code = "bad_document"
    fix = ""

    def __init__(self, path: str | Path, reason: str, fix: str | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        fix = self.fix if fix is None else fix
        message = f"{Path(path).name}: {reason}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)


class UnsupportedFileType(DocumentError):
    code = "unsupported_file_type"
    fix = "supported: .txt, .md, .html, .htm, .docx, .pdf"


class EmptyDocument(DocumentError):
    code = "empty_document"
    fix = "the file has no text to index; check that it is the right file"


class CorruptDocument(DocumentError):
    code = "corrupt_document"
    fix = "open it in its own program and save or export it again"


class UndecodableText(DocumentError):
    code = "undecodable_text"
    fix = "save the file as UTF-8 (or GB18030/GBK) text"


class DocumentTooLarge(DocumentError):
    """The file unpacks to more bytes, or holds more text, than ``retrieval.loaders`` accepts."""

    code = "document_too_large"
    fix = "split the document into smaller files (or remove embedded images) and upload each"


class UnparsableDocument(DocumentError):
    code = "unparsable_document"
    fix = "please report this file: the parser should not fail on readable text"


class MetadataError(RetrievalError):
    """A metadata sidecar (``<name>.meta.toml``) cannot be read or has a wrong field."""

    code = "bad_metadata"

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(path).name}: {reason}")


class BadQuery(RetrievalError):
    """A search request is unusable (empty question, k out of range, …)."""

    code = "bad_query"


class UnknownDocument(RetrievalError):
    """A document id / 文号 that is not in the index."""

    code = "unknown_document"

    def __init__(self, doc: str, known: list[str] | None = None) -> None:
        self.doc = doc
        message = f"Document '{doc}' is not in the index"
        if known:
            message += f" (known: {', '.join(known)})"
        super().__init__(message)


class IndexMissing(RetrievalError):
    """No index has been built yet at the configured location."""

    code = "index_missing"

    def __init__(self, where: str | Path) -> None:
        self.where = str(where)
        super().__init__(f"No search index at {where}: run `parkbot ingest` to build it")


class IndexCorrupt(RetrievalError):
    """The index exists but cannot be read or written (a fault of ours, not the caller's)."""

    code = "index_corrupt"


class IndexUnavailable(RetrievalError):
    """The index is configured on a Chroma server that cannot be reached or refused a request."""

    code = "index_unavailable"


class IndexStale(RetrievalError):
    """The index was built with another embedding model than the one configured now."""

    code = "index_stale"


class EmbeddingUnavailable(RetrievalError):
    """The embedding backend failed (endpoint down, bad reply, wrong vector size)."""

    code = "embedding_unavailable"


__all__ = [
    "RetrievalError",
    "DocumentError",
    "UnsupportedFileType",
    "EmptyDocument",
    "CorruptDocument",
    "UndecodableText",
    "UnparsableDocument",
    "MetadataError",
    "BadQuery",
    "UnknownDocument",
    "IndexMissing",
    "IndexCorrupt",
    "IndexUnavailable",
    "IndexStale",
    "EmbeddingUnavailable",
]
