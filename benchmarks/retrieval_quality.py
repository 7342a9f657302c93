"""Retrieval quality: recall@1/5/10 and MRR@10 for dense, BM25 and hybrid, plus coverage.

    .venv/bin/python benchmarks/retrieval_quality.py [--cases tests/eval/dev_qa.jsonl]
        [--index-dir var/index] [--calibrate] [--misses]

Runs every question of the evaluation set through the searcher in the three modes over the
built index (run `parkbot ingest` first) with the bundled e5 model, and prints the figures side
by side, per category, and the coverage signal's refusal accuracy / false-refusal rate.
`--calibrate` refits the coverage score's weights (class-balanced logistic regression on the
coverage features) and prints the threshold for a false-refusal rate ≤ 5 % (copy it to
config/retrieval/search.toml); the score decides English questions only, Chinese ones are judged
by the dense floor (benchmarks/refusal_calibration.py). `--misses` lists the hybrid misses at k=5.

Targets (issue 3): hybrid recall@5 ≥ 0.95 and MRR@10 ≥ 0.85, better than both single signals.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.config import RetrievalConfig  # noqa: E402
from retrieval.embedding import make_embedder  # noqa: E402
from retrieval.evaluation import evaluate_retrieval, load_cases  # noqa: E402
from retrieval.index import Index  # noqa: E402
from retrieval.search import Searcher  # noqa: E402
from retrieval.search_config import SearchConfig  # noqa: E402

MODES = {"dense": "dense", "bm25": "keyword", "hybrid": "hybrid"}


def open_searcher(index_dir: Path) -> Searcher:
    config = RetrievalConfig(index_dir=index_dir)
    index = Index.open(config, make_embedder(config.embedding))
    return Searcher.from_index(index, SearchConfig.load())


def run_mode(searcher: Searcher, cases, mode: str):  # type: ignore[no-untyped-def]
    results = {}

    def run(q: str):  # type: ignore[no-untyped-def]
        if q not in results:
            results[q] = searcher.run(q, 10, mode=mode)
        return results[q]

    report = evaluate_retrieval(cases, lambda q, k: run(q).hits[:k],
                                covers_fn=lambda q: run(q).coverage.covered)
    return report, results


def fit_coverage(rows: list[tuple[bool, list[float]]], max_frr: float = 0.05) -> None:
    """Class-balanced logistic regression on (keyword_match, keyword_lead, dense_top)."""
    X = np.array([f for _, f in rows], dtype=float)
    y = np.array([1.0 if a else 0.0 for a, _ in rows])
    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = (X - mu) / sd
    w, b = np.zeros(Z.shape[1]), 0.0
    cw = np.where(y == 1, 1.0, y.sum() / max((1 - y).sum(), 1))
    for _ in range(5000):
        p = 1 / (1 + np.exp(-(Z @ w + b)))
        g = (p - y) * cw
        w -= 0.1 * (Z.T @ g / len(y) + w / len(y))
        b -= 0.1 * g.mean()
    raw_w, raw_b = w / sd, b - (w / sd) @ mu
    scale = raw_w[0] if raw_w[0] > 0 else 1.0  # express with keyword_weight = 1
    weights, bias = raw_w / scale, raw_b / scale
    scores = X @ weights
    pos, neg = np.sort(scores[y == 1]), scores[y == 0]
    threshold = pos[int(math.floor(max_frr * len(pos)))]
    print("\nCoverage calibration (class-balanced logistic regression, in-sample):")
    print(f"  keyword_weight = 1.0\n  lead_weight = {weights[1]:.3f}\n  dense_weight = {weights[2]:.3f}")
    print(f"  bias = 0.0\n  threshold = {threshold:.3f}   (bias folded in: {bias:.3f})")
    print(f"  false-refusal rate {np.mean(scores[y == 1] < threshold):.3f} on {len(pos)} answerable, "
          f"refusal accuracy {np.mean(neg < threshold):.3f} on {len(neg)} unanswerable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=ROOT / "tests/eval/dev_qa.jsonl")
    parser.add_argument("--index-dir", type=Path, default=ROOT / "var/index")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()

    cases = load_cases(args.cases)
    searcher = open_searcher(args.index_dir)
    print(f"{args.cases.name}: {len(cases)} cases ({sum(c.answerable for c in cases)} answerable); "
          f"index {args.index_dir}: {len(searcher.chunks)} chunks")
    reports, runs = {}, {}
    for name, mode in MODES.items():
        start = time.perf_counter()
        reports[name], runs[name] = run_mode(searcher, cases, mode)
        print(f"  {name}: {time.perf_counter() - start:.1f} s")

    print(f"\n{'mode':8s} {'R@1':>6s} {'R@5':>6s} {'R@10':>6s} {'MRR@10':>7s} {'complete@10':>12s}")
    for name, rep in reports.items():
        o = rep.overall
        print(f"{name:8s} {o.recall[1]:6.3f} {o.recall[5]:6.3f} {o.recall[10]:6.3f} {o.mrr:7.3f} {o.complete[10]:12.3f}")
    print("\nrecall@5 / MRR@10 by category:")
    cats = [c for c, f in reports["hybrid"].by_category.items() if f.answerable]
    print(f"{'category':14s}" + "".join(f"{m:>18s}" for m in reports))
    for cat in cats:
        cells = []
        for rep in reports.values():
            f = rep.by_category[cat]
            cells.append(f"{f.recall[5]:.2f} / {f.mrr:.2f} ({f.answerable})")
        print(f"{cat:14s}" + "".join(f"{c:>18s}" for c in cells))
    hyb = reports["hybrid"].overall
    cfg = searcher.config.coverage
    print(f"\nCoverage (hybrid run): dense floor {cfg.dense_floor} (English: threshold {cfg.threshold} and floor "
          f"{cfg.dense_floor_english}), refusal accuracy {hyb.refusal_accuracy:.3f} "
          f"on {hyb.unanswerable} unanswerable, false-refusal rate {hyb.false_refusal_rate:.3f} "
          f"on {hyb.answerable} answerable")
    print("  (the floor keeps questions about other things out; an on-topic question the documents do not "
          "answer is the answer's checks' to refuse: benchmarks/refusal_calibration.py measures both)")
    if args.calibrate:
        rows = []
        for case in cases:
            cov = searcher.run(case.question, 10).coverage
            rows.append((case.answerable, [cov.keyword_match, cov.keyword_lead, cov.dense_top]))
        fit_coverage(rows)
    if args.misses:
        print("\nhybrid misses at k=5:")
        byid = {c.id: c for c in cases}
        for miss in reports["hybrid"].misses(5):
            case = byid[miss.id]
            print(f"  {miss.id} [{miss.category}] rank {miss.rank}: {case.question}  → {case.expected[0].doc} "
                  f"{case.expected[0].section}")


if __name__ == "__main__":
    main()
