"""The documents API end to end: upload DOCX and PDF, find them in search and in cited answers,
refuse bad files without changing anything, delete, supersede."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient

from bot.services import Services
from tests.documents.kit import (
    DATA_NO,
    GREEN_NO,
    docx_bytes,
    pdf_bytes,
)
from tests.support.asking import ask

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def upload(client: TestClient, name: str, data: bytes, **fields: str) -> dict:
    response = client.post("/api/documents", files={"file": (name, data, "application/octet-stream")}, data=fields)
    assert response.status_code == 201, response.text
    return response.json()


def current_build(settings) -> str:  # type: ignore[no-untyped-def]
    return (Path(settings.paths.index_dir) / "CURRENT").read_text().strip()


def test_uploaded_docx_and_pdf_are_searchable_and_cited(client: TestClient, services: Services) -> None:
    green = upload(client, "绿色发展行动方案.docx", docx_bytes())
    data = upload(client, "数据要素试点.pdf", pdf_bytes())
    assert (green["document"]["id"], green["document"]["chunks"]) == (GREEN_NO, 4)
    assert data["document"]["id"] == DATA_NO and data["document"]["date"] == "2024-09-01"

    listed = client.get("/api/documents").json()["documents"]
    assert {(d["id"], d["status"], d["uploaded"]) for d in listed} == {(GREEN_NO, "in_force", True),
                                                                      (DATA_NO, "in_force", True)}
    hits = services.current_searcher().search("新建厂房屋顶光伏覆盖率", 3)
    assert hits[0].doc == GREEN_NO and "百分之五十" in hits[0].text
    hits = services.current_searcher().search("数据安全风险评估多久一次", 3)
    assert hits[0].doc == DATA_NO

    answer = ask(services, "新建厂房屋顶光伏覆盖率有什么要求？")
    assert answer.grounded and "百分之五十" in answer.answer
    assert any(c.doc == GREEN_NO and f"[{c.n}]" in answer.answer for c in answer.citations)
    answer = ask(services, "试点园区的数据安全审查机制有什么要求？")
    assert answer.grounded and "每季度" in answer.answer
    assert any(c.doc == DATA_NO and f"[{c.n}]" in answer.answer for c in answer.citations)


def test_a_document_is_found_by_encoded_id_or_slug_with_its_outline(client: TestClient) -> None:
    slug = upload(client, "方案.docx", docx_bytes())["document"]["slug"]
    by_id = client.get(f"/api/documents/{quote(GREEN_NO)}")
    assert by_id.status_code == 200, by_id.text
    detail = by_id.json()
    assert client.get(f"/api/documents/{slug}").json() == detail
    assert client.get("/api/documents/" + quote("国科发火[2024]8号")).json()["id"] == GREEN_NO
    assert [(o["heading"], o["level"]) for o in detail["outline"]] == [
        ("一、总体要求", 1), ("（一）推进清洁能源替代", 2), ("二、保障措施", 1)]
    assert detail["outline_from"] == "file"
    assert [h["action"] for h in detail["changes"]] == ["upload"]
    missing = client.get("/api/documents/" + quote("国发〔1999〕1号"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_document"


def test_bad_uploads_get_a_clear_error_and_change_nothing(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    upload(client, "方案.docx", docx_bytes())
    build = current_build(settings)
    uploads = Path(settings.documents.uploads_dir)
    files_before = sorted(p.name for p in uploads.iterdir() if not p.name.startswith("."))
    cases = [
        ("通知.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage without xref", 400, "corrupt_document"),
        ("通知.docx", b"PK\x03\x04" + b"\x00" * 200, 400, "corrupt_document"),
        ("通知.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, 400, "file_type_mismatch"),
        ("通知.exe", b"MZ\x90\x00", 400, "unsupported_file_type"),
        ("通知.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, 400, "unsupported_file_type"),
        ("通知.txt", b"", 400, "empty_document"),
        ("大文件.txt", "很长的文本。".encode() * 200_000, 413, "upload_too_large"),
    ]
    for name, data, status, code in cases:
        response = client.post("/api/documents", files={"file": (name, data, "application/pdf")})
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), (name, response.text)
        message = response.json()["error"]["message"]
        assert message.startswith(name) or status == 413, message
    assert "damaged PDF" in client.post("/api/documents", files={"file": cases[0][:2]}).json()["error"]["message"]
    assert current_build(settings) == build
    assert sorted(p.name for p in uploads.iterdir() if not p.name.startswith(".")) == files_before
    assert not list((uploads / ".staging").iterdir())
    assert [d["id"] for d in client.get("/api/documents").json()["documents"]] == [GREEN_NO]
    assert [c["action"] for c in client.get("/api/document-changes").json()["changes"]] == ["upload"]


def test_deleted_document_has_no_chunks_left(client: TestClient, services: Services, settings) -> None:  # type: ignore[no-untyped-def]
    upload(client, "方案.docx", docx_bytes())
    upload(client, "试点.pdf", pdf_bytes())
    assert services.current_searcher().search("屋顶光伏覆盖率", 1)[0].doc == GREEN_NO
    response = client.delete(f"/api/documents/{quote(GREEN_NO)}")
    assert response.status_code == 200, response.text
    assert response.json()["change"]["action"] == "delete" and response.json()["document"] is None

    index = services.current_index()
    assert index.chunks_of(GREEN_NO) == [] and GREEN_NO not in index.documents
    hits = services.current_searcher().search("新建厂房屋顶光伏覆盖率不低于百分之五十", 10)
    assert hits and all(h.doc != GREEN_NO for h in hits)
    answer = ask(services, "新建厂房屋顶光伏覆盖率有什么要求？")
    assert all(c.doc != GREEN_NO for c in answer.citations) and "百分之五十" not in answer.answer
    assert client.get(f"/api/documents/{quote(GREEN_NO)}").status_code == 404
    uploads = Path(settings.documents.uploads_dir)
    assert not [p for p in uploads.glob("*.docx")] and len(list((uploads / ".archive").glob("*.docx"))) == 1
    history = client.get("/api/document-changes", params={"doc": GREEN_NO}).json()["changes"]
    assert [(c["action"], c["actor"]) for c in history] == [("delete", "development"), ("upload", "development")]


def test_metadata_corrections_are_checked(client: TestClient) -> None:
    upload(client, "方案.docx", docx_bytes())
    upload(client, "试点.pdf", pdf_bytes())
    ok = client.patch(f"/api/documents/{quote(GREEN_NO)}", json={"effective_date": "2024-07-01", "issuer": "科技部"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["document"]["effective_date"] == "2024-07-01"
    assert "effective_date: — → 2024-07-01" in ok.json()["change"]["summary"]
    again = client.patch(f"/api/documents/{quote(GREEN_NO)}", json={"effective_date": "2024-07-01"})
    assert again.json()["change"] is None  # nothing to change, nothing recorded
    bad = [
        ({"date": "2024/07/01"}, 422), ({"status": "abolished"}, 422), ({"colour": "red"}, 422),
        ({"status": "superseded"}, 400), ({"superseded_by": "国发〔1999〕1号"}, 404),
        ({"superseded_by": GREEN_NO}, 400),
    ]
    for body, status in bad:
        response = client.patch(f"/api/documents/{quote(GREEN_NO)}", json=body)
        assert response.status_code == status, (body, response.text)
    retired = client.patch(f"/api/documents/{quote(GREEN_NO)}", json={"superseded_by": "国科发区[2024]21号"})
    assert retired.json()["document"]["status_label"] == f"已被 {DATA_NO} 替代"
    back = client.patch(f"/api/documents/{quote(GREEN_NO)}", json={"status": "in_force"})
    assert back.json()["document"]["superseded_by"] is None
