"""ParkBot's error tree and its one mapping to HTTP.

::

    ParkBotError                      (bot/errors.py)   base of the application's own errors
    ├── BadRequest            400     the request is malformed; the message names the field
    │   └── MessageTooLong    413     a question longer than ``limits.max_message_chars`` (every channel)
    ├── NotFound              404     a named thing (park, document, conversation) does not exist
    └── Unavailable           503     a dependency (index, LLM endpoint, store) is not ready

    retrieval.errors.RetrievalError   the retrieval library's tree (see that module)
    scoring.errors.ScoringError       the scoring library's tree (see that module)

The libraries do not know about HTTP. Their exceptions carry a ``code`` and a message that
names the bad value and the fix; :func:`http_status_for` decides the status here, in one place.
Every error leaves the API as ``{"error": {"code": str, "message": str}}``.
"""

from __future__ import annotations

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


# Library error classes by name → HTTP status. Names not listed default to 400 (bad input):
# library errors are raised for things the caller can fix.
_LIBRARY_STATUS = {
    "NotFoundError": 404,        # scoring: unknown park
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
