"""The database behind conversations, feedback, sessions, the audit log and bot dedupe keys.

Addressed by a SQLAlchemy URL (``settings.store.url``): SQLite by default, PostgreSQL for
deployments with several replicas. SQLite runs in WAL mode so readers never block the writer and
a crash never loses a committed row. PostgreSQL URLs may be written ``postgresql://…`` or
``postgres://…``; they are driven by psycopg 3 (``postgresql+psycopg://``). Pooled connections
are checked before use (``pool_pre_ping``), so a database restart costs the next request nothing
but a reconnect.

Every engine made here does three things for every table that uses it:

* **Short lock waits.** A statement waits at most ``LOCK_WAIT_S`` for a lock another writer holds
  (SQLite's busy timeout, PostgreSQL's ``lock_timeout``), then fails.
* **One error class.** Any operational failure (locked, full, unreachable) is raised as
  ``bot.errors.StoreUnavailable`` with the code ``store_busy``, ``store_full`` or
  ``store_unavailable`` and a message saying what to do; the API answers that request alone
  with 503 and ``Retry-After``. Nothing is half-written: each write is one transaction.
* **Text any store can hold.** NUL characters (PostgreSQL's text type rejects them) are removed
  and lone surrogates (not encodable as UTF-8) become U+FFFD in every bound parameter and every
  JSON value, so a message, a conversation id or a comment with them is stored, not a 500, and
  SQLite and PostgreSQL keep the same text.

The stores are plain synchronous code, safe to call from any thread; async routes call them
through :func:`off_loop`, which runs the call in a worker thread so the event loop never waits
on the database. :func:`check_writable` is the readiness probe: a real (tiny) committed write
under a short lock wait.
"""

from __future__ import annotations

import json
import logging
import uuid
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import (
    Column,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    insert,
    text,
)
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from bot.errors import StoreUnavailable

log = logging.getLogger(__name__)

PG_CONNECT_TIMEOUT_S = 10
LOCK_WAIT_S = 2.0  # the longest a statement waits for another writer's lock
PROBE_LOCK_WAIT_S = 0.5  # the readiness probe's wait: it must answer quickly
PROBE_BYTES = 64 * 1024  # the probe writes this much, so a full volume shows
T = TypeVar("T")
_probe_tables: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines whose probe table exists

_probe_metadata = MetaData()
store_probe = Table(
    "store_probe",
    _probe_metadata,
    Column("id", String(32), primary_key=True),
    Column("filler", LargeBinary, nullable=False),
)


