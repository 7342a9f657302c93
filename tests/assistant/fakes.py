"""Small deterministic fakes for the assistant's ports: a keyword searcher over a few real
passages of the corpus, and a SYNTHETIC three-park cohort with fixed score cards.

They follow the real interfaces (``retrieval.search.Searcher.run`` → ``.hits``/``.coverage``/
``.query``; CONTRACT.md's score card and eligibility shapes) so the same tests run against the
real libraries in ``test_end_to_end.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.assistant.types import CategoryTargets, IndicatorRef, IndicatorSystem, ParkRef, TargetRow
from retrieval.coverage import Coverage
from retrieval.docrefs import unknown_doc_refs
from retrieval.models import DocumentMeta, Hit
from retrieval.normalize import QueryNormalizer
from retrieval.tokenize import fold, tokenize
from scoring import EligibilityReport, Explanation, IndicatorChange, ScoreCard, WhatIfResult
from tests.support.results import coverage, eligibility_report, explanation_of, score_card, what_if_summary

_NORMALIZER = QueryNormalizer()

GUOFA = dict(doc="国发〔2020〕7号", title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见", date="2020-07-13")
FANG_AN = dict(doc="国科发火〔2013〕388号", title="国家高新技术产业开发区创新驱动战略提升行动实施方案", date="2013-03-12")
GANGYAO = dict(doc="国科发火字〔2005〕16号", title="国家高新技术产业开发区技术创新纲要", date="2005-01-13")

CHUNKS: list[dict[str, Any]] = [
    dict(chunk_id="gf7-05", section="二、（五）", **GUOFA, text=(
        "支持国家高新区面向全球招才引智。支持园区内骨干企业等与高等学校共建共管现代产业学院，培养高端人才。"
        "在国家高新区内企业工作的境外高端人才，经市级以上人民政府科技行政部门（外国人来华工作管理部门）批准，"
        "申请工作许可的年龄可放宽至65岁。国家高新区内企业邀请的外籍高层次管理和专业技术人才，可按规定申办多年多次的相应签证；"
        "在园区内企业工作的外国人才，可按规定申办5年以内的居留许可。")),
    dict(chunk_id="gf7-17", section="六、（十七）", **GUOFA, text=(
        "鼓励商业银行在国家高新区设立科技支行。支持金融机构在国家高新区开展知识产权投融资服务，支持开展知识产权质押融资，"
        "开发完善知识产权保险，落实首台（套）重大技术装备保险等相关政策。大力发展市场化股权投资基金。")),
    dict(chunk_id="gf7-21", section="七、（二十一）", **GUOFA, text=(
        "制定国家高新区高质量发展评价指标体系，突出研发经费投入、成果转移转化、创新创业质量等内容。"
        "建立国家高新区动态管理机制，对评价考核结果好的国家高新区予以通报表扬，统筹各类资金、政策等加大支持力度；"
        "对评价考核结果较差的通过约谈、通报等方式予以警告；对整改不力的予以撤销，退出国家高新区序列。")),
    dict(chunk_id="fa-a1-0", section="附1", context="“三类园区”战略提升行动目标要点", **FANG_AN, text=(
        "为实现到2020年国家高新区战略提升行动阶段的总体目标，根据现阶段各国家高新区发展实际和发展态势，"
        "对世界一流高科技园区、创新型科技园区、创新型特色园区实施战略提升行动，提出如下目标。")),
    dict(chunk_id="fa-a1-1", section="附1 一", context="世界一流高科技园区", **FANG_AN, text=(
        "序号\t指标\t要求\n1\t企业研发投入占销售收入比例\t8%\n2\t从业人员中硕士和博士占比\t20%\n"
        "3\t从业人员中归国留学人员和外籍常住人员占比\t3%\n4\t国家级研发机构数\t100")),
    dict(chunk_id="fa-a1-2", section="附1 二", context="创新型科技园区", **FANG_AN, text=(
        "序号\t指标\t要求\n1\t从业人员中硕士和博士占比\t8%\n2\t国家级研发机构数\t50\n6\t服务收入占营业收入比例\t35%")),
    dict(chunk_id="fa-a2", section="附2", context="国家高新区评价指标体系（修订版）", **FANG_AN, text=(
        "一级指标\t二级指标\t赋权\t来源\n知识创造和技术创新能力30%\t1.1万人拥有本科（含）学历以上人数\t1.0\t统计\n"
        "\t1.2企业万元销售收入中R&D经费支出\t1.1\t统计")),
    dict(chunk_id="gy-5", section="五、（二）", **GANGYAO, text=(
        "国家高新区直接用于支持新产品开发的科技经费，不能低于年财政预算的5％，到2010年应达到10％；"
        "高新技术企业R&D经费，不能低于年产品销售额的5％；鼓励在国家高新区建立风险投资公司。")),
]


@dataclass
class _Query:
    expanded: str


@dataclass
class _Result:
    hits: list[Hit]
    coverage: Coverage
    query: _Query
    unknown_refs: list[str] = field(default_factory=list)


@dataclass
class FakeSearch:
    """Keyword overlap over CHUNKS; coverage = share of the question's tokens in the best hit."""

    chunks: list[dict[str, Any]] = field(default_factory=lambda: list(CHUNKS))
    threshold: float = 0.3
    calls: list[tuple[str, int | None, Any]] = field(default_factory=list)

    def run(self, query: str, k: int | None = None, filters: Mapping[str, Any] | None = None) -> _Result:
        self.calls.append((query, k, filters))
        normalized = _NORMALIZER.normalize(query)
        expanded = normalized.expanded
        q = set(tokenize(expanded))
        doc = (filters or {}).get("doc")
        scored = []
        for c in self.chunks:
            if doc and c["doc"] != doc:
                continue
            toks = set(tokenize(c["text"] + " " + c.get("context", "")))
            share = len(q & toks) / len(q) if q else 0.0
            scored.append((share, c))
        scored.sort(key=lambda s: -s[0])
        hits = [Hit(score=round(s, 3), **c) for s, c in scored[: k or 5] if s > 0]
        best = scored[0][0] if scored else 0.0
        # the documents the query names by a number none of the chunks' documents has, as Searcher reads them
        documents = {c["doc"]: DocumentMeta(doc=c["doc"], title=c.get("title") or c["doc"], doc_number=c.get("doc_number"))
                     for c in self.chunks}
        return _Result(hits, coverage(best >= self.threshold, best, self.threshold), _Query(expanded),
                       unknown_doc_refs(fold(normalized.text), documents))


    def section(self, doc: str, section: str) -> list[Hit]:
        """Every chunk of one section of a document, in the order of CHUNKS (as Searcher.section)."""
        return [Hit(score=1.0, **c) for c in self.chunks if c["doc"] == doc and c["section"] == section]


