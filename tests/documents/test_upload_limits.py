"""Uploads that unpack to too much, a disk that fills up, and what a killed upload leaves behind."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from bot.services import Services
from tests.documents.conftest import documents_app
from tests.documents.kit import GREEN_NO, docx_bytes
from tests.support.bombs import docx_bomb


def current_build(settings) -> str:  # type: ignore[no-untyped-def]
    return (Path(settings.paths.index_dir) / "CURRENT").read_text().strip()


def _upload(client: TestClient, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post("/api/documents", files={"file": (name, data, "application/octet-stream")})


@contextmanager
def file_size_limit(max_bytes: int) -> Iterator[None]:
    """Make every write past ``max_bytes`` into a file fail with EFBIG, as a full volume would
    (RLIMIT_FSIZE; Python ignores SIGXFSZ, so the write raises OSError instead of killing us)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_docx_bomb_upload_is_413_and_changes_nothing(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    assert _upload(client, "方案.docx", docx_bytes()).status_code == 201
    build = current_build(settings)
    response = _upload(client, "炸弹.docx", docx_bomb(1024))  # 1 MB that inflates to 1 GiB
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "document_too_large"
    assert error["message"].startswith("炸弹.docx: ") and "unpack to more than" in error["message"]
    assert current_build(settings) == build
    assert not list((Path(settings.documents.uploads_dir) / ".staging").iterdir())


def test_full_disk_during_an_upload_is_507_and_the_next_upload_works(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    assert _upload(client, "方案.docx", docx_bytes()).status_code == 201
    build = current_build(settings)
    text = ("科学技术部关于数据要素试点的通知\n国科发区〔2024〕21号\n一、试点任务\n"
            + "支持园区建设数据交易服务平台。" * 8000 + "\n科学技术部\n2024年9月1日\n").encode()
    with file_size_limit(64 * 1024):  # the staged copy (~370 KB) cannot be written
        response = _upload(client, "试点通知.txt", text)
    assert response.status_code == 507, response.text
    error = response.json()["error"]
    assert error["code"] == "disk_full"
    assert "disk is full" in error["message"] and "documents.uploads_dir" in error["message"]
    assert current_build(settings) == build
    assert not list((Path(settings.documents.uploads_dir) / ".staging").iterdir())
    assert [d["id"] for d in client.get("/api/documents").json()["documents"]] == [GREEN_NO]
    assert _upload(client, "试点通知.txt", text).status_code == 201


def test_what_a_killed_upload_left_in_staging_is_removed_at_start_up(settings) -> None:  # type: ignore[no-untyped-def]
    orphan = Path(settings.documents.uploads_dir) / ".staging" / "tmp-killed" / "a1b2c3d4_通知.docx"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(docx_bytes())
    services = Services(settings)
    try:
        with TestClient(documents_app(settings, services)):
            assert not orphan.exists() and not orphan.parent.exists()
    finally:
        services.close()


def test_what_a_killed_upload_left_in_staging_is_removed_by_the_next_upload(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    assert _upload(client, "方案.docx", docx_bytes()).status_code == 201  # the service exists now
    orphan = Path(settings.documents.uploads_dir) / ".staging" / "tmp-killed" / "a1b2c3d4_通知.docx"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"half a file")
    assert _upload(client, "方案.docx", docx_bytes()).status_code == 201
    assert not list((Path(settings.documents.uploads_dir) / ".staging").iterdir())
