"""Calibrate the content-overlap thresholds of the guards (bot/assistant/llm/support.py).

    .venv/bin/python benchmarks/support_calibration.py [--index DIR] [--k 5]

Over the real corpus (run `parkbot ingest` first, or pass --index): for every cited sentence of
the scripted strong model's answers (benchmarks/data/strong_model_cases.jsonl), the question is
searched as the model would, and the sentence is measured against

* its right passage (a *correct* citation), and
* every other passage of the same search that holds none of the case's evidence (a *wrong*
  citation: the mistake a model makes when it cites the neighbouring number), once with the
  right passage among the search's passages and once without it (the search missed it, so only
  the overlap threshold can tell).

A sentence passes when the cited passage covers at least ``min_overlap`` of its content bigrams
and no other passage of the search covers ``max_gap`` more. The grid search keeps, on the
``calibration`` split, the pairs that pass at least 98 % of the correct citations and at most 5 %
of the wrong ones, and picks the one farthest from the correct sentences' values (the 2nd
percentile of their share, the 98th of their gap), so that paraphrases a little freer than ours
still pass; it prints that pair, the configured one
(config/assistant/prompts.yaml ``guards.support``) and both splits' rates at the configured
values. Only the overlap is measured here (numbers, names and references are checked apart).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from strong_model_cases import fill, load_cases, locate, sentences, wrong_passages  # noqa: E402

TARGET_PASS = 0.98  # of correct citations
TARGET_LEAK = 0.05  # of wrong citations, by overlap alone (half the 10 % the whole check may leak)


def measure(index: str | None, k: int) -> list[tuple[str, bool, float, float]]:
    """(split, correct?, cited share, best other share) per sentence and citation."""
    from bot.assistant.llm.evidence import Evidence
    from bot.assistant.llm.guards import Checker
    from bot.assistant.llm.prompts import load_prompts
    from bot.assistant.llm.segments import clauses, markers, opens_list, trailing_markers
    from bot.assistant.numbers import CITATION
    from bot.services import Services
    from bot.settings import get_settings

    settings = get_settings(paths={"index_dir": index}) if index else get_settings()
    searcher = Services(settings).current_searcher()
    if searcher is None:
        sys.exit("No index: run `.venv/bin/parkbot ingest` first (or pass --index DIR).")
    config = load_prompts().guards  # the configured weights and minimum length; the thresholds vary below
    rows: list[tuple[str, bool, float, float]] = []
    for case in load_cases():
        if not case.plain:
            continue
        evidence = Evidence(question=case.question)
        for hit in searcher.run(case.question, k).hits:
            evidence.add_passage(hit)
        found = locate(case, evidence.shown)
        if found is None:
            continue  # retrieval missed the passage: nothing to cite
        checker = Checker(evidence, config)
        for style in case.styles().values():
            for sentence in sentences(fill(style, found)):
                end = trailing_markers(sentence)
                for clause in clauses(sentence):  # as the verifier checks: clause by clause
                    cited = markers(clause) or end
                    if not cited or opens_list(clause):
                        continue
                    body = CITATION.sub("", clause)
                    right = checker.support(body, cited)
                    if right is not None:
                        rows.append((case.split, True, right[0], right[1]))
                    wrong = wrong_passages(case, evidence.shown, body)
                    for n in wrong:
                        # a wrong citation with the right passage in the same search, and without it
                        for among in (None, wrong):
                            measured = checker.support(body, [n], among)
                            if measured is not None:
                                rows.append((case.split, False, measured[0], measured[1]))
    return rows


def rates(rows: list[tuple[str, bool, float, float]], min_overlap: float, max_gap: float) -> tuple[float, float, int, int]:
    def passes(share: float, best: float) -> bool:
        return share >= min_overlap and best - share < max_gap

    correct = [r for r in rows if r[1]]
    wrong = [r for r in rows if not r[1]]
    ok = sum(passes(r[2], r[3]) for r in correct) / max(len(correct), 1)
    leak = sum(passes(r[2], r[3]) for r in wrong) / max(len(wrong), 1)
    return ok, leak, len(correct), len(wrong)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", help="index directory (default: the configured one)")
    parser.add_argument("--k", type=int, default=5, help="passages per search, as the agent asks")
    args = parser.parse_args()
    from bot.assistant.llm.prompts import load_prompts

    rows = measure(args.index, args.k)
    calibration = [r for r in rows if r[0] == "calibration"]
    correct = sorted(r[2] for r in calibration if r[1])
    gaps = sorted(r[3] - r[2] for r in calibration if r[1])
    low_share, high_gap = correct[int(0.02 * len(correct))], gaps[int(0.98 * (len(gaps) - 1))]
    grid = [(o / 100, g / 100) for o in range(10, 75, 5) for g in range(5, 55, 5)]
    scored = [(rates(calibration, o, g), o, g) for o, g in grid]
    eligible = [s for s in scored if s[0][0] >= TARGET_PASS and s[0][1] <= TARGET_LEAK] or scored
    # of the pairs that meet both targets, the one farthest from the correct sentences' values
    (ok, leak, n_ok, n_wrong), best_o, best_g = max(
        eligible, key=lambda s: (min(low_share - s[1], s[2] - high_gap), -s[0][1]))
    support = load_prompts().guards.support
    print(f"sentences measured: {n_ok} correct and {n_wrong} wrong citations on the calibration split "
          f"({sum(r[1] for r in rows)} and {sum(not r[1] for r in rows)} in all)")
    print(f"correct citations on the calibration split: 2nd percentile share {low_share:.2f}, "
          f"98th percentile gap {high_gap:.2f}")
    print(f"chosen (correct pass ≥ {TARGET_PASS:.0%}, wrong pass ≤ {TARGET_LEAK:.0%}, widest margin): "
          f"min_overlap={best_o:.2f} max_gap={best_g:.2f} → correct pass {ok:.1%}, wrong citations pass {leak:.1%}")
    print(f"configured: min_overlap={support.min_overlap:.2f} max_gap={support.max_gap:.2f}")
    for split in ("calibration", "holdout", "fresh", "all"):
        part = rows if split == "all" else [r for r in rows if r[0] == split]
        ok, leak, n_ok, n_wrong = rates(part, support.min_overlap, support.max_gap)
        print(f"  {split:<12} correct pass {ok:6.1%} (n={n_ok:3d})   wrong citations pass {leak:6.1%} (n={n_wrong:3d})")
    print("  overlap alone (no gap test):")
    for o in (0.2, 0.3, 0.4, 0.5):
        ok, leak, _, _ = rates(rows, o, 2.0)
        print(f"    min_overlap={o:.1f}: correct pass {ok:6.1%}, wrong pass {leak:6.1%}")


if __name__ == "__main__":
    main()
