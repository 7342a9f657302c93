"""Calibrate the offline assistant's refusal gate on the tune questions of both corpora.

    .venv/bin/python benchmarks/refusal_calibration.py [--real tests/corpora/real] [--trust-grid]

The offline answer refuses a question its best sentences answer (``PolicyComposer.enough``)
unless the retrieval coverage signal says the corpus covers it (``coverage.score ≥ threshold``,
config/retrieval/search.toml ``[coverage]``) or the best sentence holds ``trust_overlap`` of the
question's weighted terms (config/assistant/question.yaml ``refusal``). This script measures, for
every ``tune`` question of the shipped corpus (tests/eval/dev_qa.jsonl over the current index)
and of the real documents (tests/corpora/questions.jsonl over tests/corpora/real), what that gate
decides: each question is answered twice, once with the gate forced open and once forced shut,
and the (coverage score, overlap) the gate saw is recorded. A question whose two answers agree
(refused or not) does not depend on the gate; the others are refused exactly when the gate shuts.

It prints the scores of the gate-decided answerable and unanswerable questions side by side,
then picks the threshold (and, with ``--trust-grid``, the trust overlap): the one refusing the
most unanswerable questions the gate can refuse at all while wrongly refusing at most
``MAX_WRONG`` of the answerable ones, ties broken by the fewest wrongly refused and then by the
widest margin (the threshold halfway between the nearest answerable and unanswerable scores).
Held-out questions are never read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_WRONG = 0.02  # of the answerable tune questions: the issue allows 3 % wrongly refused on held-out


class Gate:
    """What one question's refusal gate saw, and the answer with the gate forced open and shut."""

    def __init__(self, case: Any, corpus: str) -> None:
        self.case, self.corpus = case, corpus
        self.score: float | None = None
        self.overlap = 0.0
        self.english = False
        self.refused_open = self.refused_shut = False

    @property
    def decided(self) -> bool:
        return self.score is not None and self.refused_open != self.refused_shut

    def shuts(self, threshold: float, trust: float) -> bool:
        """Whether the gate alone refuses (whatever the other checks say)."""
        return self.score is not None and self.score < threshold and (self.english or self.overlap < trust)

    def refused(self, threshold: float, trust: float) -> bool:
        if not self.decided:
            return self.refused_open
        return self.refused_shut if self.shuts(threshold, trust) else self.refused_open


@contextmanager
def forced_gate(record: Callable[[float, float, bool], None], force: list[bool]) -> Iterator[None]:
    """``PolicyComposer.enough`` with the coverage part replaced by ``force[0]`` (the first checks stay)."""
    from bot.assistant.offline.policy import PolicyComposer

    original = PolicyComposer.enough

    def enough(self: PolicyComposer, chosen: Sequence[Any], overlap: float, coverage: Any, *,
               english: bool = False) -> bool:
        if coverage is not None:
            record(coverage.score, overlap, english)
        if not chosen or (overlap < self.min_overlap and not english) or coverage is None:
            return original(self, chosen, overlap, coverage, english=english)
        return force[0]

    PolicyComposer.enough = enough  # type: ignore[method-assign]
    try:
        yield
    finally:
        PolicyComposer.enough = original  # type: ignore[method-assign]


def measure(cases_file: Path, corpus: Path | None, label: str) -> list[Gate]:
    from bot.cli.eval import _build_services, answer_function
    from retrieval.evaluation import load_cases

    cases = [c for c in load_cases(cases_file) if c.split == "tune"]
    services = _build_services(corpus)
    gates: list[Gate] = []
    try:
        answer, _ = answer_function(services)
        services.warm_up()
        force = [True]
        current: list[Gate] = []

        def record(score: float, overlap: float, english: bool) -> None:
            gate = current[0]
            if gate.score is None:  # the first gate of the answer is the question's own search
                gate.score, gate.overlap, gate.english = score, overlap, english

        with forced_gate(record, force):
            for case in cases:
                gate = Gate(case, label)
                current[:] = [gate]
                for opened in (True, False):
                    force[0] = opened
                    refused = getattr(answer(case.question), "grounded", True) is not True
                    if opened:
                        gate.refused_open = refused
                    else:
                        gate.refused_shut = refused
                gates.append(gate)
    finally:
        services.close()
    return gates


def counts(gates: Sequence[Gate], threshold: float, trust: float) -> tuple[int, int]:
    """(unanswerable refused, answerable refused)."""
    return (sum(g.refused(threshold, trust) for g in gates if not g.case.answerable),
            sum(g.refused(threshold, trust) for g in gates if g.case.answerable))


