"""Real documents: text coverage, metadata accuracy, retrieval on held-out documents, ingest speed.

    .venv/bin/python benchmarks/real_corpus.py [--skip-retrieval]

Prints, for the shipped corpus (data/corpus) and the real test corpus (tests/corpora/real, whose
README gives each file's provenance):

1. **text coverage** per file: the share of the loaded text that reaches a passage, a heading or
   the metadata (`retrieval.parsing.invariants`), and how many documents the file yields;
2. **metadata accuracy**, field by field, against the hand labels in tests/corpora/metadata.jsonl,
   for the tuning (t*) and held-out (h*) files separately;
3. **retrieval** recall@5 and MRR@10 (hybrid, dense, BM25) on the questions of the held-out
   documents and of the tuning documents (tests/corpora/questions.jsonl), beside the same figures
   for the shipped corpus and its evaluation set (tests/eval/dev_qa.jsonl). Each corpus is indexed
   into a fresh temporary folder with the bundled e5 model;
4. **ingest speed** for the real corpus: passages per second of a first ingest (parse, embed,
   write) on this machine, and the time to re-ingest it unchanged (nothing embedded or written).

Wall times depend on what else runs on the machine (the figures in the report were taken on 2
cores shared with other work).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from retrieval.corpus import document_files, parse_file_documents  # noqa: E402
from retrieval.loaders import load_file  # noqa: E402
from retrieval.parsing.invariants import text_coverage  # noqa: E402

SHIPPED = ROOT / "data" / "corpus"
REAL = ROOT / "tests" / "corpora" / "real"
LABELS = ROOT / "tests" / "corpora" / "metadata.jsonl"
QUESTIONS = ROOT / "tests" / "corpora" / "questions.jsonl"
DEV = ROOT / "tests" / "eval" / "dev_qa.jsonl"
FIELDS = ("doc", "title", "doc_number", "issuer", "date", "effective_date", "jurisdiction", "history")


def coverage() -> None:
    print("1. Text coverage (normalised source text found in passages, headings or metadata)")
    print(f"   {'file':42} {'docs':>4} {'chars':>7} {'coverage':>9}")
    worst = 1.0
    for folder in (SHIPPED, REAL):
        for path in document_files(folder):
            docs = parse_file_documents(path)
            cov = text_coverage(load_file(path).text, docs)
            worst = min(worst, cov.ratio)
            print(f"   {path.name[:42]:42} {len(docs):>4} {cov.characters:>7} {cov.ratio:>9.2%}")
    print(f"   lowest: {worst:.2%}\n")


def metadata() -> None:
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    parsed = {f.name: parse_file_documents(f) for f in document_files(REAL)}
    right: dict[str, dict[str, list[bool]]] = {"tune": defaultdict(list), "heldout": defaultdict(list)}
    found_docs = {d.meta.doc for docs in parsed.values() for d in docs}
    for label in labels:
        docs = parsed.get(label["file"], [])
        match = [d for d in docs if d.meta.doc == label["doc"]]
        meta = match[0].meta if match else None
        for field in FIELDS:
            if meta is None:
                ok = False
            elif field == "jurisdiction":
                ok = (meta.jurisdiction.model_dump() if meta.jurisdiction else None) == label["jurisdiction"]
            elif field == "history":
                ok = len(meta.history) == label["history"]
            else:
                ok = getattr(meta, field) == label[field]
            right[label["split"]][field].append(ok)
    print("2. Metadata accuracy against the hand labels (documents right / labelled)")
    print(f"   {'field':16} {'tuning':>10} {'held-out':>10}")
    for field in FIELDS:
        cells = []
        for split in ("tune", "heldout"):
            values = right[split][field]
            cells.append(f"{sum(values)}/{len(values)}")
        print(f"   {field:16} {cells[0]:>10} {cells[1]:>10}")
    extra = found_docs - {label["doc"] for label in labels}
    print(f"   documents found that no label names: {sorted(extra) or 'none'}\n")


def _index(folder: Path, index_dir: Path):  # type: ignore[no-untyped-def]
    from retrieval.config import RetrievalConfig
    from retrieval.embedding import make_embedder
    from retrieval.index import Index
    from retrieval.ingest import ingest
    from retrieval.search import Searcher
    from retrieval.search_config import SearchConfig

    config = RetrievalConfig(index_dir=index_dir)
    embedder = make_embedder(config.embedding)
    start = time.perf_counter()
    first = ingest([folder], config, embedder)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    again = ingest([folder], config, embedder)
    again_s = time.perf_counter() - start
    searcher = Searcher.from_index(Index.open(config, embedder), SearchConfig.load())
    return searcher, first, first_s, again, again_s


def _figures(searcher, cases):  # type: ignore[no-untyped-def]
    from retrieval.evaluation import evaluate_retrieval

    out = {}
    for name, mode in (("hybrid", "hybrid"), ("dense", "dense"), ("bm25", "keyword")):
        runs: dict[str, object] = {}

        def run(q: str, mode: str = mode, runs: dict[str, object] = runs):  # type: ignore[no-untyped-def]
            if q not in runs:
                runs[q] = searcher.run(q, 10, mode=mode)
            return runs[q]

        report = evaluate_retrieval(cases, lambda q, k, run=run: run(q).hits[:k],  # type: ignore[attr-defined]
                                    covers_fn=lambda q, run=run: run(q).coverage.covered)  # type: ignore[attr-defined]
        out[name] = report
    return out


def retrieval() -> None:
    from retrieval.evaluation import load_cases, parse_cases

    rows = QUESTIONS.read_text(encoding="utf-8").splitlines()
    splits = {s: parse_cases([r for r in rows if json.loads(r)["split"] == s], source=QUESTIONS)
              for s in ("heldout", "tune")}
    with tempfile.TemporaryDirectory() as tmp:
        real, first, first_s, again, again_s = _index(REAL, Path(tmp) / "real")
        shipped, *_ = _index(SHIPPED, Path(tmp) / "shipped")
        results = {"real corpus, held-out documents": _figures(real, splits["heldout"]),
                   "real corpus, tuning documents": _figures(real, splits["tune"]),
                   "shipped corpus, dev_qa.jsonl": _figures(shipped, load_cases(DEV))}
    print("3. Retrieval (answerable questions: recall@5 / MRR@10; refusal accuracy on unanswerable)")
    print(f"   {'question set':34} {'n':>4} {'hybrid':>13} {'dense':>13} {'bm25':>13} {'refusal':>8}")
    for name, by_mode in results.items():
        o = {m: r.overall for m, r in by_mode.items()}
        cells = [f"{o[m].recall[5]:.3f}/{o[m].mrr:.3f}" for m in ("hybrid", "dense", "bm25")]
        refusal = o["hybrid"].refusal_accuracy
        print(f"   {name:34} {o['hybrid'].answerable:>4} {cells[0]:>13} {cells[1]:>13} {cells[2]:>13} "
              f"{'–' if refusal is None else f'{refusal:.2f}':>8}")
    held = results["real corpus, held-out documents"]["hybrid"]
    misses = held.misses(5)
    if misses:
        print("   held-out hybrid misses at 5: " + ", ".join(f"{c.id} (rank {c.rank})" for c in misses))
    print()
    print("4. Ingest of the real corpus (bundled e5 model)")
    print(f"   first ingest: {first.documents} documents, {first.chunks} passages in {first_s:.1f} s "
          f"= {first.chunks / first_s:.1f} passages/s ({first.passages_embedded} embedded)")
    print(f"   re-ingest unchanged: {again_s:.2f} s, changed={again.changed}, "
          f"{again.passages_embedded} embedded, unchanged {len(again.unchanged)} of {again.documents}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-retrieval", action="store_true", help="coverage and metadata only (seconds)")
    args = parser.parse_args()
    coverage()
    metadata()
    if not args.skip_retrieval:
        retrieval()


if __name__ == "__main__":
    main()
