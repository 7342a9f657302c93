"""Metadata read from a policy document's text: 文号, dates, issuer, title."""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------- 文号
from retrieval.docnumbers import DOC_NUMBER, find_doc_numbers, normalize_doc_number  # noqa: F401  (re-exported)


def doc_number_line(line: str) -> str | None:
    """The 文号 when the line holds nothing else (the masthead line under the title)."""
    s = line.strip(" \u3000\t")
    m = DOC_NUMBER.fullmatch(s)
    return normalize_doc_number(s) if m else None


# ---------------------------------------------------------------- dates

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "o": 0, "０": 0, "0": 0, "一": 1, "二": 2,
              "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_D = "〇零○ＯOo０0一二三四五六七八九"
DATE_CN = re.compile(rf"([{_CN_D}]{{4}})\s*年\s*([一二三四五六七八九十]{{1,3}})\s*月\s*([一二三四五六七八九十]{{1,3}})\s*日")
DATE_AR = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
ANY_DATE = re.compile(f"{DATE_CN.pattern}|{DATE_AR.pattern}|{DATE_ISO.pattern}")


def cn_number(s: str) -> int:
    """十一 → 11, 二十一 → 21, 七 → 7 (up to 99)."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    value = 0
    for ch in s:
        value = value * 10 + _CN_DIGITS[ch]
    return value


def parse_date(text: str) -> str | None:
    """The first date in `text` as ISO YYYY-MM-DD: 2020年7月13日, 二〇一一年七月四日,
    二Ｏ一一年七月四日 (full-width letter O), 2009-09-15."""
    m = ANY_DATE.search(text)
    if not m:
        return None
    g = m.groups()
    if g[0]:
        year = int("".join(str(_CN_DIGITS[c]) for c in g[0]))
        month, day = cn_number(g[1]), cn_number(g[2])
    elif g[3]:
        year, month, day = int(g[3]), int(g[4]), int(g[5])
    else:
        year, month, day = int(g[6]), int(g[7]), int(g[8])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def is_date_line(line: str) -> bool:
    s = line.strip(" \u3000\t")
    m = ANY_DATE.fullmatch(s)
    return bool(m)


# ---------------------------------------------------------------- issuers

# Abbreviations and long forms → the name used in our metadata.
ISSUER_ALIASES = {
    "科技部": "科学技术部",
    "中华人民共和国科学技术部": "科学技术部",
    "中华人民共和国国务院": "国务院",
    "国务院办公厅": "国务院办公厅",
    "发展改革委": "国家发展和改革委员会",
    "国家发展改革委": "国家发展和改革委员会",
    "财政部": "财政部",
}
# 文号 prefix (机关代字) → issuer, used when the text has no signature.
DOC_PREFIX_ISSUERS = [
    ("国办发", "国务院办公厅"),
    ("国办函", "国务院办公厅"),
    ("国发", "国务院"),
    ("国函", "国务院"),
    ("国科发", "科学技术部"),
    ("国科办", "科学技术部办公厅"),
    ("粤府办", "广东省人民政府办公厅"),
    ("粤府", "广东省人民政府"),
    ("财税", "财政部"),
]
_ORG_SUFFIX = r"(?:国务院办公厅|国务院|人民政府办公厅|人民政府|办公厅|委员会|管理委员会|管委会|部|局|厅|委|署|办公室|中心)"
SIGNATURE = re.compile(
    rf"(?:^|(?<=[。！？》\n：:]))\s*(?P<org>[\u4e00-\u9fff]{{2,24}}?{_ORG_SUFFIX})[ \t\u3000\n]*(?P<date>{ANY_DATE.pattern})",
    re.M,
)


def normalize_issuer(name: str) -> str:
    name = name.strip(" \u3000\t")
    if name in ISSUER_ALIASES:
        return ISSUER_ALIASES[name]
    if name.startswith("中华人民共和国") and len(name) > 7:
        return normalize_issuer(name[len("中华人民共和国"):])
    return name


def issuer_from_doc_number(doc_number: str | None) -> str | None:
    if not doc_number:
        return None
    for prefix, issuer in DOC_PREFIX_ISSUERS:
        if doc_number.startswith(prefix):
            return issuer
    return None


def signatures(text: str) -> list[tuple[str, str, int]]:
    """(issuer, ISO date, offset) for each signature block: an organ's name followed by a date."""
    found = []
    for m in SIGNATURE.finditer(text):
        date = parse_date(m.group("date"))
        if date:
            found.append((normalize_issuer(m.group("org")), date, m.start("org")))
    return found


def issuer_from_title(title: str) -> str | None:
    m = re.match(rf"^([\u4e00-\u9fff]{{2,20}}?{_ORG_SUFFIX})关于", title)
    return normalize_issuer(m.group(1)) if m else None


# ---------------------------------------------------------------- titles

NOTICE_PRINT = re.compile(r"^(?P<org>.*?)关于(?:印发|发布|颁布)(?P<inner>.+)的通知$")
NOTICE_FORWARD = re.compile(r"^(?:.*?关于)?转发(?:(?P<org>[\u4e00-\u9fff]{2,20}?)关于)?(?P<inner>.+)的通知$")


def clean_title(title: str) -> str:
    title = unicodedata.normalize("NFC", title).strip(" \u3000\t#")
    return title.strip("《》")
