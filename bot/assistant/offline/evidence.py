"""Whether passages and quoted sentences give what a question asks (question.py reads the question).

An answer may quote a sentence only when it bears on what was asked. For one question,
:class:`Evidence` tells

- which passages are in scope: a question naming a province or city is not answered from another
  place's rules (national rules apply everywhere unless the place's *own* rules are asked for);
- how much a sentence is worth beyond its words: it gives the asked detail (the focus with its
  topic), the asked year's figures, or only past figures of another year;
- what the chosen sentences do not give (:class:`Missing`): the asked year, the asked detail, or the
  asked kind of fact (an amount, a day …). The composer then says exactly that, citing the passage
  that touches the topic, instead of presenting a number that answers a different question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.assistant.normalize import normalize_message
from bot.assistant.numbers import CN_BIG, count_pattern
from bot.assistant.offline.question import Place, Question, QuestionConfig, clauses, read_figure, unique
from bot.assistant.offline.sentences import AnswerType, Sentence, answer_types
from retrieval.models import Hit, Jurisdiction, short_place
from retrieval.parsing.meta import history_items

_CN_DIGITS = dict(zip("〇零一二三四五六七八九", "0012345678" + "9", strict=True))
_CN_DIGITS["o"] = "0"  # "二Ｏ一一年": a letter O typed for 〇


_MEASURE = r"\s*(?:个|项|类|种|条|大|批|方面|部分)"  # "4个方面", "三大": so many things
_UNIT = r"(?:名|人|元|万|亿|千|百|个|家|项|所|件|次|户|吨|平方|亩|公里|千米|米|%|％)"
OWN_TERM = 5  # characters of the question a sentence must hold word for word to name what is asked about


def chinese_year(year: int) -> str:
    """二〇〇三 for 2003, as documents print years in words."""
    digits = {v: k for k, v in _CN_DIGITS.items() if k not in ("零", "o")}
    return "".join(digits[d] for d in str(year))


def years_in(text: str) -> set[int]:
    """Four-digit years a text states, in figures or in words (二〇〇五年, 二Ｏ一一年); not a count or a
    sum that happens to read as one ("2000名", "2000万元")."""
    text = normalize_message(text)
    found = {int(y) for y in re.findall(r"(?<![\d〔\[.])((?:19|20)\d\d)(?![\d〕\].]|\s*(?:余|多)?\s*" + _UNIT + ")", text)}
    for run in re.findall(r"([〇零一二三四五六七八九o]{4})\s*年", text):
        found.add(int("".join(_CN_DIGITS[c] for c in run)))
    return found


_NUM = r"(\d[\d,]*(?:\.\d+)?)\s*"
_SUM = _NUM + r"个?\s*(?:(万|亿)元?|元)"  # a sum has its unit: 5,000万元, 2亿, 300元
_ASKER_AMOUNT = re.compile(_NUM + r"个?\s*(万|亿)\s*元?")
_RANGE = re.compile(_NUM + r"(?:(万|亿)元?|元)?\s*(?:至|到|-|－|~|～)\s*" + _SUM)  # the low end may omit the unit
_BELOW = re.compile(r"(?:小于|低于|不超过|不足|不满|少于)\s*" + _SUM + r"|" + _SUM + r"\s*(?:（含）)?\s*(?:以下|以内)")
_ABOVE = re.compile(r"(?:大于|高于|超过|多于|不低于|不少于)\s*" + _SUM + r"|" + _SUM + r"\s*(?:（含）)?\s*以上")


def _yuan(number: str, unit: str | None) -> float:
    return float(number.replace(",", "")) * CN_BIG.get(unit or "", 1)


def _bound(m: re.Match[str]) -> float:
    """The sum of a _BELOW / _ABOVE match, whichever side of the word it stands on."""
    return _yuan(m.group(1), m.group(2)) if m.group(1) else _yuan(m.group(3), m.group(4))


def amounts_stated(text: str) -> list[float]:
    """Sums the asker states ("去年营收1.2个亿", "注册资本500万元"), in 元."""
    return [_yuan(n, u) for n, u in _ASKER_AMOUNT.findall(text)]


def bounds_hold(text: str, amount: float) -> bool:
    """The sentence sets a band of sums that holds ``amount`` ("在5,000万元至2亿元（含）的企业"); a
    sentence stating ranges is read by its ranges only."""
    ranges = list(_RANGE.finditer(text))
    if ranges:
        return any(_yuan(m.group(1), m.group(2) or m.group(4)) <= amount <= _yuan(m.group(3), m.group(4))
                   for m in ranges)
    return (any(amount <= _bound(m) for m in _BELOW.finditer(text))
            or any(amount >= _bound(m) for m in _ABOVE.finditer(text)))


@dataclass
class Missing:
    """What the quoted sentences do not give. ``what``: the year's figures, the detail, or the kind."""

    what: Literal["year", "focus", "kind", "options"]
    kind: AnswerType | None = None
    other_years: list[int] = field(default_factory=list)
    topic: Sentence | None = None  # the sentence that touches the topic, cited in the answer
    whole: bool = False  # quote all of it: it says who decides the detail ("由省…人民政府规定")


