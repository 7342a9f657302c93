"""Pure functions from an Answer (and its typed tool results) to Slack messages (Block Kit),
within Slack's limits (BOTS.md S9).

- always a plain-text fallback ``text``;
- ``section`` text ≤ 3000 characters: long answers are split over several sections;
- ``context`` ≤ 10 elements: citations go there (title, 文号, section; a link when a public URL is set);
- ≤ 50 blocks per message; ``chat.update`` text ≤ 4000 characters.
"""

from __future__ import annotations

import re
from typing import Any

from bot.assistant.formatting import target_gap, target_requirement, target_value
from bot.assistant.types import Answer, Citation, EligibilityCheck, ScoreLookup
from bot.channels.citations import citation_label
from scoring import EligibilityReport, ScoreCard

SECTION_LIMIT = 3000
CONTEXT_ELEMENTS = 10
MAX_BLOCKS = 50
UPDATE_TEXT_LIMIT = 4000
FEEDBACK_ACTION_IDS = ("parkbot_feedback_up", "parkbot_feedback_down")
ANSWER_BLOCK_PREFIX = "parkbot_answer_"  # block_id of the sections that hold the answer text itself

Block = dict[str, Any]


def mrkdwn(text: str) -> str:
    """Markdown from the assistant → Slack mrkdwn (bold, headings; escapes &, <, >)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text)
    text = re.sub(r"^#{1,6}\s*(.+)$", r"*\1*", text, flags=re.M)
    return text


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split at paragraph, then sentence boundaries so that every piece is ≤ ``limit`` characters."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for breakers in ("\n\n", "\n", "。", "；", ". ", "，"):
            pos = window.rfind(breakers)
            if pos >= limit // 3:
                cut = pos + len(breakers)
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest.strip() or not pieces:
        pieces.append(rest)
    return pieces


def citation_context(citations: list[Citation], public_base_url: str = "") -> list[Block]:
    """Citations as context blocks of at most ten elements each."""
    elements = []
    for c in citations:
        label = mrkdwn(citation_label(c))
        if public_base_url:
            url = f"{public_base_url.rstrip('/')}/?passage={c.chunk_id}"
            label = f"<{url}|{label}>"
        elements.append({"type": "mrkdwn", "text": label[:2000]})
    return [
        {"type": "context", "elements": elements[i : i + CONTEXT_ELEMENTS]}
        for i in range(0, len(elements), CONTEXT_ELEMENTS)
    ]


def _bar(score: float | None, width: int = 10) -> str:
    if score is None:
        return "—"
    filled = max(0, min(width, round(score / 100 * width)))
    return "█" * filled + "░" * (width - filled) + f" {score:.2f}"


def score_card_blocks(card: ScoreCard) -> list[Block]:
    """A score card as header fields plus one bar per primary indicator."""
    head = f"*{card.name or card.park_id}*"
    if card.synthetic:
        head += "  `SYNTHETIC 示例数据`"
    fields = [
        {"type": "mrkdwn", "text": f"*总分*\n{card.total:.2f}" if card.total is not None else "*总分*\n不可排名"},
        {"type": "mrkdwn", "text": f"*排名*\n{card.rank} / {card.rankable_count or card.cohort_size}" if card.rank else "*排名*\n—"},
    ]
    for p in card.primaries[:8]:
        fields.append({"type": "mrkdwn", "text": f"*{p.name or p.code}*（{p.weight:g}%）\n`{_bar(p.score)}`"})
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": head}}]
    for i in range(0, len(fields), 10):  # a section holds at most 10 fields
        blocks.append({"type": "section", "fields": fields[i : i + 10]})
    method = f"方法 {card.method} · 指标体系 {card.registry} · 非火炬中心官方结果"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": method}]})
    return blocks


_MET = {True: "✓ 达标", False: "✗ 未达标", None: "? 缺数据"}


def eligibility_blocks(report: EligibilityReport) -> list[Block]:
    """An eligibility report as a compact monospace table plus the verdict and the clause."""
    rows = []
    for t in report.targets:
        gap = target_gap(t)
        gap_text = f" 差 {gap}" if gap else ""
        rows.append(f"{t.no}. {t.name}: {target_value(t)} / {target_requirement(t)} {_MET[t.met]}{gap_text}")
    verdict = {"pass": "全部达标", "fail": "未达标", "incomplete": "数据不全，无法判定"}.get(report.overall, "")
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{report.category}*：{verdict}"}}
    ]
    for chunk in split_text("\n".join(rows), SECTION_LIMIT - 10):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"```{chunk}```"}})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"依据：{report.citation.doc} {report.citation.section}"}]})
    return blocks


def feedback_block(conversation_id: str) -> Block:
    return {
        "type": "actions",
        "block_id": "parkbot_feedback",
        "elements": [
            {"type": "button", "action_id": FEEDBACK_ACTION_IDS[0], "text": {"type": "plain_text", "text": "👍 有帮助"}, "value": conversation_id[:2000]},
            {"type": "button", "action_id": FEEDBACK_ACTION_IDS[1], "text": {"type": "plain_text", "text": "👎 没帮助"}, "value": conversation_id[:2000]},
        ],
    }


def answer_messages(answer: Answer, public_base_url: str = "", feedback: bool = True) -> list[dict[str, Any]]:
    """The answer as one or more messages ``{"text", "blocks"}``, each within Slack's limits."""
    blocks: list[Block] = [
        {"type": "section", "block_id": f"{ANSWER_BLOCK_PREFIX}{i}", "text": {"type": "mrkdwn", "text": mrkdwn(piece)}}
        for i, piece in enumerate(p for p in split_text(answer.answer) if p.strip())
    ]
    for call in answer.tool_calls:
        if isinstance(call.result, ScoreLookup):
            blocks.extend(score_card_blocks(call.result.card))
        elif isinstance(call.result, EligibilityCheck):
            blocks.extend(eligibility_blocks(call.result.eligibility))
    blocks.extend(citation_context(answer.citations, public_base_url))
    if feedback:
        blocks.append(feedback_block(answer.conversation_id))
    fallback = fallback_text(answer)
    messages = []
    for i in range(0, len(blocks), MAX_BLOCKS):
        messages.append({"text": fallback if i == 0 else fallback[:200] + "…(续)", "blocks": blocks[i : i + MAX_BLOCKS]})
    return messages


def fallback_text(answer: Answer) -> str:
    """Plain text for notifications and clients without Block Kit (≤ 4000 characters)."""
    sources = "\n".join(citation_label(c) for c in answer.citations)
    text = answer.answer + (f"\n来源：\n{sources}" if sources else "")
    return text if len(text) <= UPDATE_TEXT_LIMIT else text[: UPDATE_TEXT_LIMIT - 1] + "…"
