"""Web-page chrome: what a browser copy of a government page carries besides the document.

Two shapes, both handled here and nowhere else:

- **inline chrome** glued to a line: ``发布时间：2016-02-04 10:00``, ``来源：科技部``,
  ``浏览次数：1234``, ``【字号：大 中 小】``, ``打印本页``, ``关闭窗口``, ``扫一扫在手机打开当前页``,
  the breadcrumb trail ``当前位置：首页 > 政策文件 >``, the links to the neighbouring pages
  ``上一篇：…`` ``下一篇：…`` on a line of their own;
- **the metadata table** of gov.cn-style pages, copied as rows of ``label：`` and value cells,
  tab-separated or between pipes (``| 发文机关： | 国务院 |``, as Markdown and some browser copies give it): ``索 引 号：`` ``主题分类：`` ``发文机关：`` ``成文日期：`` ``标　　题：`` ``发文字号：``
  ``发布日期：`` ``主 题 词：``.

`strip_chrome` removes the first and reports the values it read (`cut_chrome` cuts it out, for the
coverage check); `chrome_row` reads the second, and `listed_field` a cell pair of it copied as a list
(``• 发布机构:`` over ``• 龙港市社会事业局``). The parser takes metadata from these values only
where the document itself does not print it, and the text-coverage check
(`retrieval.parsing.invariants`) removes the same chrome from the source before comparing, so
chrome is never counted as lost body text.
"""

from __future__ import annotations

import re

from retrieval.parsing.tables import split_row

_DATE = r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_TIME = r"(?:\s*\d{1,2}\s*:\s*\d{2}(?:\s*:\s*\d{2})?)?"  # "16:09", "16 : 09" as some pages space it
_LABEL_SEP = r"\s*[:：]\s*"
_BARE_DAY = re.compile(_DATE + _TIME)

# (field, pattern) — the field is reported when the value is worth keeping
INLINE: list[tuple[str | None, re.Pattern[str]]] = [
    ("published", re.compile(rf"(?:发布时间|发布日期|发表时间|更新时间){_LABEL_SEP}(?P<value>{_DATE}){_TIME}")),
    ("source", re.compile(rf"(?:来源|信息来源|文章来源|稿源){_LABEL_SEP}(?P<value>[^\s【】|]{{1,30}}?)"
                          r"(?=\s|$|【|浏览|阅读|点击|发布|作者|字号|\|)")),
    (None, re.compile(r"(?:作者|责任编辑|编辑|信息发布人)\s*[:：]\s*[^\s【】|]{0,20}")),
    (None, re.compile(r"(?:浏览次数|阅读次数|点击数|点击量|访问量|浏览量|阅读量)\s*[:：]?\s*\d*")),
    # "字体:[ ]", "字号: | |": its buttons lost
    (None, re.compile(r"【?\s*字[号体]\s*(?:[:：]?\s*(?:(?:[大中小]\s*){2,3}|\[\s*\])|[:：][\s|]*$)】?")),
    (None, re.compile(r"【?\s*(?:保护视力色|视力保护色)\s*[:：]?[^】]*】?")),
    (None, re.compile(r"【?\s*(?:打印本页|关闭窗口|打印|关闭|返回顶部|我要打印|收藏|分享到)\s*】?(?=[\s【]|$)")),
    (None, re.compile(r"扫一扫在手机打开当前页|扫一扫在手机上查看当前页面")),
    # links to the neighbouring pages: 上一篇：… / 下一个：… (a page title, up to the line's end)
    (None, re.compile(r"(?:上一篇|下一篇|上一个|下一个|上一条|下一条|上篇|下篇)\s*[:：]\s*[^。；\n]{0,60}$")),
    # the breadcrumb: its label, then page names each followed by a separator (the last one may end it)
    (None, re.compile(r"(?:当前位置|您现在的位置|您当前的位置|您的位置|所在位置)\s*[:：]\s*"
                      r"(?:[^\s>»＞›]{1,24}\s*[>»＞›]+\s*)+(?:[^\s>»＞›]{1,24}(?=\s|$))?")),
]

TABLE_LABELS = {
    "索引号": "index", "主题分类": "category", "发文机关": "issuer", "发布机构": "issuer", "成文日期": "date",
    "标题": "title", "发文字号": "doc_number", "文号": "doc_number", "发布日期": "published", "主题词": "keywords",
    "生效日期": "effective_date", "实施日期": "effective_date", "有效性": "validity", "废止日期": "repealed",
    # provincial sites (江苏: 索引号 | 分类 | 发布机构 | 发文日期 | 标题 | 主题词 | 文号 | 内容概述 | 时效)
    "分类": "category", "发文日期": "date", "内容概述": "summary", "时效": "validity",
    # municipal 信息公开 pages (浙江: 索引号 · 组配分类 · 发布机构 · 成文日期 · 公开方式)
    "组配分类": "category", "公开方式": "disclosure",
}
_BULLET = re.compile(r"^[•·●▪◦]\s*")  # a metadata table copied as a list: one item per cell