@dataclass
class EvidenceRules:
    """The rules of question.yaml that judge sentences: answer kinds, statistic years, places."""

    kinds: dict[str, AnswerType]
    statistic: re.Pattern[str]
    province_of: dict[str, str]
    grant: re.Pattern[str]
    forbid: re.Pattern[str]
    delegation: re.Pattern[str] | None = None
    delegation_local: re.Pattern[str] | None = None
    exception: re.Pattern[str] | None = None
    figure: re.Pattern[str] | None = None
    exclusive: list[list[re.Pattern[str]]] = field(default_factory=list)
    places: dict[str, Literal["province", "city"]] = field(default_factory=dict)  # full name → level

    def title_place(self, title: str | None) -> Jurisdiction | None:
        """The one province or city a title names in full ("关于组织申报广东省2017年…的通知"), if any."""
        named = [(name, level) for name, level in self.places.items() if name in (title or "")]
        if len(named) != 1:
            return None
        name, level = named[0]
        return Jurisdiction(level=level, place=name)

    @classmethod
    def from_config(cls, config: QuestionConfig) -> EvidenceRules:
        return cls(kinds=answer_types(config), statistic=re.compile(config.years.statistic),
                   province_of={city: names[0] for city, names in config.places.cities.items()},
                   grant=re.compile(config.polar.grant), forbid=re.compile(config.polar.forbid),
                   delegation=re.compile(config.delegation) if config.delegation else None,
                   delegation_local=re.compile(config.delegation_local) if config.delegation_local else None,
                   exception=re.compile(config.exception) if config.exception else None,
                   figure=re.compile(config.focus.figure) if config.focus.figure else None,
                   exclusive=[[re.compile(m) for m in members] for members in config.exclusive.values()],
                   places={**{p: "province" for p in config.places.provinces},
                           **{c: "city" for c in config.places.cities}})

    def for_question(self, question: Question, home: str | None = None) -> Evidence:
        return Evidence(self, question, home)


