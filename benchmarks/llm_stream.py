"""LLM mode against a scripted strong model: what reaches the user, and how soon.

    .venv/bin/python benchmarks/llm_stream.py [--index DIR] [--split all|calibration|holdout] [--latency 12]

The scripted model (tests/assistant/llm/scripted_llm.py, an OpenAI-compatible server on
127.0.0.1) behaves like a strong model: it calls ``search_policies`` with the question, then writes
the case's answer (benchmarks/data/strong_model_cases.jsonl) citing, by their numbers in that
search, the passages that hold its evidence. ParkBot's agent runs against it through
langchain-openai with token streaming and the real corpus index (run `parkbot ingest` first);
the offline composer is the fallback. Figures:

* **correct answers delivered intact** (every sentence shown, nothing removed, no fallback), per
  style: plain; numbers reworded (六十五岁, 百分之五, 3,000, 三分之一); lists (一是…；二是… and
  numbered lines under "以下N个方面：");
* **bad sentences that leak**: each cited sentence once cited to a wrong passage of the same
  search; each sentence with a number once with the number changed, once with a number of the
  question and once with a number of the passage's date (when those differ from the text's);
* **model refusals delivered as refusals** (the model's statement, ``grounded: false``);
* **latency** over HTTP with the model writing about 30 characters per second: from the model
  sending the last character of the first cited sentence (the first one that can be verified: an
  uncited lead such as "可以。" is released with it) to the answer's first text reaching the
  client, on ``POST /api/chat`` (SSE) and ``POST /v1/chat/completions`` (stream), and when that
  is as a share of the model's generation time (answers with two cited sentences or more).

A case whose passage the search does not return is counted apart (the model cannot cite it).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from strong_model_cases import (  # noqa: E402
    Case,
    fill,
    invent_number,
    load_cases,
    locate,
    plain,
    sentences,
    wrong_passages,
)

CPS = 30.0


class CachedSearch:
    """The real searcher, each question searched once (the benchmark asks the same ones again)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.cache: dict[tuple[str, int | None], Any] = {}

    def run(self, query: str, k: int | None = None, filters: Any = None) -> Any:
        key = (query, k)
        if filters or key not in self.cache:
            found = self.searcher.run(query, k, filters)
            if filters:
                return found
            self.cache[key] = found
        return self.cache[key]

    def __getattr__(self, name: str) -> Any:  # section(), documents… as the searcher has them
        return getattr(self.searcher, name)


class Harness:
    """The agent over the scripted model and the real index; one question at a time."""

    def __init__(self, index: str | None) -> None:
        from bot.assistant.llm.agent import PolicyAgent
        from bot.assistant.llm.chat_models import openai_chat_model
        from bot.assistant.llm.prompts import load_prompts
        from bot.assistant.offline.backend import build_offline_backend
        from bot.services import Services
        from bot.settings import LLMSettings, get_settings
        from tests.assistant.llm.scripted_llm import ScriptedLLM
        from tests.support.servers import running_server

        settings = get_settings(paths={"index_dir": index}) if index else get_settings()
        searcher = Services(settings).current_searcher()
        if searcher is None:
            sys.exit("No index: run `.venv/bin/parkbot ingest` first (or pass --index DIR).")
        self.search = CachedSearch(searcher)
        self.scripted = ScriptedLLM()
        self._server = running_server(self.scripted.app)
        url = self._server.__enter__()
        model = openai_chat_model(LLMSettings(backend="openai", base_url=url + "/v1", model="scripted-strong",
                                              timeout_s=60), max_retries=0)
        self.offline = build_offline_backend(self.search, None)
        self.agent = PolicyAgent(model, load_prompts(), offline=self.offline.stream, backend_name="openai")

    def close(self) -> None:
        self._server.__exit__(None, None, None)

    def ask(self, case: Case, text: str, **options: Any) -> Any:
        """The agent's answer to ``case`` when the model, after searching, writes ``text``.

        ``text`` cites the passages by the numbers of this same search (the searcher is cached, so
        the agent's search returns the same passages in the same order as :meth:`passages`).
        """
        from bot.assistant.backend import Question, final_answer
        from bot.assistant.tools import Toolbox
        from bot.principal import Principal
        from tests.assistant.llm.scripted_llm import say, tool

        self.scripted.script(tool("search_policies", query=case.question, k=5), say(text, **options))
        toolbox = Toolbox(self.search, None, Principal(kind="cli", name="benchmark"))
        return final_answer(self.agent.stream(Question(message=case.question, conversation_id=case.id, toolbox=toolbox)))

    def passages(self, case: Case) -> dict[int, str]:
        return {i: h.text for i, h in enumerate(self.search.run(case.question, 5).hits, 1)}


