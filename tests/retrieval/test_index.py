"""The index reader (`retrieval.index.Index`), the embedders and the Chroma server mode."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from retrieval.config import ChromaConfig
from retrieval.embedding import FakeEmbedder, OpenAIEmbedder, make_embedder
from retrieval.errors import EmbeddingUnavailable, IndexMissing, IndexStale, IndexUnavailable
from retrieval.index import Index
from retrieval.ingest import ingest_documents
from tests.support.index_kit import POLICY_A, POLICY_B, fake_config, make_doc
from tests.support.servers import free_port

DOC_A, DOC_B = "国发〔2020〕7号", "国科发火〔2013〕388号"


@pytest.fixture
def built(tmp_path: Path):
    config = fake_config(tmp_path / "index")
    embedder = FakeEmbedder()
    ingest_documents([make_doc(DOC_A, POLICY_A), make_doc(DOC_B, POLICY_B)], config, embedder)
    index = Index.open(config, embedder)
    yield config, embedder, index
    index.close()


def test_open_before_any_ingest_says_to_run_ingest(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="parkbot ingest"):
        Index.open(fake_config(tmp_path / "index"), FakeEmbedder())


def test_reader_returns_documents_chunks_and_stats(built) -> None:
    _, _, index = built
    assert index.stats() == {"documents": 2, "chunks": 5}
    assert list(index.documents) == [DOC_A, DOC_B]  # ordered by source file
    assert index.documents[DOC_A].issuer == "国务院"
    assert [c.text for c in index.chunks_of(DOC_A)] == POLICY_A
    assert [c.section for c in index.chunks_of(DOC_B)] == ["（1）", "（2）"]
    assert index.chunks_of("不存在的文件") == []
    assert index.status_of(index.chunks_of(DOC_A)[0].chunk_id) == "in_force"


def test_dense_search_finds_the_passage_and_honours_where(built) -> None:
    _, embedder, index = built
    query = index.embed_query("外籍高层次人才工作许可年龄")
    hits = index.dense_search(query, k=3)
    assert index.chunks[hits[0][0]].text == POLICY_A[1]
    assert hits[0][1] > hits[1][1] and -1.0 <= hits[-1][1] <= 1.0
    only_b = index.dense_search(query, k=10, where={"doc": DOC_B})
    assert {index.chunks[c].doc for c, _ in only_b} == {DOC_B} and len(only_b) == 2


def test_keyword_index_is_persisted_and_aligned(built) -> None:
    _, _, index = built
    hits = index.keyword_index.search(index.tokenizer("知识产权质押融资"), k=3)
    assert index.chunks[hits[0][0]].text == POLICY_A[0]
    assert all(score > 0 for _, score in hits)
    row = index.keyword_index.chunk_ids.index(hits[0][0])
    assert "质押" in index.keyword_index.tokens[row]
    assert (index.store.keyword_dir(index.build_id) / "chunk_ids.json").is_file()
    allowed = {c.chunk_id for c in index.chunks_of(DOC_B)}
    assert index.keyword_index.search(index.tokenizer("知识产权质押融资"), k=3, allowed=allowed) == []


def test_vectors_rows_follow_chunk_order(built) -> None:
    _, embedder, index = built
    vectors = index.vectors()
    assert vectors.shape == (5, embedder.dim)
    for row, chunk in enumerate(index.chunks.values()):
        expected = embedder.embed_passages([f"{chunk.title} {chunk.section_title}\n{chunk.text}"])[0]
        assert np.allclose(vectors[row], expected, atol=1e-5)


def test_opening_with_another_embedder_is_refused(built) -> None:
    config, _, _ = built
    with pytest.raises(IndexStale, match="parkbot ingest"):
        Index.open(config, FakeEmbedder(dim=32))


def test_another_tokenizer_gets_its_own_keyword_index(built) -> None:
    config, embedder, _ = built

    def char_tokenizer(text: str) -> list[str]:
        return [ch for ch in text if not ch.isspace()]

    index = Index.open(config, embedder, tokenizer=char_tokenizer)
    row = index.keyword_index.chunk_ids.index(index.chunks_of(DOC_A)[0].chunk_id)
    assert index.keyword_index.tokens[row][:4] == ["支", "持", "国", "家"]


def test_is_current_turns_false_when_a_new_build_is_published(built) -> None:
    config, embedder, index = built
    assert index.is_current()
    ingest_documents([make_doc(DOC_A, POLICY_A[:2])], config, embedder)
    assert not index.is_current()
    assert index.dense_search(index.embed_query("知识产权"), k=1)  # the old build still answers
    assert Index.open(config, embedder).stats() == {"documents": 2, "chunks": 4}


# -- embedders ----------------------------------------------------------------------
def test_fake_embedder_is_deterministic_and_normalised() -> None:
    a, b = FakeEmbedder(dim=48), FakeEmbedder(dim=48)
    v = a.embed_passages(["高新区", "知识产权质押"])
    assert np.array_equal(v, b.embed_passages(["高新区", "知识产权质押"]))
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0)
    assert a.calls == 1 and a.passages_embedded == 2


def test_openai_embedder_batches_and_orders_by_index() -> None:
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = __import__("json").loads(request.content)
        seen.append({"input": body["input"], "auth": request.headers.get("authorization")})
        data = [{"index": i, "embedding": [float(len(t)), 1.0, 0.0]} for i, t in enumerate(body["input"])]
        return httpx.Response(200, json={"data": list(reversed(data))})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    embedder = OpenAIEmbedder("http://emb.local/v1", "bge-m3", "sk-test", batch_size=2,
                              passage_prefix="passage: ", client=client)
    out = embedder.embed_passages(["一", "二二", "三三三"])
    assert [s["input"] for s in seen] == [["passage: 一", "passage: 二二"], ["passage: 三三三"]]
    assert seen[0]["auth"] == "Bearer sk-test"
    assert out.shape == (3, 3) and out[2, 0] > out[1, 0] > out[0, 0]


def test_openai_embedder_failure_names_the_endpoint() -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(404, text="no such model")))
    embedder = OpenAIEmbedder("http://emb.local/v1", "nope", client=client)
    with pytest.raises(EmbeddingUnavailable, match="http://emb.local/v1/embeddings answered 404"):
        embedder.embed_query("高新区")


def test_make_embedder_never_uses_chromas_default() -> None:
    from retrieval.config import EmbeddingConfig
    from retrieval.embedding import E5Embedder

    assert isinstance(make_embedder(EmbeddingConfig()), E5Embedder)
    assert isinstance(make_embedder(EmbeddingConfig(backend="fake", dim=16)), FakeEmbedder)


# -- Chroma server mode -------------------------------------------------------------
def _start_chroma(path: Path) -> tuple[subprocess.Popen, int] | None:
    """`chroma run` on a free port, once it answers; None when it exited (e.g. the port was taken)."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120  # a bound for a broken start on a busy machine, not a timing assertion
    while proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("chroma run did not start within 120 s")
        time.sleep(0.2)
    return None