class Evidence:
    """The checks of one question; ``home`` is the deployment's own jurisdiction (a setting), used as
    the place of a question that names none."""

    focus_bonus = 0.15
    year_bonus = 0.2
    other_year_penalty = 0.3
    statistic_penalty = 0.08

    def __init__(self, rules: EvidenceRules, question: Question, home: str | None = None) -> None:
        self.rules = rules
        self.question = question
        self.asked = [rules.kinds[k] for k in question.kinds if k in rules.kinds]
        places = list(question.places)
        if not places and home:
            level: Literal["province", "city"] = "city" if home in rules.province_of else "province"
            places = [Place(name=home, level=level, province=rules.province_of.get(home, home), role="location")]
        self.places = places
        self._focus = [normalize_message(w) for w in question.focus]
        self._focus_label = normalize_message(question.focus_label)
        self._heads = [normalize_message(h) for h in question.focus_heads]
        self._all_topic = [normalize_message(w) for w in question.topic]
        self._topic = list(self._all_topic)
        self._stated = amounts_stated(question.text)  # "去年营收1.2个亿": the band that holds it answers
        self._known = list(question.known_figures)
        # per exclusive kind the question names a member of: the kind, the members named (after a premise, the
        # members it asks about: "股权奖励可以缓交，那现金奖励呢" asks about cash, the equity being known)
        def named_in(text: str) -> list[tuple[list[re.Pattern[str]], set[int]]]:
            return [(group, named) for group in rules.exclusive if (named := _members(group, text))]

        self._named = (named_in(question.ask) if question.ask else []) or named_in(question.text)
        self._zones: list[str] = []  # set from the hits (scoped)
        self._zone_places: set[str] = set()
        count = question.listed_count
        self._count = re.compile(rf"(?<![\d.])(?:{count_pattern(count)}){_MEASURE}") if count else None

    # -- passages in scope ------------------------------------------------------------------------

    @property
    def own_rules_of(self) -> list[Place]:
        """Places whose own rules the question asks for ("广东省对高新区有什么要求")."""
        return [p for p in self.places if p.role == "issuer"]

    def in_scope(self, hit: Hit, named: Sequence[str] = ()) -> bool:
        """False for another place's rules: a question about 广州 is not answered from 青岛's, nor one
        about 郑洛新自创区 from a 广东 notice that never mentions it. A document the question names is in
        scope whatever its zone or place, except one local document alone of another place than the
        question names: "乐清市的就业见习补贴" names 龙港市's 就业见习补贴申报指南 by its words, not by its
        place (documents compared, "山东条例和郑洛新条例分别怎么定位", are each what the question names)."""
        if hit.doc in named:
            j = self.jurisdiction(hit)
            return len(set(named)) > 1 or j is None or j.level == "national" or self._in_place(hit)
        return self._in_zone(hit) and self._in_place(hit)

    def jurisdiction(self, hit: Hit) -> Jurisdiction | None:
        """The hit's jurisdiction; for a document that prints no issuer (a reprinted notice), the province or
        city its title names: "关于组织申报广东省2017年…的通知" is 广东省's, not a rule for every place."""
        return hit.jurisdiction or self.rules.title_place(hit.title)

    def _in_zone(self, hit: Hit) -> bool:
        """A zone's question is answered by national rules, documents mentioning the zone and the rules
        of the place whose documents name it (郑洛新自创区: 河南省's)."""
        if not self._zones:
            return True
        j = self.jurisdiction(hit)
        return ((j is not None and (j.level == "national" or j.place in self._zone_places))
                or any(z in (hit.title or "") or z in hit.text for z in self._zones))

    def _in_place(self, hit: Hit) -> bool:
        j = self.jurisdiction(hit)
        if not self.places or j is None:
            return True
        if self.own_rules_of:
            return any(j.place == p.name for p in self.own_rules_of)
        if j.level == "national" or self.of_place(hit):
            return True
        return any(p.level == "city" and j.place == p.province for p in self.places)  # 青岛: 山东省's rules too

    def of_place(self, hit: Hit) -> bool:
        """The hit is a document of a place the question names (or of a city in that province), or a
        national one about it by its title (国务院办公厅关于同意郑州经济技术开发区…的复函)."""
        j = self.jurisdiction(hit)
        if j is None:
            return False
        if j.level == "national":
            return any(len(short := short_place(p.name)) >= 2 and short in (hit.title or "")
                       for p in self.places)
        return any(j.place == p.name or (p.level == "province" and self.rules.province_of.get(j.place) == p.name)
                   for p in self.places)

    def scoped(self, hits: Sequence[Hit], named: Sequence[str] = ()) -> tuple[list[Hit], list[Hit]]:
        """(hits in scope, hits of other places); the zones the question names are those a hit's title names."""
        self._zones = _named_zones(self.question.zones, hits)
        self._zone_places = {h.jurisdiction.place for h in hits if h.jurisdiction is not None
                             and h.jurisdiction.level != "national" and any(z in (h.title or "") for z in self._zones)}
        kept: list[Hit] = []
        elsewhere: list[Hit] = []
        for h in hits:
            (kept if self.in_scope(h, named) else elsewhere).append(h)
        return kept, elsewhere

    # -- sentences -----------------------------------------------------------------------------------

    def attend(self, hits: Sequence[Hit]) -> None:
        """Keep the topic words these passages use: a word none of them has ("最早获批") cannot tell
        the sentence that states the detail from one that does not."""
        texts = [normalize_message(h.text) for h in hits]
        self._topic = [w for w in self._all_topic if any(w in t for t in texts)]

    def gives_focus(self, text: str, hit: Hit | None = None) -> bool:
        """The sentence names the asked detail — one of its words, or half of its character pairs
        (documents abbreviate: 高新技术企占企业总数) — with its topic when the question gives one, which its
        passage (``hit``) may name before it: an article names its subject once ("对试验区的新技术企业，实行
        下列…：（二）新技术企业…三年内免征所得税")."""
        if not self._focus:
            return False
        raw, text = text, normalize_message(text)
        named = any(holds(text, w) for w in self._focus) or _pair_share(self._focus_label, text) >= FOCUS_PAIRS
        if self._heads and not any(holds(text, h) for h in self._heads):
            return False  # "奖励申报截止": the 申报 whose deadline is asked, not any 成果转化
        if not named or not self._topic or any(w in text for w in self._topic):
            return named
        earlier = normalize_message(before(hit, raw)) if hit is not None else ""  # only when the sentence lacks it
        return any(w in earlier for w in self._topic)

    def names_topic(self, text: str) -> bool:
        text = normalize_message(text)
        words = self._topic or self._focus
        return bool(words) and any(w in text for w in words)

    def statistic_years(self, text: str, hit: Hit) -> list[int]:
        """Years whose past figures a sentence reports (not targets: "到2020年"), up to the document's year."""
        issued = int(hit.date[:4]) if hit.date and hit.date[:4].isdigit() else None
        years = {int(y) for y in self.rules.statistic.findall(normalize_message(_without_records(text)))}
        return sorted(y for y in years if issued is None or y <= issued)

    def year_stated(self, text: str, hit: Hit) -> bool:
        """The text states the asked year, or its document is of that year. A record of the document's own history
        ("2006年5月17日 …常务委员会…会议通过") states no rule or figure of that year: the text in force may be a later
        revision's."""
        year = self.question.year
        if year is None:
            return False
        return year in years_in(_without_records(text)) or (hit.date or "")[:4] == str(year)

    def bounds_asker(self, text: str) -> bool:
        """The sentence sets the band of sums that holds a sum the asker states."""
        return any(bounds_hold(normalize_message(text), a) for a in self._stated)

    def states_count(self, text: str) -> bool:
        """The sentence says there are as many things as the list question does ("由…等4个方面的指标构成"
        for "the four areas"): it is the one naming them all."""
        return self._count is not None and bool(self._count.search(normalize_message(text)))

    def names_other(self, text: str) -> bool:
        """The sentence names only other members of a kind the question names one of: 所得税 for 工商统一税."""
        return bool(self._others(text))

    def _others(self, text: str) -> list[tuple[list[re.Pattern[str]], set[int]]]:
        """The kinds of which the sentence names members, none of them the question's."""
        text = normalize_message(text)
        return [(group, named) for group, named in self._named
                if (stated := _members(group, text)) and not stated & named]

    def asked_instead(self, text: str) -> list[str]:
        """The members the question names (as it writes them: 小型微利企业) of the kinds of which the sentence
        names only others (非居民企业)."""
        asked = normalize_message(self.question.ask or self.question.text)
        return unique(m.group() for group, named in self._others(text) for i in sorted(named)
                      for m in [group[i].search(asked)] if m)

    @property
    def named_members(self) -> list[re.Pattern[str]]:
        """The members of exclusive kinds the question names: the clause naming one is the one to quote."""
        return [group[i] for group, named in self._named for i in sorted(named)]

    def states_other_figure(self, text: str) -> bool:
        """The sentence states a figure of a unit the asker knows a figure of, other than theirs."""
        if self.rules.figure is None:
            return False
        units = {unit for _, unit in self._known}
        figures = (read_figure(m) for m in self.rules.figure.finditer(normalize_message(text)))
        return any(f is not None and f[1] in units and f not in self._known for f in figures)

    def adjust(self, text: str, hit: Hit) -> float:
        """What a sentence is worth beyond its words for this question."""
        bonus = 0.0
        if self.gives_focus(text, hit):
            bonus += self.focus_bonus
        if self.bounds_asker(text):
            bonus += self.focus_bonus
        if self.states_count(text):
            bonus += self.focus_bonus
        past = self.statistic_years(text, hit)
        if self.question.year is not None:
            if self.year_stated(text, hit):
                bonus += self.year_bonus
            elif past:
                bonus -= self.other_year_penalty
        elif past:
            bonus -= self.statistic_penalty
        return bonus

    def may_support(self, text: str, hit: Hit) -> bool:
        """Past figures are quoted for a question that names no year only as its best answer."""
        return self.question.year is not None or not self.statistic_years(text, hit)

    def gives_asked(self, text: str, hit: Hit) -> bool:
        """The sentence gives something the question asks for beyond its words: the asked year's
        figures, the asked detail, the asked kind of fact about it."""
        if self.question.year is not None and self.year_stated(text, hit) and str(self.question.year) in text:
            return True
        if self.bounds_asker(text) or self.states_count(text):
            return True
        if self._focus:
            return self.gives_focus(text, hit) and (not self.asked or self.gives_kind(text))
        return False

    def gives_kind(self, text: str) -> bool:
        return any(t.answered_by(text) for t in self.asked)

    def missing(self, chosen: Sequence[Sentence]) -> Missing | None:
        """What the chosen sentences leave unanswered, if anything that matters."""
        if not chosen:
            return None
        words = [*self._topic, *self._focus]
        topic = max(chosen, key=lambda s: (not self.names_other(s.text), sum(w in normalize_message(s.text) for w in words),
                                           -chosen.index(s)))
        q = self.question
        if q.year is not None and not any(self.year_stated(s.text, s.hit) or self.year_stated(s.hit.text, s.hit)
                                          for s in chosen):
            dated = next((s for s in chosen if self.statistic_years(s.text, s.hit)), None)
            others = self.statistic_years(dated.text, dated.hit) if dated is not None else []
            return Missing("year", other_years=others, topic=dated or topic)
        focus_missing = bool(self._focus) and not any(self.gives_focus(s.text, s.hit) for s in chosen)
        refusing = [t for t in self.asked if t.refuse]
        # the asked kind of fact must be stated about the asked detail: the date of the signature does
        # not say when the 实施方案 is due
        about = [s for s in chosen if self.gives_focus(s.text, s.hit)] if self._focus else list(chosen)
        about = [s for s in about if not self.names_other(s.text)]  # the rate of 所得税 is not 工商统一税's
        # one refusing kind given is enough ("when" or "how long"); a looser kind is not (a share for a
        # weight); a subject asked (tax) must be given as well
        facts = [t for t in refusing if not t.subject]
        fact_missing = facts[0] if facts and not any(t.answered_by(s.text) for t in facts for s in about) else None
        for ask in q.asks if fact_missing is None and len(q.asks) > 1 else ():
            # "资助多少万？资助期是几年？": each question asks its own kind, and each is to be given
            own = [t for t in facts if t.asked(ask)]
            if own and not any(t.answered_by(s.text) for t in own for s in about) and not self._compared(own, about):
                fact_missing = own[0]
                break
        # the subject may be the whole document's: a 资助 notice's "5个工作日内完成修改" is about the 资助
        subject_missing = next((t for t in refusing if t.subject and not any(
            t.answered_by(s.text) or t.answered_by(s.hit.title) for s in about)), None)
        givers = [s for s in about if any(t.answered_by(s.text) for t in facts)]
        best = max(chosen, key=lambda s: s.lexical)  # the first of equals
        if facts and fact_missing is None and self.delegates(best.text) and not any(t.answered_by(best.text)
                                                                                      for t in facts):
            # the clause that matches the question best leaves the detail to another rule ("复审按照国家
            # 有关规定执行"): a period stated in a less fitting clause is about something else
            if all(g.lexical < best.lexical for g in givers):
                fact_missing, topic = facts[0], best
        # the national rule leaves the detail to the provinces ("具体程序和步骤，由省、自治区、直辖市人民政府规定"):
        # what the place the question names decided is not in it
        left = self.leaves_to_place(best) and any(p.level in ("province", "city") for p in self.places)
        if left and facts and fact_missing is None:
            return Missing("kind", kind=facts[0], topic=best, whole=True)
        if facts and fact_missing is None and (named := self.named_without(chosen, facts, givers)) is not None:
            # the question's own name for its thing ("债权人公告") is in a sentence giving no such fact, and
            # no sentence giving it names that thing: the fact is stated for a neighbouring one
            fact_missing, topic = facts[0], named
        kind_missing = fact_missing or subject_missing
        # the detail in the user's words reads best in Chinese ("瞪羚企业的认定标准"); in English, the kind
        if kind_missing and (q.english or not focus_missing or not q.topic_label):
            return Missing("kind", kind=kind_missing, topic=topic)
        if left:
            return Missing("focus", topic=best, whole=True)
        if focus_missing:
            return Missing("focus", topic=topic)
        if self._known and not any(self.states_other_figure(s.text) for s in about):
            return Missing("focus", topic=topic)  # "个人最多5件，那企业呢": only the asker's 5件 is stated
        # figures offered must be stated ("是75%还是100%"); words offered are what documents paraphrase
        # ("是中央拨款还是省里自己出" — "由你省自筹解决")
        options = [normalize_message(o) for o in q.options if re.search(r"\d", o)]
        if options and not any(o in normalize_message(s.text) for o in options for s in chosen):
            return Missing("options", topic=topic)
        return None

    def _compared(self, kinds: Sequence[AnswerType], about: Sequence[Sentence]) -> bool:
        """A comparison asked ("哪个时限更长") of figures the message asks for, which two sentences state: the
        reader compares "五个工作日" and "十五个工作日" quoted side by side."""
        others = [t for t in self.asked if not t.compares]
        givers = [s for s in about if any(t.answered_by(s.text) for t in others)]
        return any(t.compares for t in kinds) and len(givers) >= 2

    def own_term(self, chosen: Sequence[Sentence]) -> str:
        """The longest run of the question's characters (at least ``OWN_TERM`` of them, no 的: a term, not
        a phrase) that a chosen sentence holds word for word: the documents' name for what is asked
        about ("被列入经营异常名录", "一次性伤残就业补助金"). Read in the part that asks ("…，那B呢": B), not in
        what the asker says of themselves ("我们厂做燃气热水器的，…": the product is not what is asked about)."""
        asked = self.question.ask or self.question.text
        texts = [normalize_message(s.text) for s in chosen]
        best = ""
        for clause in clauses(asked):
            if clause in self.question.asker_clauses:
                continue
            for run in re.findall(r"[\u4e00-\u9fff]+", clause):
                for i in range(len(run)):
                    for j in range(len(run), i + max(OWN_TERM, len(best) + 1) - 1, -1):
                        if "的" not in run[i:j] and any(run[i:j] in t for t in texts):
                            best = run[i:j]
                            break
        return best

    def named_without(self, chosen: Sequence[Sentence], facts: Sequence[AnswerType],
                      givers: Sequence[Sentence]) -> Sentence | None:
        """The chosen sentence naming the question's own term, giving none of the asked ``facts``, when no
        sentence giving them (``givers``) is about it: none names it (all of it but a character:
        "收到请求书" for "收到请求书后"), none is of a document titled, numbered or issued by it, and none
        follows a sentence naming it in its passage (an article names its subject once: "申请生产许可的，…；
        自受理之日起20个工作日内…")."""
        term = self.own_term(chosen)
        if not term or not givers or self.question.several:
            return None  # several things asked at once: the term may be another ask's
        namers = [s for s in chosen if term in normalize_message(s.text)
                  and not any(t.answered_by(s.text) for t in facts)]
        if not namers:
            return None
        parts = {term[i:i + len(term) - 1] for i in range(2)}

        def about(giver: Sentence) -> bool:
            own = normalize_message(" ".join(filter(None, (giver.hit.title, giver.hit.doc, giver.hit.issuer))))
            return (any(p in normalize_message(giver.text) for p in parts) or term in own  # 知识产权局's own 令
                    or any(n.hit.chunk_id == giver.hit.chunk_id and n.order < giver.order for n in namers)
                    or any(n.hit.doc == giver.hit.doc and n.hit.section == giver.hit.section
                           and n.hit.chunk_id != giver.hit.chunk_id for n in namers))  # one article, cut in two

        return None if any(about(g) for g in givers) else namers[0]

    def leaves_to_place(self, sentence: Sentence) -> bool:
        """A national sentence leaving the detail to a province's or city's government."""
        j = self.jurisdiction(sentence.hit)
        m = self.rules.delegation.search(normalize_message(sentence.text)) if self.rules.delegation else None
        local = self.rules.delegation_local
        return (j is not None and j.level == "national" and m is not None and local is not None
                and bool(local.search(m.group())))

    def delegates(self, text: str) -> bool:
        """The sentence leaves the detail to another rule (national rules, a province's government), or
        its timing open ("应当及时备案")."""
        return self.rules.delegation is not None and bool(self.rules.delegation.search(normalize_message(text)))

    def verdict(self, clause: str) -> Literal["grant", "forbid"] | None:
        """A permission question's answer in a quoted clause: granted, forbidden, or not said."""
        if not self.question.polar:
            return None
        if self.rules.forbid.search(clause):
            return "forbid"
        if self.rules.grant.search(clause):
            return "grant"
        return None


