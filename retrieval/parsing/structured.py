"""Documents with one paragraph per line (the normal case): header, outline, sections, tables."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from retrieval.parsing import tables
from retrieval.parsing.blocks import Block, Outline
from retrieval.parsing.chrome import chrome_row, is_chrome_only, listed_field, strip_chrome
from retrieval.parsing.headings import (
    ITEM_TYPES,
    LAW_TYPES,
    Marker,
    is_pure_heading,
    join_path,
    lead_phrase,
    match_attachment,
    match_marker,
)
from retrieval.parsing.meta import (
    current_order_number,
    doc_number_line,
    history_items,
    is_date_line,
    order_masthead,
    parse_date,
    split_title_history,
)

_TERMINAL = re.compile(r"[。；;，,：:！？]$")
TITLE_PLAIN = 50  # characters of an unmarked line that may be a title line
TITLE_MARKED = 100  # of a line the markup marks as a heading (Markdown #, HTML h1, a DOCX Title)


@dataclass
class Header:
    title_lines: list[str] = field(default_factory=list)
    doc_number: str | None = None
    body_start: int = 0
    history: list[str] = field(default_factory=list)  # adoption / revision records of a law
    chrome: dict[str, str] = field(default_factory=dict)  # values read from web-page chrome
    page_heading: str | None = None  # a reprint page's own heading, when the printed title replaces it
    order_text: list[str] = field(default_factory=list)  # an order's words publishing the text, its signature
    order_date: str | None = None  # the day that order was signed: the text as published is dated by it


def _is_noise(s: str) -> bool:
    return "||" in s or bool(re.fullmatch(r"[-=_━─*#\s]+", s)) or bool(re.fullmatch(r"<!--.*-->", s))


def read_header(lines: list[str]) -> Header:
    """Title lines (up to 3, may be separated by blank lines), the masthead 文号, a law's
    adoption and revision records, and where the body starts. Leading scraper noise
    (``科技部||||``), web-page chrome (its values are kept in ``chrome``) and a bare 附件 label
    are skipped; chrome and history glued onto a title line are cut off it. A chrome line under
    the title closes it: on a web page the article (which may open with its own heading, such as
    the 印发 notice's) starts below the page title's 发布时间 line."""
    h = Header()
    i = 0
    closed = False
    numbered = False  # the 文号 came from its own line, not from a record's 令
    while i < len(lines):
        s = lines[i].strip(" \u3000\t")
        row = chrome_row(lines[i].strip(" \u3000")) if s else None
        if not s or (row is None and _is_noise(s)):
            i += 1
            continue
        if row == {}:  # a label alone: its value may be the list item under it, as a list copies the table
            below = next((j for j in range(i + 1, len(lines)) if lines[j].strip(" \u3000\t")), None)
            listed = listed_field(s, lines[below]) if below is not None else None
            if listed is not None and below is not None:
                h.chrome.update(listed)
                closed = closed or bool(h.title_lines)
                i = below + 1
                continue
        if row is not None or is_chrome_only(s):
            h.chrome.update(row if row is not None else strip_chrome(s)[1])
            # a page's title stands above its 发布时间/来源 line: what follows is the article
            closed = closed or bool(h.title_lines)
            i += 1
            continue
        if not h.title_lines and not h.doc_number:
            after_order = _read_order(lines, i, h)
            if after_order is not None:
                i, numbered, closed = after_order, True, True
                continue
        if not h.title_lines and (match_attachment(s) or ("\t" not in s and s in {"附件", "附件："})):
            i += 1
            continue
        dn = doc_number_line(s)
        if dn:
            h.doc_number = h.doc_number or dn
            numbered = True
            i += 1
            continue
        items = history_items(s)
        if items and h.title_lines:
            h.history += items
            if not numbered:  # a 文号 line names the document; else the 令 of the text in force does, if any
                h.doc_number = current_order_number(h.history)
            closed = True
            i += 1
            continue
        if h.title_lines and is_date_line(s):
            i += 1
            continue
        s, fields = strip_chrome(s)
        h.chrome.update(fields)
        heading = s.lstrip("#").strip()
        heading, glued = split_title_history(heading)
        marked = s.startswith("#")
        # a heading the markup marks may be as long as a 转发 notice's title (关于转发《…关于开展…工作的通知》的通知)
        titleish = (len(heading) <= (TITLE_MARKED if marked else TITLE_PLAIN) and not _TERMINAL.search(heading)
                    and "\t" not in s and not match_marker(heading))
        if titleish and not h.doc_number and len(h.title_lines) < 3 and not closed:
            h.title_lines.append(heading)
            h.history += glued
            closed = marked or bool(glued)  # a Markdown/HTML/DOCX title is one heading line
            i += 1
            continue
        break
    h.body_start = i
    _read_printed_masthead(lines, h)
    return h


_ORDER_TEXT_LINES = 6  # an order's own words: the sentence publishing the text, the signer, the date


def _read_order(lines: list[str], i: int, h: Header) -> int | None:
    """A text published under its order (a State Council or ministry 令, as gov.cn prints 行政法规 and 规章):
    the masthead ("中华人民共和国国务院令" / "第706号"), the order's words ("《…》已经…通过，现予公布，自…起施行"),
    its signer and date, then the text's own title and its adoption and revision records. The order
    names and dates the document; its words stay text of the opening passage. Where the title does
    not follow the order's date, nothing is read here."""
    nxt = next((t for t in lines[i + 1:i + 3] if t.strip(" \u3000\t")), "")
    masthead = order_masthead(lines[i], nxt)
    if masthead is None:
        return None
    _, number, taken = masthead
    j = i + 1 if taken == 1 else lines.index(nxt, i + 1) + 1
    words: list[str] = []
    date = None
    while j < len(lines) and len(words) < _ORDER_TEXT_LINES:
        s = lines[j].strip(" \u3000\t")
        j += 1
        if not s:
            continue
        words.append(s)
        if is_date_line(s):
            date = parse_date(s)
            break
    while j < len(lines) and not lines[j].strip(" \u3000\t"):
        j += 1
    title = lines[j].strip(" \u3000\t") if j < len(lines) else ""
    if date is None or not title or len(title) > 50 or _TERMINAL.search(title) or match_marker(title):
        return None
    j += 1
    history: list[str] = []
    while j < len(lines):
        s = lines[j].strip(" \u3000\t")
        items = history_items(s) if s else []
        if s and not items:
            break
        history += items
        j += 1
    h.title_lines, h.doc_number, h.history = [title.lstrip("#").strip()], number, history
    h.order_text, h.order_date = words, date
    return j


_DECORATION = re.compile(r"[(（][^()（）]{1,16}[)）]")


def _compact(s: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", s))


def _read_printed_masthead(lines: list[str], h: Header) -> None:
    """A reprint page's heading, then the document as printed: its title again (often broken over two
    lines) and its 文号. The printed title lines and the 文号 under them are the document's masthead, not
    body text; the printed title wins over the page's heading, which may carry the site's decoration
    (``…的复函(2000年10号)``, a gazette issue); that heading stays text of the opening passage."""
    if not h.title_lines or h.doc_number:
        return
    heading = _compact("".join(h.title_lines))
    printed: list[str] = []
    j = h.body_start
    while j < len(lines) and len(printed) < 3:
        s = lines[j].strip(" \u3000\t")
        if s and not heading.startswith(_compact("".join(printed) + s)):
            break
        printed += [s] if s else []
        j += 1
    if not printed or _DECORATION.sub("", heading[len(_compact("".join(printed))):]):
        return  # not the whole heading again: the body opens with its own text
    while j < len(lines) and not lines[j].strip(" \u3000\t"):
        j += 1
    number = doc_number_line(lines[j]) if j < len(lines) else None
    if number:
        h.page_heading = "".join(h.title_lines)
        h.title_lines, h.doc_number, h.body_start = printed, number, j + 1


@dataclass
class _Frame:
    marker: Marker
    title: str
    depth: int | None = None  # the # level of a Markdown/HTML/DOCX heading


class _Builder:
    def __init__(self, main_title: str, cover_title: str, body_is_attachment: bool) -> None:
        self.out = Outline()
        self.prefix = ""
        self.stack: list[_Frame] = []
        self.main_title = main_title
        self.body_is_attachment = body_is_attachment
        self.body_seen = not body_is_attachment
        self.block = Block(path="", title=cover_title or main_title, level=0)
        self.out.blocks.append(self.block)
        self.list_type: str | None = None  # marker type of a list running in the current block

    # ---- sections
    def path(self) -> str:
        """The printed markers; inside an article only from the article on (第十条, 第十条之一),
        because articles are numbered through the whole text and cited that way."""
        frames = self.stack
        articles = [k for k, f in enumerate(frames) if f.marker.type == "article"]
        if articles:
            frames = frames[articles[-1]:]
        return join_path(self.prefix, [f.marker.printed for f in frames])

    def in_article(self) -> bool:
        return any(f.marker.type == "article" for f in self.stack)

    def open_types(self) -> set[str]:
        return {f.marker.type for f in self.stack}

    def level(self) -> int:
        return (1 if self.prefix else 0) + sum(1 for f in self.stack if f.marker.type != "dash")

    def new_block(self, title: str) -> Block:
        self.block = Block(path=self.path(), title=title, level=self.level())
        self.out.blocks.append(self.block)
        return self.block

    def heading(self, marker: Marker, title: str, depth: int | None = None) -> None:
        if self.stack and self.stack[-1].marker.type == "dash":
            self.stack.pop()
        if depth is not None:  # marked-up headings nest by their level
            for k, f in enumerate(self.stack):
                if f.depth is not None and f.depth >= depth:
                    del self.stack[k:]
                    break
        if marker.type in LAW_TYPES:  # 编 > 分编 > 章 > 节 > 条 whatever order they first appear in
            rank = LAW_TYPES.index(marker.type)
            for k, f in enumerate(self.stack):
                if f.marker.type in LAW_TYPES and LAW_TYPES.index(f.marker.type) >= rank:
                    del self.stack[k:]
                    break
        types = [f.marker.type for f in self.stack]
        if marker.type in types:
            del self.stack[types.index(marker.type):]
        self.stack.append(_Frame(marker, title, depth))
        self.list_type = None
        self.new_block(title)
        if marker.type == "dash":
            printed = "——" + title
        elif marker.type.startswith("md"):
            printed = title
        else:
            printed = marker.printed + title
        self.out.headings.append((self.block.path, printed, self.block.level))

    def attachment(self, label: str, title: str) -> None:
        self.stack = []
        if self.body_is_attachment and not self.body_seen and label == "附件":
            self.body_seen = True
            self.prefix = ""
            self.new_block(title or self.main_title)
            return
        self.prefix = label
        self.new_block(title or label)
        self.out.headings.append((self.prefix, f"{label} {title}".strip(), 1))

    def closing(self) -> None:
        """Signature and date at the end of a notice: their own block, outside the last article."""
        if self.block.path == "" and not self.stack and not self.prefix:
            return
        self.stack = []
        saved, self.prefix = self.prefix, ""
        self.new_block(self.main_title)
        self.prefix = saved

    def current_title(self) -> str:
        return self.block.title


def _is_signature(lines: list[str], i: int) -> bool:
    """A signature: a date alone on its line, or an organ's name on the line just above one."""
    s = lines[i].strip(" \u3000\t")
    if is_date_line(s):
        return True
    nxt = lines[i + 1].strip(" \u3000\t") if i + 1 < len(lines) else ""
    return len(s) <= 20 and is_date_line(nxt) and not _TERMINAL.search(s) and not match_marker(s)


def _signature_index(lines: list[str], start: int) -> int:
    """Index of the first line that is only a date (the signature date), or len(lines)."""
    for i in range(start, len(lines)):
        if is_date_line(lines[i]):
            return i
    return len(lines)


def _infer_missing_first(lines: list[str], start: int) -> dict[int, Marker]:
    """A part whose 一、 was lost: when a scope has 二、 but no 一、, the last short unpunctuated
    line before the first numbered item of that scope is taken as 一、."""
    inferred: dict[int, Marker] = {}
    scope_start = start
    seen_one = False
    candidate: int | None = None
    for i in range(start, len(lines)):
        s = lines[i].strip(" \u3000")
        if not s:
            continue
        if match_attachment(s) and not re.search(r"[。；]", s):
            scope_start, seen_one, candidate = i, False, None
            continue
        m = match_marker(s)
        if m and m.type == "cn":
            if m.num == "一":
                seen_one = True
            elif m.num == "二" and not seen_one and candidate is not None:
                inferred[candidate] = Marker("cn", "一", lines[candidate].strip(" \u3000"))
                seen_one = True
            continue
        if (not m and candidate is None and i > scope_start + 1 and len(s) <= 40
                and not _TERMINAL.search(s) and "\t" not in s and not is_date_line(s)):
            nxt = next((lines[j].strip() for j in range(i + 1, len(lines)) if lines[j].strip()), "")
            nm = match_marker(nxt)
            if nm and nm.type in {"arabic", "paren_cn"}:
                candidate = i
    return inferred


def _has_body(lines: list[str], i: int, m: Marker, open_types: set[str]) -> bool:
    """Whether the numbered line at `i` has text under it: the next line is a paragraph, or a
    marker of a kind not yet open (its child). A sibling, an outer marker, an attachment, a
    signature or the end of the text means it has none."""
    for j in range(i + 1, len(lines)):
        s = lines[j].strip(" \u3000\t")
        if not s or is_chrome_only(s):
            continue
        if tables.is_row(lines[j]):
            return True
        if match_attachment(s) or _is_signature(lines, j):
            return False
        if s.startswith("#"):
            return False
        nxt = match_marker(s)
        if nxt is None:
            return True
        return nxt.type != m.type and nxt.type not in open_types
    return False


def _marked_line(b: _Builder, m: Marker, s: str, has_body: bool) -> None:
    """A numbered line is a heading only when it has text under it; otherwise its own text
    is content (a one-sentence article, a list item, a threshold band) and is kept as such."""
    if b.in_article() and m.type in ITEM_TYPES:
        b.block.paragraphs.append(s)  # 项/目 of an article: the article's text
        return
    if m.type == "dash" and not re.search(r"。.", m.rest):
        b.block.paragraphs.append(s)  # a —— list item without a lead sentence
        return
    # a 一、/（一） paragraph of several sentences ("二、严控开发强度。新区远景开发强度…") is a
    # section even after "…如下：": list items are one clause or sentence each (notes under
    # "注：" numbered 1. 2. stay a list whatever their length)
    paragraph = m.type in {"cn", "paren_cn"} and bool(re.search(r"[。！？]\s*\S", m.rest))
    if m.type not in LAW_TYPES and b.list_type == m.type and not paragraph:
        b.block.paragraphs.append(s)  # the next item of a list introduced by "…：" above
        return
    lead_in = bool(re.search(r"[：:]$", m.rest))  # "…具备下列条件：" introduces its list: text
    if is_pure_heading(m.rest) and has_body and m.type != "article" and not lead_in:
        b.heading(m, m.rest.rstrip("。：:；; "))
        return
    last = b.block.paragraphs[-1] if b.block.paragraphs else ""
    if m.type not in LAW_TYPES and not has_body and re.search(r"[：:]$", last) and not paragraph:
        b.list_type = m.type  # items of the list "…下列条件：" stay with it
        b.block.paragraphs.append(s)
        return
    b.heading(m, lead_phrase(m.rest) or m.printed)
    b.block.paragraphs.append(s)


def build_outline(lines: list[str], body_start: int, main_title: str, cover_title: str,
                  body_is_attachment: bool, markup: bool = False) -> Outline:
    b = _Builder(main_title, cover_title, body_is_attachment)
    signature_at = _signature_index(lines, body_start)
    inferred = _infer_missing_first(lines, body_start)
    i = body_start
    expect_attachment_title = False
    while i < len(lines):
        raw = lines[i]
        s = raw.strip(" \u3000")
        if not s.strip():
            i += 1
            continue
        if tables.is_row(raw) and s.strip("\t"):
            caption = ""
            if b.block.paragraphs and re.search(r"[：:]$", b.block.paragraphs[-1]) and len(b.block.paragraphs[-1]) <= 30:
                caption = b.block.paragraphs.pop().rstrip("：:")
            table, i = tables.collect_table(lines, i)
            title, path_block = b.current_title(), b.block
            rows = tables.row_texts(table, title=title, caption=caption)
            if rows:
                blk = Block(path=path_block.path, title=title, level=path_block.level, kind="table_row",
                            paragraphs=rows)
                b.out.blocks.append(blk)
                b.block = Block(path=path_block.path, title=title, level=path_block.level)
                b.out.blocks.append(b.block)
            continue
        s = s.strip("\t")
        if expect_attachment_title:
            expect_attachment_title = False
            if len(s) <= 60 and not _TERMINAL.search(s) and not match_marker(s):
                if b.prefix:  # a real attachment: its title line names the section
                    b.block.title = s
                    path, _, level = b.out.headings[-1]
                    b.out.headings[-1] = (path, f"{b.prefix} {s}", level)
                i += 1  # for the main document's attachment the line is the document title
                continue
        att = match_attachment(s)
        if att and (not att[1] or i > signature_at):
            label, title = att
            b.attachment(label, title)
            expect_attachment_title = not title
            i += 1
            continue
        if markup and s.startswith("#"):
            level = len(s) - len(s.lstrip("#"))
            text = s.lstrip("#").strip()
            m = match_marker(text)
            if m:
                b.heading(m, m.rest.rstrip("。：:"), depth=level)
            else:
                b.heading(Marker(f"md{level}", text, text), text, depth=level)
            i += 1
            continue
        if _is_signature(lines, i):
            b.closing()
            b.block.paragraphs.append(s)
            i += 1
            continue
        if is_chrome_only(s):  # page chrome after the text (扫一扫在手机打开当前页, 打印本页)
            i += 1
            continue
        m = inferred.get(i) or match_marker(s)
        if m:
            _marked_line(b, m, s, _has_body(lines, i, m, b.open_types()))
            i += 1
            continue
        b.block.paragraphs.append(s)
        i += 1
    out = b.out
    out.blocks = [blk for blk in out.blocks if not blk.empty]
    return out
