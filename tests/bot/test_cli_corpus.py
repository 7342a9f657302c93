"""`parkbot ingest` and `parkbot docs` on files written by the test (fake embedder, temp index)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bot.cli.corpus  # noqa: F401 - registers the commands
from bot.cli.app import app
from tests.support.text import says

NOTICE = (
    "科学技术部关于加强园区孵化服务的通知\n国科发火〔2019〕12号\n各省、自治区、直辖市科技厅：\n"
    "一、总体要求\n（一）加强孵化器建设，支持科技企业孵化器提供专业化服务。\n"
    "（二）鼓励园区设立天使投资基金。\n二、保障措施\n（三）各地科技部门要加强组织领导。\n"
    "科学技术部\n2019年3月1日\n"
)
GUIDE = (
    "国务院关于园区人才工作的意见\n国发〔2021〕3号\n一、引进人才\n"
    "（一）对外籍高层次人才，工作许可年龄可放宽至65岁。\n国务院\n2021年5月6日\n"
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PARKBOT_PATHS__INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("PARKBOT_EMBEDDING__BACKEND", "fake")
    monkeypatch.setenv("PARKBOT_STORE__URL", f"sqlite:///{tmp_path}/store.db")  # ingest records its changes
    monkeypatch.setenv("PARKBOT_DOCUMENTS__UPLOADS_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("PARKBOT_LOG_LEVEL", "WARNING")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (docs / "guide.txt").write_text(GUIDE, encoding="gb18030")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    return docs


def test_ingest_reports_a_bad_file_and_indexes_the_others(env: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(env)])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "1 failed" in result.output
    assert "broken.pdf" in result.output

    again = runner.invoke(app, ["ingest", str(env)])
    assert again.exit_code == 0
    assert "2 unchanged" in again.output and "0 passages embedded" in again.output
    assert "nothing written" in again.output

    listed = runner.invoke(app, ["docs", "--json"])
    documents = json.loads(listed.output)["documents"]
    assert [(d["doc"], d["date"], d["status"]) for d in documents] == [
        ("国发〔2021〕3号", "2021-05-06", "in_force"), ("国科发火〔2019〕12号", "2019-03-01", "in_force")]
    table = runner.invoke(app, ["docs"])
    assert table.exit_code == 0 and "2019-03-01" in table.output and "2021-05-06" in table.output


def test_ingest_exits_non_zero_only_when_everything_failed(env: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(env / "broken.pdf")])
    assert result.exit_code == 1
    assert "broken.pdf" in result.output and "Nothing could be indexed" in result.output


def test_docs_before_any_ingest_says_what_to_do(env: Path) -> None:
    result = CliRunner().invoke(app, ["docs"])
    assert result.exit_code == 1 and says(result.output, "run `parkbot ingest` to build it")
