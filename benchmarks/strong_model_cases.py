"""The scripted strong model's answers: benchmarks/data/strong_model_cases.jsonl, filled in.

Each case is a staff question over the shipped corpus (most from tests/eval/dev_qa.jsonl), the
evidence strings that locate the right passages, and the answers a strong model writes once it
has searched: ``plain`` (cited sentences), ``numbers`` (the same facts with numbers reworded:
六十五岁, 百分之五, 3,000, 三分之一, 一至三个), ``list`` (一是…；二是…；三是…[@1]。 or numbered lines
under "以下六个方面："), or for a question the corpus does not answer, ``refusal``. Citations are
written ``[@i]`` (evidence i) and become ``[n]`` once the search has numbered the passages.
``split`` puts half the cases aside: the support thresholds are calibrated on ``calibration``
and the figures are reported on ``holdout`` too. The ``holdout`` figures were read while the
checks were developed; ``fresh`` cases (passages no earlier case uses) were written after that
and before they were first run.

The answers were written by hand from the passages, in the style the system prompt asks for;
they are not generated from the checks they measure.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).resolve().parent / "data" / "strong_model_cases.jsonl"
_SLOT = re.compile(r"\[@(\d)\]")
_SENTENCE = re.compile(r"[^。！？\n]+(?:[。！？]+)?(?:\[@?\d+\])*\n?|\n")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class Case:
    id: str
    split: str
    question: str
    evidence: list[str] = field(default_factory=list)
    plain: str = ""
    numbers: str = ""
    list: str = ""
    refusal: str = ""

    def styles(self) -> dict[str, str]:
        """The answer templates this case has, by style."""
        return {k: v for k, v in (("plain", self.plain), ("numbers", self.numbers), ("list", self.list)) if v}


def load_cases(split: str | None = None) -> list[Case]:
    cases = [Case(**json.loads(line)) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c for c in cases if split in (None, "all", c.split)]


def squeeze(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s|]", "", text).replace("〔", "[").replace("〕", "]")


def locate(case: Case, passages: Mapping[int, str]) -> dict[int, int] | None:
    """Evidence i → the number of the first passage that contains it; None if one is missing."""
    found: dict[int, int] = {}
    for i, evidence in enumerate(case.evidence, 1):
        n = next((n for n, text in sorted(passages.items()) if squeeze(evidence) in squeeze(text)), None)
        if n is None:
            return None
        found[i] = n
    return found


def wrong_passages(case: Case, passages: Mapping[int, str], sentence: str = "") -> list[int]:
    """The passages of the search that contain none of the case's evidence, best ranked first.

    With ``sentence``, also none that restates it (a run of 12 of its characters): where two
    chunks overlap, the other one says it too, and citing it is not wrong.
    """
    body = plain(sentence)
    runs = {body[i : i + 12] for i in range(len(body) - 11)}
    return [n for n, text in sorted(passages.items())
            if not any(squeeze(e) in squeeze(text) for e in case.evidence)
            and not any(run in squeeze(text) for run in runs)]


def fill(template: str, numbers: Mapping[int, int]) -> str:
    return _SLOT.sub(lambda m: f"[{numbers[int(m.group(1))]}]", template)


def sentences(text: str) -> list[str]:
    """The text cut after each full stop (markers stay with their sentence) and line break."""
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]


def plain(text: str) -> str:
    """Without markers and whitespace: how a sentence is recognised in a delivered answer."""
    return squeeze(re.sub(r"\[@?\d+\]", "", text))


def invent_number(sentence: str, avoid: str) -> str | None:
    """``sentence`` with its first number changed to one that is not in ``avoid`` (a passage)."""
    m = _DIGITS.search(re.sub(r"\[\d+\]", lambda x: "#" * len(x.group(0)), sentence))
    if m is None:
        return None
    value = m.group(0)
    for step in (3, 7, 11, 13, 17):
        candidate = str(int(float(value)) + step) if "." not in value else f"{float(value) + step / 10:.1f}"
        if candidate not in avoid:
            return sentence[: m.start()] + candidate + sentence[m.end() :]
    return None
