"""What document management remembers in the store: the audit log and the metadata overrides.

``document_changes``: one row per change (who, when, what), shown by ``parkbot docs history``
and ``GET /api/documents/{id}``. ``document_overrides``: per doc id the metadata fields staff
corrected and whether they deleted it, applied again whenever the corpus is re-ingested so a
``parkbot ingest`` does not undo a retirement or bring a deleted document back.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.engine import Engine

from bot.store import create_tables

log = logging.getLogger(__name__)

_metadata = MetaData()
changes_table = Table(
    "document_changes",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("doc", String(512), nullable=False, index=True),
    Column("summary", Text, nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),  # JSON
)
overrides_table = Table(
    "document_overrides",
    _metadata,
    Column("doc", String(512), primary_key=True),
    Column("fields", Text, nullable=False, default="{}"),  # JSON: metadata fields set by staff
    Column("deleted", Boolean, nullable=False, default=False),
)


class Change(BaseModel):
    id: int
    at: str
    actor: str
    action: str  # upload | ingest | update | retire | delete
    doc: str
    summary: str = ""
    detail: dict[str, Any] = {}


class Override(BaseModel):
    doc: str
    fields: dict[str, Any] = {}
    deleted: bool = False


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class DocumentRecords:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine, _metadata, [changes_table, overrides_table])

    # audit -------------------------------------------------------------------------------
    def record(self, actor: str, action: str, doc: str, summary: str = "", **detail: Any) -> Change:
        row: dict[str, Any] = {"at": now(), "actor": actor, "action": action, "doc": doc, "summary": summary,
               "detail": json.dumps(detail, ensure_ascii=False, default=str)}
        with self.engine.begin() as conn:
            key = conn.execute(insert(changes_table).values(**row)).inserted_primary_key
        log.info("document %s %s by %s: %s", doc, action, actor, summary)
        return Change(id=int(key[0]) if key else 0, **{**row, "detail": detail})

    def history(self, doc: str | None = None, limit: int = 100) -> list[Change]:
        """Changes, newest first (of one document, or of all)."""
        query = select(changes_table).order_by(changes_table.c.id.desc()).limit(limit)
        if doc is not None:
            query = query.where(changes_table.c.doc == doc)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [Change(**{**dict(r), "detail": json.loads(r["detail"] or "{}")}) for r in rows]

    def first_seen(self) -> dict[str, str]:
        """Doc id → time of its first upload or ingest."""
        query = (select(changes_table.c.doc, changes_table.c.at)
                 .where(changes_table.c.action.in_(["upload", "ingest"])).order_by(changes_table.c.id))
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for doc, at in conn.execute(query):
                out.setdefault(str(doc), str(at))
        return out

    # overrides ---------------------------------------------------------------------------
    def overrides(self) -> dict[str, Override]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(overrides_table)).mappings().all()
        return {r["doc"]: Override(doc=r["doc"], fields=json.loads(r["fields"] or "{}"), deleted=bool(r["deleted"]))
                for r in rows}

    def set_override(self, doc: str, *, fields: dict[str, Any] | None = None, deleted: bool | None = None,
                     merge: bool = True) -> None:
        with self.engine.begin() as conn:
            current = conn.execute(select(overrides_table).where(overrides_table.c.doc == doc)).mappings().first()
            old_fields = json.loads(current["fields"] or "{}") if current else {}
            new_fields = ({**old_fields, **(fields or {})} if merge else dict(fields or {}))
            values = {"fields": json.dumps(new_fields, ensure_ascii=False),
                      "deleted": bool(current["deleted"]) if deleted is None and current else bool(deleted)}
            if current:
                conn.execute(update(overrides_table).where(overrides_table.c.doc == doc).values(**values))
            else:
                conn.execute(insert(overrides_table).values(doc=doc, **values))

    def clear_override(self, doc: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(overrides_table).where(overrides_table.c.doc == doc))
