"""A small scripted answer service for the web-page tests (no index, no model, no scoring data).

``FakeAnswerService.answer()`` returns :class:`bot.assistant.models.Answer` objects of the three
kinds the page renders differently: a cited policy answer, a score answer (a ``score_park`` tool
call carrying a SYNTHETIC score card) and an eligibility answer (``check_eligibility``). The
message picks the kind. Every request is recorded so tests can check what the page sent.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

from bot.assistant.types import (
    Answer,
    AnswerRequest,
    Citation,
    EligibilityCheck,
    FinalAnswer,
    ListedPark,
    ParkListing,
    ParkRef,
    RemovedSentence,
    ScoreLookup,
    StreamEvent,
    TextDelta,
    ToolCall,
    Verification,
)
from bot.errors import BadRequest
from bot.services import Services
from tests.support.results import eligibility_report, score_card

CITATIONS = [
    Citation(
        n=1,
        chunk_id="gf-2020-7-2-5",
        doc="国发〔2020〕7号",
        title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见",
        section="二、（五）",
        text="对国家高新区内企业聘请的外籍高层次人才，申请工作许可的年龄可放宽至65岁。",
        date="2020-07-13",
    ),
    Citation(
        n=2,
        chunk_id="gf-2020-7-7-21",
        doc="国发〔2020〕7号",
        title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见",
        section="七、（二十一）",
        text="对评价考核结果好的国家高新区予以通报表扬，统筹各类资金、政策等加大支持力度。",
        date="2020-07-13",
    ),
]

POLICY_TEXT = (
    "根据国务院文件，国家高新区企业聘请的外籍高层次人才申请工作许可的年龄可放宽至65岁[1]。\n\n"
    "评价考核结果好的国家高新区将获得**通报表扬**并加大支持力度[2]。"
)

DRAFT_TEXT = (
    "关于贵公司外籍专家工作许可事宜的复函\n\n"
    "某某科技有限公司：\n\n"
    "来函收悉。经研究，现答复如下：对国家高新区内企业聘请的外籍高层次人才，申请工作许可的年龄可放宽至65岁[1]。\n\n"
    "特此函复。"
)

SCORE_CARD: dict[str, Any] = {
    "park_id": "P01",
    "name": "示例高新区甲",
    "year": 2023,
    "total": 71.35,
    "rank": 2,
    "cohort_size": 10,
    "rankable_count": 9,
    "median_total": 60.5,
    "rankable": True,
    "primaries": [
        {"code": "1", "name": "创新能力和创业活跃度", "weight": 0.35, "score": 82.4, "rank": 1, "ranked": 10, "median": 61.2},
        {"code": "2", "name": "结构优化和产业价值链", "weight": 0.25, "score": 64.1, "rank": 3, "ranked": 10, "median": 58.0},
        {"code": "3", "name": "绿色发展和宜居包容性", "weight": 0.2, "score": 58.9, "rank": 5, "ranked": 9, "median": 57.3},
        {"code": "4", "name": "开放创新和国际竞争力", "weight": 0.2, "score": 70.2, "rank": 2, "ranked": 10, "median": 55.5},
    ],
    "indicators": [
        {"code": "1.2", "name": "企业R&D经费支出占营业收入比例", "unit": "比例", "value": 0.052, "median": 0.031,
         "normalized": 91.0, "contribution": 6.1, "headroom": 0.6, "status": "reported"},
        {"code": "1.5", "name": "万人当年新增发明专利授权数", "unit": "件/万人", "value": 41.0, "median": 22.5,
         "normalized": 77.0, "contribution": 4.4, "headroom": 1.3, "status": "reported"},
        {"code": "2.2", "name": "从业人员人均工资性收入占人均增加值比例", "unit": "比例", "value": 0.31, "median": 0.42,
         "normalized": 40.0, "contribution": 1.9, "headroom": 2.9, "status": "derived"},
        {"code": "2.3", "name": "人均增加值", "unit": "元/人", "value": 255961.28, "median": 301000.5,
         "display_unit": "万元/人", "display_scale": 10000, "normalized": 12.0, "contribution": 0.4, "headroom": 3.0,
         "status": "derived"},
        {"code": "3.1", "name": "单位增加值综合能耗", "unit": "吨标准煤/万元", "value": 0.21, "median": 0.35,
         "normalized": 35.0, "contribution": 1.2, "headroom": 3.4, "status": "reported"},
        {"code": "4.3", "name": "技术服务出口占出口总额比例", "unit": "比例", "value": None, "normalized": None,
         "contribution": None, "headroom": None, "status": "missing"},
    ],
    "missing": ["4.3 技术服务出口占出口总额比例"],
    "unrankable": [
        {"park_id": "P10", "name": "示例高新区癸", "reason": "一级指标3 coverage below 2/3",
         "gaps": [{"code": "3", "name": "绿色发展和宜居包容性", "present": 5.3, "total": 10.0, "required": "2/3",
                   "missing": ["3.4", "3.7"]}]},
    ],
    "flags": [{"code": "weights_rescaled", "message": "一级指标4缺1项，权重按⅔覆盖规则重算"}],
    "registry": "GKFH-2013-388-A2",
    "method": "default (minmax, drop)",
    "engine_version": "1.0.0",
    "input_sha256": "3f2a9c0d5e6b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e",
    "synthetic": True,
}

# What the offline composer writes beside the score card (tables for the channels without cards).
SCORE_TEXT = (
    "**示例高新区甲**（2023年）综合得分 **71.35**，在 9 个园区中排第 **2** 名。（SYNTHETIC 示例数据）\n\n"
    "**一级指标得分**\n\n"
    "| 代码 | 一级指标 | 权重% | 得分 | 排名 |\n|---|---|---|---|---|\n"
    "| 1 | 创新能力和创业活跃度 | 35 | 82.4 | 1 |\n| 2 | 结构优化和产业价值链 | 25 | 64.1 | 3 |\n"
    "| 3 | 绿色发展和宜居包容性 | 20 | 58.9 | 5 |\n| 4 | 开放创新和国际竞争力 | 20 | 70.2 | 2 |"
)

ELIGIBILITY: dict[str, Any] = {
    "category": "创新型特色园区",
    "overall": "incomplete",
    "targets": [
        {"no": 1, "name": "企业R&D经费支出占营业收入比例", "requirement": "3%", "threshold": 0.03, "unit": "比例",
         "value": 0.052, "met": True, "gap": 0},
        {"no": 2, "name": "从业人员人均增加值", "requirement": "70万/人", "threshold": 700000, "unit": "元/人",
         "value": 520000, "met": False, "gap": 180000},
        {"no": 3, "name": "特色产业集群收入占比", "requirement": "50%", "threshold": 0.5, "unit": "比例", "value": None,
         "met": None, "gap": None},
        {"no": 4, "name": "产业集群与巨型企业数", "requirement": "2个在国内有重要影响力的产业集群，2家超100亿或4家超50亿的企业",
         "op": "clusters_giants", "unit": "个/家", "value": None, "met": True, "gap": 0,
         "parts": [
             {"label": "在国内有重要影响力（含更高层级）的集群", "value": 2, "required": 2, "unit": "个", "met": True},
             {"label": "超100亿元企业", "value": 2, "required": 2, "unit": "家", "met": True, "alternative": True},
             {"label": "超50亿元企业", "value": 3, "required": 4, "unit": "家", "met": False, "alternative": True},
         ]},
    ],
    "failing": ["从业人员人均增加值"],
    "missing": ["特色产业集群收入占比"],
    "citation": {"doc": "国科发火〔2013〕388号", "section": "附1"},
    "synthetic": True,
}

# The markdown table the offline composer writes for the other channels: the page shows the card instead.
ELIGIBILITY_TEXT = (
    "示例高新区甲对照创新型特色园区目标：数据不全，无法判定。\n\n"
    "| 序号 | 指标 | 要求 | 园区值 | 结果 | 差距 |\n|---|---|---|---|---|---|\n"
    "| 1 | 企业R&D经费支出占营业收入比例 | ≥ 3% | 5.2% | ✓ 达到 |  |\n"
    "| 2 | 从业人员人均增加值 | ≥ 70 万元/人 | 52 万元/人 | ✗ 未达到 | 18 万元/人 |\n\n"
    "未达到：从业人员人均增加值"
)


PARK = ParkRef(park_id="P01", name="示例高新区甲")

# A listing of twelve parks: a long table (it folds on a phone), numbers in every row.
LISTED = [ListedPark(park_id=f"P{k:02d}", name=f"示例高新区{k}", year=2023, total=round(90 - 2.37 * k, 2), rank=k,
                     synthetic=True) for k in range(1, 13)]
LISTING_TEXT = "已加载 12 个园区（SYNTHETIC 示例数据）：\n\n| 编号 | 名称 | 年份 | 综合得分 | 排名 |\n|---|---|---|---|---|\n" + "\n".join(
    f"| {p.park_id} | {p.name} | 2023 | {p.total} | 第 {p.rank} / 12 名 |" for p in LISTED)


class FakeAnswerService:
    """Scripted answers; ``requests`` records (message, conversation_id, mode) of every call."""

    def __init__(self, delay_s: float = 0.05) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay_s = delay_s

    def answer(self, request: AnswerRequest) -> Answer:
        message, conversation_id, mode = request.message, request.conversation_id, request.mode
        self.requests.append({"message": message, "conversation_id": conversation_id, "mode": mode})
        cid = conversation_id or f"conv-{uuid.uuid4().hex[:12]}"
        if "BADINPUT" in message:
            raise BadRequest("message: 问题中含有无法识别的园区编号 'PX'（已知：P01 … P10）")
        if "SLOW" in message:
            time.sleep(3)
        if mode == "draft":
            return Answer(conversation_id=cid, answer=DRAFT_TEXT, citations=CITATIONS[:1], mode="draft",
                          intent="draft")
        if "列出" in message:
            return Answer(
                conversation_id=cid, answer=LISTING_TEXT, intent="parks",
                tool_calls=[ToolCall(name="list_parks", args={},
                                     result=ParkListing(parks=LISTED, cohort_size=12, synthetic=True, scoped=False))],
            )
        if "打分" in message or "score" in message.lower():
            return Answer(
                conversation_id=cid,
                answer=SCORE_TEXT,
                tool_calls=[ToolCall(name="score_park", args={"park": "P01"},
                                     result=ScoreLookup(park=PARK, card=score_card(**SCORE_CARD)))],
                intent="score",
            )
        if "条件" in message or "eligib" in message.lower():
            return Answer(
                conversation_id=cid,
                answer=ELIGIBILITY_TEXT,
                tool_calls=[ToolCall(name="check_eligibility", args={"park": "P01", "category": "innovative_featured"},
                                     result=EligibilityCheck(park=PARK, eligibility=eligibility_report(**ELIGIBILITY)))],
                intent="eligibility",
            )
        if "CHECKED" in message:  # a language model's answer from which the checks removed a sentence
            return Answer(conversation_id=cid, answer=POLICY_TEXT, citations=CITATIONS, intent="llm", backend="openai",
                          verification=Verification(removed=[RemovedSentence(
                              sentence="外籍人才还可获得最高100万元安家补贴[1]。", reason="数字 100万 不见于所引段落")]))
        return Answer(conversation_id=cid, answer=POLICY_TEXT, citations=CITATIONS, intent="policy")

    def stream(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        """Pieces of the answer a little apart (so the page visibly streams), then the Answer."""
        answer = self.answer(request)
        text = answer.answer
        for start in range(0, len(text), 12):
            time.sleep(self.delay_s)
            yield TextDelta(text=text[start:start + 12])
        yield FinalAnswer(answer=answer)


class FakeServices(Services):
    """The real ``Services`` (settings, store engine) with the scripted assistant in place."""

    def __init__(self, settings: Any, assistant: FakeAnswerService) -> None:
        super().__init__(settings)
        self._fake_assistant = assistant

    @property
    def assistant(self) -> FakeAnswerService:  # type: ignore[override]
        return self._fake_assistant

    def warm_up(self) -> None:  # nothing to build
        return None

    def index_stats(self, *, refresh: bool = True) -> dict[str, int]:
        return {"documents": 6, "chunks": 420}
