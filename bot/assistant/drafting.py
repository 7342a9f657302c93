"""Mode "draft": a formal reply letter (复函) to an enterprise's enquiry, grounded in the passages.

The letter has a title, a salutation with a placeholder for the addressee, an opening that
restates the enquiry, a numbered body whose every point quotes a policy sentence with its
``[n]`` citation (the same sentences the offline composer picks), and a closing with
placeholders for everything the corpus does not give: 【企业名称】【单位名称】【联系人】【联系电话】
【日期】. It never invents an amount, a date or a contact. When the corpus does not cover the
enquiry, the letter says so and refers the enterprise to the competent department; ``grounded``
is false.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.assistant.composer import CitationBook, Composed, Composer, doc_label, section_label

PLACEHOLDERS = ("【企业名称】", "【单位名称】", "【联系人】", "【联系电话】", "【日期】")
_NUMERALS = "一二三四五六七八九十"
_ENQUIRY_PREFIX = re.compile(r"^(请|帮我|帮忙|麻烦)?(起草|拟写|草拟|写一份|写个|拟一份)[^：:，,]{0,16}?(复函|回函|答复|回复|函|信)[，,：:]?\s*")
_ABOUT = re.compile(r"^(关于|就|针对)")


def enquiry_topic(message: str) -> str:
    """The enquiry without "请起草一份复函：" and trailing punctuation."""
    topic = _ENQUIRY_PREFIX.sub("", message.strip())
    topic = _ABOUT.sub("", topic)
    topic = re.sub(r"(的)?(复函|回函|答复)$", "", topic)
    return topic.strip(" ：:，,。？?") or message.strip()


def draft_letter(
    composer: Composer,
    message: str,
    hits: Sequence[Mapping[str, Any]],
    coverage: Mapping[str, Any] | None,
    *,
    english: bool = False,
) -> Composed:
    topic = enquiry_topic(message)
    covered = bool(hits)
    book = CitationBook()
    points: list[str] = []
    chosen_hits: list[Mapping[str, Any]] = []
    if covered:
        chosen, overlap = composer.picker.pick(topic, hits)
        if composer.supported(topic, chosen, overlap, coverage, english=english)[0]:
            for i, sent in enumerate(chosen):
                n = book.cite(sent.hit)
                where = doc_label(sent.hit)
                section = section_label(sent.hit)
                points.append(f"{_numeral(i)}、{where}{(' ' + section) if section else ''}规定：“{sent.text}”[{n}]")
                chosen_hits.append(sent.hit)
        else:
            covered = False
    quoted_topic = topic if not re.search(r"\d", topic) else "贵单位来函所询事项"
    lines = ["关于" + (f"“{quoted_topic}”有关问题" if quoted_topic != "贵单位来函所询事项" else "来函所询事项") + "的复函", "",
             "【企业名称】：", ""]
    if covered:
        lines.append(f"　　贵单位关于“{quoted_topic}”的来函收悉。经研究，现依据现行政策文件答复如下：" if quoted_topic != "贵单位来函所询事项"
                     else "　　贵单位来函收悉。经研究，现依据现行政策文件答复如下：")
        lines.append("")
        lines += ["　　" + p for p in points]
        note = composer.vintage(chosen_hits, book)
        if note:
            lines += ["", "　　" + note]
        lines += ["", "　　以上内容以政策文件原文为准。具体申报条件、支持额度和办理时限，请以主管部门发布的实施细则为准。"]
    else:
        lines.append(f"　　贵单位关于“{quoted_topic}”的来函收悉。" if quoted_topic != "贵单位来函所询事项" else "　　贵单位来函收悉。")
        lines.append("　　经查，现有政策文件中没有找到与该事项直接相关的规定，我单位暂无法依据现行文件作出答复。"
                     "建议贵单位向有关主管部门进一步咨询。")
    lines += [
        "",
        "　　如有疑问，请与【联系人】联系，联系电话：【联系电话】。",
        "",
        "　　特此复函。",
        "",
        "【单位名称】",
        "【日期】",
    ]
    return Composed("\n".join(lines), book.citations, covered)


def _numeral(i: int) -> str:
    return _NUMERALS[i] if i < len(_NUMERALS) else str(i + 1)
