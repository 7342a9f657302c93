"""The tools on their own: each defined once, acting for a principal, typed results, failures as results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.assistant.tools import TOOLS, Toolbox
from bot.assistant.types import ParkListing, PolicyPassages, ScoreLookup, ToolFailure
from bot.principal import Principal
from retrieval.errors import BadQuery
from retrieval.search import MAX_QUERY_CHARS
from scoring.cards import UnrankedPark
from tests.assistant.fakes import FakeParks, FakeSearch

EVERYONE = Principal(kind="cli", name="tests")
SYN_001_ONLY = Principal(kind="token", name="syn001", parks=("SYN-001",))


def test_every_tool_is_defined_once_with_a_description_and_an_argument_model() -> None:
    assert set(TOOLS) == {"search_policies", "indicator_system", "category_targets", "list_parks", "score_park", "explain_score",
                          "compare_parks", "check_eligibility", "what_if", "check_rule"}
    for spec in TOOLS.values():
        assert spec.description and spec.args.model_json_schema()["type"] == "object"
        assert spec.method.__name__ == spec.name


def test_a_park_outside_the_scope_is_refused_by_every_park_tool_and_nothing_of_it_returned() -> None:
    tools = Toolbox(FakeSearch(), FakeParks(), SYN_001_ONLY)
    for outcome in (tools.score_park("SYN-002"), tools.explain_score("syn-002"), tools.what_if("SYN-002", {"2.2": "40%"}),
                    tools.check_eligibility("SYN-002", "world_class"), tools.compare_parks(["SYN-001", "SYN-002"])):
        assert isinstance(outcome.result, ToolFailure) and outcome.result.code == "park_forbidden"
        assert "此令牌无权查看" in outcome.text
        assert "云岭科技园（SYNTHETIC）" not in outcome.text and "64.1" not in outcome.text
    assert isinstance(tools.score_park("SYN-001").result, ScoreLookup)
    unknown = tools.score_park("SYN-404")
    assert unknown.result.code == "park_not_found" and "SYN-001" in unknown.text and "SYN-002" not in unknown.text
    # named, not by id: a park outside the scope is not among the parks the caller may see, so the
    # answer is the same as for a name the cohort does not have and tells nothing of it (not its id)
    for name in ("云岭科技园", "云岭"):
        named = tools.explain_score(name)
        assert named.result.code == "park_not_found" and f"“{name}”" in named.text
        assert "SYN-002" not in named.text and "64.1" not in named.text
    assert isinstance(Toolbox(FakeSearch(), FakeParks(), EVERYONE).score_park("云岭科技园").result, ScoreLookup)


def test_a_card_names_only_the_unranked_parks_its_caller_may_see() -> None:
    parks = FakeParks()
    unranked = UnrankedPark(park_id="SYN-003", name="海澄高新区（SYNTHETIC）", reason="一级指标3 数据不足", gaps=[])
    parks.cards = {pid: card.model_copy(update={"rankable_count": 2, "unrankable": [unranked]})
                   for pid, card in parks.cards.items()}
    limited = Toolbox(FakeSearch(), parks, SYN_001_ONLY)
    for outcome in (limited.score_park("syn-001"), limited.explain_score("SYN-001"), limited.compare_parks(["SYN-001"]),
                    limited.what_if("SYN-001", {"2.2": "40%"})):
        shown = outcome.result.model_dump_json()
        assert outcome.ok and "SYN-003" not in shown and "海澄" not in shown
        assert '"rankable_count":2' in shown  # the unranked park is still counted
    everyone = Toolbox(FakeSearch(), parks, EVERYONE).score_park("SYN-001").result
    assert isinstance(everyone, ScoreLookup) and everyone.card.unrankable == [unranked]


def test_a_listing_shows_the_parks_in_scope_with_their_cohort_ranks() -> None:
    listing = Toolbox(FakeSearch(), FakeParks(), SYN_001_ONLY).list_parks()
    assert isinstance(listing.result, ParkListing)
    assert [(p.park_id, p.rank) for p in listing.result.parks] == [("SYN-001", 1)]
    assert listing.result.scoped and listing.result.cohort_size == 3 and "全部 3 个园区" in listing.text
    everyone = Toolbox(FakeSearch(), FakeParks(), EVERYONE).list_parks().result
    assert [p.park_id for p in everyone.parks] == ["SYN-001", "SYN-002", "SYN-003"] and not everyone.scoped


class _StrictSearch(FakeSearch):
    """Refuses a query longer than retrieval accepts, as retrieval.search.Searcher does."""

    def run(self, query: str, k: int | None = None, filters: Mapping[str, Any] | None = None) -> Any:
        if len(query) > MAX_QUERY_CHARS:
            raise BadQuery(f"query: {len(query)} characters is too long (at most {MAX_QUERY_CHARS})")
        return super().run(query, k, filters)


def test_a_long_question_is_searched_with_its_head_and_never_fails() -> None:
    question = "外籍人才申请工作许可的年龄上限是多少？" + "请详细说明。" * 500
    outcome = Toolbox(_StrictSearch(), None, EVERYONE).search_policies(question)
    assert isinstance(outcome.result, PolicyPassages) and outcome.result.hits
    assert len(outcome.result.query) == MAX_QUERY_CHARS


def test_expected_failures_are_results_the_model_can_act_on() -> None:
    tools = Toolbox(None, None, EVERYONE)
    assert tools.search_policies("外籍人才").result.code == "index_missing"
    assert "parkbot ingest" in tools.search_policies("外籍人才").text and "检索失败" not in tools.search_policies("x").text
    bad = Toolbox(FakeSearch(), FakeParks(), EVERYONE).run("search_policies", {"query": "外籍人才", "k": 999})
    assert bad.result.code == "bad_arguments" and "k" in bad.text
    assert Toolbox(FakeSearch(), FakeParks(), EVERYONE).run("fly", {}).result.code == "unknown_tool"


def test_the_model_is_told_which_passages_cite_a_document_the_corpus_does_not_hold() -> None:
    notice = dict(doc="某市专利资助通知", title="某市专利资助通知", section="一、（二）")
    search = FakeSearch(chunks=[
        dict(chunk_id="n-1", text="（二）按照《专利促进项目资助办法（修订）》（东府办〔2016〕20号）相关规定执行的专利申请资助项目：",
             **notice),
        dict(chunk_id="n-2", text="国内发明专利授权后每件资助12000元，专利资助项目按年度受理。", **notice)])
    text = Toolbox(search, None, EVERYONE).search_policies("东府办〔2016〕20号的专利资助项目资助多少").text
    note = text.split("\n")[0]
    assert note.startswith("NOTE: the corpus holds no document numbered 东府办〔2016〕20号")
    assert "Passages [1] cite it" in note  # the passage printing the number, not the one after it
    assert "[2]" not in note