def normalize_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` → ``postgresql+psycopg://`` (the driver we ship)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, *, lock_wait_s: float = LOCK_WAIT_S) -> Engine:
    """Create the store's engine (see the module docstring for what every engine does)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        in_memory = url in {"sqlite://", "sqlite:///:memory:"}
        # an in-memory database exists once per connection: share one, or each sees an empty database
        pool = {"poolclass": StaticPool} if in_memory else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": lock_wait_s},
                               json_serializer=_json_dumps, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            if not in_memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    else:
        connect_args: dict[str, Any] = {}
        if url.startswith("postgresql"):
            connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S,
                            "options": f"-c lock_timeout={int(lock_wait_s * 1000)}"}
        engine = create_engine(url, pool_pre_ping=True, pool_recycle=1800, connect_args=connect_args,
                               json_serializer=_json_dumps)
    event.listen(engine, "before_cursor_execute", _storable_parameters, retval=True)
    event.listen(engine, "handle_error", _raise_store_error)
    return engine


def create_tables(engine: Engine, metadata: MetaData, tables: list[Table] | None = None) -> None:
    """``metadata.create_all`` that replicas starting together cannot race (PostgreSQL lock)."""
    if engine.dialect.name != "postgresql":
        metadata.create_all(engine, tables=tables)
        return
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(7261015)"))  # released at commit
        metadata.create_all(conn, tables=tables)


async def off_loop(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking store call in a worker thread (for async routes and middleware)."""
    from functools import partial

    from anyio import to_thread

    return await to_thread.run_sync(partial(call, *args, **kwargs))


# -- text a store can hold ------------------------------------------------------------------------


def storable(value: str) -> str:
    """``value`` without NUL characters and with lone surrogates replaced by U+FFFD."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    return value


def _storable(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_storable(v) for v in value)
    return value


def _json_dumps(value: Any) -> str:
    return json.dumps(_storable(value), ensure_ascii=False)


def _storable_parameters(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
    return statement, _storable(parameters)


# -- one error class for every failure of the store -----------------------------------------------


def classify(exc: BaseException) -> StoreUnavailable:
    """The ``StoreUnavailable`` for a database error (its message never holds the URL)."""
    original = str(getattr(exc, "orig", exc)).lower()
    if any(word in original for word in ("full", "no space", "disk quota")):
        return StoreUnavailable(
            "ParkBot's store has no space left (database or disk is full); nothing was saved. "
            "Free disk space on the store's volume (settings store.url) and retry.",
            code="store_full",
        )
    if any(word in original for word in ("locked", "busy", "lock timeout", "lock_timeout", "could not obtain lock")):
        return StoreUnavailable(
            f"ParkBot's store is busy: another writer held its lock for more than {LOCK_WAIT_S:g} s; nothing "
            "was saved. Retry in a few seconds; if it persists, look for a long-running job on the store.",
            code="store_busy",
            retry_after_s=2,
        )
    return StoreUnavailable(
        "ParkBot's store (settings store.url) is not reachable right now; nothing was saved. "
        "Retry in a few seconds; if it persists, check the database server.",
        code="store_unavailable",
    )


def _raise_store_error(context: ExceptionContext) -> None:
    if context.is_pre_ping or not isinstance(context.sqlalchemy_exception, OperationalError):
        return  # a failed pre-ping reconnects; integrity and data errors keep their own class
    error = classify(context.sqlalchemy_exception)
    log.warning("store error: %s (%s)", error.code, type(context.original_exception).__name__)
    raise error from context.sqlalchemy_exception


def check_writable(engine: Engine) -> tuple[bool, str]:
    """(ok, detail): can the store take a write now? One committed write of ``PROBE_BYTES``
    (inserted and deleted again) under a ``PROBE_LOCK_WAIT_S`` lock wait, so a locked store, a
    full volume and an unreachable server all show. The detail never holds the URL."""
    sqlite = engine.dialect.name == "sqlite"
    try:
        if engine not in _probe_tables and not sqlite:
            create_tables(engine, _probe_metadata)  # replicas starting together take turns
            _probe_tables.add(engine)
        with engine.connect() as conn:
            if sqlite:  # the probe's own short wait, also for creating its table the first time
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(PROBE_LOCK_WAIT_S * 1000)}")
                conn.commit()
            try:
                if engine not in _probe_tables:
                    _probe_metadata.create_all(conn)
                    conn.commit()
                    _probe_tables.add(engine)
                with conn.begin():
                    if not sqlite:
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(PROBE_LOCK_WAIT_S * 1000)}")
                    probe = uuid.uuid4().hex
                    conn.execute(insert(store_probe).values(id=probe, filler=b"\0" * PROBE_BYTES))
                    conn.execute(delete(store_probe).where(store_probe.c.id == probe))
            finally:
                if sqlite:
                    conn.rollback()
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(LOCK_WAIT_S * 1000)}")
                    conn.commit()
    except StoreUnavailable as exc:
        return False, {"store_busy": "locked by another writer", "store_full": "full: no space left"}.get(
            exc.code, "not reachable")
    except Exception as exc:  # anything else: name the kind, never the URL (it may hold a password)
        log.warning("store not writable: %s", type(exc).__name__)
        return False, f"not writable ({type(exc).__name__})"
    return True, engine.dialect.name
