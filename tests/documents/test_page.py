"""The documents page in Chromium against a real uvicorn server: upload, outline, retire, delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from bot.documents import DocumentService
from bot.services import Services
from tests.documents.conftest import documents_app
from tests.documents.kit import DATA_NO, DATA_TITLE, GREEN_NO, GREEN_TITLE, DocSettings, docx_bytes, pdf_bytes
from tests.support.servers import running_server

pytestmark = [pytest.mark.enable_socket]

def test_upload_outline_retire_and_delete(browser: Browser, settings: DocSettings, services: Services,
                                          service: DocumentService, tmp_path: Path) -> None:
    green, data = tmp_path / "绿色发展行动方案.docx", tmp_path / "数据要素试点.pdf"
    green.write_bytes(docx_bytes())
    data.write_bytes(pdf_bytes())
    errors: list[str] = []
    with running_server(documents_app(settings, services)) as url:
        page = browser.new_page(locale="zh-CN")
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url + "/documents")
        expect(page.locator("#empty")).to_be_visible()

        # upload: the outline of the parsed DOCX is shown at once
        page.set_input_files("#upload-file", str(green))
        page.get_by_role("button", name="上传").click()
        expect(page.locator("#upload-status")).to_contain_text(f"已收录《{GREEN_TITLE}》", timeout=30_000)
        expect(page.locator("#detail-title")).to_have_text(GREEN_TITLE)
        expect(page.locator("#outline li")).to_have_text(["一、总体要求", "（一）推进清洁能源替代", "二、保障措施"])
        page.set_input_files("#upload-file", str(data))
        page.get_by_role("button", name="上传").click()
        expect(page.locator("#upload-status")).to_contain_text(DATA_NO, timeout=30_000)
        expect(page.locator("#doc-rows tr")).to_have_count(2)

        # a bad file: the page says why, nothing is added
        bad = tmp_path / "扫描件.pdf"
        bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        page.set_input_files("#upload-file", str(bad))
        page.get_by_role("button", name="上传").click()
        expect(page.locator("#upload-status")).to_contain_text("上传失败", timeout=30_000)
        expect(page.locator("#upload-status")).to_contain_text("索引未改变")
        expect(page.locator("#doc-rows tr")).to_have_count(2)

        # retire the DOCX: superseded by the PDF
        page.locator("#doc-rows tr", has_text=GREEN_TITLE).get_by_role("button", name="查看").click()
        expect(page.locator("#detail-title")).to_have_text(GREEN_TITLE)
        page.locator("#status-select").select_option("superseded")
        page.locator("#superseded-select").select_option(DATA_NO)
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#status-message")).to_contain_text("已保存：状态：现行有效 → 已被替代")
        expect(page.locator("#status-message")).not_to_contain_text("in_force")
        expect(page.locator("#history li").first).to_contain_text("状态：现行有效 → 已被替代")
        row = page.locator("#doc-rows tr", has_text=GREEN_TITLE)
        expect(row.locator(".badge")).to_have_text(f"已被 {DATA_NO} 替代")
        expect(page.locator("#history li").first).to_contain_text("development 修改")
        assert service.get(GREEN_NO).superseded_by == DATA_NO

        # delete the PDF, after confirming
        page.locator("#doc-rows tr", has_text=DATA_TITLE).get_by_role("button", name="删除").click()
        expect(page.locator("#confirm-text")).to_contain_text(DATA_NO)
        page.locator("#confirm-cancel").click()
        expect(page.locator("#doc-rows tr")).to_have_count(2)
        page.locator("#doc-rows tr", has_text=DATA_TITLE).get_by_role("button", name="删除").click()
        page.locator("#confirm-ok").click()
        expect(page.locator("#doc-rows tr")).to_have_count(1)
        expect(page.locator("#upload-status")).to_contain_text("已删除")
        page.close()
    assert not errors
    assert [d.id for d in service.documents()] == [GREEN_NO]
