"""The deterministic tools that answer questions: the offline router and the LLM agent both call them.

Each tool is a plain method of :class:`Toolbox` (no framework): it takes simple arguments and
returns a :class:`ToolResult` — a short ``text`` for a language model and a structured
``artifact`` (hits, score card, eligibility verdict …) for the composer and the channels. The
LLM helper wraps these methods as langchain tools (``response_format="content_and_artifact"``).
Expected failures (unknown park, unknown category, missing data) come back as a ToolResult with
``ok=False`` and a text the model can act on; they never raise.

    search_policies(query, k, doc)      passages of the corpus + the coverage signal
    score_park(park)                    score card (total, rank, primaries, indicators)
    check_eligibility(park, category)   附1 targets of one category: pass / fail / incomplete
    check_rule(rule, facts)             enterprise / person rules (R&D share, foreign talent age …)
    explain_score(park)                 where the points come from and where they are lost
    what_if(park, changes)              recomputed card with changed indicator values
    list_parks()                        the cohort (SYNTHETIC sample unless the user loaded data)

The Toolbox depends on two ports, so it runs against the real libraries or small fakes:
:class:`PolicySearch` (``retrieval.search.Searcher`` satisfies it) and :class:`ParkData`
(``bot.assistant.adapters.ScoringParkData`` wraps the scoring engine).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rapidfuzz import fuzz

from bot.assistant.router import IndicatorRef, ParkRef, normalize_message

log = logging.getLogger(__name__)

CATEGORY_NAMES = {
    "world_class": "世界一流高科技园区",
    "innovative_sci_tech": "创新型科技园区",
    "innovative_featured": "创新型特色园区",
}
SYNTHETIC_NOTE = "SYNTHETIC：样例园区数据为虚构，仅供演示，不代表任何真实园区"


# -- ports ---------------------------------------------------------------------------------------


class PolicySearch(Protocol):
    """What the tools need from retrieval: ``retrieval.search.Searcher`` has this method.

    ``run`` returns an object with ``hits`` (``retrieval.models.Hit``) and ``coverage`` (with a
    boolean ``covered`` and a ``score``).
    """

    def run(self, query: str, k: int | None = None, filters: Mapping[str, Any] | None = None) -> Any: ...


class ParkData(Protocol):
    """What the tools need from scoring. Results are the JSON shapes of CONTRACT.md."""

    def parks(self) -> list[ParkRef]: ...

    def indicators(self) -> list[IndicatorRef]: ...

    def score_card(self, park_id: str) -> dict[str, Any]: ...

    def eligibility(self, park_id: str, category: str) -> dict[str, Any]: ...

    def what_if(self, park_id: str, changes: Mapping[str, str]) -> dict[str, Any]: ...

    def check_rule(self, rule: str, facts: Mapping[str, Any]) -> dict[str, Any]: ...


# -- results -------------------------------------------------------------------------------------


@dataclass
class ToolResult:
    """``text`` is what a model reads; ``artifact`` is what the composer and channels render."""

    name: str
    args: dict[str, Any]
    text: str
    artifact: dict[str, Any] = field(default_factory=dict)
    ok: bool = True
    ms: float = 0.0

    def as_tool_call(self) -> dict[str, Any]:
        """CONTRACT.md's ``tool_calls`` entry: ``{"name", "args", "result"}`` (the artifact)."""
        return {"name": self.name, "args": self.args, "result": _jsonable(self.artifact)}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def hit_dict(hit: Any) -> dict[str, Any]:
    """A hit as a plain dict (works for ``retrieval.models.Hit`` and for test dicts)."""
    if isinstance(hit, Mapping):
        return dict(hit)
    return hit.model_dump(mode="json")


# -- the toolbox ---------------------------------------------------------------------------------


