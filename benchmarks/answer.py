"""Offline answer latency (p50/p95) and time to first streamed token through POST /api/chat.

    .venv/bin/python benchmarks/answer.py [--real] [--n 200]

Default: the offline service over the small fakes of tests/assistant/fakes.py (router, tools,
composer, SQLite memory; the search itself is a trivial keyword fake), so the figure is the
assistant's own cost. ``--real`` uses the configured Services (the real index and cohort; run
`parkbot ingest` first) and measures search + composition together. Target: p95 ≤ 300 ms on
2 cores. Uses SYNTHETIC park data.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = [
    "外籍专家63岁了还能办工作许可吗？",
    "企业能用专利做抵押贷款吗",
    "在园区工作的外国人才居留许可最长几年？",
    "世界一流高科技园区对研发投入的要求是多少",
    "评价考核结果较差的国家高新区会怎么样？",
    "我们企业研发投入4.5%，符合纲要要求吗？",
    "高新区企业申请小微企业贷款贴息的截止日期是哪天？",
    "What is the age limit for foreign talent work permits?",
]
PARK_QUESTIONS = ["{name}得分多少？", "{name}够创新型科技园区标准吗", "为什么{name}失分", "有哪些园区"]


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def build(real: bool, db: str):
    """Services (the one answer path) over the real index and cohort, or over the assistant tests' fakes."""
    from bot.services import Services
    from bot.settings import get_settings

    class _Services(Services):
        def warm_up(self) -> None:
            pass

    if real:
        return Services(get_settings())
    from bot.assistant.answering import AnswerService
    from bot.assistant.memory import ConversationStore
    from bot.assistant.offline.backend import build_offline_backend
    from tests.assistant.fakes import FakeParks, FakeSearch

    search, parks = FakeSearch(), FakeParks()
    services = _Services(get_settings(store={"url": f"sqlite:///{db}"}))
    services.__dict__["assistant"] = AnswerService(build_offline_backend(search, parks), search, parks,
                                                   ConversationStore(f"sqlite:///{db}"))
    return services


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--real", action="store_true", help="use the configured index and cohort")
    parser.add_argument("--n", type=int, default=200, help="answers to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from tests.support.asking import ask

        services = build(args.real, str(Path(tmp) / "bench.db"))
        parks = services.assistant.parks.parks() if services.assistant.parks else []
        name = parks[0].name.split("（")[0] if parks else "青川"
        questions = QUESTIONS + [q.format(name=name) for q in PARK_QUESTIONS]
        t0 = time.perf_counter()
        ask(services, questions[0])  # warm-up: tokenizer, router, first SQLite connection
        warm = (time.perf_counter() - t0) * 1000
        times: list[float] = []
        for i in range(args.n):
            q = questions[i % len(questions)]
            t = time.perf_counter()
            ask(services, q, conversation_id=f"bench-{i % 10}")
            times.append((time.perf_counter() - t) * 1000)

        from fastapi.testclient import TestClient

        from bot.server import create_app

        app = create_app(services.settings, services)
        ttft: list[float] = []
        total: list[float] = []
        with TestClient(app) as client:
            for i in range(min(args.n, 60)):
                t = time.perf_counter()
                first = None
                with client.stream("POST", "/api/chat", json={"message": questions[i % len(questions)]},
                                   headers={"Accept": "text/event-stream"}) as resp:
                    for chunk in resp.iter_text():
                        if first is None and "event: delta" in chunk:
                            first = (time.perf_counter() - t) * 1000
                total.append((time.perf_counter() - t) * 1000)
                ttft.append(first if first is not None else total[-1])
    mode = "real index + cohort" if args.real else "fakes (assistant cost only)"
    print(f"offline answer latency, {mode}, {args.n} answers, {len(questions)} questions "
          f"(SYNTHETIC park data); warm-up {warm:.0f} ms")
    print(f"  p50 {statistics.median(times):.1f} ms   p95 {_pct(times, 95):.1f} ms   max {max(times):.1f} ms   target p95 ≤ 300 ms")
    print(f"time to first streamed token, POST /api/chat (SSE, in-process client), {len(ttft)} requests")
    print(f"  p50 {statistics.median(ttft):.1f} ms   p95 {_pct(ttft, 95):.1f} ms   full stream p50 {statistics.median(total):.1f} ms")


if __name__ == "__main__":
    main()
