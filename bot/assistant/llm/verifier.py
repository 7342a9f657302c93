"""The model's text verified as it streams: each sentence or list is checked as soon as it is
complete, then released, renumbered, in order.

::

    tokens ─► Splitter ─► units ─► (lists held until they end) ─► Checker per clause ─► kept text
                                                                                         │
        released once a cited, verified sentence is ready (and at most max_removed_share of the
        checked clauses so far failed); after that every kept sentence goes out at once

* A sentence is checked clause by clause (:func:`~bot.assistant.llm.segments.clauses`); a clause
  without markers inherits those at the end of its sentence. Items of a list (lines 1. 2. 3., or
  一是…；二是… clauses and sentences) inherit the markers at the end of the list, so a list is held
  until it ends; each item must be supported by that passage. A count the intro announces
  ("以下六个方面：") must equal the number of items kept.
* Nothing is released before a supported sentence (cited, or carrying a tool's numbers) is ready:
  until then the caller may still fall back to the offline answer. A later sentence that fails
  is withheld and listed in :attr:`Verdict.removed`.
* ``hold()`` keeps everything until :meth:`finish` (the retrieval said the corpus does not cover
  the question: the answer is judged whole). ``retract()`` drops what is not released yet (the
  model went on to call tools, so its text so far was not the answer).
* :meth:`finish` decides what was not released: the answer, a refusal (the model said the
  documents do not cover the question and cited nothing), or a fallback with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.assistant.llm.evidence import Evidence
from bot.assistant.llm.guards import Checker, GuardConfig, Removed
from bot.assistant.llm.segments import (
    CITATION,
    LIST_LINE,
    Splitter,
    Unit,
    announced_count,
    clauses,
    markers,
    opens_list,
    starts_item,
    trailing_markers,
)
from bot.assistant.numbers import claimed_numbers
from bot.assistant.types import Citation

_END_PUNCT = "。！？!?"


@dataclass
class Decided:
    """A unit after the checks: what of it is kept, and what it tells about the answer."""

    unit: Unit
    text: str  # kept text ("" when all of it was removed; "\n" for a break)
    removed: list[Removed] = field(default_factory=list)
    checked: int = 0
    anchoring: bool = False  # a kept clause is cited or carries a tool's numbers
    cited: bool = False  # a kept clause has a citation marker
    refusal: bool = False  # a kept clause says the documents do not cover the question


@dataclass
class Verdict:
    text: str
    citations: list[Citation]
    removed: list[Removed]
    checked: int
    released: bool  # text was sent before the model finished (no fallback is possible any more)
    fallback: str | None = None  # why the caller should use the offline composer instead
    refusal: bool = False  # the model's own statement that the documents do not cover the question

    @property
    def notices(self) -> list[str]:
        return [f"已删除一句未通过核验的内容：{r.reason}。" for r in self.removed]


class StreamVerifier:
    """Feed it the model's text; it returns the verified text to send, piece by piece."""

    def __init__(self, evidence: Evidence, config: GuardConfig | None = None) -> None:
        self.evidence = evidence
        self.config = config or GuardConfig()
        self.checker = Checker(evidence, self.config)
        self._splitter = Splitter()
        self._block: list[Unit] = []  # an intro and/or list items waiting for the list to end
        self._waiting: list[Unit] = []  # an uncited sentence (and breaks) waiting for the next sentence
        self._ready: list[Decided] = []  # decided, not released
        self._released: list[Decided] = []
        self._held = False
        self._not_covered = False
        self._order: dict[int, int] = {}
        self._out: list[str] = []
        self._line_has_text = False
        self._breaks = ""  # line breaks waiting for the next kept line

    # -- input ------------------------------------------------------------------------------------

    def feed(self, text: str) -> str:
        """Take more of the model's text; returns what may be sent now ("" when nothing)."""
        for unit in self._splitter.feed(text):
            self._take(unit)
        if self._block and self._block[-1].kind == "break" and self._next_line_leaves_list():
            self._close_block()  # the list ended: a new line has begun that is not an item
        return self._release()

    def _next_line_leaves_list(self) -> bool:
        start = self._splitter.pending.lstrip(" \t")
        if len(start) < 4 or start.startswith("\n"):
            return False  # too little to tell yet, or a blank line (a list may go on after it)
        return not (LIST_LINE.match(start) or starts_item(start))

    def hold(self) -> None:
        """Release nothing until :meth:`finish`, where the answer is judged as a whole."""
        self._held = True

    def judge_whole(self, not_covered: bool) -> None:
        """``not_covered``: the retrieval said the corpus does not cover the question, so nothing is
        released early and the answer is delivered only if every clause passes."""
        self._held = self._not_covered = not_covered

    def interrupt(self) -> None:
        """The model stopped mid-sentence (the endpoint failed): drop the incomplete sentence."""
        self._splitter.pending = ""

    def retract(self) -> None:
        """Forget the text that is not released yet (the model went on to call tools)."""
        self._splitter = Splitter()
        self._block = []
        self._waiting = []
        self._ready = []

    @property
    def released(self) -> bool:
        return bool(self._out)

    def finish(self) -> tuple[str, Verdict]:
        """Decide the rest; returns the last text to send and the verdict."""
        for unit in self._splitter.finish():
            self._take(unit)
        self._settle_waiting([])
        self._close_block()
        pending, self._ready = self._ready, []
        early = self.released  # text went out while the model was writing
        fallback, refusal = self._judge(pending) if not early else (None, False)
        if fallback:  # nothing is sent; the verdict still says what the checks found
            tail, decided = "", pending
        else:
            tail, decided = self._emit(pending), self._released
        verdict = Verdict(
            text="".join(self._out), citations=[] if fallback else self.citations(),
            removed=[r for d in decided for r in d.removed], checked=sum(d.checked for d in decided),
            released=early, fallback=fallback, refusal=refusal,
        )
        return tail, verdict

    def citations(self) -> list[Citation]:
        return [self.evidence.passages[old].model_copy(update={"n": new}) for old, new in self._order.items()]

    # -- grouping ---------------------------------------------------------------------------------

    def _take(self, unit: Unit) -> None:
        if self._waiting:  # an uncited sentence with numbers: the sentence after it may cite their source
            if unit.kind == "break" and not unit.blank:
                self._waiting.append(unit)
                return
            self._settle_waiting(markers(unit.text) if unit.kind == "sentence" else [])
        if self._block:
            if unit.kind == "break" or self._is_item(unit) or (unit.list_line and not unit.line_start):
                self._block.append(unit)
                return
            self._close_block()
        if unit.kind == "sentence" and (opens_list(unit.text) or self._is_item(unit)):
            self._block = [unit]
        elif unit.kind == "sentence" and not markers(unit.text) and claimed_numbers(unit.text):
            self._waiting = [unit]  # "最长五年。" before "…可申办五年以内的居留许可[1]。"
        else:
            self._ready.append(self._decide(unit, []))

    def _settle_waiting(self, basis: list[int]) -> None:
        waiting, self._waiting = self._waiting, []
        if waiting:
            self._ready.append(self._decide(waiting[0], [], basis=basis))
            self._ready.extend(Decided(u, "\n") for u in waiting[1:])

    @staticmethod
    def _is_item(unit: Unit) -> bool:
        return unit.kind == "sentence" and ((unit.list_line and unit.line_start) or starts_item(unit.text))

    def _close_block(self) -> None:
        block, self._block = self._block, []
        if not block:
            return
        intro = block[0] if opens_list(block[0].text) and not self._is_item(block[0]) else None
        body = block[1:] if intro else block
        tail: list[Unit] = []
        while body and body[-1].kind == "break":  # breaks after the list belong after it
            tail.insert(0, body.pop())
        lead: list[Unit] = []
        while body and body[0].kind == "break":
            lead.append(body.pop(0))
        items = self._items(body)
        sentences = [u for u in body if u.kind == "sentence"]
        inherited = trailing_markers(sentences[-1].text) if sentences else []
        if not inherited and intro is not None:
            inherited = markers(intro.text)
        decided = [[self._decide(u, inherited) for u in item] for item in items]
        if inherited and not any(markers(d.text) for item in decided for d in item):
            self._carry(decided, inherited)
        kept = sum(1 for item in decided if any(d.text.strip() for d in item if d.unit.kind == "sentence"))
        out: list[Decided] = []
        if intro is not None:
            out.append(self._decide(intro, [], count=kept if items else None, basis=inherited))
        out.extend(Decided(u, "\n") for u in lead)
        for item in decided:
            out.extend(item)
        out.extend(Decided(u, "\n") for u in tail)
        self._ready.extend(out)

    @staticmethod
    def _items(units: Sequence[Unit]) -> list[list[Unit]]:
        """The list's units grouped per item (an item starts at a list line or at 一是/第一…)."""
        items: list[list[Unit]] = []
        for u in units:
            if not items or StreamVerifier._is_item(u):
                items.append([u])
            else:
                items[-1].append(u)
        return items

    def _carry(self, items: list[list[Decided]], inherited: list[int]) -> None:
        """The list's markers were on a removed item: put them on the last kept item instead."""
        tag = "".join(f"[{n}]" for n in inherited)
        for item in reversed(items):
            for d in reversed(item):
                if d.unit.kind == "sentence" and d.text.strip():
                    d.text = _attach(d.text, tag)
                    return

    # -- one sentence -----------------------------------------------------------------------------

    def _decide(self, unit: Unit, inherited: list[int], *, count: int | None = None,
                basis: Sequence[int] = ()) -> Decided:
        """Check ``unit`` clause by clause; a clause without markers cites those at the end of its
        sentence, else ``inherited`` (its list's); an intro clause cites nothing of its own but its
        numbers may come from ``basis`` (what its list or the next sentence cites)."""
        if unit.kind == "break":
            return Decided(unit, "\n")
        parts = clauses(unit.text)
        end_markers = trailing_markers(unit.text)
        items = [i for i, p in enumerate(parts) if starts_item(p)]
        intro_at = items[0] - 1 if items and items[0] > 0 and parts[items[0] - 1].rstrip().endswith(("：", ":")) else None
        decided = Decided(unit, "")
        kept: list[str] = []
        relied = False
        for i, part in enumerate(parts):
            own = markers(part)
            cited = own if i == intro_at else own or end_markers or inherited
            support = [] if cited else list(end_markers or inherited or basis)
            check_text = part
            if count is not None and i == len(parts) - 1 or (intro_at is not None and i == intro_at):
                found = announced_count(part)
                if found is not None:
                    value, (a, b) = found
                    check_text = part[:a] + "，" + part[b:]
                    expected = count if intro_at is None or i != intro_at else self._kept_items(parts, items, end_markers, inherited)
                    if expected is not None and expected != value:
                        decided.removed.append(Removed(_plain(part), f"宣布有 {value} 项，随后列出 {expected} 项"))
                        decided.checked += 1
                        continue
            refusal = self.checker.refusal(part)
            numbers = bool(claimed_numbers(check_text))
            if cited or numbers:
                decided.checked += 1
            reason = self.checker.check(check_text, cited, basis=support, refusal=refusal)
            if reason:
                decided.removed.append(Removed(_plain(part), reason))
                decided.checked += 0 if cited or numbers else 1  # a removed clause was checked
                continue
            kept.append(part)
            relied = relied or (not own and bool(end_markers) and i < len(parts) - 1)
            decided.cited = decided.cited or bool(cited)
            decided.anchoring = decided.anchoring or bool(cited) or numbers or bool(self.evidence.tool_texts)
            decided.refusal = decided.refusal or refusal
        text = "".join(kept)
        if kept and end_markers and relied and not trailing_markers(text):
            text = _attach(text, "".join(f"[{n}]" for n in end_markers), _ending(unit.text))
        decided.text = text
        return decided

    def _kept_items(self, parts: list[str], items: list[int], end_markers: list[int], inherited: list[int]) -> int:
        """How many inline items (一是…；二是…) pass their checks (for the intro's announced count)."""
        n = 0
        for i in items:
            cited = markers(parts[i]) or end_markers or inherited
            if self.checker.check(parts[i], cited, refusal=False) is None:
                n += 1
        return n

    # -- release ----------------------------------------------------------------------------------

    def _release(self) -> str:
        if self._held or not self._ready:
            return ""
        if not self.released:
            if not any(d.anchoring and d.text.strip() for d in self._ready):
                return ""
            checked = sum(d.checked for d in self._ready)
            removed = sum(len(d.removed) for d in self._ready)
            if checked and removed / checked > self.config.max_removed_share:
                return ""
        ready, self._ready = self._ready, []
        return self._emit(ready)

    def _emit(self, decided: list[Decided]) -> str:
        """The kept text of ``decided``, renumbered; line breaks only between kept lines."""
        out: list[str] = []
        for d in decided:
            self._released.append(d)
            if d.unit.kind == "break":
                if self._line_has_text:
                    self._breaks, self._line_has_text = "\n", False
                elif d.unit.blank and self._breaks == "\n":
                    self._breaks = "\n\n"  # a paragraph break
                continue
            text = self._renumber(d.text)
            if not text.strip():
                continue
            if self._breaks and (self._out or out):
                out.append(self._breaks)
            self._breaks = ""
            out.append(text)
            self._line_has_text = True
        piece = "".join(out)
        if piece:
            self._out.append(piece)
        return piece

    def _renumber(self, text: str) -> str:
        for n in markers(text):
            if n in self.evidence.passages and n not in self._order:
                self._order[n] = len(self._order) + 1
        text = CITATION.sub(lambda m: f"[{self._order[int(m.group(1))]}]" if int(m.group(1)) in self._order else "", text)
        return re.sub(r"(\[\d+\])\1+", r"\1", text)

    # -- the end, when nothing was released -------------------------------------------------------

    def _judge(self, decided: list[Decided]) -> tuple[str | None, bool]:
        """(fallback reason, refusal) for an answer of which nothing was sent yet."""
        checked = sum(d.checked for d in decided)
        removed = sum(len(d.removed) for d in decided)
        kept = [d for d in decided if d.unit.kind != "break" and d.text.strip()]
        if checked and removed / checked > self.config.max_removed_share:
            return f"模型回答中 {removed}/{checked} 句未通过引用、数字或内容核验", False
        if not kept:
            return "模型的回答没有可保留的内容", False
        cited = any(d.cited for d in kept)
        if not cited and any(d.refusal for d in kept):
            return None, True
        if self._not_covered and removed:
            return f"检索显示文件未覆盖该问题，且模型回答中 {removed} 句未通过核验", False
        if self.config.require_citation and not cited and not self.evidence.tool_texts:
            return "模型的回答没有引用任何检索到的段落", False
        return None, False


def _plain(text: str) -> str:
    return text.strip()


def _ending(text: str) -> str:
    body = CITATION.sub("", text).rstrip()
    m = re.search(f"[{_END_PUNCT}]+$", body)
    return m.group(0) if m else ""


def _attach(text: str, tag: str, ending: str = "") -> str:
    """``tag`` put at the end of ``text``'s last clause (before its closing punctuation)."""
    body = CITATION.sub("", text).rstrip()
    stripped = body.rstrip("；;，,：:" + _END_PUNCT)
    end = body[len(stripped):] or ending
    if end and end[0] in "；;，,":
        end = ending
    return stripped + tag + end


def guard(draft: str, evidence: Evidence, config: GuardConfig | None = None) -> Verdict:
    """A whole draft checked at once (as :class:`StreamVerifier` would, releasing nothing early)."""
    verifier = StreamVerifier(evidence, config)
    verifier.hold()
    verifier.feed(draft)
    return verifier.finish()[1]
