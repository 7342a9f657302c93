"""`DocumentService`: every change to the corpus, shared by the API, the web page and the CLI.

Each change runs under one lock (a thread lock plus ``flock`` on ``<index_dir>/documents.lock``,
so CLI and server processes take turns too), re-reads the published index, and is applied by
``retrieval.ingest.ingest_documents`` as one new build published atomically. Then the store is
updated: the audit log (who, when, what) and the metadata overrides that a later
``parkbot ingest`` of the same files applies again.

A full volume under a change (the staged upload, the new index build) is reported as
``InsufficientStorage`` (507 ``disk_full``), never a bare 500; nothing is published. Files a
killed process left in ``uploads/.staging`` are removed when the service starts (if no other
process holds the lock) and before every upload.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from bot.documents import files, state
from bot.documents.config import DocumentSettings, document_settings
from bot.documents.errors import DocumentNotFound, UploadTooLarge
from bot.documents.models import (
    ChangeResult,
    DocumentDetail,
    DocumentPassages,
    DocumentSummary,
    MetadataPatch,
    Passage,
)
from bot.documents.records import DocumentRecords
from bot.documents.sniff import suffix_for
from bot.errors import BadRequest, InsufficientStorage, ParkBotError, is_disk_full
from retrieval.config import RetrievalConfig
from retrieval.errors import DocumentError, MetadataError
from retrieval.ingest import Failure, IngestReport, Progress, ingest_documents
from retrieval.models import DocumentMeta, ParsedDocument
from retrieval.parsing.meta import normalize_doc_number

log = logging.getLogger(__name__)


def _validated(fields: Mapping[str, Any] | MetadataPatch) -> MetadataPatch:
    if isinstance(fields, MetadataPatch):
        return fields
    try:
        return MetadataPatch.model_validate({k: v for k, v in fields.items()})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "metadata"
        raise BadRequest(f"{where}: {first['msg']} (got {first.get('input')!r}); dates are YYYY-MM-DD, status is "
                         "one of in_force, superseded, repealed, expired", code="bad_metadata") from None


def _describe(changes: Mapping[str, tuple[Any, Any]]) -> str:
    return "; ".join(f"{k}: {old if old is not None else '—'} → {new if new is not None else '—'}"
                     for k, (old, new) in changes.items())


class DocumentService:
    def __init__(self, config: RetrievalConfig, engine: Engine, settings: DocumentSettings | None = None,
                 *, embedder: Any = None, corpus_dir: Path | None = None) -> None:
        self.config = config
        self.settings = settings or DocumentSettings()
        self.uploads = self.settings.uploads
        self.records = DocumentRecords(engine)
        self.corpus_dir = corpus_dir
        self._embedder = embedder
        self._thread_lock = threading.Lock()
        self._clear_staging(wait=False)

    @classmethod
    def from_settings(cls, settings: Any, *, embedder: Any = None, engine: Engine | None = None) -> DocumentService:
        from bot.store import make_engine

        engine = engine or make_engine(settings.store.resolved_url())
        return cls(settings.retrieval_config(), engine, document_settings(settings), embedder=embedder,
                   corpus_dir=settings.paths.corpus)

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from retrieval.embedding import make_embedder

            self._embedder = make_embedder(self.config.embedding)
        return self._embedder

    @contextlib.contextmanager
    def _locked(self, wait: bool = True) -> Iterator[bool]:
        """Hold the documents lock (yields False at once if ``wait`` is off and another holds it).
        A change that fails on a full volume raises ``InsufficientStorage``."""
        index_dir = Path(self.config.index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(index_dir / "documents.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            except Exception as exc:
                if is_disk_full(exc) and not isinstance(exc, ParkBotError):  # those are classified already
                    log.error("disk full during a document change: %s", exc)
                    raise InsufficientStorage(
                        "The server's disk is full: the change was not saved and the index is unchanged. "
                        f"Free space on the volume of documents.uploads_dir ({self.uploads}) and paths.index_dir "
                        f"({index_dir}), then retry."
                    ) from exc
                raise
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _clear_staging(self, wait: bool = True) -> None:
        """Remove what a killed upload left in ``.staging/`` (only while nobody can be uploading)."""
        try:
            with self._locked(wait) as held:
                if held and (removed := files.clear_staging(self.uploads)):
                    log.warning("removed %d leftover upload(s) from %s", len(removed), self.uploads / ".staging")
        except OSError as exc:  # a read-only or missing volume: uploads will say so themselves
            log.warning("could not clear %s: %s", self.uploads / ".staging", exc)

    # -- reading ---------------------------------------------------------------------------
    def documents(self) -> list[DocumentSummary]:
        _, entries = state.current(self.config)
        first = self.records.first_seen()
        return [self._summary(entries, doc, first) for doc in entries]

    def get(self, ref: str) -> DocumentDetail:
        build, entries = state.current(self.config)
        doc = state.resolve_ref(ref, entries)
        meta = state.meta_of(entries, doc)
        outline, origin = state.outline(self.config, build, meta) if build else ([], "chunks")  # type: ignore[assignment]
        summary = self._summary(entries, doc, self.records.first_seen())
        return DocumentDetail(**summary.model_dump(), history=meta.history, related=meta.related, outline=outline,
                              outline_from=origin, changes=self.records.history(doc, limit=20))

    def passages(self, ref: str) -> DocumentPassages:
        """Every passage of the document, in order: exactly what search and the assistant see."""
        build, entries = state.current(self.config)
        doc = state.resolve_ref(ref, entries)
        chunks = state.chunks_of(self.config, build, doc) if build else []
        return DocumentPassages(document=doc, passages=[Passage(chunk_id=c.chunk_id, section=c.section, text=c.text)
                                                        for c in chunks])

    def resolve(self, ref: str) -> str:
        return state.resolve_ref(ref, state.current(self.config)[1])

    def history(self, ref: str | None = None, limit: int = 100) -> list[Any]:
        doc = None
        if ref is not None:
            try:
                doc = self.resolve(ref)
            except DocumentNotFound:  # a deleted document keeps its history under its id
                doc = ref
        return self.records.history(doc, limit)

    def _summary(self, entries: state.Entries, doc: str, first: Mapping[str, str]) -> DocumentSummary:
        meta = state.meta_of(entries, doc)
        return DocumentSummary.from_meta(meta, int(entries[doc].get("chunks", 0)), uploaded=self._is_upload(meta.source),
                                         added_at=first.get(doc))

    def _is_upload(self, source: str) -> bool:
        path = state.source_path(source)
        return path is not None and path.parent.resolve() == self.uploads.resolve()

    # -- upload ----------------------------------------------------------------------------
    def upload(self, filename: str, data: bytes, *, actor: str, fields: Mapping[str, Any] | None = None,
               supersedes: Sequence[str] = ()) -> ChangeResult:
        """Check, parse and index one uploaded file. Raises before anything changes when it is bad."""
        filename = Path(filename.replace("\\", "/")).name or "document"
        limit = self.settings.max_upload_bytes
        if len(data) > limit:
            raise UploadTooLarge(f"{filename}: {len(data)} bytes is more than the {limit}-byte limit "
                                 "(documents.max_upload_bytes); split the document or ask the administrator")
        suffix = suffix_for(filename, data)
        patch = _validated(fields or {})
        sha = hashlib.sha256(data).hexdigest()
        name = files.stored_name(filename, suffix, sha)
        with self._locked():
            build, entries = state.current(self.config)
            given = self._normalise(None, patch.changes(), entries, None)
            targets = [state.resolve_ref(t, entries) for t in supersedes if t.strip()]
            files.clear_staging(self.uploads)  # we hold the lock: anything there was left by a killed upload
            staging = files.staging_dir(self.uploads)
            try:
                staged = staging / name
                staged.write_bytes(data)
                files.write_sidecar(staged, given)
                from retrieval.corpus import parse_file_documents

                try:
                    docs = parse_file_documents(staged)  # the parser and errors of `parkbot ingest`
                except (DocumentError, MetadataError) as err:  # name the file as the user knows it
                    err.message = err.message.replace(staged.name, filename, 1)
                    err.args, err.path = (err.message,), filename
                    raise
                final = self.uploads / name
                kept: dict[str, dict[str, Any]] = {}
                for parsed in docs:
                    parsed.meta = parsed.meta.model_copy(update={"source": str(final)})
                    before = state.meta_of(entries, parsed.meta.doc) if parsed.meta.doc in entries else None
                    if before is not None and "status" not in given:  # a new copy does not revive a retired text
                        kept[parsed.meta.doc] = {"status": before.status, "superseded_by": before.superseded_by}
                        parsed.meta = parsed.meta.model_copy(update=kept[parsed.meta.doc])
                parsed = docs[0]
                doc = parsed.meta.doc
                others = [d.meta.doc for d in docs[1:]]
                targets += list(self._supersede_updates(docs, entries))
                targets = [t for t in dict.fromkeys(targets) if t != doc and t not in others]
                if given.get("superseded_by") == doc:
                    raise BadRequest(f"superseded_by: {doc} cannot supersede itself", code="bad_metadata")
                updates = {t: {"status": "superseded", "superseded_by": doc} for t in targets}
                previous = state.meta_of(entries, doc) if doc in entries else None
                report = ingest_documents(docs, self.config, self.embedder, updates=updates)
                files.move_into_place(staged, final)
            finally:
                files.remove_tree(staging)
            if previous is not None and previous.source != str(final):
                files.archive(state.source_path(previous.source) or final, self.uploads)
            for d in docs:
                self.records.set_override(d.meta.doc, fields={**kept.get(d.meta.doc, {}), **given} if d is parsed
                                          else kept.get(d.meta.doc, {}), deleted=False, merge=False)
            for target in targets:
                self.records.set_override(target, fields=updates[target])
                self.records.record(actor, "retire", target, f"被 {doc} 替代（上传新文件时）", superseded_by=doc,
                                    build=report.build_id)
            change = None
            for d in docs:
                unchanged = d.meta.doc in report.unchanged
                if d.meta.doc not in entries:
                    verb = "新增"
                elif unchanged:
                    verb = "内容未变（unchanged），状态保持" if d.meta.doc in kept else "内容未变（unchanged）"
                else:
                    verb = "替换旧版本"
                mine = d is parsed
                record = self.records.record(
                    actor, "upload", d.meta.doc, f"{verb}：{filename}（{len(d.chunks)} 段）", file=filename,
                    stored=name, sha256=sha, passages=len(d.chunks), build=report.build_id,
                    supersedes=targets if mine else [], metadata=given if mine else {}, unchanged=unchanged)
                change = record if mine else change
            targets += others
        return ChangeResult(document=self._after(doc), change=change, build=report.build_id, affected=targets)

    @staticmethod
    def _supersede_updates(docs: Iterable[ParsedDocument], entries: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """What the given documents' metadata says they supersede (``[[related]] relation =
        "supersedes"``), among the indexed and the given documents: target → its new status."""
        docs = list(docs)
        known = {**entries, **{d.meta.doc: {"meta": d.meta.model_dump(mode="json")} for d in docs}}
        out: dict[str, dict[str, Any]] = {}
        for parsed in docs:
            for rel in parsed.meta.related:
                if rel.relation != "supersedes":
                    continue
                try:
                    target = state.resolve_ref(rel.doc, known)
                except DocumentNotFound:
                    log.info("%s supersedes %s, which is not indexed", parsed.meta.doc, rel.doc)
                    continue
                if target != parsed.meta.doc:
                    out[target] = {"status": "superseded", "superseded_by": parsed.meta.doc}
        return out

    # -- metadata --------------------------------------------------------------------------
    def update(self, ref: str, fields: Mapping[str, Any] | MetadataPatch, *, actor: str,
               action: str = "update") -> ChangeResult:
        patch = _validated(fields)
        with self._locked():
            build, entries = state.current(self.config)
            doc = state.resolve_ref(ref, entries)
            meta = state.meta_of(entries, doc)
            wanted = self._normalise(doc, patch.changes(), entries, meta)
            diff = {k: wanted[k] for k in MetadataPatch.model_fields if k in wanted and getattr(meta, k) != wanted[k]}
            if not diff:
                return ChangeResult(document=self._after(doc), change=None, build=build)
            report = ingest_documents([], self.config, self.embedder, updates={doc: diff})
            self.records.set_override(doc, fields=diff)
            if self._is_upload(meta.source):
                merged = self.records.overrides().get(doc)
                files.write_sidecar(state.source_path(meta.source), merged.fields if merged else diff)  # type: ignore[arg-type]
            changes = {k: (getattr(meta, k), v) for k, v in diff.items()}
            change = self.records.record(actor, action, doc, _describe(changes),
                                         changes={k: list(v) for k, v in changes.items()}, build=report.build_id)
        return ChangeResult(document=self._after(doc), change=change, build=report.build_id)

    def retire(self, ref: str, *, actor: str, superseded_by: str | None = None, status: str | None = None
               ) -> ChangeResult:
        """Mark a document superseded (by another), repealed or expired."""
        if superseded_by:
            status = status or "superseded"
        if not status or status == "in_force":
            raise BadRequest("say why it is retired: superseded_by (the replacing document) or status repealed "
                             "or expired", code="bad_metadata")
        return self.update(ref, {"status": status, "superseded_by": superseded_by}, actor=actor, action="retire")

    def _normalise(self, doc: str | None, fields: Mapping[str, Any], entries: state.Entries,
                   meta: DocumentMeta | None) -> dict[str, Any]:
        """Check the fields against the index: the replacing document exists, status and
        superseded_by agree, 文号 brackets normalised."""
        out = dict(fields)
        if out.get("doc_number"):
            out["doc_number"] = normalize_doc_number(out["doc_number"])
        by = out.get("superseded_by")
        if by:
            out["superseded_by"] = by = state.resolve_ref(by, entries)
            if by == doc:
                raise BadRequest(f"superseded_by: {doc} cannot supersede itself", code="bad_metadata")
            out.setdefault("status", "superseded")
            if out["status"] != "superseded":
                raise BadRequest(f"superseded_by is only for status superseded (got status {out['status']})",
                                 code="bad_metadata")
        status = out.get("status")
        if status and status != "superseded":
            out["superseded_by"] = None
        if status == "superseded" and not by and not (meta and meta.superseded_by and "superseded_by" not in fields):
            raise BadRequest("superseded_by: name the document that replaces it (its id, 文号 or slug)",
                             code="bad_metadata")
        return out

    # -- delete ----------------------------------------------------------------------------
    def delete(self, ref: str, *, actor: str) -> ChangeResult:
        with self._locked():
            _, entries = state.current(self.config)
            doc = state.resolve_ref(ref, entries)
            meta = state.meta_of(entries, doc)
            if len(entries) == 1:
                raise BadRequest(f"{doc} is the only document in the index and an index cannot be empty; upload "
                                 "its replacement first, then delete it", code="last_document")
            report = ingest_documents([], self.config, self.embedder, remove=[doc])
            self.records.set_override(doc, deleted=True)
            archived = None
            if self._is_upload(meta.source):
                archived = files.archive(state.source_path(meta.source), self.uploads)  # type: ignore[arg-type]
            change = self.records.record(actor, "delete", doc, f"删除《{meta.title}》"
                                         f"（{entries[doc].get('chunks', 0)} 段）", title=meta.title,
                                         source=meta.source, archived=str(archived) if archived else None,
                                         build=report.build_id)
        return ChangeResult(document=None, change=change, build=report.build_id)

    # -- ingest (CLI) ----------------------------------------------------------------------
    def ingest_paths(self, paths: Sequence[Path], *, actor: str, replace: bool = False,
                     progress: Progress | None = None, meta_file: Path | None = None,
                     restore_deleted: bool = True) -> tuple[IngestReport, list[str]]:
        """`parkbot ingest`: parse the files, apply staff's stored corrections, index, record.

        Documents deleted through ParkBot stay deleted unless `restore_deleted` (files named
        explicitly); returns the report and the ids skipped for that reason.
        """
        if meta_file is not None:
            docs: list[ParsedDocument] = [self._parse_with_sidecar(paths, meta_file)]
            failures: list[Any] = []
            if progress:
                progress("parse", 1, 1)
        else:
            docs, failures = self._load(paths, progress)
        # a version staff uploaded wins over a corpus file with the same 文号
        uploaded = {d.meta.doc for d in docs if self._is_upload(d.meta.source)}
        docs = [d for d in docs if d.meta.doc not in uploaded or self._is_upload(d.meta.source)]
        with self._locked():
            _, entries = state.current(self.config)
            overrides = self.records.overrides()
            skipped = [d.meta.doc for d in docs
                       if not restore_deleted and d.meta.doc in overrides and overrides[d.meta.doc].deleted]
            docs = [d for d in docs if d.meta.doc not in skipped]
            updates: dict[str, dict[str, Any]] = {d.meta.doc: dict(overrides[d.meta.doc].fields)
                                                  for d in docs if d.meta.doc in overrides and overrides[d.meta.doc].fields}
            for target, fields in self._supersede_updates(docs, entries).items():
                updates.setdefault(target, {}).update(fields)
            report = ingest_documents(docs, self.config, self.embedder, failures=failures, replace=replace,
                                      progress=progress, updates=updates)
            for doc in [*report.added, *report.updated]:
                if overrides.get(doc) and overrides[doc].deleted:
                    self.records.set_override(doc, deleted=False)
                verb = "新增" if doc in report.added else "更新"
                self.records.record(actor, "ingest", doc, f"parkbot ingest {verb}", build=report.build_id)
            for doc in report.removed:
                self.records.record(actor, "delete", doc, "parkbot ingest --replace 移除", build=report.build_id)
        return report, skipped

    @staticmethod
    def _load(paths: Sequence[Path], progress: Progress | None) -> tuple[list[ParsedDocument], list[Failure]]:
        """Like `retrieval.ingest.load_documents`, but each document remembers the full path of
        its file (so its outline can be parsed again and uploads are told from corpus files)."""
        from retrieval.corpus import document_files, parse_file_documents

        found: list[Path] = []
        failures: list[Failure] = []
        for path in map(Path, paths):
            if path.is_dir():
                found += document_files(path)
            elif path.exists():
                found.append(path)
            else:
                failures.append(Failure(source=str(path), code="not_found", reason="no such file or directory"))
        docs: list[ParsedDocument] = []
        for n, path in enumerate(found, 1):
            try:
                for parsed in parse_file_documents(path):
                    parsed.meta = parsed.meta.model_copy(update={"source": str(path.resolve())})
                    docs.append(parsed)
            except (DocumentError, MetadataError) as err:
                log.warning("skipped %s", err.message)
                failures.append(Failure(source=str(path), code=err.code, reason=err.reason))
            if progress:
                progress("parse", n, len(found))
        return docs, failures

    @staticmethod
    def _parse_with_sidecar(paths: Sequence[Path], meta_file: Path) -> ParsedDocument:
        from retrieval.loaders import load_file
        from retrieval.parsing import parse_text
        from retrieval.parsing.sidecar import read_sidecar

        if len(paths) != 1 or Path(paths[0]).is_dir():
            raise BadRequest("--meta goes with exactly one document file", code="bad_metadata")
        loaded = load_file(paths[0])
        parsed = parse_text(loaded.text, source=str(paths[0]), sha256=loaded.sha256, markup=loaded.markup,
                            overrides=read_sidecar(meta_file))
        parsed.meta = parsed.meta.model_copy(update={"source": str(Path(paths[0]).resolve())})
        return parsed

    def _after(self, doc: str) -> DocumentSummary | None:
        _, entries = state.current(self.config)
        return self._summary(entries, doc, self.records.first_seen()) if doc in entries else None


def service_for(services: Any) -> DocumentService:
    """The process's DocumentService, built once from a `bot.services.Services`."""
    existing = getattr(type(services), "documents", None)
    if existing is not None:
        return services.documents  # type: ignore[no-any-return]
    with services._lock:
        service = services.__dict__.get("_documents")
        if service is None:
            service = DocumentService.from_settings(services.settings, embedder=services.embedder,
                                                    engine=services.store_engine)
            services.__dict__["_documents"] = service
        return service  # type: ignore[no-any-return]
