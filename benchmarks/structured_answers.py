"""Park and structured answers on the scenario set: share passed per split and kind, latency.

    .venv/bin/python benchmarks/structured_answers.py [--cases tests/assistant/structured_questions.jsonl]
                                                      [--split tune|heldout] [--misses]

Uses the configured Services in offline mode (the real index: run `parkbot ingest` first) and the
SYNTHETIC sample cohort. Each scenario is asked in a conversation of its own; only its last
answer is judged (``bot/assistant/scenarios.py`` says how). Report the tuning and the held-out
split separately: the held-out questions were written before any tuning and are not tuned on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_CASES = Path(__file__).resolve().parent.parent / "tests" / "assistant" / "structured_questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--split", choices=["tune", "heldout"], default=None)
    parser.add_argument("--misses", action="store_true", help="print the answers that miss, with the reasons")
    args = parser.parse_args()

    from bot.assistant.scenarios import figures, load_scenarios, run_scenarios
    from bot.services import Services
    from bot.settings import get_settings
    from tests.support.asking import ask

    services = Services(get_settings(llm={"backend": "offline"}))
    cases = [c for c in load_scenarios(args.cases) if args.split in (None, c.split)]
    ask(services, "有哪些园区")  # warm-up: router, cohort, first SQLite connection
    ask(services, "外籍专家能办工作许可吗")  # and the index, the tokenizer, the embedder
    results = run_scenarios(cases, lambda m, conv, mode: ask(services, m, conv, mode))  # type: ignore[arg-type]
    print("SYNTHETIC sample cohort; scores are ParkBot's documented method, not official Torch Center results.")
    print(f"{'group':<22}{'cases':>6}{'passed':>8}{'share':>8}{'p95 ms':>9}")
    groups = [("all", results)] + [(f"split={s}", [r for r in results if r.split == s]) for s in ("tune", "heldout")]
    groups += [(f"kind={k}", [r for r in results if r.kind == k]) for k in sorted({r.kind for r in results})]
    for name, group in groups:
        if not group:
            continue
        f = figures(group)
        print(f"{name:<22}{f.cases:>6}{f.passed:>8}{f.share or 0:>8.3f}{f.latency_p95_ms or 0:>9.0f}")
    if args.misses:
        for r in results:
            if not r.passed:
                print(f"\n--- {r.id} ({r.split}, {r.kind}): {'; '.join(r.problems)}\n{r.answer}")
    services.close()


if __name__ == "__main__":
    main()