def _label(cell: str) -> str | None:
    m = re.fullmatch(r"([\u4e00-\u9fff\s\u3000]{2,12}?)\s*[:：]", cell.strip())
    if not m:
        return None
    key = re.sub(r"[\s\u3000]", "", m.group(1))
    return key if key in TABLE_LABELS else None


_PIPE_CELLS = re.compile(r"\s*\|\s*")


def table_cells(line: str) -> list[str]:
    """The cells of a copied table row: tab-separated, or separated by pipes as Markdown and some
    browser copies give them (``| 发文机关： | 国务院 | 成文日期： | 2018年11月23日 |``, also without
    the outer pipes: ``文 号: | 苏政复〔2010〕55号 | ||``)."""
    s = line.strip(" \u3000")
    if "\t" not in s and "|" in s:
        inner = s[1:] if s.startswith("|") else s
        inner = inner[:-1] if inner.endswith("|") else inner
        if inner.strip(" \u3000|"):
            return [c.strip(" \u3000") for c in _PIPE_CELLS.split(inner)]
    return split_row(s)


def listed_field(label_line: str, value_line: str) -> dict[str, str] | None:
    """A metadata-table cell pair copied as two list items, the label over its value (``• 发布机构:`` then
    ``• 龙港市社会事业局``), or None when the two lines are not one."""
    label_line, value_line = label_line.strip(" \u3000\t"), value_line.strip(" \u3000\t")
    if not (_BULLET.match(label_line) and _BULLET.match(value_line)):
        return None  # an empty cell ("主题词：") does not take the line under it as its value
    label, value = _label(_BULLET.sub("", label_line)), _BULLET.sub("", value_line)
    if label is None or not value or _label(value) is not None or chrome_row(value) is not None:
        return None
    return {TABLE_LABELS[label]: value}


def chrome_row(line: str) -> dict[str, str] | None:
    """The fields of a metadata-table row (``发文机关：\\t国务院\\t成文日期：\\t2018年11月23日``, or
    the same between pipes), or None when the line is not one. ``label：value`` in one cell counts too,
    and so does a cell copied as a list item (``• 成文日期: 2023-01-09``)."""
    cells = table_cells(_BULLET.sub("", line.strip(" \u3000")))
    fields: dict[str, str] = {}
    i, found = 0, False
    while i < len(cells):
        cell = cells[i]
        if not cell:
            i += 1
            continue
        label = _label(cell)
        if label is None:
            m = re.match(r"^([\u4e00-\u9fff\s\u3000]{2,12}?)\s*[:：]\s*(.+)$", cell)
            key = re.sub(r"[\s\u3000]", "", m.group(1)) if m else ""
            if key in TABLE_LABELS:
                fields[TABLE_LABELS[key]] = m.group(2).strip()  # type: ignore[union-attr]
                found = True
                i += 1
                continue
            return None
        found = True
        value = cells[i + 1] if i + 1 < len(cells) and _label(cells[i + 1]) is None else ""
        if value:
            fields[TABLE_LABELS[label]] = value
        i += 2 if value else 1
    return fields if found else None


def strip_chrome(line: str) -> tuple[str, dict[str, str]]:
    """The line without inline chrome, and the values read from it (``published``, ``source``).
    A title printed twice around the chrome (``标题发布时间：…标题``) is kept once."""
    fields: dict[str, str] = {}
    out = line
    for name, rx in INLINE:
        def repl(m: re.Match[str], name: str | None = name) -> str:
            if name and "value" in m.groupdict() and name not in fields:
                fields[name] = m.group("value").strip()
            return " "
        out = rx.sub(repl, out)
    out = re.sub(r"[ \u3000\t]{2,}", " ", out).strip(" \u3000\t|")
    if out == line.strip(" \u3000\t"):
        return out, fields  # no chrome on the line
    if "published" not in fields and _BARE_DAY.fullmatch(out):
        fields["published"] = out  # "2023-01-17 来源:[科技局]": a day standing with chrome is the page's
        return "", fields
    compact = out.replace(" ", "")
    half = len(compact) // 2
    if half >= 4 and compact[:half] == compact[half:]:
        out = compact[:half]
    return out, fields


def cut_chrome(line: str) -> str:
    """The line with each piece of inline chrome replaced by a tab: what is left around it stays
    apart, as the text before and after a table cell does."""
    for _, rx in INLINE:
        line = rx.sub("\t", line)
    return line


def is_chrome_only(line: str) -> bool:
    """True when nothing but chrome is left of the line."""
    s = line.strip(" \u3000\t")
    if not s:
        return False
    if chrome_row(s) is not None:
        return True
    rest, _ = strip_chrome(s)
    return not rest.strip(" \u3000\t|-—")