def intact(answer: Any, written: str) -> bool:
    return (answer.backend == "openai" and answer.grounded and not answer.verification.removed
            and answer.verification.fallback is None and plain(answer.answer) == plain(written))


def shows(answer: Any, sentence: str) -> bool:
    """The sentence (its words, whatever its marker became) is in the delivered answer."""
    return answer.backend == "openai" and plain(sentence) in plain(answer.answer)


def _date_numbers(case: Case, harness: Harness, n: int) -> list[str]:
    hit = harness.search.run(case.question, 5).hits[n - 1]
    return [str(int(x)) for x in (hit.date or "").split("-")[1:] if x]


def figures(harness: Harness, cases: list[Case]) -> dict[str, list[bool]]:
    out: dict[str, list[bool]] = defaultdict(list)
    for case in cases:
        passages = harness.passages(case)
        if case.refusal:
            answer = harness.ask(case, case.refusal)
            delivered = answer.backend == "openai" and not answer.grounded and plain(case.refusal) in plain(answer.answer)
            out["refusal delivered"].append(delivered)
            if not delivered:
                print(f"  refusal not delivered {case.id}: {answer.backend} {answer.answer[:60]!r} "
                      f"{answer.verification.model_dump()}", file=sys.stderr)
            continue
        found = locate(case, passages)
        if found is None:
            out["retrieval missed the passage"].append(True)
            continue
        for style, template in case.styles().items():
            written = fill(template, found)
            answer = harness.ask(case, written)
            out[f"intact: {style}"].append(intact(answer, written))
            if not intact(answer, written):
                print(f"  not intact {case.id} {style}: {answer.backend} {answer.verification.model_dump()}", file=sys.stderr)
        text = fill(case.plain, found)
        parts = sentences(text)
        for i, sentence in enumerate(parts):
            cited = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)]
            wrong = wrong_passages(case, passages, sentence)
            if cited and wrong:
                bad = re.sub(r"\[\d+\]", f"[{wrong[0]}]", sentence)
                answer = harness.ask(case, "".join([*parts[:i], bad, *parts[i + 1:]]))
                out["leak: wrong citation"].append(shows(answer, bad))
            if not cited:
                continue
            source = passages[cited[0]]
            variants = {"invented number": invent_number(sentence, source)}
            asked = [x for x in re.findall(r"\d+", case.question) if x not in source]
            if asked:
                variants["number from the question"] = _replace_number(sentence, asked[0])
            dated = [x for x in _date_numbers(case, harness, cited[0]) if x not in source]
            if dated:
                variants["number from the passage's date"] = _replace_number(sentence, dated[0])
            for kind, bad in variants.items():
                if bad is None or bad == sentence:
                    continue
                answer = harness.ask(case, "".join([*parts[:i], bad, *parts[i + 1:]]))
                out[f"leak: {kind}"].append(shows(answer, bad))
    return out


def _replace_number(sentence: str, value: str) -> str | None:
    m = re.search(r"(?<![\[\d.])\d+(?:\.\d+)?(?![\]\d])", sentence)
    return None if m is None else sentence[: m.start()] + value + sentence[m.end():]


# -- latency over HTTP ---------------------------------------------------------------------------