class Toolbox:
    """The tools, bound to one searcher and one cohort. Thread-safe if its ports are."""

    def __init__(self, search: PolicySearch | None, parks: ParkData | None = None) -> None:
        self.search = search
        self.park_data = parks

    # policies ------------------------------------------------------------------------------

    def search_policies(self, query: str, k: int = 5, doc: str | None = None) -> ToolResult:
        """Search the policy documents for passages on ``query`` (optionally within one 文号)."""
        args: dict[str, Any] = {"query": query, "k": k}
        if doc:
            args["doc"] = doc
        if self.search is None:
            return ToolResult("search_policies", args, "政策索引尚未建立：请先运行 `parkbot ingest`。", ok=False)
        t0 = time.perf_counter()
        try:
            result = self.search.run(query, k, {"doc": doc} if doc else None)
        except Exception as exc:  # retrieval's own errors carry a code and a message that says the fix
            code = getattr(exc, "code", None)
            if code is None:
                raise
            return ToolResult("search_policies", args, f"检索失败：{exc}", ok=False,
                              artifact={"error": {"code": code, "message": str(exc)}})
        hits = [hit_dict(h) for h in result.hits]
        coverage = _jsonable(getattr(result, "coverage", None)) or {}
        ms = (time.perf_counter() - t0) * 1000
        lines = [
            f"[{i}] {h.get('doc')} {h.get('section', '')} (chunk {h.get('chunk_id')}): {h.get('text', '')[:400]}"
            for i, h in enumerate(hits, 1)
        ]
        if coverage and not coverage.get("covered", True):
            lines.insert(0, "NOTE: the corpus probably does not cover this question (coverage below threshold).")
        text = "\n".join(lines) if lines else "没有找到相关条文。"
        log.info("search_policies %r: %d hits in %.1f ms", query[:40], len(hits), ms)
        nq = getattr(result, "query", None)
        artifact = {"hits": hits, "coverage": coverage, "query_expanded": getattr(nq, "expanded", None) or query}
        return ToolResult("search_policies", args, text, artifact, ms=ms)

    def find_clause(self, doc: str, section: str, hint: str) -> dict[str, Any] | None:
        """The passage a tool result rests on: in ``doc``, the section ``section`` (or its parent or
        child), best matching ``hint``; failing that, a passage that contains ``hint`` nearly verbatim."""
        if self.search is None:
            return None
        hits: list[dict[str, Any]] = []
        if doc:
            try:
                hits = [hit_dict(h) for h in self.search.run(hint, 10, {"doc": doc}).hits]
            except Exception as exc:  # e.g. the document is indexed under another 文号
                log.info("clause lookup in %s failed: %s", doc, exc)
        if section:
            def rank(h: dict[str, Any]) -> int:
                s = str(h.get("section") or "")
                if s == section:
                    return 0
                if s and (s.startswith(section) or section.startswith(s)):
                    return 1
                return 9

            ranked = sorted((rank(h), i) for i, h in enumerate(hits))
            if ranked and ranked[0][0] < 9:
                return hits[ranked[0][1]]
        if not hits:
            try:
                hits = [hit_dict(h) for h in self.search.run(hint, 5).hits]
            except Exception as exc:
                log.info("clause lookup for %r failed: %s", hint[:30], exc)
                return None
        key = normalize_message(hint)
        for h in hits:
            if len(key) >= 8 and fuzz.partial_ratio(key, normalize_message(str(h.get("text", "")))) >= 80:
                return h
        return None

    # parks ---------------------------------------------------------------------------------

    def indicator_system(self) -> ToolResult:
        """The evaluation indicator system (附2): primaries with weights and their secondaries."""
        if self.park_data is None or not hasattr(self.park_data, "indicator_system"):
            return ToolResult("indicator_system", {}, "没有加载评价指标体系。", ok=False)
        outline = self.park_data.indicator_system()
        text = "\n".join(
            f"{p['code']} {p['name']} {p['weight']}%: " + "、".join(f"{i['code']}{i['name']}" for i in p["indicators"])
            for p in outline["primaries"]
        )
        return ToolResult("indicator_system", {}, text, outline)

    def list_parks(self) -> ToolResult:
        """The parks of the loaded cohort (id, name, year, synthetic flag)."""
        if self.park_data is None:
            return ToolResult("list_parks", {}, "没有加载园区数据。", ok=False)
        parks = [p.model_dump() for p in self.park_data.parks()]
        synthetic = any(p["synthetic"] for p in parks)
        text = "\n".join(f"{p['park_id']} {p['name']} {p['year'] or ''}" for p in parks)
        if synthetic:
            text = f"({SYNTHETIC_NOTE})\n" + text
        return ToolResult("list_parks", {}, text, {"parks": parks, "synthetic": synthetic})

    def resolve_park(self, park: str) -> ParkRef | None:
        """A park by id or by (fuzzy) name."""
        if self.park_data is None:
            return None
        parks = self.park_data.parks()
        key = normalize_message(park)
        for p in parks:
            if p.park_id.lower() == key or normalize_message(p.name) == key:
                return p
        scored = [(fuzz.WRatio(key, normalize_message(p.name)), p) for p in parks]
        scored.sort(key=lambda s: -s[0])
        return scored[0][1] if scored and scored[0][0] >= 80 else None

    def _park_or_error(self, tool: str, args: dict[str, Any], park: str) -> ParkRef | ToolResult:
        ref = self.resolve_park(park)
        if ref is not None:
            return ref
        known = ", ".join(f"{p.park_id} {p.name}" for p in (self.park_data.parks()[:8] if self.park_data else []))
        return ToolResult(tool, args, f"没有找到园区“{park}”。已知园区例如：{known}（用 list_parks 查看全部）。", ok=False,
                          artifact={"error": {"code": "park_not_found", "message": f"unknown park {park!r}"}})

    def score_park(self, park: str) -> ToolResult:
        """The score card of one park: total, rank in the cohort, primary scores, indicators."""
        args = {"park": park}
        ref = self._park_or_error("score_park", args, park)
        if isinstance(ref, ToolResult):
            return ref
        card = self._call("score_park", args, lambda: self.park_data.score_card(ref.park_id))  # type: ignore[union-attr]
        if isinstance(card, ToolResult):
            return card
        text = (
            f"{card.get('name')} ({card.get('park_id')}): total {card.get('total')}, rank {card.get('rank')} "
            f"of {card.get('cohort_size')}; primaries "
            + "; ".join(f"{p.get('code')} {p.get('name')} {p.get('score')}" for p in card.get("primaries", []))
            + f". registry {card.get('registry')}, method {card.get('method')}."
            + (f" ({SYNTHETIC_NOTE})" if card.get("synthetic") else "")
        )
        return ToolResult("score_park", args, text, {"card": card, "park": ref.model_dump()})

    def explain_score(self, park: str, top: int = 3) -> ToolResult:
        """Where a park's points come from (contributions) and where they are lost (headroom)."""
        args = {"park": park}
        scored = self.score_park(park)
        if not scored.ok:
            return ToolResult("explain_score", args, scored.text, scored.artifact, ok=False)
        card = scored.artifact["card"]
        indicators = [i for i in card.get("indicators", []) if _num(i.get("headroom")) is not None]
        lost = sorted(indicators, key=lambda i: -(_num(i.get("headroom")) or 0))[:top]
        strong = sorted(indicators, key=lambda i: -(_num(i.get("contribution")) or 0))[:top]
        missing = [i for i in card.get("indicators", []) if i.get("status") == "missing"]
        text = (
            f"{card.get('name')}: total {card.get('total')}, rank {card.get('rank')}. Most points lost on: "
            + "; ".join(f"{i.get('code')} {i.get('name')} headroom {i.get('headroom')}" for i in lost)
            + ". Largest contributions: "
            + "; ".join(f"{i.get('code')} {i.get('name')} {i.get('contribution')}" for i in strong)
            + (f". Missing: {', '.join(i.get('name', '') for i in missing)}" if missing else "")
        )
        return ToolResult("explain_score", args, text,
                          {"card": card, "lost": lost, "strong": strong, "missing": missing, "park": scored.artifact["park"]})

    def check_eligibility(self, park: str, category: str) -> ToolResult:
        """A park against the 附1 targets of one category (world_class, innovative_sci_tech, innovative_featured)."""
        args = {"park": park, "category": category}
        ref = self._park_or_error("check_eligibility", args, park)
        if isinstance(ref, ToolResult):
            return ref
        result = self._call("check_eligibility", args, lambda: self.park_data.eligibility(ref.park_id, category))  # type: ignore[union-attr]
        if isinstance(result, ToolResult):
            return result
        failing = result.get("failing", [])
        missing = result.get("missing", [])
        text = (
            f"{ref.name} vs {result.get('category')}: {result.get('overall')}. "
            + (f"Not met: {', '.join(failing)}. " if failing else "")
            + (f"Missing data: {', '.join(missing)}. " if missing else "")
            + f"Source: {(result.get('citation') or {}).get('doc', '')} {(result.get('citation') or {}).get('section', '')}."
        )
        return ToolResult("check_eligibility", args, text, {"eligibility": result, "park": ref.model_dump()})

    def what_if(self, park: str, changes: Mapping[str, str]) -> ToolResult:
        """Recompute a park's score with changed indicator values, e.g. {"2.2": "40%"}; exact, not estimated."""
        args = {"park": park, "changes": dict(changes)}
        ref = self._park_or_error("what_if", args, park)
        if isinstance(ref, ToolResult):
            return ref
        if not changes:
            return ToolResult("what_if", args, "请说明要改变的指标和目标值，例如“2.2 服务收入占比提高到 40%”。", ok=False)
        result = self._call("what_if", args, lambda: self.park_data.what_if(ref.park_id, changes))  # type: ignore[union-attr]
        if isinstance(result, ToolResult):
            return result
        before, after = result.get("before", {}), result.get("after", {})
        text = (
            f"{ref.name}: total {before.get('total')} → {after.get('total')}, rank {before.get('rank')} → "
            f"{after.get('rank')} (recomputed with {dict(changes)})."
        )
        return ToolResult("what_if", args, text, {**result, "park": ref.model_dump(), "changes": dict(changes)})

    def check_rule(self, rule: str, facts: Mapping[str, Any]) -> ToolResult:
        """A rule about an enterprise or a person (e.g. enterprise_rd_share, foreign_talent_work_permit_age)."""
        args = {"rule": rule, "facts": dict(facts)}
        if self.park_data is None:
            return ToolResult("check_rule", args, "规则库未加载。", ok=False)
        result = self._call("check_rule", args, lambda: self.park_data.check_rule(rule, facts))  # type: ignore[union-attr]
        if isinstance(result, ToolResult):
            return result
        text = (
            f"rule {rule}: {'met' if result.get('met') else 'not met' if result.get('met') is False else 'unknown'}"
            f" (value {result.get('value')}, requirement {result.get('requirement') or result.get('threshold')}). "
            f"Source: {(result.get('citation') or {}).get('doc', '')} {(result.get('citation') or {}).get('section', '')}."
        )
        return ToolResult("check_rule", args, text, {"rule": result})

    def _call(self, tool: str, args: dict[str, Any], fn: Any) -> Any:
        if self.park_data is None:
            return ToolResult(tool, args, "没有加载园区数据。", ok=False)
        try:
            return fn()
        except Exception as exc:
            code = getattr(exc, "code", None)
            if code is None:
                raise
            return ToolResult(tool, args, f"{exc}", ok=False, artifact={"error": {"code": code, "message": str(exc)}})


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def park_refs(parks: Sequence[ParkRef]) -> list[dict[str, Any]]:
    return [p.model_dump() for p in parks]
