"""Search latency: hybrid search beside a bare dense query, on the shipped corpus and at 100k chunks.

    .venv/bin/python benchmarks/search.py [--index-dir var/index] [--chunks 100000] [--rounds 2]
        [--skip-scale]

Part 1, shipped corpus (the built index: run `parkbot ingest` first). For every question of
tests/eval/dev_qa.jsonl, interleaved so both see the same machine load:
  - bare dense = embed the question (bundled e5) + one Chroma query (what a plain vector
    retriever does);
  - hybrid = `Searcher.run` (normalise, embed, dense + BM25, fuse, shape, coverage), with the
    dense signal from the Chroma store and, second, from the vectors held in memory.
Target: hybrid p50/p95 ≤ 1.2 × bare dense.

Part 2, scale: a GENERATED corpus of N chunks (default 100,000). Embedding that many passages
with the bundled model would take hours on 2 cores, so the vectors are the shipped chunks' real
e5 vectors reused with small Gaussian perturbations (σ = 0.01 per dimension, re-normalised) and
the texts are SYNTHETIC: random runs of 3–8 sentences of the shipped corpus (tokenized once per
sentence, then concatenated, for the BM25 index). This measures search cost, not embedding or
retrieval quality. Printed: index build time (BM25, Chroma), memory, and p50/p95 of the bare
dense query and of hybrid search. Target: hybrid p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.config import RetrievalConfig  # noqa: E402
from retrieval.embedding import make_embedder  # noqa: E402
from retrieval.evaluation import load_cases  # noqa: E402
from retrieval.index import Index  # noqa: E402
from retrieval.models import Chunk  # noqa: E402
from retrieval.search import Searcher  # noqa: E402
from retrieval.search_config import SearchConfig  # noqa: E402
from retrieval.signals import DenseSignal, IndexDenseSignal, KeywordSignal  # noqa: E402
from retrieval.tokenize import get_tokenizer  # noqa: E402

SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def ms(values: list[float]) -> str:
    return f"p50 {np.percentile(values, 50):6.1f} ms  p95 {np.percentile(values, 95):6.1f} ms"


def all_vectors(collection: Any, ids: list[str]) -> np.ndarray:
    got = collection.get(ids=ids, include=["embeddings"])
    position = {cid: i for i, cid in enumerate(got["ids"])}
    matrix = np.asarray(got["embeddings"], dtype=np.float32)
    return matrix[[position[cid] for cid in ids]]


class MemoEmbed:
    """The query embedder with a memo: the second pass over the questions costs no embedding, so
    what is timed is the search itself (the model's cost is printed separately)."""

    def __init__(self, embed: Any) -> None:
        self.embed, self.memo = embed, {}

    def __call__(self, text: str) -> np.ndarray:
        if text not in self.memo:
            self.memo[text] = self.embed(text)
        return self.memo[text]


def runner(searcher: Searcher) -> Any:
    return lambda q: searcher.run(q, 5)


def search_only(questions: list[str], bare_fn: Any, searchers: dict[str, Searcher], embed: Any,
                rounds: int) -> None:
    """p50/p95 with the query vectors computed beforehand: the search cost without the model."""
    memo = MemoEmbed(embed)
    saved = {name: s.embed_query for name, s in searchers.items()}
    for s in searchers.values():
        s.embed_query = memo
        for q in questions:
            s.run(q, 5)
    vectors = {q: embed(q) for q in questions}
    runs: dict[str, Any] = {"bare dense (Chroma query only)": lambda q: bare_fn(vectors[q])}
    runs.update({f"{name} (no embedding)": runner(s) for name, s in searchers.items()})
    times = timed_rounds(questions, runs, rounds)
    for name, values in times.items():
        print(f"  {name:42s} {ms(values)}")
    for name, s in searchers.items():
        s.embed_query = saved[name]


def timed_rounds(questions: list[str], runs: dict[str, Any], rounds: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for q in questions:
            for name, fn in runs.items():
                start = time.perf_counter()
                fn(q)
                out[name].append((time.perf_counter() - start) * 1000)
    return out


def shipped(index_dir: Path, questions: list[str], rounds: int) -> tuple[Index, np.ndarray]:
    print(f"== shipped corpus: {index_dir}")
    rss0 = rss_mb()
    start = time.perf_counter()
    config = RetrievalConfig(index_dir=index_dir)
    index = Index.open(config, make_embedder(config.embedding))
    opened = time.perf_counter() - start
    start = time.perf_counter()
    store_searcher = Searcher.from_index(index, SearchConfig.load(dense_in_memory=False))
    built = time.perf_counter() - start
    ids = [c.chunk_id for c in store_searcher.chunks]
    vectors = all_vectors(index._collection, ids)  # benchmark only: the store's own vectors
    memory_searcher = Searcher(store_searcher.chunks, index.documents, dense=DenseSignal(vectors),
                               keyword=store_searcher.keyword, embed_query=index.embed_query,
                               config=store_searcher.config, tokenizer=store_searcher.tokenizer)
    print(f"{len(ids)} chunks; index open {opened:.2f} s, searcher build {built:.2f} s, "
          f"RSS +{rss_mb() - rss0:.0f} MB (incl. e5 model)")
    for q in questions[:3]:  # warm up: model, caches
        store_searcher.run(q)
        index.dense_search(index.embed_query(q), 5)

    embed_only: list[float] = []

    def bare(q: str) -> None:
        t = time.perf_counter()
        vector = index.embed_query(q)
        embed_only.append((time.perf_counter() - t) * 1000)
        index.dense_search(vector, 5)

    times = timed_rounds(questions, {
        "bare dense (embed + Chroma)": bare,
        "hybrid, dense from Chroma": lambda q: store_searcher.run(q, 5),
        "hybrid, dense in memory": lambda q: memory_searcher.run(q, 5),
    }, rounds)
    base50, base95 = (np.percentile(times["bare dense (embed + Chroma)"], p) for p in (50, 95))
    print(f"{len(questions)} questions × {rounds} rounds, interleaved")
    print(f"  {'embed only':30s} {ms(embed_only)}")
    for name, values in times.items():
        ratio = f"  ×{np.percentile(values, 50) / base50:.2f} / ×{np.percentile(values, 95) / base95:.2f}"
        print(f"  {name:30s} {ms(values)}{ratio if not name.startswith('bare') else ''}")
    stages = [memory_searcher.run(q, 5).timings_ms for q in questions]
    print("  hybrid stages (in memory):", ", ".join(
        f"{k} {np.percentile([s[k] for s in stages], 50):.2f}" for k in stages[0]), "ms p50")
    print("search cost alone (query vectors computed beforehand):")
    search_only(questions, lambda v: index.dense_search(v, 5),
                {"hybrid, dense from Chroma": store_searcher, "hybrid, dense in memory": memory_searcher},
                index.embed_query, rounds)
    return index, vectors


def scale(index: Index, base_vectors: np.ndarray, n: int, questions: list[str], rounds: int) -> None:
    print(f"\n== generated corpus: {n:,} chunks (SYNTHETIC text; real e5 vectors reused with perturbations)")
    rng = np.random.default_rng(7)
    pyrng = random.Random(7)
    tokenizer = get_tokenizer(SearchConfig.load().tokenizer)
    base_chunks = list(index.chunks.values())
    sentences = [s for c in base_chunks for s in SENTENCE.findall(c.text) if len(s.strip()) > 4]
    sentence_tokens = [tokenizer(s) for s in sentences]
    docs = list(index.documents)
    chunks, token_lists = [], []
    rss0 = rss_mb()
    start = time.perf_counter()
    for i in range(n):
        picks = [pyrng.randrange(len(sentences)) for _ in range(pyrng.randint(3, 8))]
        text = "".join(sentences[p] for p in picks)
        base = base_chunks[i % len(base_chunks)]
        chunks.append(Chunk(chunk_id=f"gen{i:06d}", doc=docs[i % len(docs)], title=base.title,
                            section=base.section, section_title=base.section_title, position=i, text=text))
        token_lists.append([t for p in picks for t in sentence_tokens[p]])
    made = time.perf_counter() - start
    vectors = base_vectors[np.arange(n) % len(base_vectors)] + rng.normal(0, 0.01, (n, base_vectors.shape[1]))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    print(f"generated in {made:.1f} s; RSS +{rss_mb() - rss0:.0f} MB (chunks, tokens, vectors)")

    config = SearchConfig.load()
    start, rss1 = time.perf_counter(), rss_mb()
    keyword = KeywordSignal.from_tokens(token_lists, config.keyword.k1, config.keyword.b)
    print(f"BM25 index build {time.perf_counter() - start:.1f} s, RSS +{rss_mb() - rss1:.0f} MB")
    del token_lists
    gc.collect()

    import chromadb
    from chromadb.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        client = chromadb.PersistentClient(path=tmp, settings=Settings(anonymized_telemetry=False))
        collection = client.create_collection("scale", metadata={"hnsw:space": "cosine"})
        start, rss1 = time.perf_counter(), rss_mb()
        for lo in range(0, n, 5000):
            part = chunks[lo : lo + 5000]
            collection.add(ids=[c.chunk_id for c in part], embeddings=vectors[lo : lo + 5000],
                           metadatas=[{"doc": c.doc} for c in part])
        print(f"Chroma build {time.perf_counter() - start:.1f} s, RSS +{rss_mb() - rss1:.0f} MB")

        class Store:  # the index's dense_search over the generated collection
            def dense_search(self, vector: Any, k: int = 10, where: Any = None) -> list[tuple[str, float]]:
                got = collection.query(query_embeddings=[np.asarray(vector).tolist()], n_results=k,
                                       where=where, include=["distances"])
                return [(cid, 1 - d) for cid, d in zip(got["ids"][0], got["distances"][0], strict=True)]

        store = Store()
        start, rss1 = time.perf_counter(), rss_mb()
        store_searcher = Searcher(chunks, index.documents, dense=IndexDenseSignal(store, [c.chunk_id for c in chunks],
                                  [c.doc for c in chunks]), keyword=keyword, embed_query=index.embed_query,
                                  config=config)
        memory_searcher = Searcher(chunks, index.documents, dense=DenseSignal(vectors), keyword=keyword,
                                   embed_query=index.embed_query, config=config, tokenizer=store_searcher.tokenizer)
        print(f"searchers built {time.perf_counter() - start:.1f} s, RSS +{rss_mb() - rss1:.0f} MB; "
              f"process RSS {rss_mb():.0f} MB")
        for q in questions[:3]:
            store_searcher.run(q)
            memory_searcher.run(q)

        times = timed_rounds(questions, {
            "bare dense (embed + Chroma)": lambda q: store.dense_search(index.embed_query(q), 5),
            "hybrid, dense from Chroma": lambda q: store_searcher.run(q, 5),
            "hybrid, dense in memory": lambda q: memory_searcher.run(q, 5),
        }, rounds)
        print(f"{len(questions)} questions × {rounds} rounds, interleaved")
        for name, values in times.items():
            print(f"  {name:30s} {ms(values)}")
        stages = [memory_searcher.run(q, 5).timings_ms for q in questions]
        print("  hybrid stages (in memory):", ", ".join(
            f"{k} {np.percentile([s[k] for s in stages], 50):.2f}" for k in stages[0]), "ms p50")
        print("search cost alone (query vectors computed beforehand):")
        search_only(questions, lambda v: store.dense_search(v, 5),
                    {"hybrid, dense from Chroma": store_searcher, "hybrid, dense in memory": memory_searcher},
                    index.embed_query, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, default=ROOT / "var/index")
    parser.add_argument("--cases", type=Path, default=ROOT / "tests/eval/dev_qa.jsonl")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    questions = [c.question for c in load_cases(args.cases)]
    index, vectors = shipped(args.index_dir, questions, args.rounds)
    if not args.skip_scale:
        scale(index, vectors, args.chunks, questions, max(1, args.rounds - 1))


if __name__ == "__main__":
    main()
