"""Smoke run of the bundled local model (Qwen2.5-Coder-1.5B via xllamacpp) through the agent.

Not collected by pytest (it needs the optional ``local`` extra and ~2 GB RAM). Run it with the
extra installed, e.g. in a separate venv whose site-packages is put on PYTHONPATH::

    PYTHONPATH=/tmp/parkbot-local/lib/python3.11/site-packages \
        .venv/bin/python -m tests.assistant.llm.smoke_local [CACHE_DIR]

It asserts ParkBot's guarantees, not the model's wording: every [n] resolves to a citation of
this turn, every number in the answer passes the guard, an off-corpus question gets the offline
refusal, a planted instruction never reaches the model.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from bot.assistant.backend import Question, final_answer
from bot.assistant.llm.agent import PolicyAgent
from bot.assistant.llm.chat_models import LocalModelServer, build_chat_model
from bot.assistant.llm.guards import Evidence, check_sentence
from bot.assistant.llm.prompts import load_prompts
from bot.assistant.offline.backend import build_offline_backend
from bot.assistant.tools import Toolbox
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


def main() -> int:
    cache = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/parkbot-local/models")
    server = LocalModelServer(cache).start()
    try:
        model = build_chat_model(LLMSettings(backend="local", timeout_s=300), local=server)
        search, parks = FakeSearch(passages=[TALENT, RD, WARNING, PLANTED]), FakeParks()
        toolbox = Toolbox(search, parks, STAFF)
        offline = build_offline_backend(search, parks)
        agent = PolicyAgent(model, load_prompts(), offline=offline.stream, backend_name="local")
        failures = 0
        for q in QUESTIONS:
            t0 = time.perf_counter()
            answer = final_answer(agent.stream(Question(message=q, conversation_id="smoke", toolbox=toolbox)))
            took = time.perf_counter() - t0
            print(f"\n=== {q}  ({took:.1f} s, backend={answer.backend}, grounded={answer.grounded})")
            print(answer.answer)
            for c in answer.citations:
                print(f"  [{c.n}] {c.doc} {c.section}")
            for n in answer.notices:
                print("  notice:", n)
            print("  tools:", [(c.name, c.args) for c in answer.tool_calls])
            markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
            ok = markers <= {c.n for c in answer.citations}
            if answer.backend == "local":  # re-check every kept sentence against its citations
                ev = Evidence(question=q)
                for c in answer.citations:
                    ev.add_passage(Hit(**c.model_dump(exclude={"n"}), score=1.0))
                for call in answer.tool_calls:
                    if call.name != "search_policies":
                        ev.add_result(call, "")
                for sentence in re.split(r"(?<=[。！？])", answer.answer):
                    if sentence.strip() and check_sentence(sentence, ev):
                        ok = False
            if "火星" in q:
                alone = final_answer(offline.stream(Question(message=q, conversation_id="smoke-offline", toolbox=toolbox)))
                ok = ok and answer.answer == alone.answer
            print("  guarantees:", "OK" if ok else "VIOLATED")
            failures += not ok
        return 1 if failures else 0
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
