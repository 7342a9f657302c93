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
NOTICE_FORWARD = re.compile(r"^(?:.*?关于|[\u4e00-\u9fff]{2,30}?)?转发(?:(?P<org>[\u4e00-\u9fff]{2,20}?)关于)?(?P<inner>.+)的通知$")


def clean_title(title: str) -> str:
    title = unicodedata.normalize("NFC", title).strip(" \u3000\t#")
    return title.strip("《》")


# ---------------------------------------------------------------- laws: history, adopting body

HISTORY_VERBS = "通过|修正|修订|批准|公布|施行|发布|颁布|印发"
HISTORY_LINE = re.compile(
    rf"^[（(]?\s*(?P<date>{ANY_DATE.pattern})\s*(?P<what>.{{0,160}}?(?:{HISTORY_VERBS}))\s*[）)]?$"
)
ORDER_NUMBER = re.compile(r"(?P<org>[\u4e00-\u9fff]{1,16}?)令\s*第\s*(?P<n>\d{1,4})\s*号")
_CONGRESS = re.compile(
    r"(?P<place>[\u4e00-\u9fff]{2,12}?(?:省|市|自治区|自治州|州|县))?第[一二三四五六七八九十]+届"
    r"(?P<body>全国人民代表大会常务委员会|全国人民代表大会|人民代表大会常务委员会|人民代表大会)"
)


# records are parted by a wide space, or by one space before a date where a web page collapsed it, or by
# nothing at all where a PDF's text glues centred lines ("…第一次修订2019年3月2日…第二次修订")
_RECORD_GAP = re.compile(r"[\u3000]+|\s{2,}|(?=根据\s*\d{4}年)|(?<![据\s])\s(?=(?:19|20)\d{2}\s*年)"
                         r"|(?<=通过|修正|修订|公布|发布|颁布|批准|施行)(?=(?:19|20)\d{2}\s*年)")
# a record line cut before its next record's date ("…第二次修订　根据" with the date on a line the source lost)
_DANGLING = re.compile(r"[\s\u3000]*根据[\s\u3000]*$")


def history_items(line: str) -> list[str]:
    """The adoption and revision records of one line: ``1996年5月15日 第八届…会议通过``, or the
    official bracketed form ``（1996年5月15日…通过　根据2015年8月29日…修正）`` (several items)."""
    s = line.strip(" \u3000\t")
    dangling = m.group(0) if (m := _DANGLING.search(s)) else ""
    s = s[: len(s) - len(dangling)]
    if len(s) > 400 or not re.search(HISTORY_VERBS, s):
        return []
    inner = s[1:-1] if s[:1] in "（(" and s[-1:] in "）)" else s
    parts = [p.strip(" \u3000") for p in re.split(_RECORD_GAP, inner) if p.strip(" \u3000")]
    items = []
    for part in parts:
        body = part[2:] if part.startswith("根据") else part
        if not HISTORY_LINE.match(body):
            return []
        items.append(part)
    if items and dangling:  # kept on the last record: no character of the text is lost
        items[-1] += dangling
    return items


def _undated(text: str) -> str:
    """A record with its dates blanked: a date glued to the organ ("2016年11月30日中华人民共和国国务院令…",
    "2010年12月23日北京市第十三届…", as PDF and HTML text give them) must not lend its 日 to the organ."""
    return ANY_DATE.sub(" ", text)


def order_number(text: str) -> str | None:
    """A 令 number such as 国家知识产权局令第17号 or 国务院令第706号."""
    m = ORDER_NUMBER.search(_undated(text))
    return f"{m.group('org')}令第{m.group('n')}号" if m else None


# the masthead of an order that publishes a text: "中华人民共和国国务院令" over "第706号", or on one line
ORDER_MASTHEAD = re.compile(r"(?P<org>[\u4e00-\u9fff]{2,24}?)令\s*(?:第\s*(?P<n>\d{1,4})\s*号)?")
ORDER_SERIAL = re.compile(r"第\s*(?P<n>\d{1,4})\s*号")


def order_masthead(line: str, next_line: str = "") -> tuple[str, str, int] | None:
    """(organ as printed, the order's number, lines it takes) when `line` opens an order's masthead:
    "中华人民共和国国务院令第706号", or "中华人民共和国国务院令" with "第706号" on the next line."""
    m = ORDER_MASTHEAD.fullmatch(line.strip(" \u3000\t"))
    if not m:
        return None
    if m.group("n"):
        return m.group("org"), f"{m.group('org')}令第{m.group('n')}号", 1
    serial = ORDER_SERIAL.fullmatch(next_line.strip(" \u3000\t"))
    return (m.group("org"), f"{m.group('org')}令第{serial.group('n')}号", 2) if serial else None


# a record that makes a text (adopts, revises, amends, publishes it), not one that only brings it into force
_MADE = re.compile(r"通过|修正|修订|公布|发布|颁布|印发")


