"""The database behind conversations, feedback and bot dedupe keys.

Addressed by a SQLAlchemy URL (``settings.store.url``): SQLite by default, PostgreSQL for
deployments with several replicas. SQLite runs in WAL mode so readers never block the writer and
a crash never loses a committed row. PostgreSQL URLs may be written ``postgresql://…`` or
``postgres://…``; they are driven by psycopg 3 (``postgresql+psycopg://``). Pooled connections
are checked before use (``pool_pre_ping``), so a database restart costs the next request nothing
but a reconnect.
"""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, Table, create_engine, event, text
from sqlalchemy.pool import StaticPool

PG_CONNECT_TIMEOUT_S = 10


def normalize_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` → ``postgresql+psycopg://`` (the driver we ship)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """Create the store's engine; SQLite connections get WAL, a busy timeout and foreign keys."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        in_memory = url in {"sqlite://", "sqlite:///:memory:"}
        # an in-memory database exists once per connection: share one, or each sees an empty database
        pool = {"poolclass": StaticPool} if in_memory else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            if not in_memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, pool_recycle=1800, connect_args=connect_args)


def create_tables(engine: Engine, metadata: MetaData, tables: list[Table] | None = None) -> None:
    """``metadata.create_all`` that replicas starting together cannot race (PostgreSQL lock)."""
    if engine.dialect.name != "postgresql":
        metadata.create_all(engine, tables=tables)
        return
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(7261015)"))  # released at commit
        metadata.create_all(conn, tables=tables)
