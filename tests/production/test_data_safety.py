"""Feedback survives a crash, a full disk corrupts nothing, backup and restore round-trip."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from typer.testing import CliRunner

from bot.backup import backup, restore, verify
from bot.errors import BadRequest, StoreUnavailable
from bot.feedback import FeedbackIn, FeedbackStore
from bot.store import make_engine
from tests.production.conftest import ProductionServices, make_settings, production_app

ROOT = Path(__file__).resolve().parents[2]


def feedback(i: int) -> FeedbackIn:
    return FeedbackIn(question=f"问题 {i}", answer="可以，年龄可放宽至65岁[1]。" * 20, rating="up", comment=f"#{i}")


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_feedback_committed_before_sigkill_is_kept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "store.db"
    writer = textwrap.dedent(
        f"""
        import sys
        from bot.feedback import FeedbackIn, FeedbackStore
        from bot.store import make_engine
        store = FeedbackStore(make_engine("sqlite:///{db}"))
        i = 0
        while True:
            i += 1
            record = store.add(FeedbackIn(question=f"问题 {{i}}", answer="答" * 500, rating="down", comment=str(i)))
            print(record.id, flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", writer], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    committed: list[int] = []
    assert proc.stdout is not None
    try:
        while len(committed) < 200:
            line = proc.stdout.readline()
            assert line, "the writer died on its own"
            committed.append(int(line))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    stored = {r.id for r in FeedbackStore(make_engine(f"sqlite:///{db}")).records()}
    assert set(committed) <= stored  # every row acknowledged before the kill is there
    assert integrity(db) == "ok"


@contextmanager
def tiny_volume(path: Path, size_kb: int = 512):  # type: ignore[no-untyped-def]
    """A tmpfs of ``size_kb`` when we may mount one (root), else None (SQLite's page limit is used)."""
    path.mkdir()
    mounted = False
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
                                 capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)