PARKS = [
    ParkRef(park_id="SYN-001", name="青川高新区（SYNTHETIC）", year=2023),
    ParkRef(park_id="SYN-002", name="云岭科技园（SYNTHETIC）", year=2023),
    ParkRef(park_id="SYN-003", name="海澄高新区（SYNTHETIC）", year=2023),
]
INDICATORS = [IndicatorRef(code="1.2", name="企业万元销售收入中R&D经费支出"),
              IndicatorRef(code="2.2", name="服务收入占营业总收入比例")]


def _card(park: ParkRef, total: float, rank: int) -> ScoreCard:
    return score_card(
        park_id=park.park_id, name=park.name, year=2023, total=total, rank=rank, cohort_size=3, rankable=True,
        synthetic=True, registry="GKFH-2013-388-A2", method="minmax", input_sha256="ab" * 32,
        primaries=[
            {"code": "1", "name": "知识创造和技术创新能力", "weight": 30, "score": 81.25, "rank": 1},
            {"code": "2", "name": "产业升级和结构优化能力", "weight": 30, "score": 64.5, "rank": 2},
        ],
        indicators=[
            {"code": "1.2", "name": "企业万元销售收入中R&D经费支出", "value": 612.4, "normalized": 55.1,
             "contribution": 1.53, "headroom": 1.25, "status": "ok"},
            {"code": "2.2", "name": "服务收入占营业总收入比例", "value": 0.31, "normalized": 20.0,
             "contribution": 0.61, "headroom": 2.44, "status": "ok", "unit": "ratio"},
            {"code": "3.1", "name": "海外留学归国人员和外籍常驻人员占从业人员的比例", "value": None, "normalized": None,
             "contribution": None, "headroom": None, "status": "missing"},
        ],
    )


