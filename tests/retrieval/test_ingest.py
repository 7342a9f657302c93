"""Ingest: idempotence, incremental re-embedding, atomic switch, crash safety, bad files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.config import EmbeddingConfig, RetrievalConfig
from retrieval.embedding import FakeEmbedder
from retrieval.index import Index
from retrieval.ingest import Failure, ingest_documents
from tests.support.index_kit import POLICY_A, POLICY_B, fake_config, make_doc

DOC_A, DOC_B = "国发〔2020〕7号", "国科发火〔2013〕388号"
ROOT = Path(__file__).resolve().parents[2]


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in directory.rglob("*") if p.is_file()}


@pytest.fixture
def config(tmp_path: Path) -> RetrievalConfig:
    return fake_config(tmp_path / "index")


def corpus() -> list:
    return [make_doc(DOC_A, POLICY_A), make_doc(DOC_B, POLICY_B)]


def test_first_ingest_adds_everything(config: RetrievalConfig) -> None:
    embedder = FakeEmbedder()
    report = ingest_documents(corpus(), config, embedder)
    assert report.changed and report.previous_build is None
    assert report.added == [DOC_A, DOC_B] and report.unchanged == [] and report.failed == []
    assert (report.documents, report.chunks, report.passages_embedded) == (2, 5, 5)
    assert (config.index_dir / "CURRENT").read_text().strip() == report.build_id


def test_second_ingest_changes_nothing_and_embeds_nothing(config: RetrievalConfig) -> None:
    first = ingest_documents(corpus(), config, FakeEmbedder())
    before = snapshot(config.index_dir)
    embedder = FakeEmbedder()
    again = ingest_documents(corpus(), config, embedder)
    assert not again.changed and again.build_id == first.build_id
    assert again.unchanged == [DOC_A, DOC_B] and again.added == again.updated == []
    assert embedder.calls == 0
    assert snapshot(config.index_dir) == before  # not a byte written


def test_changed_document_reembeds_only_its_changed_chunk(config: RetrievalConfig) -> None:
    ingest_documents(corpus(), config, FakeEmbedder())
    edited = POLICY_A[:2] + ["对连续两次评价结果靠后的园区予以撤销，并向社会公布。"]
    embedder = FakeEmbedder()
    report = ingest_documents([make_doc(DOC_A, edited), make_doc(DOC_B, POLICY_B)], config, embedder)
    assert report.updated == [DOC_A] and report.unchanged == [DOC_B]
    assert (report.passages_embedded, report.vectors_reused) == (1, 4)
    index = Index.open(config, embedder)
    assert [c.text for c in index.chunks_of(DOC_A)] == edited
    top = index.dense_search(index.embed_query(edited[2]), k=1)[0]
    assert index.chunks[top[0]].text == edited[2]


def test_a_new_file_is_added_beside_the_indexed_ones(config: RetrievalConfig) -> None:
    ingest_documents(corpus(), config, FakeEmbedder())
    report = ingest_documents([make_doc("国科发火〔2011〕259号", ["加强火炬工作，促进高新技术产业化。"])],
                              config, FakeEmbedder())
    assert report.added == ["国科发火〔2011〕259号"] and report.removed == []
    assert Index.open(config, FakeEmbedder()).stats() == {"documents": 3, "chunks": 6}


def test_replace_keeps_only_the_given_documents(config: RetrievalConfig) -> None:
    ingest_documents(corpus(), config, FakeEmbedder())
    report = ingest_documents([make_doc(DOC_B, POLICY_B)], config, FakeEmbedder(), replace=True)
    assert report.removed == [DOC_A] and report.unchanged == [DOC_B]
    assert list(Index.open(config, FakeEmbedder()).documents) == [DOC_B]


def test_a_reparsed_file_replaces_what_it_gave_before_even_under_a_new_id(config: RetrievalConfig) -> None:
    ingest_documents([make_doc("高新区发展规划纲要", ["到2015年，引进海外高层次人才3000名。"], source="001.txt")],
                     config, FakeEmbedder())
    report = ingest_documents([make_doc("国家高新区“十二五”发展规划纲要", ["到2015年，引进海外高层次人才3000名。"],
                                        source="001.txt")], config, FakeEmbedder())
    assert report.removed == ["高新区发展规划纲要"] and report.added == ["国家高新区“十二五”发展规划纲要"]


def test_failures_are_reported_and_the_old_version_keeps_serving(config: RetrievalConfig) -> None:
    ingest_documents(corpus(), config, FakeEmbedder())
    bad = Failure(source="data/corpus/004.pdf", code="corrupt_document", reason="not a PDF file")
    report = ingest_documents([make_doc(DOC_A, POLICY_A)], config, FakeEmbedder(), failures=[bad])
    assert report.failed == [bad] and not report.all_failed and not report.changed
    assert Index.open(config, FakeEmbedder()).stats()["documents"] == 2


def test_nothing_readable_builds_nothing(config: RetrievalConfig) -> None:
    bad = Failure(source="x.pdf", code="corrupt_document", reason="not a PDF file")
    report = ingest_documents([], config, FakeEmbedder(), failures=[bad], replace=True)
    assert report.all_failed and report.build_id is None and not (config.index_dir / "CURRENT").exists()


def test_duplicate_document_ids_in_one_batch_keep_the_first(config: RetrievalConfig) -> None:
    report = ingest_documents([make_doc(DOC_A, POLICY_A, source="a.txt"), make_doc(DOC_A, POLICY_B, source="b.txt")],
                              config, FakeEmbedder())
    assert report.added == [DOC_A] and [f.code for f in report.failed] == ["duplicate_document"]
    assert "a.txt" in report.failed[0].reason


def test_another_embedder_reembeds_everything(config: RetrievalConfig) -> None:
    ingest_documents(corpus(), config, FakeEmbedder())
    report = ingest_documents(corpus(), config, FakeEmbedder(dim=32))
    assert report.updated == [DOC_A, DOC_B] and report.passages_embedded == 5
    assert Index.open(config, FakeEmbedder(dim=32)).vectors().shape == (5, 32)


def test_progress_reports_embedding_counts(tmp_path: Path) -> None:
    config = RetrievalConfig(index_dir=tmp_path / "index", embedding=EmbeddingConfig(backend="fake", batch_size=2))
    events: list[tuple[str, int, int]] = []
    ingest_documents(corpus(), config, FakeEmbedder(), progress=lambda *e: events.append(e))
    assert [e for e in events if e[0] == "embed"] == [("embed", 0, 5), ("embed", 2, 5), ("embed", 4, 5),
                                                     ("embed", 5, 5)]
    assert events[-1] == ("write", 5, 5)


def test_old_builds_are_removed_beyond_keep_builds(config: RetrievalConfig) -> None:
    builds = []
    for n in range(4):
        builds.append(ingest_documents([make_doc(DOC_A, POLICY_A + [f"第{n}版附加条款。"])], config,
                                       FakeEmbedder()).build_id)
    kept = sorted(p.name for p in (config.index_dir / "builds").iterdir())
    assert kept == builds[-2:]


# -- crash safety -------------------------------------------------------------------
WORKER = """
import json, sys, time
from pathlib import Path
from retrieval.config import EmbeddingConfig, RetrievalConfig
from retrieval.embedding import FakeEmbedder
from retrieval.ingest import ingest_documents
from retrieval.models import ParsedDocument