def current_order_number(history: list[str]) -> str | None:
    """The 令 that published the text in force: of a record "2020年7月5日国务院令第728号公布　2025年3月17日
    国务院令第802号修订", the later one, as the document's date is the later record's (``history_date``).

    When the latest record prints no 令 ("根据2019年3月2日《国务院关于修改部分行政法规的决定》第二次修订"),
    the text in force has no number the text gives: an earlier record's 令 published an earlier text, and
    naming the document by it would name that one (None; the document is named by its title)."""
    made = [(d, order_number(h)) for h in history if _MADE.search(h) and (d := parse_date(h))]
    if made:
        return max(made, key=lambda dn: (dn[0], dn[1] is not None))[1]  # a day's 令 over its meeting
    numbered = [(parse_date(h) or "", n) for h in history if (n := order_number(h))]
    return max(numbered, key=lambda dn: dn[0])[1] if numbered else None


_APPROVAL = re.compile(rf"(?:{ANY_DATE.pattern})\s*(?P<org>[\u4e00-\u9fff]{{0,22}}?{_ORG_SUFFIX})\s*批准[）)]?$")


def history_date(history: list[str]) -> str | None:
    """The date of the text in force: the latest adoption, revision or amendment; for a text whose
    only record is its approval ("1988年5月10日 国务院批准"), the approval."""
    found = [parse_date(h) for h in history if _MADE.search(h)]
    dates = [d for d in found if d] or [d for h in history if _APPROVAL.search(h) and (d := parse_date(h))]
    return max(dates) if dates else None


# an organ's own meeting adopting a text: "经人力资源和社会保障部第6次部务会议通过", "国务院第149次常务会议通过"
# (read on the record with its dates blanked, so the organ follows a space where the date was)
_MEETING = re.compile(
    rf"(?:^|经|\s)(?!经)(?P<org>[\u4e00-\u9fff]{{0,24}}?{_ORG_SUFFIX})第\s*[\d一二三四五六七八九十百]+\s*次"
    r"[\u4e00-\u9fff]{0,4}会议(?:审议)?通过"
)


def history_issuer(history: list[str]) -> str | None:
    """The body that adopted the text (the first record that names one: a congress, the organ of a
    令, or the organ whose meeting passed it); for a text whose records name no adopter, the body
    that approved it ("国务院批准")."""
    for item in history:
        if "批准" in item and "通过" not in item:
            continue
        undated = _undated(item)
        m = _CONGRESS.search(undated)
        if m:
            return (m.group("place") or "") + m.group("body")
        order = ORDER_NUMBER.search(undated)
        if order:
            return normalize_issuer(order.group("org"))
        meeting = _MEETING.search(undated)
        if meeting:
            return normalize_issuer(meeting.group("org"))
    for item in history:
        approval = _APPROVAL.search(item)
        if approval:
            return normalize_issuer(approval.group("org"))
    return None


_INTERPRETER = re.compile(
    r"本(?:办法|规定|细则|条例|规则|意见|方案|通知|决定)(?:具体应用中的问题)?由(?P<org>[\u4e00-\u9fff、]{2,40}?)负责解释"
)


def issuer_from_interpretation(text: str) -> str | None:
    """The organs a text names as its interpreters ("本办法由科技部、财政部、税务总局负责解释"): a
    rule is interpreted by the organs that made it, so they stand for an issuer the text does not
    sign. Relative names (省/市…主管部门) name no organ and are not read."""
    found = _INTERPRETER.findall(text)
    if not found:
        return None
    org = found[-1]
    if org.startswith(("本", "省", "市", "县", "区", "自治区", "该", "各")):
        return None
    return "、".join(normalize_issuer(part) for part in org.split("、") if part)


# ---------------------------------------------------------------- effective date

_EFFECTIVE = re.compile(
    rf"自\s*(?P<when>{ANY_DATE.pattern}|公布之日|发布之日|印发之日|颁布之日|下发之日|公布之日|批准之日)\s*起\s*"
    r"(?:施行|实施|执行|生效)"
)


def in_force_from(text: str) -> list[str]:
    """What each "自…起施行/实施" clause of a text dates it from: an ISO day, or the event's words when it
    names no day ("发布之日")."""
    return [parse_date(w) or w for w in (m.group("when") for m in _EFFECTIVE.finditer(text))]


def effective_date(text: str, history: list[str], date: str | None) -> str | None:
    """From "自…起施行/实施" (the last such clause: the one in the closing article), or a history
    record "…施行"; "自发布之日起" takes the document's own date."""
    found = list(_EFFECTIVE.finditer(text))
    if found:
        when = found[-1].group("when")
        if ANY_DATE.match(when):
            return parse_date(when)
        if history and when != "批准之日" and all(_APPROVAL.search(h) for h in history):
            return None  # dated only by its approval: the day it was published is not printed
        # "自发布之日起施行" under "1999年4月3日 国务院令第262号发布" and "2002年3月24日 …修订": the day it was
        # 发布, not the day of a later revision
        verb = when[:2]
        published = next((d for h in history if verb in _undated(h) and (d := parse_date(h))), None)
        return published or date
    for item in history:
        if item.rstrip("）)").endswith("施行"):
            return parse_date(item)
    return None


def split_title_history(title: str) -> tuple[str, list[str]]:
    """A title with its adoption history glued on (``…法1996年5月15日第八届…会议通过``)."""
    m = re.search(rf"[（(]?\s*(?:{ANY_DATE.pattern})\s*[^，。]{{0,120}}?(?:{HISTORY_VERBS})", title)
    if not m or m.start() < 4:
        return title, []
    items = history_items(title[m.start():])
    return title[: m.start()].strip(" \u3000"), items or [title[m.start():].strip()]
