"""What a policy question asks, read before it is answered (rules: config/assistant/question.yaml).

:class:`QuestionReader` turns a message into a :class:`Question`: the kinds of fact it asks for
(an amount, a day, criteria … — ``answer_kinds``), the detail it asks about and what that detail
belongs to ("高新区管委会的**编制**有多少人": focus 编制, topic 管委会), a year whose figures it asks
for, the provinces and cities it names and in which role (their own rules, or rules that apply
there), whether it asks about a document's own metadata (文号, dates, issuer, status), and
whether it is a yes/no or a list question. A follow-up ("那居留许可呢？") keeps the year and the
places of the question it follows unless it names its own.

The reader only reads: retrieval names the documents a question refers to (``named_docs`` of a
search), and ``evidence.py`` checks the quoted sentences against the question.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, model_validator

from bot.assistant.config_files import assistant_config, load_yaml_model
from bot.assistant.normalize import normalize_message
from bot.assistant.numbers import CN_BIG, cn_to_int, count_of
from retrieval.normalize import detect_language

Language = Literal["zh", "en"]
MetadataField = Literal["doc_number", "date", "effective_date", "issuer", "title", "status", "jurisdiction",
                        "recipients"]
# the order fields are looked for: "什么时候开始施行" asks the effective date, not the issue date
METADATA_ORDER: tuple[MetadataField, ...] = ("effective_date", "date", "issuer", "doc_number", "title", "status",
                                             "jurisdiction", "recipients")


# -- the rules file -------------------------------------------------------------------------------


class AnswerKindRule(BaseModel):
    """A kind of answer (money, a day, a period …): see ``answer_kinds`` in question.yaml."""

    cues: list[str]
    evidence: str
    label: str = ""
    label_en: str = ""
    refuse: bool = True
    subject: bool = False
    compares: bool = Field(default=False, description="A comparison (哪个更长): also given by two sentences stating "
                           "figures of another kind the message asks for, which the reader compares")
    narrows: list[str] = Field(default_factory=list, description="Wider kinds this one asks more precisely: "
                               "not asked when this one is")


class FocusRules(BaseModel):
    patterns: list[str]
    attributes: list[str] = Field(default_factory=list)
    fillers: list[str] = Field(default_factory=list)
    generic: list[str] = Field(default_factory=list)
    unparticular: str = Field(default="", description="Words that name nothing whatever the question: question "
                              "words (干什么, 多少), a demonstrative with its classifier (这件, 那种)")
    premise: str | None = Field(default=None, description="A question that states what it knows, then asks "
                                "about something else (groups premise, ask)")
    figure: str | None = Field(default=None, description="A figure with its unit (groups number, unit): one the "
                               "premise states is what the asker knows; the answer is another of that unit")
    asker: str = Field(default="", description="A clause in which the asker says who they are (我们厂做燃气热水器的): "
                       "their situation, not what is asked about")
    asking: str | None = Field(default=None, description="What makes a clause of a question ask something "
                               "(多少, 吗, 给不给 …): an attribute read in another clause is the asker's context")


class YearRules(BaseModel):
    question: str
    statistic: str


class PlaceRules(BaseModel):
    provinces: dict[str, list[str]]
    cities: dict[str, list[str]] = Field(description="city: [its province, names…]")
    english: dict[str, list[str]] = Field(default_factory=dict, description="place: English names")
    issuer_after: str
    issuer_after_en: str = ""
    issuer_title: str = ""
    zone: str = Field(default="", description="A zone named in a question (郑洛新自创区), group `zone`")
    zone_generic: list[str] = Field(default_factory=list, description="Words before a kind of zone that name none")
    more_cities: str = Field(default="", description="A CSV in config/assistant (adcode, city, province, level) of "
                                                     "further cities, read by their full name only (乐清市, not 乐清)")

    @model_validator(mode="after")
    def _read_more_cities(self) -> PlaceRules:
        if not self.more_cities:
            return self
        path = assistant_config(self.more_cities)
        if not path.is_file():
            raise ValueError(f"places.more_cities names {path}, which does not exist: restore it or remove the setting")
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                self.cities.setdefault(row["city"], [row["province"]])  # the cities listed above keep their names
        return self


class PolarRules(BaseModel):
    question: str
    grant: str
    forbid: str
    yes_no: str = Field(default="", description="Other questions answered yes or no (English \"Does…\"): a "
                        "figure they offer must be stated")


class RefusalRules(BaseModel):
    """When the offline answer refuses (``PolicyComposer.enough``); benchmarks/refusal_calibration.py
    measures them with the coverage threshold (config/retrieval/search.toml) on the tune questions."""

    min_overlap: float = Field(default=0.12, description="Below this share of the question's weighted "
                               "terms in the best sentence the answer is refused")
    trust_reach: float = Field(default=0.15, description="From this share of all the question's weighted terms "
                               "(those no retrieved sentence holds included) the best sentence answers even when "
                               "the coverage signal says the corpus does not cover the question")


class QuestionConfig(BaseModel):
    answer_kinds: dict[str, AnswerKindRule]
    focus: FocusRules
    years: YearRules
    places: PlaceRules
    metadata: dict[MetadataField, list[str]]
    polar: PolarRules
    listing: str
    listed: str = Field(default="", description="The things a list question asks for (哪几项【火炬工程】), group `item`")
    listed_count: str = Field(default="", description="How many things a list question says there are (五个方面, "
                              "the four areas), group `count`")
    choice: str = ""
    several: str = Field(default="", description="Words that ask one detail of several things at once (分别, 各自, "
                         "respectively); several questions in one message need no such word")
    exception: str = Field(default="", description="A sentence qualifying the rule before it (但…除外, 不予公示)")
    definition: str = Field(default="", description="A sentence defining a term (本条例所称重复侵权，是指…): groups "
                            "`term` and `meaning`")
    delegation: str = Field(default="", description="A clause that leaves the detail to another rule "
                            "(按照国家有关规定执行, 由省级人民政府规定) or its timing open (应当及时备案)")
    delegation_local: str = Field(default="", description="Who a delegation names that makes it a place's own rule "
                                  "(省, 自治区, 直辖市人民政府)")
    refusal: RefusalRules = Field(default_factory=RefusalRules)
    exclusive: dict[str, list[str]] = Field(
        default_factory=dict, description="Kinds of thing whose members exclude each other (taxes, patent kinds): "
                                          "a clause naming only another member does not answer for one")

    @model_validator(mode="after")
    def _narrowed_kinds_exist(self) -> QuestionConfig:
        for name, rule in self.answer_kinds.items():
            unknown = [wide for wide in rule.narrows if wide not in self.answer_kinds]
            if unknown:
                raise ValueError(f"answer_kinds.{name}.narrows names no answer kind: {', '.join(unknown)}")
        return self

    @classmethod
    def load(cls, path: Path | None = None) -> QuestionConfig:
        return load_yaml_model(cls, path or assistant_config("question.yaml"), "invalid question rules")


# -- what a question asks -------------------------------------------------------------------------


class Place(BaseModel):
    """A province or city a question names; ``role`` says what is asked of it."""

    name: str = Field(description="As documents' jurisdiction names it: 广东省, 青岛市")
    level: Literal["province", "city"]
    province: str = Field(description="The province itself, or the city's province")
    role: Literal["issuer", "location"] = Field(
        description="issuer: the place's own rules are asked for; location: rules that apply there (national too)")


class Question(BaseModel):
    """A policy question as the composer needs it."""

    text: str = Field(description="The message, normalised")
    language: Language = "zh"
    kinds: list[str] = Field(default_factory=list, description="Answer kinds asked for (answer_kinds names)")
    focus: list[str] = Field(default_factory=list, description="Words one of which a quoted sentence must hold")
    focus_label: str = Field(default="", description="The detail as the user wrote it: 编制, 认定标准")
    topic: list[str] = Field(default_factory=list, description="Words of what the detail belongs to (one must be with it)")
    topic_label: str = ""
    focus_heads: list[str] = Field(default_factory=list, description="A word of the focus one of whose wordings "
                                   "must be there: 奖励申报 → 申报; 增速 → 增速, 增长幅度")
    asked_noun: str = Field(default="", description="What the wh-word asks for: 什么条件 → 条件")
    year: int | None = Field(default=None, description="The year whose figures are asked for")
    places: list[Place] = Field(default_factory=list)
    zones: list[str] = Field(default_factory=list, description="What may name a zone (郑洛新自创区 → 郑洛新, 洛新 …), "
                             "longest first: one a found document's title names is the zone asked about")
    metadata: list[MetadataField] = Field(default_factory=list, description="Metadata of a document asked for")
    options: list[str] = Field(default_factory=list, description="Answers the question offers: 是75%还是100%")
    polar: bool = Field(default=False, description="A permission question: can / may …?")
    listing: bool = Field(default=False, description="Asks for a list (哪些, 哪几)")
    listed_item: str = Field(default="", description="What the list is of: 哪几项火炬工程 → 火炬工程")
    listed_count: int | None = Field(default=None, description="How many things the list question says there are: "
                                     "the four areas → 4")
    inherited: list[str] = Field(default_factory=list, description="Constraints kept from the previous question")
    asks: list[str] = Field(default_factory=list, description="The message's questions, each asking its own kind "
                            "(\"资助多少万？资助期是几年？\"): one when the message asks one question")
    asker_clauses: list[str] = Field(default_factory=list, description="Clauses in which the asker says who they "
                                     "are (我们厂做燃气热水器的): their situation, not what is asked about")
    several: bool = Field(default=False, description="Several things asked at once: several questions, or one "
                          "asked of each of several (分别, 各自)")
    ask: str = Field(default="", description="After a premise (\"股权奖励可以缓交，那现金奖励呢\"), what is asked")
    known_figures: list[tuple[float, str]] = Field(
        default_factory=list, description="Figures the premise states (个人最多5件 → (5, 件)): the ask wants another "
                                          "figure of the same unit")

    @property
    def english(self) -> bool:
        return self.language == "en"

    @property
    def detail(self) -> str:
        """The asked detail, for a sentence saying it is not stated: 瞪羚企业的认定标准, 加速器的入驻企业条件."""
        focus = self.focus_label
        if self.asked_noun and self.asked_noun not in focus and self.language == "zh":
            focus += self.asked_noun
        if focus and self.topic_label:
            return f"{self.topic_label}的{focus}"
        return focus


@dataclass
class _Alias:
    text: str
    place: str
    level: Literal["province", "city"]
    province: str
    english: bool = False


@dataclass
class QuestionReader:
    """Reads questions with the rules of question.yaml, the retrieval tokenizer and its glossary.

    ``glossary`` maps a canonical (documents') word to the variants people type, English included
    (config/retrieval/synonyms.yaml): a focus word in the user's wording is looked for in the
    documents' wording too.
    """

    config: QuestionConfig
    tokenize: Callable[[str], list[str]]
    glossary: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        c = self.config
        self._kinds = {name: [re.compile(p) for p in rule.cues] for name, rule in c.answer_kinds.items()}
        self._focus = [re.compile(p) for p in c.focus.patterns]
        self._attributes = [re.compile(p) for p in c.focus.attributes]
        self._premise = re.compile(c.focus.premise) if c.focus.premise else None
        self._figure = re.compile(c.focus.figure) if c.focus.figure else None
        self._asking = re.compile(c.focus.asking) if c.focus.asking else None
        self._fillers = sorted({normalize_message(f) for f in c.focus.fillers}, key=len, reverse=True)
        self._generic = {normalize_message(g) for g in c.focus.generic}
        self._unparticular = re.compile(c.focus.unparticular) if c.focus.unparticular else None
        self._year = re.compile(c.years.question)
        self._metadata = {f: [re.compile(p) for p in c.metadata.get(f, [])] for f in METADATA_ORDER}
        self._polar = re.compile(c.polar.question)
        self._yes_no = re.compile(c.polar.yes_no) if c.polar.yes_no else None
        self._listing = re.compile(c.listing)
        self._listed = re.compile(c.listed) if c.listed else None
        self._listed_count = re.compile(c.listed_count) if c.listed_count else None
        self._choice = re.compile(c.choice) if c.choice else None
        self._several = re.compile(c.several) if c.several else None
        self._asker = re.compile(c.focus.asker) if c.focus.asker else None
        self._definition = re.compile(c.definition) if c.definition else None
        self._issuer_after = re.compile(c.places.issuer_after)
        self._issuer_after_en = re.compile(c.places.issuer_after_en) if c.places.issuer_after_en else None
        self._issuer_title = re.compile(c.places.issuer_title) if c.places.issuer_title else None
        self._zone = re.compile(c.places.zone) if c.places.zone else None
        self._zone_generic = {normalize_message(w) for w in c.places.zone_generic}
        aliases: list[_Alias] = []
        for name, names in c.places.provinces.items():
            for a in {name, *names}:
                aliases.append(_Alias(normalize_message(a), name, "province", name))
        for name, (province, *names) in c.places.cities.items():
            for a in {name, *names}:
                aliases.append(_Alias(normalize_message(a), name, "city", province))
        levels = {a.place: (a.level, a.province) for a in aliases}
        for name, names in c.places.english.items():
            level, province = levels.get(name, ("province", name))
            aliases += [_Alias(normalize_message(n), name, level, province, english=True) for n in names]
        self._aliases = sorted(aliases, key=lambda a: -len(a.text))
        self._place_names = {a.text for a in aliases}
        # one pass over the question for some 700 names: each script's names in one pattern, longest first
        # (青岛市 before 青岛), an English name as a whole word
        self._alias_of: dict[tuple[bool, str], _Alias] = {}
        for alias in self._aliases:
            if alias.text:
                self._alias_of.setdefault((alias.english, alias.text), alias)
        zh = "|".join(re.escape(text) for english, text in self._alias_of if not english)
        en = "|".join(re.escape(text) for english, text in self._alias_of if english)
        self._place_patterns = [(False, re.compile(zh or r"(?!)")),
                                (True, re.compile(rf"(?<![a-z])(?:{en})(?![a-z])" if en else r"(?!)"))]
        # variant (as typed) → the documents' words; both directions for Chinese variants
        self._variants: dict[str, set[str]] = {}
        for canonical, variants in self.glossary.items():
            key = normalize_message(canonical)
            for v in variants:
                v = normalize_message(v)
                self._variants.setdefault(v, set()).add(key)
                if not _is_latin(v):
                    self._variants.setdefault(key, set()).add(v)

    # -- reading -------------------------------------------------------------------------------

    def read(self, message: str, previous: str | None = None, *, language: Language | None = None) -> Question:
        """The question ``message`` asks; a follow-up of ``previous`` keeps its year and places."""
        text = normalize_message(message)
        lang: Language = language or detect_language(message)
        q = Question(text=text, language=lang)
        # what a message of several sentences asks is in its questions: "…ignored the deadline to fix this.
        # What fine can it get?" asks for no deadline
        asked = " ".join(p for p in _SENTENCE_END.split(text) if re.search(r"[？?]", p)) or text
        asked = "".join(_yes_or_no(p) for p in re.split(r"(?<=[？?])", asked))
        asked = _FREE_CHOICE.sub(r"\1某", asked)  # "随便哪天交都行" asks for no day: any day
        kinds = [name for name, cues in self._kinds.items() if any(c.search(asked) for c in cues)]
        narrowed = {wide for name in kinds for wide in self.config.answer_kinds[name].narrows}
        q.kinds = [name for name in kinds if name not in narrowed]
        q.metadata = [f for f in METADATA_ORDER if any(p.search(text) for p in self._metadata[f])]
        q.polar = bool(self._polar.search(text))
        q.listing = bool(self._listing.search(text))
        q.asks = [part for part in re.split(r"[？?]", text) if part.strip()] or [text]
        q.several = len(q.asks) > 1 or bool(self._several and self._several.search(text))
        q.asker_clauses = [c for c in clauses(text) if self._asker and self._asker.match(c)]
        listed = self._listed.search(text) if self._listed and q.listing else None
        q.listed_item = listed.group("item") if listed else ""
        counted = self._listed_count.search(text) if self._listed_count and q.listing else None
        q.listed_count = count_of(counted.group("count")) if counted else None
        premise = self._premise.search(text) if self._premise is not None else None
        q.ask = premise.group("ask") if premise is not None else ""
        self._read_focus(q, premise)
        self._read_known(q, premise)
        self._read_choice(q)
        q.year = self._read_year(text)
        q.places = self.places(text)
        q.zones = self.zones(text)
        if previous:
            before = self.read(previous, language=lang)
            if q.year is None and before.year is not None:
                q.year, q.inherited = before.year, [*q.inherited, "year"]
            if not q.places and before.places:
                q.places, q.inherited = before.places, [*q.inherited, "places"]
        return q

    def _read_focus(self, q: Question, premise: re.Match[str] | None) -> None:
        for pattern in self._focus:
            m = pattern.search(q.text)
            if m is None:
                continue
            focus = self._strip(m.group("focus"))
            topic = self._strip(m.groupdict().get("topic") or "")
            # "实施方案要在(什么时候)": the detail is what comes before the predicate
            words = self.words(_PREDICATE.split(focus)[0])
            if not words:
                continue
            q.focus_label, q.focus = focus, self._not_known(words, premise)
            q.topic_label, q.topic = topic, self.words(topic)
            noun = _ASKED_NOUN.search(q.text[m.end() - 4:])
            q.asked_noun = noun.group(1) if noun else ""
            return
        asking = self._asking_clauses(q.text)
        for pattern in self._attributes:
            # "基金项目资助到期了，结题材料多久内要报": the 资助 the asker's context names is not the detail asked
            m = next((m for m in pattern.finditer(q.text)
                      if asking is None or any(a <= m.start("focus") < b for a, b in asking)), None)
            if m is None:
                continue
            focus = self._strip(m.group("focus"))
            words = self.words(focus)
            if words:
                q.focus_label, q.focus = focus, self._not_known(words, premise)
                # the longest word ending the phrase: 工作许可, not 许可 (居留许可 is another permit), with the
                # documents' wording of it; none when the phrase was cut inside a word ("…把发奖这件事办起|来")
                end = m.end("focus")
                cut = end == m.end() and end < len(q.text) and bool(_WORD_GOES_ON.match(q.text, end))
                head = "" if cut else max((w for w in words if len(w) >= 2 and focus.endswith(w)), key=len, default="")
                head = head if head in q.focus else ""
                q.focus_heads = [head, *sorted(self._variants.get(head, ()))] if head else []
                return
        # "个人月收入低于3500元可以减缴，那个体工商户要满足什么标准": what the question says it knows is not
        # what it asks; the detail is what the ask names that the premise does not
        if premise is not None:
            ask = self._strip(premise.group("ask"))
            words = self._not_known(self.words(ask), premise, keep=False)
            if words:
                q.focus_label, q.focus = ask, words

    def _not_known(self, words: list[str], premise: re.Match[str] | None, *, keep: bool = True) -> list[str]:
        """The words of a detail that the premise does not hold: "作出奖励决定后10个工作日内通知举报人，那…多少天内把
        奖金打到举报人卡上" asks about the 奖金, the 举报人 being the premise's. With ``keep``, all of them when the
        premise holds every one (the ask restates its subject)."""
        if premise is None:
            return words
        known = set(self.words(premise.group("premise")))
        new = [w for w in words if w not in known and not any(w in k or k in w for k in known)]
        return new or (words if keep else [])

    def _asking_clauses(self, text: str) -> list[tuple[int, int]] | None:
        """The spans of the clauses of a question of several clauses that ask (hold 多少, 吗, 给不给 … or end
        with a question mark); None when every clause may hold the detail asked (one clause, or none asks)."""
        if self._asking is None:
            return None
        clauses = [(m.start(), m.end()) for m in re.finditer(r"[^，,；;。？?！!]+[？?]?", text)]
        asking = [(a, b) for a, b in clauses if text[b - 1] in "？?" or self._asking.search(text[a:b])]
        return asking if len(clauses) > 1 and asking else None

    def _read_known(self, q: Question, m: re.Match[str] | None) -> None:
        """"个人一年最多资助5件，那企业最多多少件": 5件 is known; the answer is a number of 件 other than 5. So is
        a figure of the unit the question asks for ("那12.49平方公里里，高新技术产业用地有多少平方公里")."""
        if self._figure is None:
            return
        stated, ask = (m.group("premise"), m.group("ask")) if m is not None else (q.text, q.text)
        known = unique(figure for f in self._figure.finditer(stated) if (figure := read_figure(f)) is not None)
        named = [(value, unit) for value, unit in known if re.search(f"(?:多少|几)个?{re.escape(unit)}", ask)]
        q.known_figures = named or (known if m is not None else [])  # 一年…5件，那…多少件: the 件 are known
        if q.known_figures and m is not None and not q.focus_label:
            q.focus_label = self._strip(m.group("ask"))  # what a refusal says is not stated

    def _read_choice(self, q: Question) -> None:
        m = self._choice.search(q.text) if self._choice is not None else None
        if m is None:
            # a yes/no on a rate the question states ("能按175%扣除吗"): the rate is what must be stated
            if q.polar or (self._yes_no is not None and self._yes_no.search(q.text)):
                q.options = _PERCENT.findall(q.text)
            return
        q.options = [re.sub(r"(?:出来|起来)?的$|了$", "", m.group(g).strip()) or m.group(g).strip() for g in "ab"]
        if not q.focus:
            focus = self._strip(m.group("focus"))
            q.focus_label, q.focus = focus, self.words(focus)

    def _strip(self, phrase: str) -> str:
        """The phrase without filler words at its ends ("科技经费不能低于" → "科技经费")."""
        phrase = re.sub(r"\s+", " ", phrase).strip(" “”\"'")
        changed = True
        while changed and phrase:
            changed = False
            for filler in self._fillers:
                if _is_latin(filler):
                    continue
                if phrase.endswith(filler) and len(phrase) > len(filler):
                    phrase, changed = phrase[: -len(filler)], True
                elif phrase.startswith(filler) and len(phrase) > len(filler):
                    phrase, changed = phrase[len(filler):], True
        return phrase.strip(" “”\"'")

    def described(self, question: str, text: str) -> tuple[str, str] | None:
        """The term a passage defines by the words the question uses instead of it, and the question with the
        term for its description: "…被认定侵犯了别人的专利，过后又去侵犯同一个专利，被查处的话罚多少钱" describes what
        "本条例所称的重复侵权，是指…再次侵犯同一专利权的行为" names 重复侵权 ("重复侵权 被查处的话罚多少钱"), and the rule on
        it is written with that term. At least ``DESCRIBED_WORDS`` of the question's words must be in the meaning,
        and the term not in the question; a clause is part of the description when two of its words are, and some
        clause must be left to ask something of it."""
        if self._definition is None:
            return None
        question = normalize_message(question)
        asked = set(self.words(question))
        for m in self._definition.finditer(normalize_message(text)):
            term, meaning = m.group("term"), m.group("meaning")
            if term in question or sum(w in meaning for w in asked) < DESCRIBED_WORDS:
                continue
            rest = [c for c in re.split(r"(?<=[，,；;？?。])", question)
                    if c.strip() and sum(w in meaning for w in set(self.words(c))) < 2]
            if rest:  # something is asked of the thing described, not what the definition itself says
                return term, f"{term} {''.join(rest)}"
        return None

    def words(self, phrase: str) -> list[str]:
        """The words of a phrase that name something particular, with the documents' wording of each."""
        if not phrase:
            return []
        if _is_latin(phrase):
            found: list[str] = []
            rest = f" {phrase} "
            for variant in sorted((v for v in self._variants if _is_latin(v)), key=len, reverse=True):
                plural = "(?:s|es)?" if variant[-1].isalpha() else ""  # as retrieval reads the glossary
                pattern = rf"(?<![a-z0-9]){re.escape(variant)}{plural}(?![a-z0-9])"
                if re.search(pattern, rest):
                    found += sorted(self._variants[variant])
                    rest = re.sub(pattern, " ", rest)  # "staff positions" is not also "staff"
            return unique(w for w in found if w not in self._generic)
        out: list[str] = []
        for variant, canonicals in self._variants.items():  # 自创区 → 自主创新示范区, however it is cut
            if len(variant) >= 2 and not _is_latin(variant) and variant in phrase and variant not in self._generic:
                out += [variant, *sorted(c for c in canonicals if c not in self._generic)]
        generic_here = [g for g in self._generic if len(g) >= 2 and g in phrase]
        places_here = [m.group() for english, pattern in self._place_patterns if not english
                       for m in pattern.finditer(phrase)]
        for token in self.tokenize(phrase):
            token = token.strip()
            if (len(token) < 2 or token in self._generic or token in self._fillers
                    or re.fullmatch(r"[\d.%年]+", token) or _COUNTED.fullmatch(token)
                    or (self._unparticular is not None and self._unparticular.search(token))
                    or any(token in g for g in generic_here)  # 高新 of 国家高新区
                    or token in self._place_names or any(token in p for p in places_here)):  # 州市 of 杭州市
                continue
            out += [token, *sorted(v for v in self._variants.get(token, ()) if v not in self._generic)]
        return unique(out)

    def _read_year(self, text: str) -> int | None:
        for m in self._year.finditer(text):
            value = m.group(1) or m.group(2)
            if value:
                return int(value)
        return None

    def zones(self, text: str) -> list[str]:
        """The ends (two characters or more) of the words before each kind of zone the text names, longest
        first, without generic words and places read as such: "企业搬到雄安新区" → 搬到雄安, 到雄安, 雄安."""
        if self._zone is None:
            return []
        out: set[str] = set()
        for m in self._zone.finditer(text):
            word = m.group("zone")
            out |= {word[i:] for i in range(len(word) - 1)}
        return sorted((z for z in out if z not in self._zone_generic and z not in self._place_names),
                      key=lambda z: (-len(z), z))

    def places(self, text: str) -> list[Place]:
        """Provinces and cities ``text`` names, each once, with the role the wording gives it."""
        found: dict[str, Place] = {}
        for english, pattern in self._place_patterns:
            for m in pattern.finditer(text):  # a name is read once, the longest: 青岛市 is not also 青岛
                alias = self._alias_of[(english, m.group())]
                after = text[m.end():]
                issuer = bool(self._issuer_after.search(after)) or bool(
                    self._issuer_title and self._issuer_title.search(after)) or bool(
                    alias.english and self._issuer_after_en and self._issuer_after_en.search(after))
                role: Literal["issuer", "location"] = "issuer" if issuer else "location"
                known = found.get(alias.place)
                if known is None or (role == "issuer" and known.role != "issuer"):
                    found[alias.place] = Place(name=alias.place, level=alias.level, province=alias.province, role=role)
        return list(found.values())

    def without_places(self, text: str, places: Sequence[Place]) -> str:
        """``text`` without the names of ``places`` (a scope the search filters, not words to match)."""
        names = [a.text for a in self._aliases if a.place in {p.name for p in places}]
        for name in names:
            text = re.sub(re.escape(name) + r"(?:省|市|自治区)?", " ", text, flags=re.IGNORECASE)
        return re.sub(r"\s+", " ", text).strip()

    def kind_rules(self) -> dict[str, AnswerKindRule]:
        return dict(self.config.answer_kinds)


_T = TypeVar("_T")


def read_figure(m: re.Match[str]) -> tuple[float, str] | None:
    """A figure matched by question.yaml's ``focus.figure`` as (value, unit), sums in 元 and ages in 岁:
    5件 → (5.0, 件), 30万元 → (300000.0, 元), 六十五周岁 → (65.0, 岁)."""
    number = m.group("number")
    value = float(number) if number[0].isdigit() else cn_to_int(number)
    if value is None:
        return None
    unit = m.group("unit")
    if unit[0] in CN_BIG and unit.endswith("元"):  # 30万元 is 300000 元
        return float(value) * CN_BIG[unit[0]], "元"
    return float(value), "岁" if unit == "周岁" else unit


_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％]")  # a rate a yes/no question offers ("能按175%扣除吗")
_PREDICATE = re.compile(r"(?<=.)(?:要|能|会|可以|应当|应该|需要|必须|得以)")
_COUNTED = re.compile(r"[\d一二两三四五六七八九十几]+[个家项类名所条批次种位]")
DESCRIBED_WORDS = 3  # of the question's particular words a definition's meaning must hold to be what it describes
_BY_MA = re.compile(r"[吗嘛][？?！!。\s]*$")  # a question asked with 吗: yes or no
_INDEFINITE = re.compile(r"几|多少|什么|啥|哪")
_FREE_CHOICE = re.compile(r"(随便|任意|无论|不管|不论)(?:是)?(?:几|多少|什么|啥|哪)")  # any, whichever: no question
_TAG = re.compile(r"^(?:这样|那样|那)?(?:也|还)?(?:可以|行|可行|对|是|好|没问题|合法|允许)吗")  # asks of the clause before it


