"""What a bot asker reads when a question is refused or fails (Slack, WeCom app, AI bot).

The HTTP channels answer with a status code and an error body; a chat message can only carry
text, so the bots say it in words: a question over ``limits.max_message_chars`` gets the short
"问题太长，请精简到 N 字以内" (config/assistant/wording.yaml), a refusal the asker can act on its
message, and anything else the one failure line.
"""

from __future__ import annotations

from bot.errors import MessageTooLong, Unavailable, is_domain_error

FAILURE = "抱歉，ParkBot 暂时无法回答，请稍后再试。"


def refusal_text(exc: BaseException) -> str:
    """The reply for a question that raised ``exc`` before or while it was answered."""
    if isinstance(exc, MessageTooLong):
        from bot.assistant.wording import load_wording

        return load_wording().zh.notices.message_too_long.format(limit=exc.limit)
    if isinstance(exc, Unavailable) or not is_domain_error(exc):  # for the operator, not the asker: try later
        return FAILURE
    return f"抱歉，无法回答：{exc}"