def _without_records(text: str) -> str:
    """The text without the lines recording its document's history ("2006年5月17日 …会议通过")."""
    return "\n".join(line for line in text.split("\n") if not history_items(line))


def _named_zones(candidates: Sequence[str], hits: Sequence[Hit]) -> list[str]:
    """The zones a question names that a hit's title names too: of each name, its longest end a title holds
    (搬到雄安 → 雄安), and no zone inside another one."""
    titled = [z for z in candidates if any(z in (h.title or "") for h in hits)]
    return [z for z in titled if not any(z != other and z in other for other in titled)]


def _members(group: Sequence[re.Pattern[str]], text: str) -> set[int]:
    """Which members of an exclusive kind the text names (their places in the group)."""
    return {i for i, member in enumerate(group) if member.search(text)}


def before(hit: Hit, sentence: str) -> str:
    """The text of the passage before one of its sentences."""
    at = hit.text.find(sentence)
    return hit.text[:at] if at > 0 else ""


def holds(text: str, word: str) -> bool:
    """``text`` has ``word`` as written or in the full form it abbreviates: people write 监管部门 for the
    documents' 监督管理部门, 科技进步 for 科学技术进步 — the word's characters in order, with at most
    one other character between two of them."""
    if word in text:
        return True
    if len(word) < ABBREVIATED_MIN or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
        return False
    return re.search("[\u4e00-\u9fff]?".join(map(re.escape, word)), text) is not None