def test_full_disk_gives_a_clear_error_and_corrupts_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    volume = tmp_path / "volume"
    with tiny_volume(volume) as mounted:
        db = volume / "store.db"
        settings = make_settings(tmp_path, env="development", store={"url": f"sqlite:///{db}"},
                                 limits={"rate_per_minute": 0})
        services = ProductionServices(settings)
        if not mounted:  # not root: let SQLite itself run out of room at ~100 pages of 4 KiB
            @event.listens_for(services.store_engine, "connect")
            def _limit(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
                dbapi_conn.execute("PRAGMA max_page_count=100")

        stored = 0
        with TestClient(production_app(settings, services)) as client:
            for i in range(5000):
                resp = client.post("/api/feedback", json=feedback(i).model_dump())
                if resp.status_code != 201:
                    break
                stored += 1
            assert resp.status_code == 503, resp.text
            assert resp.json()["error"]["code"] == "store_full"
            assert "no space left" in resp.json()["error"]["message"]
            again = client.post("/api/feedback", json=feedback(9999).model_dump())
            assert again.status_code == 503  # still full, still clear, still no damage
        assert stored > 10
        services.store_engine.dispose()
        assert integrity(db) == "ok"
        rows = list(FeedbackStore(make_engine(f"sqlite:///{db}")).records())
        assert [r.comment for r in rows] == [f"#{i}" for i in range(stored)]


def test_full_store_raises_a_clear_store_error_in_library_use(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'small.db'}")

    @event.listens_for(engine, "connect")
    def _limit(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA max_page_count=40")

    store = FeedbackStore(engine)
    with pytest.raises(StoreUnavailable, match="no space left") as err:
        for i in range(5000):
            store.add(feedback(i))
    assert err.value.code == "store_full" and "full" in str(err.value.__cause__)  # the database's own words kept
    engine.dispose()
    assert integrity(tmp_path / "small.db") == "ok"


def _seed_index(index: Path, build: str = "20260101T000000000000Z-abcd") -> None:
    chroma = index / "builds" / build / "chroma"
    chroma.mkdir(parents=True)
    with sqlite3.connect(chroma / "chroma.sqlite3") as conn:
        conn.execute("CREATE TABLE chunks (id TEXT PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO chunks VALUES ('c1', '申请工作许可的年龄可放宽至65岁')")
    (index / "builds" / build / "keyword").mkdir()
    (index / "builds" / build / "keyword" / "bm25.json").write_text('{"n": 1}', encoding="utf-8")
    (index / "builds" / "20250101T000000000000Z-dead").mkdir()  # an old build: not part of the backup
    with sqlite3.connect(index / "vectors.sqlite") as conn:
        conn.execute("CREATE TABLE v (h TEXT PRIMARY KEY, vec BLOB)")
        conn.execute("INSERT INTO v VALUES ('h1', x'00')")
    (index / "CURRENT").write_text(build + "\n", encoding="utf-8")
    (index / "ingest.lock").write_text("", encoding="utf-8")


def test_backup_and_restore_round_trip_while_the_store_is_in_use(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="development")
    _seed_index(settings.paths.index)
    engine = make_engine(settings.store.resolved_url())
    store = FeedbackStore(engine)
    for i in range(3):
        store.add(feedback(i))

    report = backup(settings, tmp_path / "backup")
    assert report.store == "copied" and report.index == "copied build 20260101T000000000000Z-abcd"
    assert set(report.files) == {
        "store.db", "index/CURRENT", "index/vectors.sqlite",
        "index/builds/20260101T000000000000Z-abcd/chroma/chroma.sqlite3",
        "index/builds/20260101T000000000000Z-abcd/keyword/bm25.json",
    }
    store.add(feedback(3))  # written after the backup: a restore goes back to three rows
    (settings.paths.index / "CURRENT").write_text("20250101T000000000000Z-dead\n", encoding="utf-8")
    engine.dispose()

    with pytest.raises(BadRequest, match="not empty"):
        backup(settings, tmp_path / "backup")
    done = restore(settings, tmp_path / "backup")
    assert len(done) == 2
    assert [r.comment for r in FeedbackStore(make_engine(settings.store.resolved_url())).records()] == ["#0", "#1", "#2"]
    assert (settings.paths.index / "CURRENT").read_text().strip() == "20260101T000000000000Z-abcd"
    assert integrity(Path(settings.store.resolved_url().removeprefix("sqlite:///"))) == "ok"

    damaged = tmp_path / "backup" / "index" / "builds" / "20260101T000000000000Z-abcd" / "keyword" / "bm25.json"
    damaged.write_text('{"n": 2}', encoding="utf-8")
    with pytest.raises(BadRequest, match="checksum"):
        verify(tmp_path / "backup")


def test_postgres_store_backup_points_to_pg_dump(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="development", store={"url": "postgresql://parkbot@db/parkbot"})
    report = backup(settings, tmp_path / "b")
    assert report.store.startswith("not copied")
    assert any("pg_dump" in note for note in report.notes)


def test_cli_backup_and_restore(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import bot.cli.backup  # noqa: F401  (registers the commands)
    from bot.cli.app import app

    store = tmp_path / "store.db"
    monkeypatch.setenv("PARKBOT_STORE__URL", f"sqlite:///{store}")
    monkeypatch.setenv("PARKBOT_PATHS__INDEX_DIR", str(tmp_path / "index"))
    _seed_index(tmp_path / "index")
    FeedbackStore(make_engine(f"sqlite:///{store}")).add(feedback(1))
    runner = CliRunner()
    made = runner.invoke(app, ["backup", "--out", str(tmp_path / "bk")])
    assert made.exit_code == 0, made.output
    assert "store: copied" in made.output and "copied build" in made.output
    refused = runner.invoke(app, ["restore", str(tmp_path / "bk")], input="n\n")
    assert refused.exit_code == 1
    restored = runner.invoke(app, ["restore", str(tmp_path / "bk"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "store restored" in restored.output
    not_backup = runner.invoke(app, ["restore", str(tmp_path), "--yes"])
    assert not_backup.exit_code == 1 and "not a ParkBot backup" in not_backup.output