@pytest.fixture
def chroma_server(tmp_path: Path):
    started = None
    for _ in range(3):  # another process may take the port between choosing and binding it
        started = _start_chroma(tmp_path / "chroma-server")
        if started:
            break
    assert started, "chroma run exited at start three times"
    proc, port = started
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.enable_socket
def test_server_mode_builds_switches_and_cleans_up(tmp_path: Path, chroma_server: int) -> None:
    import chromadb

    config = fake_config(tmp_path / "local", chroma=ChromaConfig(host="127.0.0.1", port=chroma_server,
                                                                 collection_prefix="pb"))
    embedder = FakeEmbedder()
    first = ingest_documents([make_doc(DOC_A, POLICY_A), make_doc(DOC_B, POLICY_B)], config, embedder)
    index = Index.open(config, embedder)
    assert index.stats() == {"documents": 2, "chunks": 5} and index.build_id == first.build_id
    hit = index.dense_search(index.embed_query("外籍高层次人才工作许可年龄"), k=1)[0][0]
    assert index.chunks[hit].text == POLICY_A[1]
    assert not (tmp_path / "local" / "builds" / first.build_id / "chroma").exists()  # vectors live on the server

    calls = embedder.calls
    again = ingest_documents([make_doc(DOC_A, POLICY_A), make_doc(DOC_B, POLICY_B)], config, embedder)
    assert not again.changed and embedder.calls == calls

    builds = [first.build_id]
    for n in range(2):
        report = ingest_documents([make_doc(DOC_B, POLICY_B + [f"新增条款{n}：园区年度评价结果向社会公开。"])],
                                  config, embedder)
        assert report.passages_embedded == 1
        builds.append(report.build_id)
    names = {c.name for c in chromadb.HttpClient(host="127.0.0.1", port=chroma_server).list_collections()}
    assert names == {"pb-pointer", f"pb-{builds[1]}", f"pb-{builds[2]}"}  # keep_builds = 2
    assert Index.open(config, embedder).build_id == builds[2]
    assert not index.is_current()


@pytest.mark.enable_socket
def test_server_mode_unreachable_server_is_named(tmp_path: Path) -> None:
    port = free_port()
    config = fake_config(tmp_path, chroma=ChromaConfig(host="127.0.0.1", port=port))
    with pytest.raises(IndexUnavailable, match=f"127.0.0.1:{port}"):
        Index.open(config, FakeEmbedder())


def test_a_query_searched_again_is_embedded_once(built) -> None:
    _, embedder, index = built
    calls: list[str] = []
    original = embedder.embed_query
    embedder.embed_query = lambda text: calls.append(text) or original(text)  # type: ignore[method-assign]
    first = index.embed_query("外籍高层次人才工作许可年龄")
    again = index.embed_query("外籍高层次人才工作许可年龄")  # the same question searched in another document
    index.embed_query("知识产权")
    assert calls == ["外籍高层次人才工作许可年龄", "知识产权"]
    assert np.array_equal(first, again)
