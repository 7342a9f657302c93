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
from collections.abc import Sequence

from bot.assistant.offline.citations import CitationBook, doc_label, section_label
from bot.assistant.offline.composed import Composed
from bot.assistant.offline.policy import PolicyComposer
from retrieval.coverage import Coverage
from retrieval.models import Hit

PLACEHOLDERS = ("【企业名称】", "【单位名称】", "【联系人】", "【联系电话】", "【日期】")
_ENQUIRY_PREFIX = re.compile(r"^(请|帮我|帮忙|麻烦)?(起草|拟写|草拟|写一份|写个|拟一份)[^：:，,]{0,16}?(复函|回函|答复|回复|函|信)[，,：:]?\s*")
_ABOUT = re.compile(r"^(关于|就|针对)")


def enquiry_topic(message: str) -> str:
    """The enquiry without "请起草一份复函：" and trailing punctuation."""
    topic = _ENQUIRY_PREFIX.sub("", message.strip())
    topic = _ABOUT.sub("", topic)
    topic = re.sub(r"(的)?(复函|回函|答复)$", "", topic)
    return topic.strip(" ：:，,。？?") or message.strip()


def draft_letter(
    policy: PolicyComposer,
    message: str,
    hits: Sequence[Hit],
    coverage: Coverage | None,
) -> Composed:
    """The letter (always in Chinese, config/assistant/wording.yaml ``letter``), quoting what answers."""
    letter = policy.wording.letter
    zh = policy.wording.zh
    topic = enquiry_topic(message)
    covered = bool(hits)
    book = CitationBook()
    points: list[str] = []
    chosen_hits: list[Hit] = []
    if covered:
        chosen, overlap = policy.picker.pick(topic, hits)
        if policy.supported(topic, chosen, overlap, coverage)[0]:
            for i, sent in enumerate(chosen):
                section = section_label(sent.hit)
                numeral = letter.numerals[i] if i < len(letter.numerals) else str(i + 1)
                points.append(letter.point.format(numeral=numeral, document=doc_label(sent.hit, zh),
                                                  section=(" " + section) if section else "", sentence=sent.text,
                                                  n=book.cite(sent.hit)))
                chosen_hits.append(sent.hit)
        else:
            covered = False
    # the enquiry is echoed only without figures: every number in a letter must come from a source
    named = not re.search(r"\d", topic)
    lines = [letter.title.format(topic=topic) if named else letter.title_unnamed, "", letter.salutation, ""]
    if covered:
        lines += [letter.opening.format(topic=topic) if named else letter.opening_unnamed, ""]
        lines += ["　　" + p for p in points]
        note = policy.vintage(chosen_hits, book)
        if note:
            lines += ["", "　　" + note]
        lines += ["", letter.caveat]
    else:
        lines.append(letter.received.format(topic=topic) if named else letter.received_unnamed)
        lines.append(letter.not_covered)
    lines += letter.closing
    return Composed("\n".join(lines), book.citations, covered)
