"""`parkbot ingest --meta`, `parkbot docs` with status, `parkbot docs retire/delete/history`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bot.cli.corpus  # noqa: F401 - registers the commands
from bot.cli.app import app
from tests.documents.kit import TALENT_NEW, TALENT_OLD

OLD, NEW = "国科发外〔2019〕12号", "国科发外〔2023〕5号"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PARKBOT_PATHS__INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("PARKBOT_EMBEDDING__BACKEND", "fake")
    monkeypatch.setenv("PARKBOT_STORE__URL", f"sqlite:///{tmp_path}/store.db")
    monkeypatch.setenv("PARKBOT_LOG_LEVEL", "WARNING")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "old.txt").write_text(TALENT_OLD, encoding="utf-8")
    (folder / "new.txt").write_text(TALENT_NEW, encoding="utf-8")
    return folder


def listing(runner: CliRunner) -> dict[str, dict]:
    out = runner.invoke(app, ["docs", "--json"])
    assert out.exit_code == 0, out.output
    return {d["doc"]: d for d in json.loads(out.output)["documents"]}


def test_ingest_reads_status_and_dates_from_a_sidecar(files: Path, tmp_path: Path) -> None:
    side = tmp_path / "old.toml"
    side.write_text('status = "expired"\neffective_date = "2019-04-01"\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(files / "old.txt"), "--meta", str(side)])
    assert result.exit_code == 0, result.output
    doc = listing(runner)[OLD]
    assert (doc["status"], doc["status_label"], doc["effective_date"]) == ("expired", "已失效", "2019-04-01")
    (files / "new.txt.meta.toml").write_text(f'[[related]]\nrelation = "supersedes"\ndoc = "{OLD}"\n', encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(files / "new.txt")]).exit_code == 0
    assert listing(runner)[OLD]["superseded_by"] == NEW  # the sidecar's [[related]] supersedes marks the old one


def test_retire_history_and_delete(files: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(files)]).exit_code == 0
    retired = runner.invoke(app, ["docs", "retire", "国科发外[2019]12号", "--superseded-by", NEW, "--by", "王科长"])
    assert retired.exit_code == 0, retired.output
    assert "status: in_force → superseded" in retired.output
    assert listing(runner)[OLD]["status_label"] == f"已被 {NEW} 替代"
    table = runner.invoke(app, ["docs"])
    assert "已被" in table.output and "现行有效" in table.output
    shown = runner.invoke(app, ["docs", "show", OLD, "--json"])
    detail = json.loads(shown.output)
    assert detail["outline_from"] == "file" and [o["heading"] for o in detail["outline"]] == ["一、放宽条件"]

    # a re-ingest of the same files keeps the retirement
    assert runner.invoke(app, ["ingest", str(files)]).exit_code == 0
    assert listing(runner)[OLD]["status"] == "superseded"
    refused = runner.invoke(app, ["docs", "retire", NEW])
    assert refused.exit_code == 1 and "superseded_by" in refused.output

    assert runner.invoke(app, ["docs", "delete", OLD, "--yes"]).exit_code == 0
    assert OLD not in listing(runner)
    history = json.loads(runner.invoke(app, ["docs", "history", OLD, "--json"]).output)
    assert [(c["action"], c["actor"]) for c in history][:2] == [("delete", history[0]["actor"]), ("retire", "王科长")]
    assert history[1]["detail"]["changes"]["superseded_by"] == [None, NEW]
    text = runner.invoke(app, ["docs", "history"]).output
    assert "retire" in text and "王科长" in text
