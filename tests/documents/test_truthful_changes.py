"""Uploads and ingests say what really happened: empty files are refused, an identical copy
changes nothing (status kept, history says unchanged), new files leave the others alone, and
staff see every passage the assistant sees."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.documents import DocumentService
from tests.documents.kit import TALENT_OLD

OLD_NO = "国科发外〔2019〕12号"
OTHER = ("科学技术部关于园区数据报送的通知\n国科发区〔2024〕3号\n一、报送要求\n"
         "各园区应当每季度报送一次统计数据，报送材料由管委会负责审核。\n科学技术部\n2024年1月5日\n")
FORWARD = ("广州市人民政府办公室转发省科技厅关于园区认定办法的通知\n穗府办〔2024〕3号\n各区人民政府：\n"
           "现将省科技厅《关于园区认定办法》转发给你们，请认真贯彻执行。\n广州市人民政府办公室\n2024年3月1日\n"
           "关于园区认定办法\n粤科发〔2024〕9号\n一、认定条件\n申请认定的园区应当具备下列条件：\n"
           "（一）园区内高新技术企业不少于20家；\n（二）研发投入占营业收入的比例不低于3%。\n广东省科学技术厅\n2024年2月1日\n")


def _upload(client: TestClient, name: str, text: str):  # type: ignore[no-untyped-def]
    return client.post("/api/documents", files={"file": (name, text.encode("utf-8"), "text/plain")})


def test_a_file_without_a_passage_is_refused_with_the_reason(client: TestClient) -> None:
    response = _upload(client, "title-only.txt", "关于开展园区数字化转型工作的通知\n")
    assert response.status_code in (400, 422), response.text
    message = response.json()["error"]["message"]
    assert "title-only.txt" in message and "no passage" in message
    assert client.get("/api/documents").json()["documents"] == []


def test_a_one_clause_notice_is_indexed_with_its_passage(client: TestClient) -> None:
    text = "（一）园区数字化转型专项资金对单个项目的支持比例原则上不超过项目总投资的三成七。"
    created = _upload(client, "clause.txt", text)
    assert created.status_code == 201, created.text
    doc = created.json()["document"]
    assert doc["chunks"] == 1
    passages = client.get(f"/api/documents/{doc['slug']}/passages").json()
    assert [p["text"] for p in passages["passages"]] == [text]


def test_reuploading_an_identical_file_keeps_a_retired_status(client: TestClient) -> None:
    assert _upload(client, "talent.txt", TALENT_OLD).status_code == 201
    retired = client.patch(f"/api/documents/{OLD_NO}", json={"status": "repealed"})
    assert retired.json()["document"]["status"] == "repealed"
    again = _upload(client, "talent.txt", TALENT_OLD)
    assert again.status_code == 201, again.text
    assert again.json()["document"]["status"] == "repealed"
    assert "unchanged" in again.json()["change"]["summary"]
    detail = client.get(f"/api/documents/{OLD_NO}").json()
    assert detail["status"] == "repealed"
    assert "unchanged" in detail["changes"][0]["summary"] and "替换" not in detail["changes"][0]["summary"]


def test_ingesting_a_new_file_leaves_the_others_unchanged(service: DocumentService, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "talent.txt").write_text(TALENT_OLD, encoding="utf-8")
    first, _ = service.ingest_paths([corpus], actor="test")
    assert first.added == [OLD_NO]
    service.retire(OLD_NO, actor="test", status="expired")
    (corpus / "other.txt").write_text(OTHER, encoding="utf-8")
    report, _ = service.ingest_paths([corpus / "other.txt"], actor="test")
    assert report.added == ["国科发区〔2024〕3号"] and report.updated == []
    again, _ = service.ingest_paths([corpus], actor="test")
    assert again.updated == [] and sorted(again.unchanged) == sorted([OLD_NO, "国科发区〔2024〕3号"])
    assert [c.summary for c in service.history(OLD_NO)].count("parkbot ingest 更新") == 0
    assert service.get(OLD_NO).status == "expired"


def test_a_forwarding_notice_becomes_two_linked_documents_with_their_passages(client: TestClient) -> None:
    created = _upload(client, "forward.txt", FORWARD)
    assert created.status_code == 201, created.text
    listed = {d["id"]: d for d in client.get("/api/documents").json()["documents"]}
    assert set(listed) == {"穗府办〔2024〕3号", "粤科发〔2024〕9号"}
    notice, inner = listed["穗府办〔2024〕3号"], listed["粤科发〔2024〕9号"]
    assert (notice["date"], inner["date"]) == ("2024-03-01", "2024-02-01")
    assert inner["jurisdiction"] == {"level": "province", "place": "广东省"}
    assert notice["jurisdiction"] == {"level": "city", "place": "广州市"}
    detail = client.get("/api/documents/粤科发〔2024〕9号").json()
    assert [(r["relation"], r["doc"]) for r in detail["related"]] == [("forwarded_by", "穗府办〔2024〕3号")]
    passages = client.get("/api/documents/粤科发〔2024〕9号/passages").json()["passages"]
    text = "".join(p["text"] for p in passages)
    assert "不少于20家" in text and "不低于3%" in text and "转发给你们" not in text