docs_file, index_dir, marker, stop_phase = sys.argv[1:5]
docs = [ParsedDocument.model_validate(d) for d in json.loads(Path(docs_file).read_text())]
config = RetrievalConfig(index_dir=index_dir, embedding=EmbeddingConfig(backend="fake", batch_size=4))

def progress(phase, done, total):
    if phase == stop_phase and done >= 8:
        Path(marker).write_text(f"{phase} {done}")
        time.sleep(600)  # the test kills us here

ingest_documents(docs, config, FakeEmbedder(delay_s=0.01), progress=progress)
"""


@pytest.mark.parametrize("phase", ["embed", "write"])
def test_a_killed_ingest_leaves_the_old_index_answering(tmp_path: Path, phase: str) -> None:
    config = RetrievalConfig(index_dir=tmp_path / "index", embedding=EmbeddingConfig(backend="fake", batch_size=4))
    old = ingest_documents(corpus(), config, FakeEmbedder())
    new_texts = [f"第{i}条 园区应当建立第{i}项创新服务制度，加强科技企业孵化。" for i in range(40)]
    docs_file = tmp_path / "docs.json"
    docs_file.write_text(json.dumps([make_doc("国科发火〔2011〕259号", new_texts).model_dump(mode="json")],
                                    ensure_ascii=False))
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", WORKER, str(docs_file), str(config.index_dir), str(marker), phase],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 300  # a bound for a broken worker on a busy machine, not a timing assertion
        while not marker.exists():
            assert proc.poll() is None, "the ingest worker ended before reaching the kill point"
            assert time.monotonic() < deadline, "the ingest worker did not reach the kill point"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)

    index = Index.open(config, FakeEmbedder())
    assert index.build_id == old.build_id and index.stats() == {"documents": 2, "chunks": 5}
    hit = index.dense_search(index.embed_query(POLICY_A[1]), k=1)[0][0]
    assert index.chunks[hit].text == POLICY_A[1]
    if phase == "write":
        assert len(list((config.index_dir / "builds").iterdir())) == 2  # the half-written build, unpublished

    embedder = FakeEmbedder()
    report = ingest_documents([ParsedDocument_from(docs_file)], config, embedder)
    assert report.added == ["国科发火〔2011〕259号"]
    assert report.passages_embedded <= 40 - 8  # finished batches came from the vector cache
    assert sorted(p.name for p in (config.index_dir / "builds").iterdir()) == [old.build_id, report.build_id]
    assert Index.open(config, embedder).stats() == {"documents": 3, "chunks": 45}


def ParsedDocument_from(path: Path):  # noqa: N802 - reads like the type it returns
    from retrieval.models import ParsedDocument

    return ParsedDocument.model_validate(json.loads(path.read_text())[0])


# -- the shipped corpus through the real parser, and the bundled model -----------------
def test_shipped_corpus_ingests_once_and_then_is_current(tmp_path: Path) -> None:
    from retrieval.ingest import ingest

    config = fake_config(tmp_path / "index")
    report = ingest([ROOT / "data" / "corpus"], config, FakeEmbedder())
    assert report.failed == [] and report.documents == 6  # file 000 is two documents
    assert {"国发〔2020〕7号", "国科发火〔2013〕388号", "国科发火〔2011〕259号"} <= set(report.added)
    index = Index.open(config, FakeEmbedder())
    texts = [c.text for c in index.chunks.values()]
    assert len(texts) == len(set(texts)) == report.chunks  # no passage indexed twice
    assert index.documents["国发〔2020〕7号"].date == "2020-07-13"

    embedder = FakeEmbedder()
    again = ingest([ROOT / "data" / "corpus"], config, embedder)
    assert not again.changed and len(again.unchanged) == 6 and embedder.calls == 0


def test_bundled_e5_model_ranks_the_matching_passage_first(tmp_path: Path) -> None:
    from retrieval.embedding import E5Embedder

    config = fake_config(tmp_path / "index")
    embedder = E5Embedder()
    ingest_documents(corpus(), config, embedder)
    index = Index.open(config, embedder)
    assert index.vectors().shape == (5, 384)
    hit = index.dense_search(index.embed_query("专利可以做抵押贷款吗"), k=1)[0][0]
    assert index.chunks[hit].text == POLICY_A[0]
    hit = index.dense_search(index.embed_query("外国专家最大多少岁还能办工作许可"), k=1)[0][0]
    assert index.chunks[hit].text == POLICY_A[1]


def test_ingesting_a_new_file_does_not_mark_the_indexed_documents_updated(tmp_path: Path) -> None:
    """Documents carried over from the current build are unchanged, even those whose passages
    overlap (the overlap used to be lost on the way through the store, changing their fingerprint)."""
    from retrieval.ingest import ingest

    config = fake_config(tmp_path / "index")
    first = ingest([ROOT / "data" / "corpus"], config, FakeEmbedder())
    new = tmp_path / "批复.txt"
    new.write_text("国务院关于同意示范园区建设的批复\n国函〔2024〕1号\n科技部：\n同意示范园区建设，具体工作由科技部负责。\n"
                   "国务院\n2024年1月2日\n", encoding="utf-8")
    report = ingest([new], config, FakeEmbedder())
    assert report.added == ["国函〔2024〕1号"] and report.updated == [] and report.removed == []
    assert report.documents == first.documents + 1
    again = ingest([ROOT / "data" / "corpus"], config, FakeEmbedder())
    assert again.updated == [] and not again.changed
