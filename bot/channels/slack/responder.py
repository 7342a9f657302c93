"""Answer one Slack request in a thread: a placeholder at once, then the answer as it streams.

Streaming uses Slack's native chat streams (chat.startStream/appendStream/stopStream) when the
workspace allows them, and otherwise a placeholder message edited with ``chat.update`` at most
once per ``min_update_interval_s`` (Tier 3 rate limit, BOTS.md S12). The final message always
carries the Block Kit rendering: citations, score card or eligibility table, feedback buttons.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.assistant.types import Answer, FinalAnswer, ScoreLookup, StreamEvent, TextDelta
from bot.channels.refusals import FAILURE
from bot.channels.slack.chart import score_chart_png
from bot.channels.slack.render import ANSWER_BLOCK_PREFIX, UPDATE_TEXT_LIMIT, answer_messages

log = logging.getLogger(__name__)

PLACEHOLDER = "正在查询政策文件…"


class ThreadResponder:
    def __init__(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str,
        *,
        user_id: str = "",
        team_id: str = "",
        native_stream: bool = True,
        public_base_url: str = "",
        min_update_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.user_id = user_id
        self.team_id = team_id
        self.native_stream = native_stream
        self.public_base_url = public_base_url
        self.min_update_interval_s = min_update_interval_s
        self.clock = clock

    def run(self, events: Iterator[StreamEvent]) -> Answer | None:
        """Show the answer's text as it arrives, then the final message; returns the answer (None on failure)."""
        stream = _text_then_answer(events)
        answer: Answer | None = None
        if self.native_stream:
            try:
                answer = self._run_native(stream)
            except _NativeUnavailable as exc:
                log.info("native chat stream unavailable (%s); falling back to chat.update", exc)
                answer = self._run_update(exc.rest)
        else:
            answer = self._run_update(stream)
        if answer is not None:
            self._upload_score_charts(answer)
        return answer

    def _upload_score_charts(self, answer: Answer) -> None:
        """A score card's primaries as a labelled PNG bar chart in the thread (needs the files:write scope)."""
        for lookup in answer.results(ScoreLookup):
            card = lookup.card
            if not card.primaries:
                continue
            caption = " · ".join(f"{p.name} {p.score}" for p in card.primaries)
            try:
                self.client.files_upload_v2(
                    channel=self.channel,
                    thread_ts=self.thread_ts,
                    content=score_chart_png(card),
                    filename=f"score-{card.park_id}.png",
                    title=f"{card.name} 一级指标得分" + ("（SYNTHETIC 示例数据）" if card.synthetic else ""),
                    alt_txt=caption[:1000],
                )
            except Exception as exc:  # the answer is already there; the chart is a bonus
                log.warning("score chart upload failed: %s", exc)

    # -- chat.update streaming ---------------------------------------------------------------
    def _run_update(self, stream: Iterator[str | Answer]) -> Answer | None:
        placeholder = self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=PLACEHOLDER)
        ts = placeholder["ts"]
        text = ""
        last_update = self.clock()
        answer: Answer | None = None
        try:
            for item in stream:
                if isinstance(item, Answer):
                    answer = item
                    break
                text += item
                if self.clock() - last_update >= self.min_update_interval_s and text.strip():
                    self.client.chat_update(channel=self.channel, ts=ts, text=text[:UPDATE_TEXT_LIMIT])
                    last_update = self.clock()
        except Exception:
            log.exception("answer failed in Slack thread %s", self.thread_ts)
            self.client.chat_update(channel=self.channel, ts=ts, text=FAILURE)
            return None
        if answer is None:
            self.client.chat_update(channel=self.channel, ts=ts, text=FAILURE)
            return None
        messages = answer_messages(answer, self.public_base_url)
        self.client.chat_update(channel=self.channel, ts=ts, text=messages[0]["text"], blocks=messages[0]["blocks"])
        for extra in messages[1:]:
            self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, **extra)
        return answer

    # -- native streaming --------------------------------------------------------------------
    def _run_native(self, stream: Iterator[str | Answer]) -> Answer | None:
        first = next(stream, None)
        if first is None or isinstance(first, Answer):  # nothing to stream: post the final message
            raise _NativeUnavailable("nothing to stream", iter([first] if first is not None else []))
        kwargs = {}
        if self.user_id and self.team_id:
            kwargs = {"recipient_user_id": self.user_id, "recipient_team_id": self.team_id}
        streamer = self.client.chat_stream(channel=self.channel, thread_ts=self.thread_ts, buffer_size=1, **kwargs)
        try:
            streamer.append(markdown_text=first)  # the first flush calls chat.startStream
        except SlackApiError as exc:
            raise _NativeUnavailable(str(exc.response.get("error")), itertools.chain([first], stream)) from exc
        answer: Answer | None = None
        pending = ""
        last_flush = self.clock()
        try:
            for item in stream:
                if isinstance(item, Answer):
                    answer = item
                    break
                pending += item
                if self.clock() - last_flush >= self.min_update_interval_s:
                    streamer.append(markdown_text=pending)
                    pending, last_flush = "", self.clock()
        except Exception:
            log.exception("answer failed in Slack thread %s", self.thread_ts)
            streamer.stop(markdown_text=pending + "\n" + FAILURE)
            return None
        if answer is None:
            streamer.stop(markdown_text=pending + "\n" + FAILURE)
            return None
        messages = answer_messages(answer, self.public_base_url)
        # the streamed text is the answer; the final blocks add sources, tables and feedback
        extra_blocks = [b for b in messages[0]["blocks"] if not str(b.get("block_id", "")).startswith(ANSWER_BLOCK_PREFIX)]
        streamer.stop(markdown_text=pending, blocks=extra_blocks[:50])
        for extra in messages[1:]:
            self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, **extra)
        return answer


def _text_then_answer(events: Iterator[StreamEvent]) -> Iterator[str | Answer]:
    """The text pieces of a stream, then its answer (tool events are shown with the final message)."""
    for event in events:
        if isinstance(event, TextDelta) and event.text:
            yield event.text
        elif isinstance(event, FinalAnswer):
            yield event.answer


class _NativeUnavailable(Exception):
    def __init__(self, reason: str, rest: Iterator[str | Answer]) -> None:
        super().__init__(reason)
        self.rest = rest
