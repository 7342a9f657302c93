"""The Slack app (slack-bolt): listeners for mentions, DMs, the /parkbot command and feedback.

Bolt acknowledges events within milliseconds and runs listeners in its worker pool afterwards
(S3). Deliveries are deduplicated by envelope ``event_id`` (S4) and by (channel, ts) for the
mention/message double delivery (S5) in the shared store, so replicas agree. Every answer goes
into the thread it came from; a thread is one conversation (S7). The asker is a principal
``slack:<team>:<user>`` limited to the parks of ``slack.parks``; every question goes through
``Services.stream_answer``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.assistant.types import AnswerRequest, FinalAnswer, Mode, StreamEvent
from bot.channels.refusals import FAILURE, refusal_text
from bot.channels.slack.render import FEEDBACK_ACTION_IDS, answer_messages
from bot.channels.slack.responder import ThreadResponder
from bot.dedupe import DedupeStore
from bot.errors import StoreUnavailable, error_body
from bot.principal import ALL_PARKS, Principal

log = logging.getLogger(__name__)

StreamFn = Callable[[AnswerRequest], Iterator[StreamEvent]]  # Services.stream_answer
FeedbackFn = Callable[[dict[str, Any]], None]

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]+)?>")
ANSWERED_SUBTYPES = {None, "file_share", "thread_broadcast"}

HELP = (
    "*ParkBot 用法*\n"
    "• `/parkbot ask 问题` 政策问答（带出处）\n"
    "• `/parkbot score 园区` 评价得分、排名与原因\n"
    "• `/parkbot check 园区 类别` 是否达到世界一流/创新型科技/创新型特色园区目标\n"
    "• `/parkbot draft 企业来函内容` 起草答复函\n"
    "也可以在频道里 @ParkBot 提问，或直接私信。"
)


def build_web_client(token: str, base_url: str, timeout_s: float = 10.0) -> WebClient:
    """A Web API client that honours 429 Retry-After (S13) and can point at a local mock."""
    client = WebClient(token=token or None, base_url=base_url, timeout=int(timeout_s))
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


def slash_request(text: str) -> tuple[str, Mode] | None:
    """``/parkbot`` text → (message for the assistant, mode); None means show help."""
    verb, _, rest = text.strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb in ("", "help", "帮助") or not rest and verb in ("ask", "score", "check", "draft"):
        return None
    if verb == "ask":
        return rest, "answer"
    if verb == "score":
        return f"{rest}的评价得分、排名和原因", "answer"
    if verb == "check":
        park, _, category = rest.rpartition(" ")
        return (f"{park}是否达到{category}的目标要求" if park else f"{rest}是否达标"), "answer"
    if verb == "draft":
        return rest, "draft"
    return text.strip(), "answer"  # no verb: treat the whole text as a question


def build_slack_app(
    *,
    signing_secret: str | None,
    client: WebClient,
    dedupe: DedupeStore,
    stream_answer: StreamFn,
    record_feedback: FeedbackFn,
    public_base_url: str = "",
    native_stream: bool = True,
    parks: Sequence[str] = (ALL_PARKS,),
    executor: Executor | None = None,
) -> App:
    """Build the bolt App. ``signing_secret`` None means Socket Mode (no request signing).
    ``parks`` is the park scope of everyone asking through this Slack app (``slack.parks``)."""

    def ask(team: str, user: str, message: str, conversation_id: str, mode: Mode = "answer") -> AnswerRequest:
        principal = Principal(kind="slack", name=f"{team or '-'}:{user or '-'}", parks=tuple(parks))
        return AnswerRequest(principal=principal, message=message, conversation_id=conversation_id, mode=mode,
                             channel="slack")
    app = App(
        client=client,
        signing_secret=signing_secret,
        token_verification_enabled=False,
        request_verification_enabled=signing_secret is not None,
        listener_executor=executor,
    )

    @app.error
    def unreadable(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
        """A signed request bolt could not handle (a payload shape its readers do not expect): 400, not a 500.
        After an ack (a listener's error) the response is no longer sent; the log has the details either way."""
        log.error("Slack request failed in bolt: %s", error, exc_info=error)
        if response is None:
            return None
        body = error_body("invalid_body", f"ParkBot could not read this Slack request ({type(error).__name__}).")
        return BoltResponse(status=400, body=json.dumps(body), headers={"Content-Type": "application/json"})

    @app.middleware
    def drop_retried_deliveries(body: dict, next: Callable[[], None]) -> BoltResponse | None:  # noqa: A002
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id:
            try:
                first = dedupe.first_time(f"slack:event:{event_id}")
            except StoreUnavailable as exc:  # nothing recorded: Slack retries the event, and it is answered then
                return BoltResponse(status=503, body=json.dumps(error_body(exc.code, str(exc))),
                                    headers={"Content-Type": "application/json", "Retry-After": str(exc.retry_after_s)})
            if not first:
                log.info("slack duplicate delivery of %s acknowledged and dropped", event_id)
                return BoltResponse(status=200, body="")
        next()
        return None

    def answer_in_thread(event: dict, context: Any, question: str) -> None:
        channel = event["channel"]
        thread_ts = event.get("thread_ts") or event["ts"]
        try:
            if not dedupe.first_time(f"slack:msg:{channel}:{event['ts']}"):
                return  # the same message arrived as app_mention and as message (S5)
        except StoreUnavailable:
            context.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=FAILURE)
            return
        team = event.get("team") or context.team_id or ""
        responder = ThreadResponder(
            context.client,
            channel,
            thread_ts,
            user_id=event.get("user", ""),
            team_id=team,
            native_stream=native_stream,
            public_base_url=public_base_url,
        )
        try:
            events = stream_answer(ask(team, event.get("user", ""), question, f"slack:{channel}:{thread_ts}"))
        except Exception as exc:  # refused before answering (e.g. too long): say so in the thread
            context.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=refusal_text(exc))
            return
        responder.run(events)

    @app.event("app_mention")
    def on_mention(event: dict, context: Any) -> None:
        question = MENTION.sub("", event.get("text", "")).strip()
        if question:
            answer_in_thread(event, context, question)

    @app.event("message")
    def on_message(event: dict, context: Any) -> None:
        if event.get("bot_id") or event.get("hidden") or event.get("subtype") not in ANSWERED_SUBTYPES:
            return
        if event.get("user") and event.get("user") == context.bot_user_id:
            return
        text = event.get("text", "")
        if event.get("channel_type") != "im" or MENTION.search(text) and context.bot_user_id and f"<@{context.bot_user_id}" in text:
            return  # channel messages are answered through app_mention only
        if text.strip():
            answer_in_thread(event, context, text.strip())

    @app.command(re.compile(r"^/parkbot"))
    def on_command(ack: Callable[..., None], command: dict, respond: Callable[..., Any]) -> None:
        request = slash_request(command.get("text", ""))
        if request is None:
            ack(text=HELP)
            return
        ack(text=f"收到，正在处理：{command.get('text', '').strip()[:200]}")
        message, mode = request
        asked = ask(command.get("team_id", ""), command.get("user_id", ""), message,
                    f"slack:cmd:{command.get('channel_id')}:{command.get('user_id')}", mode)
        try:
            answer = next((e.answer for e in stream_answer(asked) if isinstance(e, FinalAnswer)), None)
        except Exception as exc:
            log.warning("slash command answer failed: %s", exc)
            respond(text=refusal_text(exc), response_type="ephemeral")
            return
        if answer is None:
            respond(text=FAILURE)
            return
        first = answer_messages(answer, public_base_url)[0]
        respond(text=first["text"], blocks=first["blocks"], response_type="ephemeral")

    @app.action(re.compile("^(" + "|".join(FEEDBACK_ACTION_IDS) + ")$"))
    def on_feedback(ack: Callable[[], None], body: dict, action: dict) -> None:
        ack()
        message = body.get("message") or {}
        record_feedback(
            {
                "conversation_id": action.get("value") or None,
                "message_id": f"slack:{(body.get('channel') or {}).get('id', '')}:{message.get('ts', '')}",
                "answer": message.get("text") or "(Slack message)",
                "rating": "up" if action.get("action_id") == FEEDBACK_ACTION_IDS[0] else "down",
                "comment": f"slack user {(body.get('user') or {}).get('id', '')}",
            }
        )

    return app


def slack_app_for(services: Any, *, signing_secret: str | None, executor: Executor | None = None) -> App:
    """The bolt app over ParkBot's services (HTTP mode with a signing secret, Socket Mode without);
    listeners run in ``executor`` (the server's drained pool), or bolt's own pool."""
    cfg = services.settings.slack
    return build_slack_app(
        signing_secret=signing_secret,
        client=build_web_client(cfg.bot_token.get_secret_value(), cfg.api_base_url),
        dedupe=services.dedupe,
        stream_answer=services.stream_answer,
        record_feedback=services.record_feedback,
        public_base_url=services.settings.server.public_base_url,
        native_stream=cfg.native_stream,
        parks=cfg.parks,
        executor=executor,
    )
