"""ParkBot's error tree and its one mapping to HTTP.

::

    ParkBotError                      (bot/errors.py)   base of the application's own errors
    ├── BadRequest            400     the request is malformed; the message names the field
    │   └── MessageTooLong    413     a question longer than ``limits.max_message_chars`` (every channel)
    ├── NotFound              404     a named thing (park, document, conversation) does not exist
    ├── Unavailable           503     a dependency (index, LLM endpoint, store) is not ready
    │   └── StoreUnavailable  503     the store cannot serve this request: store_busy (locked by
    │                                 another writer), store_full (no space), store_unavailable
    │                                 (unreachable). Raised by bot/store.py for every table.
    └── InsufficientStorage   507     disk_full: a file could not be written (the upload, the index)

    retrieval.errors.RetrievalError   the retrieval library's tree (see that module)
    scoring.errors.ScoringError       the scoring library's tree (see that module)

The libraries do not know about HTTP. Their exceptions carry a ``code`` and a message that
names the bad value and the fix; :func:`http_status_for` decides the status here, in one place.
Every error leaves the API as ``{"error": {"code": str, "message": str}}``.
"""

from __future__ import annotations

import errno
import logging

log = logging.getLogger(__name__)


class ParkBotError(Exception):
    """Base of the application's errors: ``code`` is stable, the message is for people."""

    code = "parkbot_error"
    status = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class BadRequest(ParkBotError):
    code = "bad_request"
    status = 400


class MessageTooLong(BadRequest):
    """A question longer than ``limits.max_message_chars``: the same refusal, naming the limit, on every channel."""

    code = "message_too_long"
    status = 413

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"message: {length} characters is longer than the limit of {limit}; "
                         "shorten the question or split it.")
        self.length, self.limit = length, limit


class NotFound(ParkBotError):
    code = "not_found"
    status = 404


class Unavailable(ParkBotError):
    code = "unavailable"
    status = 503
    retry_after_s: int | None = None  # sent as Retry-After when set


class StoreUnavailable(Unavailable):
    """The store failed this request only: busy (locked), full, or unreachable. Nothing was saved."""

    code = "store_unavailable"

    def __init__(self, message: str, *, code: str | None = None, retry_after_s: int = 5) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class InsufficientStorage(ParkBotError):
    """A file could not be written because its volume is full; nothing was changed."""

    code = "disk_full"
    status = 507


_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def is_disk_full(exc: BaseException) -> bool:
    """True for an error that says a volume (or a file-size limit) has no room left."""
    for err in (exc, exc.__cause__, exc.__context__, getattr(exc, "orig", None)):
        if isinstance(err, OSError) and err.errno in _DISK_FULL_ERRNOS:
            return True
        if err is not None and any(t in str(err).lower() for t in ("no space left", "disk is full", "disk quota")):
            return True
    return False


# Library error classes by name → HTTP status. Names not listed default to 400 (bad input):
# library errors are raised for things the caller can fix.
_LIBRARY_STATUS = {
    "NotFoundError": 404,        # scoring: unknown park
    "DocumentTooLarge": 413,     # retrieval: a file that unpacks to / holds more than the limits
    "IndexMissing": 503,         # retrieval: run `parkbot ingest`
    "IndexUnavailable": 503,
    "IndexCorrupt": 503,
    "IndexStale": 503,
    "EmbeddingUnavailable": 503,
    "ConfigError": 500,          # scoring: a registry in config/ is invalid (ours to fix)
}


def http_status_for(exc: BaseException) -> int:
    """The HTTP status for an exception raised by ParkBot or its libraries."""
    if isinstance(exc, ParkBotError):
        return exc.status
    for cls in type(exc).__mro__:
        if cls.__name__ in _LIBRARY_STATUS:
            return _LIBRARY_STATUS[cls.__name__]
    module = type(exc).__module__.split(".")[0]
    if module in {"retrieval", "scoring"}:
        return 400
    return 500


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def domain_error_classes() -> tuple[type[Exception], ...]:
    """The exception bases the API maps to JSON errors (ParkBot's and the libraries')."""
    from retrieval.errors import RetrievalError
    from scoring.errors import ScoringError

    return (ParkBotError, RetrievalError, ScoringError)


def is_domain_error(exc: BaseException) -> bool:
    """True for errors that ParkBot or its libraries raise on purpose (they carry a code)."""
    return isinstance(exc, ParkBotError) or (
        type(exc).__module__.split(".")[0] in {"retrieval", "scoring"} and hasattr(exc, "code")
    )