def choose(gates: Sequence[Gate], trusts: Sequence[float]) -> tuple[float, float, int, int]:
    """The (threshold, trust) refusing the most unanswerable questions, then wrongly refusing the
    fewest answerable ones (at most ``MAX_WRONG``), then whose gate alone refuses the most
    unanswerable questions (a safety net for those the other checks let through), then farthest
    from every measured score."""
    scores = sorted({g.score for g in gates if g.score is not None})
    if not scores:
        sys.exit("No tune question reached the refusal gate: nothing to calibrate.")
    candidates = [scores[0] - 0.01] + [(a + b) / 2 for a, b in zip(scores, scores[1:], strict=False)] \
        + [scores[-1] + 0.01]
    answerable = sum(g.case.answerable for g in gates)
    allowed = int(MAX_WRONG * answerable)
    best: tuple[tuple[int, int, int, float], float, float, int, int] | None = None
    for trust in trusts:
        for t in candidates:
            refused, wrong = counts(gates, t, trust)
            if wrong > allowed:
                continue
            alone = sum(g.shuts(t, trust) for g in gates if not g.case.answerable)
            margin = min(abs(s - t) for s in scores)
            key = (refused, -wrong, alone, margin)
            if best is None or key > best[0]:
                best = (key, t, trust, refused, wrong)
    if best is None:
        sys.exit(f"No threshold wrongly refuses at most {allowed} answerable tune questions.")
    return best[1], best[2], best[3], best[4]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=ROOT / "tests" / "corpora" / "real")
    parser.add_argument("--trust-grid", action="store_true", help="Also choose the trust overlap")
    args = parser.parse_args()

    from bot.assistant.offline.question import QuestionConfig
    from retrieval.search_config import SearchConfig

    threshold = SearchConfig.load().coverage.threshold
    trust = QuestionConfig.load().refusal.trust_overlap
    gates = measure(ROOT / "tests" / "eval" / "dev_qa.jsonl", None, "shipped")
    gates += measure(ROOT / "tests" / "corpora" / "questions.jsonl", args.real, "real")

    scored = [g for g in gates if g.score is not None]
    decided = [g for g in gates if g.decided]
    print(f"tune questions: {len(gates)} ({sum(g.case.answerable for g in gates)} answerable); "
          f"reaching the gate: {len(scored)}; decided by it (refused only when it shuts): {len(decided)}")
    print("\ncoverage score of the questions reaching the gate (A answerable, U unanswerable; "
          "* decided by the gate; the gate also opens when a Chinese question's overlap ≥ trust):")
    for g in sorted(scored, key=lambda g: g.score or 0):
        print(f"  {g.score:7.3f}  {'A' if g.case.answerable else 'U'}{'*' if g.decided else ' '} "
              f"overlap {g.overlap:.2f}{' en' if g.english else '   '}  {g.corpus:7} {g.case.id}")
    for kind, answerable in (("answerable", True), ("unanswerable", False)):
        values = sorted(g.score for g in scored if g.case.answerable == answerable and g.score is not None)
        if values:
            print(f"  {kind:12}: n {len(values)}, min {values[0]:.3f}, median {values[len(values) // 2]:.3f}, "
                  f"max {values[-1]:.3f}")
    fixed_u = sum(1 for g in gates if not g.decided and not g.case.answerable and g.refused_open)
    fixed_a = sum(1 for g in gates if not g.decided and g.case.answerable and g.refused_open)
    print(f"\nrefused whatever the gate says: {fixed_u} unanswerable, {fixed_a} answerable")

    # highest first: of two equally good pairs the one trusting the overlap less is kept
    trusts = [9.0, *(x / 20 for x in range(20, 5, -1))] if args.trust_grid else [trust]
    if args.trust_grid:
        print("\nbest threshold per trust overlap (9.00: never trusted):")
        for each in trusts:
            t, _, refused, wrong = choose(gates, [each])
            alone = sum(g.shuts(t, each) for g in gates if not g.case.answerable)
            print(f"  trust {each:.2f}: threshold {t:.3f}, unanswerable refused {refused}, answerable refused "
                  f"{wrong}, the gate alone refuses {alone} unanswerable")
    t, tr, refused, wrong = choose(gates, trusts)
    total_u = sum(not g.case.answerable for g in gates)
    total_a = len(gates) - total_u
    now_u, now_a = counts(gates, threshold, trust)
    print(f"\nconfigured: threshold {threshold:.3f}, trust {trust:.2f}: "
          f"unanswerable refused {now_u}/{total_u}, answerable refused {now_a}/{total_a}")
    print(f"  the gate alone refuses {sum(g.shuts(threshold, trust) for g in gates if not g.case.answerable)} "
          f"unanswerable")
    print(f"chosen:     threshold {t:.3f}, trust {tr:.2f}: "
          f"unanswerable refused {refused}/{total_u}, answerable refused {wrong}/{total_a} "
          f"(at most {MAX_WRONG:.0%} of the answerable allowed); the gate alone refuses "
          f"{sum(g.shuts(t, tr) for g in gates if not g.case.answerable)} unanswerable")
    for corpus in ("shipped", "real"):
        part = [g for g in gates if g.corpus == corpus]
        u, a = counts(part, t, tr)
        print(f"  {corpus:7}: unanswerable refused {u}/{sum(not g.case.answerable for g in part)}, "
              f"answerable refused {a}/{sum(g.case.answerable for g in part)}")


if __name__ == "__main__":
    main()