def latency(harness: Harness, cases: list[Case], n: int) -> dict[str, list[tuple[float, float, float]]]:
    """(seconds from the model finishing the first sentence to the client having it, share of the
    generation time elapsed then, share elapsed when the model finished that sentence) per endpoint."""
    import httpx

    from bot.assistant.answering import AnswerService
    from bot.server import create_app
    from bot.services import Services
    from bot.settings import get_settings
    from tests.support.servers import running_server

    class BenchServices(Services):
        def warm_up(self) -> None:
            pass

    services = BenchServices(get_settings())
    services.__dict__["assistant"] = AnswerService(harness.offline, harness.search, None, None, llm=harness.agent,
                                                   backend="openai")
    chosen = [c for c in cases if len([s for s in sentences(c.plain) if "[@" in s]) >= 2][:n]
    out: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    with running_server(create_app(services=services)) as url, httpx.Client(timeout=120) as client:
        for case in chosen:
            found = locate(case, harness.passages(case))
            if found is None:
                continue
            text = fill(case.plain, found)
            parts = sentences(text)
            first = next(i for i, part in enumerate(parts) if "[" in part)  # the first sentence that can be verified
            first_end = len("".join(parts[: first + 1]).rstrip("\n"))
            for endpoint, request in (
                ("/api/chat (SSE)", {"url": url + "/api/chat", "headers": {"Accept": "text/event-stream"},
                                     "json": {"message": case.question}}),
                ("/v1/chat/completions (stream)", {"url": url + "/v1/chat/completions",
                                                   "json": {"stream": True, "messages": [{"role": "user", "content": case.question}]}}),
            ):
                from tests.assistant.llm.scripted_llm import tool

                harness.scripted.script(tool("search_policies", query=case.question, k=5),
                                        {"content": text, "cps": CPS})
                got = _first_text_at(client, request)
                record = harness.scripted.timeline[-1]
                done = next(t for t, sent in record["pieces"] if sent >= first_end)
                took = record["end"] - record["start"]
                out[endpoint].append((got - done, (got - record["start"]) / took, (done - record["start"]) / took))
    return out


def _first_text_at(client: Any, request: dict[str, Any]) -> float:
    """When the first piece of answer text arrived (the stream is then read to its end)."""
    import json

    first: float | None = None
    event = ""
    with client.stream("POST", **request) as resp:
        for line in resp.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
                continue
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            data = json.loads(line[6:])
            if event:  # /api/chat: text comes in "delta" events
                text = data.get("text") if event == "delta" else None
            else:  # /v1: chat.completion.chunk
                text = ((data.get("choices") or [{}])[0].get("delta") or {}).get("content")
            event = ""
            if text and first is None:
                first = time.perf_counter()
    assert first is not None, "no text arrived"
    return first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", help="index directory (default: the configured one)")
    parser.add_argument("--split", default="all", choices=["all", "calibration", "holdout", "fresh"])
    parser.add_argument("--latency", type=int, default=12, help="answers timed per endpoint (0: skip)")
    args = parser.parse_args()
    harness = Harness(args.index)
    try:
        started = time.perf_counter()
        results = figures(harness, load_cases(args.split))
        print(f"LLM mode, scripted strong model, split={args.split} ({time.perf_counter() - started:.0f} s)")
        for name in sorted(results, key=lambda k: (not k.startswith("intact"), k)):
            values = results[name]
            print(f"  {name:<34} {sum(values):4d}/{len(values):<4d} {sum(values) / len(values):6.1%}")
        if args.latency:
            timed = latency(harness, load_cases(args.split), args.latency)
            print(f"latency, model writing {CPS:.0f} characters/s (answers with ≥ 2 cited sentences):")
            for endpoint, values in timed.items():
                delays = sorted(d for d, _, _ in values)
                shares = sorted(s for _, s, _ in values)
                written = sorted(w for _, _, w in values)
                print(f"  {endpoint:<32} first cited sentence after the model wrote it: median {statistics.median(delays) * 1000:5.1f} ms, "
                      f"max {delays[-1] * 1000:5.1f} ms; at {statistics.median(shares):.0%} of generation (median), "
                      f"{shares[-1]:.0%} (max), n={len(values)}; the model itself had finished it at {statistics.median(written):.0%} "
                      f"(median), {written[-1]:.0%} (max)")
    finally:
        harness.close()


if __name__ == "__main__":
    main()
