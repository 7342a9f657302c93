"""Numbers in Chinese policy text, normalised so that a claim and its evidence compare.

Everything becomes a token: ``"65"``, ``"pct:5"`` (a percentage), ``"frac:1/3"`` (a fraction),
``"approx:1几"`` (an unspecified digit, 十几). Equivalent writings give the same token:
full-width digits, ``3,000`` = ``3000`` = 三千, ``百分之五`` = ``5%``, ``三分之一`` = ``1/3``,
``六十五周岁`` = ``65岁``, ``70万`` = ``700000``; 七十余家, 三百多个, 五年左右 claim 70, 300 and 5;
a range 三至五年 claims 3 and 5.

What a sentence *claims* is read strictly (:func:`claimed_numbers`: digits anywhere, Chinese
numerals only before a unit, so 一流 or “十二五” are not numbers); what evidence *allows* is read
generously (:func:`allowed_numbers`: every numeral counts). A tool's ratio (``0.085``) may be
written as ``8.5%`` (``ratios=True``), and a value with decimals may be shown rounded
(:func:`number_supported`).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from math import gcd

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}  # 万元, 2亿: what they multiply
CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_VAGUE = "几"  # 十几、几十、几百: a digit left unsaid
# what may follow a Chinese numeral for it to count as a number in a claim
MEASURE = (
    "周岁|岁|周年|年|个|家|名|人|项|所|倍|成|月|日|天|小时|元|平方|公里|亩|条|批|次|类|期|位|种|座|届|点|%|％"
)
_APPROX = "余|多"  # 七十余家, 三百多个 (左右 follows the unit: 五年左右)
_RANGE = "至|到|~|～|-|—|－"
_CN_RUN = re.compile(f"(?<![\\d.])[{CN_NUM}{_VAGUE}]+")
_CN_CLAIM = re.compile(
    f"(?<![\\d.{CN_NUM}{_VAGUE}])([{CN_NUM}{_VAGUE}]+)"
    f"(?=(?:(?:{_APPROX})?[万亿]?)(?:{MEASURE})"
    f"|(?:{_RANGE})[{CN_NUM}{_VAGUE}]+(?:{_APPROX})?[万亿]?(?:{MEASURE}))"
)
_PERCENT_WORDS = re.compile(rf"百分之([{CN_NUM}]+|\d+(?:\.\d+)?)")
_FRACTION_WORDS = re.compile(rf"([{CN_NUM}]+|\d+)分之([{CN_NUM}]+|\d+)")
_FRACTION = re.compile(r"(?<![\d.])(\d+)\s*/\s*(\d+)(?![\d.])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:余|多)?\s*(%|‰|万|亿)?")
CITATION = re.compile(r"\[(\d{1,3})\]")  # a citation marker [n]
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.、)）]|[（(]\d{1,2}[)）]|[-*•]\s)\s*")
# an inline item number run into a figure that opens the item: "…；3.863产业化引导资金" is item 3, 863
_RUN_IN_MARKER = re.compile(r"(?:^|(?<=[；;。：:！？\n]))(\s*\d{1,2})[.．](?=\d)")


EN_COUNTS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}  # "the four areas"


def count_of(word: str) -> int | None:
    """A small count as written in a question: 4, 四, 两, four."""
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    return EN_COUNTS.get(word, cn_to_int(word))


def count_pattern(count: int) -> str:
    """A regular expression for ``count`` written in figures or in Chinese numerals (4 → 4|四)."""
    words = {str(count)}
    if 0 < count < 100:
        tens, ones = divmod(count, 10)
        digits = "零一二三四五六七八九"
        cn = ("" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")) + ("" if ones == 0 and tens else digits[ones])
        words.add(cn)
        if count == 2:
            words.add("两")
    return "|".join(sorted(words, key=len, reverse=True))


def cn_to_int(text: str) -> int | None:
    """A Chinese numeral as an int (六十五 → 65, 两千 → 2000, 一百二十万 → 1200000), else None."""
    if not text or any(ch not in CN_NUM for ch in text) or text[0] in CN_BIG:
        return None
    if all(ch in _CN_DIGITS for ch in text) and len(text) > 1:  # digit by digit: 二〇二〇 → 2020
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            total = (total + section) * CN_BIG[ch] if ch == "亿" else total + section * CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def _vague_token(text: str) -> str | None:
    """十几 → approx:1几, 几十 → approx:几0, 几百 → approx:几00 (the same token on both sides)."""
    if _VAGUE not in text or any(ch not in CN_NUM + _VAGUE for ch in text):
        return None
    head, _, tail = text.partition(_VAGUE)
    if head and not (head == "十" or cn_to_int(head) is not None):
        return None
    lead = "" if not head else ("1" if head == "十" else str(cn_to_int(head)))
    zeros = {"十": "0", "百": "00", "千": "000", "万": "0000"}.get(tail[:1], "") if tail else ""
    return f"approx:{lead}几{zeros}"


def _as_digits(raw: str) -> str | None:
    if raw[0].isdigit():
        return raw
    value = cn_to_int(raw)
    return None if value is None else str(value)


def normalise_text(text: str) -> str:
    """NFKC, 【】 markers as [], 3,000 → 3000, 百分之五 → 5%, 三分之一 → 1/3."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("【", "[").replace("】", "]")
    text = _THOUSANDS.sub("", text)

    def _percent(m: re.Match[str]) -> str:
        value = _as_digits(m.group(1))
        return m.group(0) if value is None else f"{value}%"

    def _fraction(m: re.Match[str]) -> str:
        den, num = _as_digits(m.group(1)), _as_digits(m.group(2))
        return m.group(0) if den is None or num is None else f"{num}/{den}"

    return _FRACTION_WORDS.sub(_fraction, _PERCENT_WORDS.sub(_percent, text))


