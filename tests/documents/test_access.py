"""Only tokens allowed to manage documents may change them; a deleted document stays deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.documents import DocumentService
from bot.errors import BadRequest
from bot.http import auth
from bot.http.auth import AuthSettings, hash_token
from bot.services import Services
from tests.documents.conftest import documents_app
from tests.documents.kit import (
    DATA_NO,
    GREEN_NO,
    TALENT_OLD,
    DocSettings,
    docx_bytes,
    make_settings,
    pdf_bytes,
)

EDITOR, READER = "pbt_editor-token-for-tests-0123456789", "pbt_reader-token-for-tests-0123456789"


class AuthDocSettings(DocSettings):
    auth: AuthSettings = AuthSettings()


def test_changes_need_a_token_that_may_manage_documents(tmp_path: Path) -> None:
    base = make_settings(tmp_path).model_dump()
    settings = AuthDocSettings(**{**base, "env": "production", "auth": {"tokens": [
        {"name": "editor", "sha256": hash_token(EDITOR), "manage_documents": True},
        {"name": "reader", "sha256": hash_token(READER)}]}})
    services = Services(settings)
    app = documents_app(settings, services)
    if "/login" not in {getattr(r, "path", "") for r in app.routes}:
        auth.install(app, settings)
    client = TestClient(app)
    file = {"file": ("方案.docx", docx_bytes())}
    assert client.post("/api/documents", files=file).status_code == 401
    refused = client.post("/api/documents", files=file, headers={"Authorization": f"Bearer {READER}"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "documents_forbidden"
    made = client.post("/api/documents", files=file, headers={"Authorization": f"Bearer {EDITOR}"})
    assert made.status_code == 201 and made.json()["change"]["actor"] == "editor"
    listed = client.get("/api/documents", headers={"Authorization": f"Bearer {READER}"})
    assert [d["id"] for d in listed.json()["documents"]] == [GREEN_NO]
    for method in ("PATCH", "DELETE"):
        response = client.request(method, f"/api/documents/{made.json()['document']['slug']}",
                                  json={"status": "expired"} if method == "PATCH" else None,
                                  headers={"Authorization": f"Bearer {READER}"})
        assert response.status_code == 403
    services.close()


def test_a_deleted_document_is_not_brought_back_by_reingesting_the_corpus(service: DocumentService,
                                                                           tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "方案.docx").write_bytes(docx_bytes())
    (corpus / "试点.pdf").write_bytes(pdf_bytes())
    service.ingest_paths([corpus], actor="make run", restore_deleted=False)
    service.delete(GREEN_NO, actor="王科长")
    report, skipped = service.ingest_paths([corpus], actor="make run", restore_deleted=False)
    assert skipped == [GREEN_NO] and not report.changed and [d.id for d in service.documents()] == [DATA_NO]
    last = pytest.raises(BadRequest, service.delete, DATA_NO, actor="王科长")
    assert last.value.code == "last_document"
    report, skipped = service.ingest_paths([corpus / "方案.docx"], actor="王科长")  # named explicitly: restored
    assert report.added == [GREEN_NO] and skipped == []
    assert [c.action for c in service.history(GREEN_NO)] == ["ingest", "delete", "ingest"]


def test_an_uploaded_new_version_wins_over_the_corpus_file_on_reingest(service: DocumentService,
                                                                      tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "试点.pdf").write_bytes(pdf_bytes())
    (corpus / "人才.txt").write_text(TALENT_OLD, encoding="utf-8")
    service.ingest_paths([corpus], actor="make run", restore_deleted=False)
    service.upload("人才-更正.txt", TALENT_OLD.replace("60岁", "62岁").encode(), actor="王科长")
    report, _ = service.ingest_paths([corpus, service.uploads], actor="make run", restore_deleted=False)
    assert not report.changed and not report.failed
    assert service.get("国科发外〔2019〕12号").uploaded
