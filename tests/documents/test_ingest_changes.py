"""`ingest_documents(remove=…, updates=…)`: deletions and metadata changes as one atomic new build."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embedding import FakeEmbedder
from retrieval.errors import UnknownDocument
from retrieval.index import Index
from retrieval.ingest import ingest_documents
from tests.support.index_kit import POLICY_A, POLICY_B, fake_config, make_doc

A, B = "国发〔2020〕7号", "国科发火〔2013〕388号"


def test_updates_and_removals_reuse_vectors_and_publish_one_build(tmp_path: Path) -> None:
    config = fake_config(tmp_path / "index")
    first = ingest_documents([make_doc(A, POLICY_A), make_doc(B, POLICY_B)], config, FakeEmbedder())
    embedder = FakeEmbedder()
    report = ingest_documents([], config, embedder, updates={A: {"status": "superseded", "superseded_by": B}})
    assert report.changed and report.build_id != first.build_id and report.updated == [A]
    assert embedder.calls == 0  # a status change re-embeds nothing
    retitled = ingest_documents([], config, FakeEmbedder(), updates={A: {"title": "新标题"}})
    assert retitled.passages_embedded == 3  # the title is part of every embedded passage
    index = Index.open(config, FakeEmbedder())
    meta = index.documents[A]
    assert (meta.status, meta.superseded_by, meta.title) == ("superseded", B, "新标题")
    assert {c.title for c in index.chunks_of(A)} == {"新标题"} and len(index.chunks_of(A)) == 3

    removed = ingest_documents([], config, FakeEmbedder(), remove=[A])
    assert removed.removed == [A] and removed.documents == 1
    index = Index.open(config, FakeEmbedder())
    assert list(index.documents) == [B] and index.chunks_of(A) == []
    with pytest.raises(UnknownDocument):
        ingest_documents([], config, FakeEmbedder(), updates={A: {"status": "expired"}})
    again = ingest_documents([], config, FakeEmbedder(), updates={B: {"status": "in_force"}})
    assert not again.changed  # the same metadata: nothing written
