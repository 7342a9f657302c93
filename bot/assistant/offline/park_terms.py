"""What a park question names besides the park: the primary indicator in question, the year, and
a park or category that does not exist.

The rules are data (``park_terms`` in config/assistant/intents.yaml); this module applies them to
a normalised message:

- ``primary``: "国际化得分为什么低" → "3" (aliases of the 附2 primaries);
- ``year``: "今年" → the latest year of the data (said so in the answer), "2022年" → 2022;
- ``unknown_park``: an id of the cohort's shape that is not in the cohort ("SYN-999": the
  cohort's ids are SYN-001 …), or a name ending in a park suffix ("长江高新区") that the cohort
  does not have: the answer says there is no such park and shows real ids, instead of
  searching the documents for it;
- ``unknown_category``: "国际一流示范园区" where a 附1 category is expected: the answer lists
  the categories there are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from bot.assistant.normalize import normalize_message
from bot.assistant.types import ParkRef


class Mentions(BaseModel):
    """How a name of a park or a category is found when it is not one the data has."""

    suffixes: list[str] = Field(description="What such a name ends with (高新区, 园区 …)")
    cut: str = Field(default="", description="Characters a name never contains: the name starts after the last one")
    cut_words: list[str] = Field(default_factory=list, description="Words a name never contains (够得上, 评上 …)")
    not_names: list[str] = Field(default_factory=list, description="What is not a name (国家, 我们, 三类 …)")
    max_chars: int = 8


class ParkTermsConfig(BaseModel):
    primaries: dict[str, list[str]] = Field(default_factory=dict, description="附2 primary code → how people name it")
    latest_year: list[str] = Field(default_factory=list, description="Words for the latest year of the data (今年)")
    park_names: Mentions | None = None
    category_names: Mentions | None = None
    category_asked: str = Field(default="", description="What follows a category's name when its targets are asked")
    asks_which: str = Field(default="", description="A question that asks which indicators (哪些, 哪几项 …)")
    asks_system: str = Field(default="", description="A question about the indicator system as a whole")


_YEAR = re.compile(r"(?<![\d〔\[［-])((?:19|20)\d\d)\s*年(?!\d)|\b(?:in|for) ((?:19|20)\d\d)\b")


class ParkTerms:
    """Applies ``ParkTermsConfig`` to normalised messages; knows the cohort's park ids."""

    def __init__(self, config: ParkTermsConfig, parks: Sequence[ParkRef] = (), category_aliases: Sequence[str] = ()) -> None:
        self.config = config
        self._primaries = sorted(
            ((normalize_message(a), code) for code, aliases in config.primaries.items() for a in aliases),
            key=lambda a: -len(a[0]))
        self._latest = [normalize_message(w) for w in config.latest_year]
        ids = {p.park_id.lower() for p in parks}
        self._ids = ids
        shapes = sorted({re.sub(r"\d+", r"\\d+", re.escape(i)) for i in ids})
        self._id_shape = re.compile(rf"(?<![0-9a-z_-])(?:{'|'.join(shapes)})(?![0-9a-z_-])") if shapes else None
        self._category_aliases = {normalize_message(a) for a in category_aliases}
        self._category_asked = re.compile(config.category_asked) if config.category_asked else None
        self._asks_which = re.compile(config.asks_which) if config.asks_which else None
        self._asks_system = re.compile(config.asks_system) if config.asks_system else None

    def asks_which(self, text: str) -> bool:
        """The message asks which indicators ("哪些指标靠调查打分")."""
        return bool(self._asks_which and self._asks_which.search(text))

    def asks_system(self, text: str) -> bool:
        """The message asks about the indicator system as a whole ("有几个一级指标，各占多少权重")."""
        return bool(self._asks_system and self._asks_system.search(text))

    def primary(self, text: str) -> str | None:
        """The 附2 primary the message names ("国际化" → "3"), longest alias first."""
        for alias, code in self._primaries:
            if alias and alias in text:
                return code
        return None

    def year(self, text: str) -> int | Literal["latest"] | None:
        """"latest" for 今年 / this year, a year written in the message (2022年), else None."""
        if any(w and w in text for w in self._latest):
            return "latest"
        m = _YEAR.search(text)
        return int(m.group(1) or m.group(2)) if m else None

    def unknown_park_id(self, text: str) -> str | None:
        """An id shaped like the cohort's ids that is not one of them ("SYN-999")."""
        if self._id_shape is None:
            return None
        for m in self._id_shape.finditer(text):
            if m.group(0) not in self._ids:
                return m.group(0).upper()
        return None

    def unknown_park_name(self, text: str) -> str | None:
        """A park's name the cohort does not have ("长江高新区"); None for 国家高新区, 我们园区 …."""
        mention = self._mention(text, self.config.park_names)
        return mention[0] if mention else None

    def unknown_category(self, text: str) -> str | None:
        """A category's name that is not a 附1 category, where a category is expected: after a word
        that asks for one ("够得上国际一流示范园区", "评上创新型示范园区") or before its targets
        ("智慧园区要达到哪些指标"); not "给示例园区打分"."""
        mention = self._mention(text, self.config.category_names)
        if mention is None:
            return None
        name, end, after_cut_word = mention
        if normalize_message(name) in self._category_aliases:
            return None
        asked = bool(self._category_asked and self._category_asked.match(text[end:]))
        return name if asked or after_cut_word else None

    def _mention(self, text: str, rule: Mentions | None) -> tuple[str, int, bool] | None:
        """(name, where it ends, whether one of ``cut_words`` came before it)."""
        if rule is None:
            return None
        suffixes = "|".join(re.escape(s) for s in sorted(rule.suffixes, key=len, reverse=True))
        for m in re.finditer(rf"([\u4e00-\u9fff]{{0,{rule.max_chars + 6}}}?)({suffixes})", text):
            name = m.group(1)
            after_cut_word = False
            for word in rule.cut_words:
                if word in name:
                    name = name[name.rindex(word) + len(word):]
                    after_cut_word = True
            cuts = [i for i, ch in enumerate(name) if ch in rule.cut]
            if cuts:
                name = name[cuts[-1] + 1:]
            name = name[-rule.max_chars:]
            if len(name) < 2 or name in rule.not_names:
                continue
            return name + m.group(2), m.end(), after_cut_word
        return None