def _yes_or_no(question: str) -> str:
    """A question asked with 吗, with its question words made indefinite: "缓几个月再交，可以吗" asks yes or no,
    not for a period. Only the clause of the 吗 is (with the clause before a tag such as 可以吗): "需要准备哪些材料，有
    清单吗" still asks which."""
    if not _BY_MA.search(question):
        return question
    parts = re.split(r"(?<=[，,；;])", question)
    last = len(parts) - 1
    start = last - 1 if last > 0 and _TAG.match(parts[last].strip()) else last
    return "".join(parts[:start]) + _INDEFINITE.sub("某", "".join(parts[start:]))
_SENTENCE_END = re.compile(r"(?<=[。！!])|(?<=\.)\s+")
_WORD_GOES_ON = re.compile(r"[\u4e00-\u9fff](?<![吗呢了啊吧呀的])")
_ASKED_NOUN = re.compile(r"(?:什么|哪些|啥|哪几)(?:个|家|项|类|种|条|次|名)?(?:样的)?([\u4e00-\u9fff]{2,4}?)(?:[？?。，,！!]|$)")


def _is_latin(text: str) -> bool:
    return not re.search(r"[\u4e00-\u9fff]", text)


def clauses(text: str) -> list[str]:
    """The clauses of a message, as the reader and the evidence both cut it (at ，；。)."""
    return re.split(r"[，,；;。]", text)


def unique(items: Iterable[_T]) -> list[_T]:
    """The non-empty items, each once, in order of first appearance."""
    return list(dict.fromkeys(item for item in items if item))
