"""Versions and status: a superseding document wins in search and answers, the old one is flagged;
two uploads at the same moment both land."""

from __future__ import annotations

import threading
from urllib.parse import quote

from fastapi.testclient import TestClient

from bot.documents import DocumentService
from bot.services import Services
from tests.documents.kit import (
    DATA_NO,
    GREEN_NO,
    TALENT_NEW,
    TALENT_OLD,
    TALENT_QUESTION,
    docx_bytes,
    make_settings,
    pdf_bytes,
)
from tests.documents.test_api import upload
from tests.support.asking import ask

OLD, NEW = "国科发外〔2019〕12号", "国科发外〔2023〕5号"


def test_a_superseding_upload_is_preferred_and_the_old_one_flagged(client: TestClient, services: Services) -> None:
    upload(client, "外籍人才通知.txt", TALENT_OLD.encode())
    before = ask(services, TALENT_QUESTION)
    assert "60岁" in before.answer and before.citations[0].doc == OLD

    new = upload(client, "外籍人才通知（修订）.txt", TALENT_NEW.encode(), supersedes="国科发外[2019]12号")
    assert new["affected"] == [OLD]
    old = client.get(f"/api/documents/{quote(OLD)}").json()
    assert (old["status"], old["superseded_by"], old["status_label"]) == ("superseded", NEW, f"已被 {NEW} 替代")
    assert old["changes"][0]["action"] == "retire"
    in_force = client.get("/api/documents", params={"status": "in_force"}).json()["documents"]
    assert [d["id"] for d in in_force] == [NEW]

    hits = services.current_searcher().search(TALENT_QUESTION, 5)
    assert hits[0].doc == NEW and "65岁" in hits[0].text
    old_hit = services.current_searcher().search(TALENT_QUESTION, 1, {"doc": OLD})[0]
    assert "60岁" in old_hit.text and (old_hit.status, old_hit.superseded_by) == ("superseded", NEW)
    only_current = services.current_searcher().search(TALENT_QUESTION, 5, {"in_force_only": True})
    assert {h.doc for h in only_current} == {NEW}

    after = ask(services, TALENT_QUESTION)
    assert after.citations[0].doc == NEW and "65岁" in after.answer and "60岁" not in after.answer
    assert f"{OLD} 也有相关规定，但已被 {NEW} 替代" in after.answer


def test_an_answer_from_a_superseded_document_says_so(client: TestClient, services: Services) -> None:
    upload(client, "方案.docx", docx_bytes())
    upload(client, "试点.pdf", pdf_bytes())
    client.patch(f"/api/documents/{quote(GREEN_NO)}", json={"superseded_by": DATA_NO}).raise_for_status()
    answer = ask(services, "新建厂房屋顶光伏覆盖率有什么要求？")
    cited = next(c for c in answer.citations if c.doc == GREEN_NO)
    assert cited.status == "superseded"
    assert f"该条款[{cited.n}]出自已被 {DATA_NO} 替代的文件（{GREEN_NO}）" in answer.answer
    assert f"【已被 {DATA_NO} 替代】" in answer.answer

    client.patch(f"/api/documents/{quote(GREEN_NO)}", json={"status": "expired"}).raise_for_status()
    answer = ask(services, "新建厂房屋顶光伏覆盖率有什么要求？")
    assert "出自已失效的文件" in answer.answer


def test_metadata_in_the_upload_says_what_it_supersedes_and_when_it_applies(client: TestClient) -> None:
    upload(client, "外籍人才通知.txt", TALENT_OLD.encode())
    new = upload(client, "修订.txt", TALENT_NEW.encode(), effective_date="2023-05-01", supersedes=OLD)
    assert new["document"]["effective_date"] == "2023-05-01"
    assert client.get(f"/api/documents/{quote(OLD)}").json()["status"] == "superseded"
    bad = client.post("/api/documents", files={"file": ("x.txt", TALENT_NEW.encode())}, data={"date": "2023年"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_metadata"


def test_a_new_version_of_the_same_number_replaces_the_old_chunks(client: TestClient, services: Services) -> None:
    upload(client, "外籍人才通知.txt", TALENT_OLD.encode())
    corrected = TALENT_OLD.replace("60岁", "62岁")
    replaced = upload(client, "外籍人才通知-更正.txt", corrected.encode())
    assert replaced["change"]["summary"].startswith("替换旧版本")
    index = services.current_index()
    texts = " ".join(c.text for c in index.chunks_of(OLD))
    assert "62岁" in texts and "60岁" not in texts and len(index.documents) == 1


def test_two_uploads_at_once_both_land(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path)
    # two services, as two server processes would have: only the file lock keeps them apart
    first, second = (DocumentService.from_settings(settings) for _ in range(2))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(service: DocumentService, name: str, data: bytes) -> None:
        start.wait()
        try:
            service.upload(name, data, actor=name)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(first, "方案.docx", docx_bytes())),
               threading.Thread(target=run, args=(second, "试点.pdf", pdf_bytes()))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert {d.id for d in first.documents()} == {GREEN_NO, DATA_NO}
    assert sorted(c.action for c in first.history()) == ["upload", "upload"]