class FakeParks:
    """The ParkData port over three SYNTHETIC parks with fixed cards (the engine's numbers are the
    scoring tests' business; here they only need to reach the answer unchanged)."""

    def __init__(self) -> None:
        self.cards = {p.park_id: _card(p, t, r) for p, t, r in zip(PARKS, [72.35, 64.1, 58.0], [1, 2, 3], strict=True)}

    def parks(self) -> list[ParkRef]:
        return list(PARKS)

    def indicators(self) -> list[IndicatorRef]:
        return list(INDICATORS)

    def indicator_system(self) -> IndicatorSystem:
        return IndicatorSystem.model_validate({
            "registry": "GKFH-2013-388-A2", "title": "国家高新区评价指标体系（修订版）", "doc": "国科发火〔2013〕388号",
            "section": "附2", "primaries": [{"code": "1", "name": "知识创造和技术创新能力", "weight": 30, "indicators": [
                {"code": "1.1", "name": "万人拥有本科（含）学历以上人数", "source": "统计", "coefficient": 1.0},
                {"code": "1.2", "name": "企业万元销售收入中R&D经费支出", "source": "统计", "coefficient": 1.1}]}],
        })

    def rule_sets(self) -> list[tuple[str, str]]:
        return [("hte_rd_intensity", "高新技术企业R&D经费要求"), ("work_permit_age", "境外高端人才申请工作许可年龄放宽至65岁")]

    def categories(self) -> list[CategoryTargets]:
        """The three 附1 categories, each with the rows of CHUNKS (a part of each real table)."""
        rows = {"world_class": [(1, "rd_intensity", "企业研发投入占销售收入比例", "8%"),
                                (2, "masters_phd_share", "从业人员中硕士和博士占比", "20%")],
                "innovative_sci_tech": [(1, "masters_phd_share", "从业人员中硕士和博士占比", "8%"),
                                        (6, "service_revenue_share", "服务收入占营业收入比例", "35%")],
                "innovative_featured": [(5, "service_revenue_share", "服务收入占营业收入比例", "25%")]}
        names = {"world_class": ("世界一流高科技园区", "附1 一"), "innovative_sci_tech": ("创新型科技园区", "附1 二"),
                 "innovative_featured": ("创新型特色园区", "附1 三")}
        return [CategoryTargets(category=cid, name=names[cid][0], doc="国科发火〔2013〕388号", title="“三类园区”战略提升行动目标要点",
                                section=names[cid][1], rows=[TargetRow(no=no, fact=f, name=n, requirement=r) for no, f, n, r in rs])
                for cid, rs in rows.items()]

    def score_card(self, park_id: str) -> ScoreCard:
        return self.cards[park_id]

    def explain(self, park_id: str, top: int) -> Explanation:
        return explanation_of(self.cards[park_id], top)

    def eligibility(self, park_id: str, category: str) -> EligibilityReport:
        names = {"world_class": ("世界一流高科技园区", "附1 一"), "innovative_sci_tech": ("创新型科技园区", "附1 二"),
                 "innovative_featured": ("创新型特色园区", "附1 三")}
        name, section = names[category]
        return eligibility_report(
            category=name, category_id=category, overall="fail" if category != "innovative_featured" else "pass",
            targets=[
                {"no": 1, "name": "从业人员中硕士和博士占比", "threshold": 0.08, "unit": "%", "value": 0.065,
                 "met": category == "innovative_featured", "gap": 0.015},
                {"no": 2, "name": "国家级研发机构数", "threshold": 50, "unit": "个", "value": 61, "met": True, "gap": 0},
            ],
            failing=[] if category == "innovative_featured" else ["从业人员中硕士和博士占比"],
            citation={"doc": "国科发火〔2013〕388号", "section": section}, synthetic=True,
        )

    def what_if(self, park_id: str, changes: Mapping[str, str]) -> tuple[WhatIfResult, ScoreCard, ScoreCard, list[IndicatorChange]]:
        before = self.cards[park_id]
        after = before.model_copy(update={"total": round((before.total or 0) + 3.5, 2), "rank": max(1, (before.rank or 1) - 1)})
        return what_if_summary(before, after, dict(changes)), before, after, []

    def check_rule(self, rule_set: str, facts: Mapping[str, Any]) -> EligibilityReport:
        """Shaped like scoring.check_rules' reports on the two rule sets the tests ask about."""
        if rule_set == "hte_rd_intensity":
            value = facts["rd_intensity"]
            return eligibility_report(
                category="高新技术企业R&D经费要求", category_id=rule_set, applies_to="enterprise",
                overall="pass" if value >= 0.05 else "fail",
                targets=[{"no": 1, "name": "高新技术企业R&D经费占年产品销售额比例", "threshold": 0.05, "unit": "比例",
                          "requirement": "高新技术企业R&D经费，不能低于年产品销售额的5%", "value": value, "met": value >= 0.05}],
                citation={"doc": "国科发火字〔2005〕16号", "section": "五、（二）"})
        if rule_set == "work_permit_age":
            age = facts["age"]
            return eligibility_report(
                category="境外高端人才申请工作许可年龄放宽至65岁", category_id=rule_set, applies_to="person",
                overall="fail" if age > 65 else "incomplete",
                targets=[{"no": 1, "name": "境外高端人才", "unit": "是/否", "requirement": "境外高端人才", "met": None},
                         {"no": 2, "name": "年龄", "threshold": 65, "unit": "岁", "value": age,
                          "requirement": "申请工作许可的年龄可放宽至65岁", "met": age <= 65}],
                missing=["境外高端人才"], citation={"doc": "国发〔2020〕7号", "section": "二、（五）"})
        from scoring.errors import UnknownKeyError

        raise UnknownKeyError(f"unknown rule set {rule_set!r}")
