"""Names an English question spells in pinyin, read back to the corpus's own characters.

A foreign colleague writes "Xiongan", "Zhengzhou-Luoyang-Xinxiang" or "Caohejing"; the documents
write 雄安, 郑州、洛阳、新乡 and 漕河泾. No glossary can list every place, zone and park a user's
documents name, so the names are read from the corpus itself: a word spelled as a proper noun
(capitalised, or three syllables and more) is cut into pinyin syllables, and the string of the
corpus whose characters read as those syllables, in that order, is the name — the one the corpus
uses most as whole words (not "无偿实" out of 无偿实施 for "Wuchangshi"), and only if it uses it
more than once (a name recurs).

English words that happen to read as pinyin ("Guiding" → 规定) are set aside when the English
glossary knows them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property

from pypinyin import Style, pinyin

MIN_SYLLABLES = 2  # one syllable ("An", "Xi") matches too many characters to name anything
LOWERCASE_SYLLABLES = 3  # an uncapitalised word is read as a name only from this many syllables
MIN_OCCURRENCES = 2  # how often the corpus must use a string for it to be the name
MAX_SYLLABLES = 6
PLACE_SUFFIXES = frozenset("省市区县镇乡村州")  # 西安市, 雄安新区: the name, then what kind of place
WINDOW = 8  # characters of context either side when a match is checked against word boundaries

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_HAN = re.compile(r"[\u4e00-\u9fff]")


class RomanizedNames:
    """Reads pinyin names in a question back to the strings of the corpus they spell."""

    def __init__(self, texts: Iterable[str], words: Callable[[str], list[str]],
                 known_english: Iterable[str] = ()) -> None:
        """``words`` cuts text into words, every character kept (``Tokenizer.words``)."""
        self._text = "\n".join(texts)
        self._words = words
        self._known = {w.lower() for w in known_english}

    @cached_property
    def _chars_of(self) -> dict[str, str]:
        """Toneless syllable → the corpus characters that can be read so (as a regex class body)."""
        by_syllable: dict[str, set[str]] = {}
        for char in set(_HAN.findall(self._text)):
            for reading in pinyin(char, style=Style.NORMAL, heteronym=True)[0]:
                by_syllable.setdefault(reading.replace("ü", "v"), set()).add(char)
        return {s: "".join(sorted(c)) for s, c in by_syllable.items()}

    @cached_property
    def _syllables(self) -> frozenset[str]:
        """The syllables the corpus's characters read as (a word cut into others cannot match), without
        the interjections ń, hm, hng."""
        return frozenset(s for s in self._chars_of if re.search(r"[aeiouv]", s))

    def names(self, question: str) -> list[str]:
        """The corpus strings the question's pinyin names spell, in the question's order."""
        found: list[str] = []
        for m in _WORD.finditer(question):
            for part in m.group().split("-"):
                name = self._name(part)
                if name and name not in found:
                    found.append(name)
        return found

    def _name(self, word: str) -> str | None:
        plain = re.sub(r"['’]", "", word).lower()
        if plain in self._known or not plain.isascii():
            return None
        splits = [s for s in self._splits(plain) if MIN_SYLLABLES <= len(s) <= MAX_SYLLABLES]
        if not word[:1].isupper():
            splits = [s for s in splits if len(s) >= LOWERCASE_SYLLABLES]
        counts: Counter[str] = Counter()
        for syllables in splits:
            classes = [self._chars_of.get(s) for s in syllables]
            if not all(classes):
                continue
            pattern = "".join(f"[{c}]" for c in classes if c)
            counts.update(m.group() for m in re.finditer(pattern, self._text) if self._whole(m.start(), m.end()))
        if not counts:
            return None
        name, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        return name if n >= MIN_OCCURRENCES else None

    def _whole(self, start: int, end: int) -> bool:
        """The match starts and ends between words of its context, not inside one (a place's own
        suffix may follow it in the same word: 西安市)."""
        left = max(0, start - WINDOW)
        cuts, at = {0}, 0
        for word in self._words(self._text[left:end + WINDOW]):
            at += len(word)
            cuts.add(at)
        ends = end - left in cuts or self._text[end:end + 1] in PLACE_SUFFIXES
        return start - left in cuts and ends

    def _splits(self, word: str) -> list[list[str]]:
        """Every way to cut a word into pinyin syllables ("xian" → xi·an and xian)."""
        out: list[list[str]] = []

        def walk(rest: str, acc: list[str]) -> None:
            if not rest:
                out.append(list(acc))
                return
            if len(acc) >= MAX_SYLLABLES:
                return
            for end in range(min(len(rest), 6), 0, -1):
                head = rest[:end]
                if head in self._syllables:
                    acc.append(head)
                    walk(rest[end:], acc)
                    acc.pop()

        walk(word, [])
        return out
