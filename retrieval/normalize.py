"""Query normalisation: make a question typed in chat look like the documents' wording.

Steps, in order:
1. width and case: full-width letters, digits and punctuation → half-width (NFKC), lower case;
2. traditional → simplified Chinese (OpenCC t2s);
3. 文号 brackets: 国发[2020]7号, 国发【2020】7号, 国发(2020)7号, 国发［2020］7 号 → 国发〔2020〕7号;
4. synonyms and abbreviations from `config/retrieval/synonyms.yaml` (sections `synonyms` and
   `english`, an English → Chinese glossary): when a variant (高企, 专利质押, 老外, work permit …)
   occurs and its canonical wording does not, the canonical wording is appended.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Literal

import yaml
from opencc import OpenCC
from pydantic import BaseModel

from retrieval.docnumbers import DOC_NUMBER, find_doc_numbers, normalize_doc_number  # noqa: F401  (re-exported)
from retrieval.tokenize import CONFIG_DIR

DEFAULT_SYNONYMS = CONFIG_DIR / "synonyms.yaml"

_SPACES = re.compile(r"\s+")


class NormalizedQuery(BaseModel):
    original: str
    text: str  # normalised question, no expansions
    expansions: list[str] = []  # canonical terms appended from the synonym table
    bridged: list[str] = []  # the corpus's words for an English question's words (retrieval/bridge.py)
    doc_numbers: list[str] = []  # 文号 found in the question, canonical 〔〕 form

    @property
    def expanded(self) -> str:
        """Question plus appended canonical and bridged terms: what keyword search and sentence picking see."""
        return " ".join([self.text, *self.expansions, *self.bridged])

    @property
    def glossed(self) -> str:
        """Question plus the synonym table's terms only: the dense query and what the coverage signal judges
        (both calibrated without the bridge's words)."""
        return " ".join([self.text, *self.expansions])


def load_synonyms(path: Path | None = DEFAULT_SYNONYMS, sections: tuple[str, ...] = ("synonyms", "english")
                  ) -> dict[str, list[str]]:
    if path is None:
        return {}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    merged: dict[str, list[str]] = {}
    for section in sections:
        for key, variants in (data.get(section) or {}).items():
            merged.setdefault(str(key), []).extend(str(v) for v in (variants or []))
    return merged


class QueryNormalizer:
    """Normalises questions; build once (loads OpenCC and the synonym table) and reuse."""

    def __init__(self, synonyms: dict[str, list[str]] | None = None) -> None:
        self._t2s = OpenCC("t2s")
        table = load_synonyms() if synonyms is None else synonyms
        self._rules: list[tuple[str, re.Pattern[str]]] = []
        for canonical, variants in table.items():
            alts = sorted({self._fold(v) for v in variants if v.strip()}, key=len, reverse=True)
            if alts:
                self._rules.append((self._fold(canonical), re.compile("|".join(_variant_re(v) for v in alts))))

    @staticmethod
    def _fold(text: str) -> str:
        return unicodedata.normalize("NFKC", text).lower().strip()

    def normalize(self, query: str) -> NormalizedQuery:
        text = self._fold(query)
        text = self._t2s.convert(text)
        text = _SPACES.sub(" ", normalize_doc_number(text)).strip()
        expansions = []
        for canonical, pattern in self._rules:
            if canonical not in text and canonical not in expansions and pattern.search(text):
                expansions.append(canonical)
        doc_numbers = find_doc_numbers(text)
        return NormalizedQuery(original=query, text=text, expansions=expansions, doc_numbers=doc_numbers)

    __call__ = normalize


def detect_language(text: str) -> Literal["zh", "en"]:
    """"en" for a question written in English (Latin letters outnumber Han characters three to one)."""
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "en" if latin > 3 * han and latin >= 4 else "zh"


def _variant_re(variant: str) -> str:
    escaped = re.escape(variant)
    if re.fullmatch(r"[0-9a-z&\- ]+", variant):  # English: whole words only, a plural of the last one too
        plural = "(?:s|es)?" if variant[-1].isalpha() else ""
        return rf"(?<![0-9a-z]){escaped}{plural}(?![0-9a-z])"
    return escaped