ABBREVIATED_MIN = 4  # shorter words read as abbreviations would be found in too many unrelated phrases
FOCUS_PAIRS = 0.5  # share of the focus's character pairs a sentence must hold when none of its words


def _pair_share(phrase: str, text: str) -> float:
    pairs = {phrase[i:i + 2] for i in range(len(phrase) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", phrase[i:i + 2])}
    return sum(p in text for p in pairs) / len(pairs) if len(pairs) >= 3 else 0.0


def clause_with(sentence: str, wanted: Sequence[re.Pattern[str] | str],
                required: Sequence[re.Pattern[str]] = ()) -> str:
    """The clause of a sentence (between ，；：) that holds most of what is wanted (earlier wants
    count more), read with the short clauses that lead into it ("2003年，", "到2035年，"); else the
    sentence. With ``required`` (the asked kinds of fact), only a clause stating one of them is the
    answer, when one does: "3个工作日内", not the "颁发登记证" that names more of the question."""
    units = clause_units(sentence)
    if len(units) < 2 or not wanted:
        return sentence

    def score(unit: str) -> float:
        return sum(1.0 + 0.1 * (len(wanted) - i) for i, w in enumerate(wanted)
                   if (w.search(unit) if isinstance(w, re.Pattern) else w in unit))

    stating = [u for u in units if any(r.search(u) for r in required)]
    best = max(stating or units, key=lambda u: (score(u), -units.index(u)))
    return best.rstrip("，；;：:") if score(best) > 0 else sentence


def clause_units(sentence: str) -> list[str]:
    """The clauses of a sentence, each with the short clauses before it that lead into it. A comma inside
    brackets parts no clause: "每件资助3000元（获…费用减缓的，不再给予资助）" is one."""
    clauses: list[str] = []
    for c in (c for c in re.split(r"(?<=[，；;：:])", sentence) if c.strip()):
        if clauses and _open_brackets(clauses[-1]) > 0:
            clauses[-1] += c
        else:
            clauses.append(c)
    units: list[str] = []
    lead = ""
    for c in clauses:
        if len(c.strip("，；;：: ")) < LEAD_IN:
            lead += c
            continue
        units.append(lead + c)
        lead = ""
    if lead:
        units.append(lead)
    return units


def _open_brackets(text: str) -> int:
    return text.count("（") + text.count("(") - text.count("）") - text.count(")")


LEAD_IN = 8  # a shorter clause ("2003年，", "对此，") only leads into the next one