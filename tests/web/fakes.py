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
    ParkRef,
    ScoreLookup,
    StreamEvent,
    TextDelta,
    ToolCall,
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
    "rankable": True,
    "primaries": [
        {"code": "1", "name": "创新能力和创业活跃度", "weight": 0.35, "score": 82.4, "rank": 1},
        {"code": "2", "name": "结构优化和产业价值链", "weight": 0.25, "score": 64.1, "rank": 3},
        {"code": "3", "name": "绿色发展和宜居包容性", "weight": 0.2, "score": 58.9, "rank": 5},
        {"code": "4", "name": "开放创新和国际竞争力", "weight": 0.2, "score": 70.2, "rank": 2},
    ],
    "indicators": [
        {"code": "1.2", "name": "企业R&D经费支出占营业收入比例", "value": 0.052, "normalized": 91.0,
         "contribution": 6.1, "headroom": 0.6, "status": "ok"},
        {"code": "1.5", "name": "万人当年新增发明专利授权数", "value": 41.0, "normalized": 77.0,
         "contribution": 4.4, "headroom": 1.3, "status": "ok"},
        {"code": "2.2", "name": "服务收入占营业收入比例", "value": 0.31, "normalized": 40.0,
         "contribution": 1.9, "headroom": 2.9, "status": "ok"},
        {"code": "3.1", "name": "单位增加值综合能耗", "value": 0.21, "normalized": 35.0,
         "contribution": 1.2, "headroom": 3.4, "status": "ok"},
        {"code": "4.3", "name": "技术服务出口占出口总额比例", "value": None, "normalized": None,
         "contribution": None, "headroom": None, "status": "missing"},
    ],
    "missing": ["4.3 技术服务出口占出口总额比例"],
    "flags": [{"code": "weights_rescaled", "message": "一级指标4缺1项，权重按⅔覆盖规则重算"}],
    "registry": "GKFH-2013-388-A2",
    "method": "default (minmax, drop)",
    "input_sha256": "3f2a9c0d5e6b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e",
    "synthetic": True,
}

ELIGIBILITY: dict[str, Any] = {
    "category": "创新型特色园区",
    "overall": "incomplete",
    "targets": [
        {"no": 1, "name": "企业R&D经费支出占营业收入比例", "requirement": "≥3%", "threshold": 0.03, "unit": "比例",
         "value": 0.052, "met": True, "gap": 0},
        {"no": 2, "name": "从业人员人均增加值", "threshold": 700000, "unit": "元/人", "value": 520000,
         "met": False, "gap": 180000},
        {"no": 3, "name": "特色产业集群收入占比", "threshold": 0.5, "unit": "比例", "value": None,
         "met": None, "gap": None},
    ],
    "failing": ["从业人员人均增加值"],
    "missing": ["特色产业集群收入占比"],
    "citation": {"doc": "国科发火〔2013〕388号", "section": "附1"},
}


PARK = ParkRef(park_id="P01", name="示例高新区甲")


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
        if "打分" in message or "score" in message.lower():
            return Answer(
                conversation_id=cid,
                answer="**示例高新区甲**（2023年）综合得分 **71.35**，在 10 个园区中排第 **2** 名。（SYNTHETIC 示例数据）",
                tool_calls=[ToolCall(name="score_park", args={"park": "P01"},
                                     result=ScoreLookup(park=PARK, card=score_card(**SCORE_CARD)))],
                intent="score",
            )
        if "条件" in message or "eligib" in message.lower():
            return Answer(
                conversation_id=cid,
                answer="示例高新区甲对照创新型特色园区目标：数据不全，无法判定。",
                tool_calls=[ToolCall(name="check_eligibility", args={"park": "P01", "category": "innovative_featured"},
                                     result=EligibilityCheck(park=PARK, eligibility=eligibility_report(**ELIGIBILITY)))],
                intent="eligibility",
            )
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