def _canon(value: Decimal) -> str:
    value = value.normalize()
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fraction_token(num: str, den: str) -> str | None:
    a, b = int(num), int(den)
    if b == 0 or a == 0:
        return None
    g = gcd(a, b)
    return f"frac:{a // g}/{b // g}"


def _tokens_from_digits(text: str) -> set[str]:
    out: set[str] = set()
    for m in _FRACTION.finditer(text):
        tok = _fraction_token(m.group(1), m.group(2))
        if tok:
            out.add(tok)
    text = _FRACTION.sub(" ", text)
    for m in _NUMBER.finditer(text):
        try:
            value = Decimal(m.group(1))
        except InvalidOperation:  # pragma: no cover - the regex only matches decimals
            continue
        unit = m.group(2)
        if unit in ("%", "‰"):
            out.add("pct:" + _canon(value if unit == "%" else value / 10))
        elif unit in ("万", "亿"):
            out.add(_canon(value * (10_000 if unit == "万" else 100_000_000)))
        else:
            out.add(_canon(value))
    return out


def _cn_tokens(raw: str, after: str) -> set[str]:
    """Tokens of one Chinese numeral run followed by ``after`` (what comes next in the text)."""
    vague = _vague_token(raw)
    if vague:
        return {vague}
    value = cn_to_int(raw)
    if value is None:
        return set()
    after = re.sub(f"^(?:{_APPROX})", "", after)
    return _tokens_from_digits(f"{value}{after[:1] if after[:1] in '%万亿' else ''}")


def claimed_numbers(sentence: str) -> set[str]:
    """Numbers a sentence asserts (strict): digits anywhere, Chinese numerals before a unit."""
    text = CITATION.sub(" ", normalise_text(sentence))
    text = _LIST_MARKER.sub("", text)
    out = _tokens_from_digits(text)
    for m in _CN_CLAIM.finditer(text):
        raw = m.group(1)
        if raw == "一":  # 一个、一批、一次: an article, not a figure
            continue
        out |= _cn_tokens(raw, text[m.end() : m.end() + 2])
    return out


def allowed_numbers(text: str, *, ratios: bool = False) -> set[str]:
    """Numbers a piece of evidence supports (generous). ``ratios``: 0.085 also allows 8.5%."""
    norm = normalise_text(text)
    out = _tokens_from_digits(norm) | _tokens_from_digits(_RUN_IN_MARKER.sub(r"\1. ", norm))
    for m in _CN_RUN.finditer(norm):
        out |= _cn_tokens(m.group(0), norm[m.end() : m.end() + 2])
    extra: set[str] = set()
    for tok in out:
        if tok.startswith("pct:"):
            extra.add(tok[4:])  # 5% in a passage also supports "5个百分点"
        elif ratios and not tok.startswith(("frac:", "approx:")):
            ratio = Decimal(tok)
            if ratio <= 1:
                extra.add("pct:" + _canon(ratio * 100))
    return out | extra


def number_supported(claim: str, allowed: set[str]) -> bool:
    """``claim`` is in ``allowed``, or is one of its values with decimals shown rounded."""
    if claim in allowed:
        return True
    if claim.startswith(("frac:", "approx:")):
        return False
    pct = claim.startswith("pct:")
    raw = claim[4:] if pct else claim
    places = len(raw.split(".")[1]) if "." in raw else 0
    value = Decimal(raw)
    for tok in allowed:
        if tok.startswith(("frac:", "approx:")) or tok.startswith("pct:") != pct:
            continue
        cand = Decimal(tok[4:] if pct else tok)
        if cand == cand.to_integral_value():
            continue  # only values with decimals may be shown rounded
        if places == 0 and abs(cand) < 10:
            continue  # 0.3 written as 0 is not a rounding, it is a different number
        if cand.quantize(Decimal(1).scaleb(-places)) == value:
            return True
    return False


_WRITTEN = re.compile(
    rf"百分之[{CN_NUM}\d.]+|[\d.,]*\d\s*(?:/\s*\d+)?\s*(?:余|多)?\s*(?:%|‰|万|亿)?"
    rf"|[{CN_NUM}{_VAGUE}]+(?:分之[{CN_NUM}]+)?(?:余|多)?"
)


def as_written(text: str) -> dict[str, str]:
    """Each number token of ``text`` → how the text writes it (for messages: 100万, not 1000000)."""
    out: dict[str, str] = {}
    norm = unicodedata.normalize("NFKC", text)
    for m in _WRITTEN.finditer(norm):
        for token in claimed_numbers(m.group(0) + norm[m.end() : m.end() + 1]):
            out.setdefault(token, m.group(0).strip())
    return out


def shown(token: str) -> str:
    """A token as a person reads it in a reason: pct:5 → 5%, frac:1/3 → 1/3."""
    if token.startswith("pct:"):
        return token[4:] + "%"
    return token.split(":", 1)[1] if ":" in token else token
