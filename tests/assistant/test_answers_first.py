"""Policy answers on fixed passages: the direct answer first, evidence of the asked kind, honest
partial answers and refusals, places and vintage (bot/assistant/offline/policy.py, evidence.py)."""

from __future__ import annotations

import datetime as dt

from bot.assistant.offline.drafting import LetterRules
from bot.assistant.offline.policy import PolicyComposer
from bot.assistant.offline.sentences import SentencePicker, answer_types
from retrieval.models import Hit, Jurisdiction
from retrieval.tokenize import tokenize
from tests.support.results import coverage

COVERED = coverage(True)
NATIONAL = Jurisdiction(level="national", place="全国")


def passage(chunk_id: str, doc: str, title: str, text: str, *, section: str = "", date: str | None = None,
            place: Jurisdiction | None = NATIONAL, doc_number: str | None = None) -> Hit:
    return Hit(chunk_id=chunk_id, doc=doc, title=title, section=section, text=text, date=date, score=1.0,
               jurisdiction=place, doc_number=doc_number or (doc if "〔" in doc else None))


HENAN = Jurisdiction(level="province", place="河南省")
ZLX = dict(doc="郑洛新国家自主创新示范区条例", title="郑洛新国家自主创新示范区条例", date="2019-05-31", place=HENAN)
ZGC = dict(doc="中关村国家自主创新示范区条例", title="中关村国家自主创新示范区条例", date="2010-12-23",
           place=Jurisdiction(level="province", place="北京市"))
GUOFA = dict(doc="国发〔2020〕7号", title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见", date="2020-07-13")
FANG_AN = dict(doc="国科发火〔2013〕388号", title="国家高新技术产业开发区创新驱动战略提升行动实施方案", date="2013-03-12")
GANGYAO = dict(doc="国科发火字〔2005〕16号", title="国家高新技术产业开发区技术创新纲要", date="2005-01-13")
PLAN = dict(doc="国家高新技术产业开发区“十二五”发展规划纲要", title="国家高新技术产业开发区“十二五”发展规划纲要")

GAZELLE = passage("fa-gazelle", section="三、（二）5", **FANG_AN,
                  text="加强在市场开拓、投融资、上市、产业对接等方面的服务，促进企业快速成长，着力培育一大批瞪羚企业。")
TARGET_ROW = passage("fa-a1-3", section="附1 三", **FANG_AN, text="创新型特色园区 目标要求 序号4 经认定高新技术企占企业总数比例 30%")
STATS_2003 = passage("gy-1", section="一", **GANGYAO, text=(
    "2003年，国家高新区拥有授权发明专利8170项，高新技术企业营业总收入达到16579.2亿元。"
    "2003年，53家国家高新区实现年营业总收入20938.7亿元、年利润1129.4亿元、年上缴税额990亿元。"))
RD_FLOOR = passage("gy-5", section="五、（二）", **GANGYAO, text="6.高新技术企业R&D经费，不能低于年产品销售额的5％；")
WORK_PERMIT = passage("gf7-05", section="二、（五）", **GUOFA, text=(
    "在国家高新区内企业工作的境外高端人才，经市级以上人民政府科技行政部门批准，申请工作许可的年龄可放宽至65岁。"))
BONDED = passage("gf7-13", section="五、（十三）", **GUOFA, text="支持符合条件的地区依托国家高新区按相关规定程序申请设立综合保税区。")
QINGDAO = passage("qd-23", doc="青岛市专利保护规定", title="青岛市专利保护规定", section="第二十三条", date="2011-11-25",
                  place=Jurisdiction(level="city", place="青岛市"),
                  text="同一行为人对同一专利权再次实施侵权行为的，由市专利管理部门责令立即停止侵权行为，可以并处一万元以上五万元以下罚款。")
GUANGDONG = passage("gd-4", doc="粤府办〔2005〕92号", title="转发科技部关于国家高新技术产业开发区技术创新纲要的通知",
                    section="四", date="2005-11-07", place=Jurisdiction(level="province", place="广东省"),
                    text="高新区要高度重视相关公共技术平台的建设，建立包括风险投资、保险、信用担保、人才培训等在内的完善的公共技术服务体系。")
PLATFORMS = passage("fa-4", section="三、（四）1", **FANG_AN, text="建设技术信息、检验检测、中试孵化、技术交易、科技金融等公共服务平台。")
PLAN_ROW = passage("plan-1", section="三、（二）", **PLAN, text="力争在国家高新区内建成超过200个产业特色鲜明的专业园区。")
GOAL_2035 = passage("gf7-03", section="一、（三）", **GUOFA, text="到2035年，建成一大批具有全球影响力的高科技园区。")


def composer() -> PolicyComposer:
    from bot.assistant.offline.question import QuestionConfig

    kinds = list(answer_types(QuestionConfig.load()).values())
    return PolicyComposer(SentencePicker(tokenize, quantity_cues=["多少", "几", "比例"], answer_types=kinds),
                          plans=LetterRules.load().plans, today=dt.date(2026, 1, 1))


def answer(question: str, *hits: Hit, named: tuple[str, ...] = (), english: bool = False):  # type: ignore[no-untyped-def]
    from retrieval.normalize import QueryNormalizer

    return composer().policy_answer(QueryNormalizer()(question).expanded, list(hits), COVERED, question=question,
                                    named=named, english=english)


def test_the_direct_answer_comes_first_then_its_passages() -> None:
    out = answer("在高新区企业工作的外籍专家能不能办工作许可，年龄上限多少", WORK_PERMIT)
    lead, _, rest = out.text.partition("\n\n")
    assert lead == "**答：**可以。国发〔2020〕7号：“申请工作许可的年龄可放宽至65岁”[1]"
    assert rest.startswith("依据：\n《国务院关于促进国家高新技术产业开发区高质量发展的若干意见》（国发〔2020〕7号，2020-07-13，国家层面） 二、（五）：")
    assert out.grounded and [c.chunk_id for c in out.citations] == ["gf7-05"]


def test_criteria_the_documents_do_not_give_are_said_to_be_missing() -> None:
    out = answer("瞪羚企业的认定标准是什么", GAZELLE, TARGET_ROW)
    assert not out.grounded
    assert out.text.startswith("国科发火〔2013〕388号提到“着力培育一大批瞪羚企业”[1]，但没有规定瞪羚企业的认定标准")
    assert [c.chunk_id for c in out.citations] == ["fa-gazelle"]  # not the 30% row of another table
    assert "30%" not in out.text


def test_a_figure_in_a_table_of_targets_is_no_criterion() -> None:
    """"高企认定需要什么条件" is not answered with a park's target row ("经认定高新技术企占企业总数比例 30%"):
    a figure states a criterion only with what it requires (不低于, 达到, 以上 …)."""
    out = answer("高企认定需要什么条件", TARGET_ROW)
    assert not out.grounded and "但没有规定具体条件或标准" in out.text, out.text
    floor = answer("高新技术企业的研发经费要满足什么条件", RD_FLOOR)
    assert floor.grounded and "不能低于年产品销售额的5％" in floor.text.splitlines()[0], floor.text


def test_a_number_about_something_else_is_not_an_answer() -> None:
    out = answer("高新区管委会的编制有多少人", passage(
        "gy-51", section="五、（一）", **GANGYAO, text="国家高新区管委会主要领导，必须熟悉本地主导产业的技术领域和发展规律，80％以上的班子成员应具有大学本科以上学历。"))
    assert not out.grounded and "但没有规定高新区管委会的编制" in out.text and "80％" not in out.text


def test_another_years_figures_do_not_answer_a_year() -> None:
    out = answer("2018年国家高新区营业总收入是多少", STATS_2003)
    assert not out.grounded
    assert out.text.startswith("现有政策文件没有2018年的国家高新区营业总收入") and "相关数字是2003年的" in out.text
    assert "营业总收入达到16579.2亿元" in out.text  # the clause of the figure asked about
    same_year = answer("2003年国家高新区的利润总额是多少", STATS_2003)
    assert same_year.grounded and "年利润1129.4亿元" in same_year.text.split("\n")[0]


def test_past_figures_are_not_quoted_beside_the_rule() -> None:
    out = answer("高企研发投入至少要占销售额多少", RD_FLOOR, STATS_2003)
    assert out.grounded and "不能低于年产品销售额的5％" in out.text
    assert "2003年" not in out.text


def test_another_places_rules_are_not_quoted() -> None:
    out = answer("在广州重复侵犯同一专利会罚多少钱", QINGDAO)
    assert not out.grounded and out.citations == []
    assert out.text.startswith("现有政策文件中没有广州市的相关规定")
    assert "《青岛市专利保护规定》（2011-11-25，青岛市）是青岛市的规定，不适用于广州市" in out.text
    here = answer("在青岛重复侵犯同一专利会罚多少钱", QINGDAO)
    assert here.grounded and "一万元以上五万元以下罚款" in here.text and "青岛市）" in here.text


def test_national_rules_apply_where_the_user_is_but_not_as_a_provinces_own() -> None:
    assert answer("我们是浙江的国家高新区，想申请设综合保税区，有依据吗", BONDED).grounded
    own = answer("广东省对高新区的公共技术服务体系有什么要求", PLATFORMS, GUANGDONG)
    assert own.grounded and {c.doc for c in own.citations} == {"粤府办〔2005〕92号"}
    assert "（粤府办〔2005〕92号，2005-11-07，广东省）" in own.text


def test_the_deployments_own_place_keeps_answers_to_its_rules() -> None:
    at_home = composer()
    at_home.home = "广东省"
    out = at_home.policy_answer("专利 侵权 罚款", [QINGDAO], COVERED, question="重复侵犯同一专利会罚多少钱")
    assert not out.grounded and "没有广东省的相关规定" in out.text


def test_a_named_document_answers_or_says_it_does_not() -> None:
    out = answer("388号文对瞪羚企业有什么说法", WORK_PERMIT, GAZELLE, named=("国科发火〔2013〕388号",))
    assert out.grounded and {c.doc for c in out.citations} == {"国科发火〔2013〕388号"}
    elsewhere = answer("388号文对外籍专家工作许可年龄有什么规定", GAZELLE, WORK_PERMIT, named=("国科发火〔2013〕388号",))
    assert elsewhere.text.startswith("国科发火〔2013〕388号中没有找到这方面的规定。")
    assert "65岁" in elsewhere.text and {c.doc for c in elsewhere.citations} == {"国发〔2020〕7号"}


def test_a_choice_the_documents_do_not_make_is_not_answered() -> None:
    tax = passage("gf7-07", section="三、（七）", **GUOFA, text="落实好研发费用加计扣除、高新技术企业所得税减免、小微企业普惠性税收减免等政策。")
    out = answer("研发费用加计扣除比例现在是75%还是100%？", tax)
    assert not out.grounded and "但没有规定研发费用加计扣除比例" in out.text


def test_citations_say_why_a_rule_may_be_out_of_date() -> None:
    out = answer("十二五规划要建多少个专业园区", PLAN_ROW)
    (plan,) = out.citations
    assert plan.outdated == "“十二五”规划期已于2015年结束"
    assert plan.jurisdiction == NATIONAL
    future = answer("到2035年国家高新区要建成什么样", GOAL_2035)
    assert future.grounded and "目标年份已过" not in future.text and future.citations[0].outdated == ""


def test_a_deadline_of_one_thing_is_not_the_deadline_of_another() -> None:
    report = passage("sd-15", doc="山东省促进科技成果转化条例", title="山东省促进科技成果转化条例", section="第十五条",
                     date="2017-12-01", place=Jurisdiction(level="province", place="山东省"),
                     text="高等学校应当于每年三月底前向其主管部门提交上一年度科技成果转化情况年度报告。")
    out = answer("山东省科技成果转化奖励申报截止到几月", report)
    assert not out.grounded and "三月底" not in out.text.split("，但没有规定")[-1]
    assert "但没有规定" in out.text  # the 申报 whose deadline is asked is not in it
    due = answer("山东高校的科技成果转化年度报告截止到几月", report)
    assert due.grounded and "三月底" in due.text.split("\n")[0]


def test_a_rate_or_period_of_something_else_is_not_an_answer() -> None:
    tax = passage("gf7-07", section="三、（七）", **GUOFA,
                  text="建立健全政策协调联动机制，落实好研发费用加计扣除、高新技术企业所得税减免、小微企业普惠性税收减免等政策。")
    row = passage("fa-a1-1", section="附1 一", **FANG_AN, text="世界一流高科技园区 目标要求 序号1 企业研发投入占销售收入比例 8%")
    out = answer("研发费用加计扣除的比例是多少", tax, row)
    assert not out.grounded and "8%" not in out.text
    assert out.text.startswith("国发〔2020〕7号提到“落实好研发费用加计扣除") and "但没有规定" in out.text

    residence = passage("gf7-05b", section="二、（五）", **GUOFA, text="在园区内企业工作的外国人才，可按规定申办5年以内的居留许可。")
    out = answer("外籍人才办工作许可要几个工作日", WORK_PERMIT, residence)
    assert not out.grounded and "5年" not in out.text  # the period of another permit
    assert answer("外籍人才的居留许可最长能办几年", WORK_PERMIT, residence).grounded


def test_the_words_of_a_comparison_do_not_make_a_sentence_relevant() -> None:
    finance = passage("gf7-17", section="六、（十七）", **GUOFA, text="鼓励金融机构创新投贷联动模式，积极探索开展多样化的科技金融服务。")
    stages = passage("gf7-20", section="七、（二十）", **GUOFA, text=(
        "加强分类指导，坚持高质量发展标准，根据不同地区、不同阶段、不同发展基础和创新资源等情况，对符合条件、有优势、有特色的省级高新区加快“以升促建”。"))
    torch = passage("hj-24", doc="国科发火〔2011〕259号", title="关于进一步加强火炬工作 促进高新技术产业化的指导意见",
                    section="二、（四）2", date="2011-07-04", text="鼓励和支持高新区设立创业投资引导基金，建立科技金融综合服务平台。")
    out = answer("7号文和259号文在科技金融方面的说法有什么不同", torch, finance, stages)
    assert out.grounded and sorted(c.chunk_id for c in out.citations) == ["gf7-17", "hj-24"]


def test_a_weight_or_threshold_the_table_does_not_give_is_said_to_be_missing() -> None:
    row = passage("yy-7", doc="国办发〔2019〕4号", title="国务院办公厅关于加强三级公立医院绩效考核工作的意见", section="附件",
                  date="2019-01-16", text="三级公立医院绩效考核指标 一级指标 一、医疗质量 二级指标 （一）功能定位 三级指标 "
                  "7.特需医疗服务占比 指标性质 定量 指标说明 计算方法：特需医疗服务量/同期全部医疗服务量×100%。")
    weight = answer("三级公立医院绩效考核里医疗质量这一块占多少权重", row)
    assert not weight.grounded and "但没有规定" in weight.text and "×100%" not in weight.text
    assert "权重" in weight.text.split("但没有规定")[1]
    fail = answer("特需医疗服务占比超过多少算考核不合格", row)
    assert not fail.grounded and "考核不合格" in fail.text


def test_a_figure_of_something_the_passage_does_not_name_is_not_answered() -> None:
    plan = passage("xa-1", doc="国函〔2018〕159号", title="国务院关于河北雄安新区总体规划（2018—2035年）的批复", section="一",
                   date="2018-12-25", text="一、原则同意《河北雄安新区总体规划（2018—2035年）》（以下简称《总体规划》）。")
    out = answer("雄安新区到2035年规划人口是多少", plan)
    missing = out.text.split("但没有规定")[1] if "但没有规定" in out.text else ""
    assert not out.grounded and ("人口" in missing or "人数" in missing)  # the population, or its number of people


def test_a_headcount_is_not_answered_by_a_sentence_naming_the_establishment() -> None:
    staff = passage("zl-8", doc="郑洛新国家自主创新示范区条例", title="郑洛新国家自主创新示范区条例", section="第八条", date="2019-05-31",
                    place=Jurisdiction(level="province", place="河南省"),
                    text="第八条 管理委员会建立灵活高效的管理体制，在机构编制管理部门核定的机构总数内，自主设立、调整工作机构。")
    out = answer("郑洛新自创区管委会的编制有多少人", staff)
    assert not out.grounded and "但没有规定" in out.text


def test_a_tax_question_is_not_answered_by_a_clause_on_other_support() -> None:
    support = passage("xa-3", doc="国函〔2018〕159号", title="国务院关于河北雄安新区总体规划（2018—2035年）的批复", section="三",
                      date="2018-12-25", text="三、进一步优化营商环境，积极主动对接疏解需求，重点承接高校、科研院所、企业总部等非首都功能。")
    relief = answer("企业搬到雄安新区能享受哪些税收减免", support)
    assert not relief.grounded and "但没有规定" in relief.text and "税收" in relief.text.split("但没有规定")[1]
    # a rate of something that is not a tax does not answer a tax rate either
    share = passage("gf7-x", section="三、（九）", **GUOFA, text="国家高新区企业研发投入占营业收入比例达到5%以上。")
    assert not answer("高企的企业所得税税率是百分之几", share).grounded
    # and the clause on the tax answers
    tax = passage("gf7-07", section="三、（七）", **GUOFA, text="落实高新技术企业所得税优惠、研发费用加计扣除等税收政策。")
    assert answer("高新区企业能享受哪些税收优惠", tax).grounded


def test_an_age_limit_needs_an_age() -> None:
    assert answer("外籍高端人才申请工作许可年龄上限是多少岁", WORK_PERMIT).grounded
    interview = passage("gf7-06", section="二、（六）", **GUOFA, text="对外籍高端人才放宽年龄、学历和工作经历限制，简化审批程序。")
    out = answer("外籍人才申请工作许可年龄上限是多少岁", interview)
    assert not out.grounded and "年龄" in out.text.split("但没有规定")[1]


def test_a_telephone_number_is_not_answered_by_a_clause_on_the_office() -> None:
    office = passage("zl-7", section="第七条", **ZLX,
                     text="第七条 郑州、洛阳、新乡国家高新技术产业开发区管理委员会是自主创新示范区的管理机关。")
    out = answer("想咨询郑洛新自创区管理机关的事，打哪个电话", office)
    assert not out.grounded and "但没有规定" in out.text


def test_a_question_on_subsidies_is_answered_by_the_clause_that_grants_money() -> None:
    sd = Jurisdiction(level="province", place="山东省")
    services = passage("cz-32", doc="中华人民共和国促进科技成果转化法", title="中华人民共和国促进科技成果转化法", section="第三十二条",
                       date="2015-08-29", text="第三十二条 国家支持科技企业孵化器、大学科技园等科技企业孵化机构发展，为初创期科技型中小企业提供孵化场地。")
    money = passage("sd-21", doc="山东省促进科技成果转化条例", title="山东省促进科技成果转化条例", section="第二十一条",
                    date="2017-12-01", place=sd,
                    text="第二十一条 县级以上人民政府可以通过后补助、风险补偿、奖励等措施，鼓励、支持科技企业孵化器发展。")
    out = answer("孵化器有没有补贴", services, money)
    assert out.grounded and out.text.splitlines()[0].endswith("[1]") and out.citations[0].chunk_id == "sd-21"
    alone = answer("孵化器有没有补贴", services)
    assert not alone.grounded and "但没有规定" in alone.text


def test_a_documents_own_subject_is_the_subject_of_its_sentences() -> None:
    # in a notice on 资助 applications, "5个工作日内完成修改" is a 资助 application's deadline; the same
    # sentence in a notice on something else is not about a 资助
    aid = dict(doc="关于受理第二批专利申请资助项目申报的通知", title="关于受理第二批专利申请资助项目申报的通知",
               date="2017-08-01")
    resubmit = passage("pz-3", section="三、（三）", **aid, text="如退回修改，请务必在5个工作日内完成修改、补充申报资料并确认提交。")
    out = answer("资助申报被退回修改，几个工作日内要重新提交？", resubmit)
    assert out.grounded and out.text.splitlines()[0].endswith("[1]") and "5个工作日" in out.text.splitlines()[0]
    other = dict(aid, doc="关于开展企业信用信息填报的通知", title="关于开展企业信用信息填报的通知")
    assert not answer("资助申报被退回修改，几个工作日内要重新提交？", passage("xy-3", section="三", **other,
                      text=resubmit.text)).grounded


def test_a_yes_no_stating_the_askers_own_figure_is_answered_by_the_bound_on_it() -> None:
    # "刚注册半年，能…吗": the clause bounding how long a company must be registered answers, not the
    # application form that shares more of the question's words
    pool = dict(doc="关于组织申报高新技术企业培育库入库企业的通知", title="关于组织申报高新技术企业培育库入库企业的通知",
                date="2017-06-21", place=Jurisdiction(level="city", place="东莞市"))
    form = passage("py-3", section="三、（二）", **pool, text="1、《高新技术企业培育库入库企业申请书》（从政务平台打印签名，并加盖企业公章）；")
    bound = passage("py-2", section="二、（二）", **pool, text="（二）企业注册一年以上，具有独立法人资格，未被认定为高新技术企业；")
    out = answer("公司刚注册半年，能申请进高新技术企业培育库吗？", form, bound)
    assert out.grounded and "企业注册一年以上" in out.text.splitlines()[0], out.text


def test_the_clause_restating_what_the_question_knows_does_not_answer_what_it_asks() -> None:
    fees = dict(doc="专利费用减缴办法", title="专利费用减缴办法", date="2016-07-27")
    persons = passage("fee-3", section="第三条", **fees, text="（一）上年度月均收入低于3500元（年4.2万元）的个人；")
    companies = passage("fee-3b", section="第三条", **fees, text="（二）上年度企业应纳税所得额低于30万元的企业；")
    out = answer("个人月收入低于3500元可以减缴专利费，那个体工商户要满足什么收入标准？", persons, companies)
    assert not out.grounded and "但没有规定" in out.text
    asked = answer("个人月收入低于3500元可以减缴专利费，那企业要满足什么所得额标准？", persons, companies)
    assert asked.grounded and "30万元" in asked.text.splitlines()[0], asked.text


def refused_until_stated(question: str, neighbours: list[Hit], giver: Hit, stated: str) -> None:
    """The neighbouring clauses do not answer (the answer says the documents do not state it); with the
    clause that states it, that clause leads the answer."""
    out = answer(question, *neighbours)
    assert not out.grounded and "但没有规定" in out.text, out.text
    asked = answer(question, *neighbours, giver)
    assert asked.grounded and stated in asked.text.splitlines()[0], asked.text


def test_the_figure_the_question_states_is_not_the_answer_to_what_it_asks() -> None:
    # "每个团队最多3个, 那每个高校呢": the clause giving the asker's own 3 does not say the school's cap; a
    # clause giving another number of the unit asked does
    rules = dict(doc="人才项目推荐办法", title="人才项目推荐办法", date="2020-03-01")
    team = passage("rt-5", section="第五条", **rules, text="每个创新团队每年推荐的项目不超过3个，推荐材料不予退回。")
    other = passage("rt-6", section="第六条", **rules, text="高校推荐的项目经评审后分两批公布，评审委员会由7名专家组成。")
    school = passage("rt-7", section="第七条", **rules, text="每所高校每年推荐的项目不超过10个。")
    refused_until_stated("每个团队一年最多推荐3个项目，那每个高校一年最多推荐几个项目？", [team, other], school, "10个")


def test_a_fact_stated_for_another_tax_or_patent_kind_does_not_answer_for_the_one_asked() -> None:
    rules = dict(doc="园区企业扶持办法", title="园区企业扶持办法", date="2019-05-01")
    income = passage("fz-8", section="第八条", **rules, text="园区内新办的软件企业，减按百分之十征收企业所得税。")
    stamp = passage("fz-9", section="第九条", **rules, text="园区企业签订技术转让合同，按规定减征或者免征印花税。")
    out = answer("园区软件企业申请减免印花税，最多能减免百分之多少？", income, stamp)
    assert not out.grounded and "但没有规定" in out.text and "百分之十" not in out.text, out.text
    # one sentence setting sums for two patent kinds: the clause of the kind asked is the answer
    grant = passage("fz-10", section="第十条", **rules,
                    text="外观设计专利授权后每件资助500元；实用新型专利授权后每件资助1000元。")
    asked = answer("实用新型专利授权了能拿多少资助？", grant, income)
    assert asked.grounded and "1000元" in asked.text.splitlines()[0] and "500元" not in asked.text.splitlines()[0], asked.text


def test_a_choice_between_words_is_answered_in_the_documents_own_words() -> None:
    # documents paraphrase the options a question offers in words ("省里自己出" — "由你省自筹解决"); a
    # figure offered must be stated as it is ("是75%还是100%", tested above)
    reply = passage("fh-1", doc="国务院办公厅关于同意某开发区为国家级开发区的复函", title="国务院办公厅关于同意某开发区为国家级开发区的复函",
                    date="2001-03-01", text="开发区的建设和发展纳入全市总体规划，建设发展资金由你省自筹解决。")
    out = answer("那个开发区的建设资金是中央财政拨款还是省里自己出？", reply)
    assert out.grounded and "由你省自筹解决" in out.text, out.text


def test_a_figure_of_the_unit_the_question_asks_for_that_it_states_itself_is_not_the_answer() -> None:
    plan = dict(doc="某开发区总体规划批复", title="国务院办公厅关于同意郑州某开发区规划的复函", date="2001-03-01")
    whole = passage("gh-2", **plan, text="开发区规划范围总用地30平方公里，分两期建设。")
    part = passage("gh-3", **plan, text="其中工业用地18平方公里，居住用地6平方公里。")
    refused_until_stated("郑州那个开发区30平方公里里，工业用地有多少平方公里？", [whole], part, "18平方公里")
    # the document is about the place the question names: not "no rules of 郑州市"
    out = answer("郑州那个开发区30平方公里里，工业用地有多少平方公里？", whole)
    assert "30平方公里" in out.text and "没有郑州市" not in out.text, out.text


def test_an_award_for_another_level_of_recognition_is_not_the_one_asked() -> None:
    guide = dict(doc="科技服务机构奖励申报指南", title="科技服务机构奖励申报指南", date="2016-05-12",
                 place=Jurisdiction(level="city", place="东莞市"))
    tiers = passage("kf-3", **guide, text="获得国家级资质认定的科技服务机构每家奖励20万元，获得省级资质认定的每家奖励10万元。")
    out = answer("只拿到市级资质的科技服务机构，资质奖励最多能奖多少？", tiers)
    assert not out.grounded and "20万元" not in out.text.split("，但")[-1], out.text
    above = passage("kf-4", **guide, text="获得省级以上资质认定的科技服务机构每家奖励10万元。")  # 以上 covers 国家级
    asked = answer("拿到国家级资质的科技服务机构，资质奖励最多能奖多少？", above)
    assert asked.grounded and "10万元" in asked.text.splitlines()[0], asked.text


def test_a_requirement_on_a_named_thing_is_answered_only_by_a_clause_naming_it() -> None:
    guide = dict(doc="众创空间备案办法", title="众创空间备案办法", date="2018-04-01")
    staff = passage("zc-4", section="四", **guide, text="（二）申报众创空间备案的运营主体，专职服务人员不少于3名。")
    capital = passage("zc-5", section="四", **guide, text="（三）运营主体注册资本不低于100万元。")
    refused_until_stated("申报众创空间备案，对运营主体的注册资本有没有最低要求？", [staff], capital, "100万元")


def test_two_rules_differing_only_in_their_figures_are_both_quoted() -> None:
    # a city's cultivation pool asks 6 %, the national 认定 10 %: the same words, two answers; a page that
    # prints one paragraph twice is still quoted once
    pool = dict(doc="关于组织申报高新技术企业培育库入库企业的通知", title="关于组织申报高新技术企业培育库入库企业的通知",
                date="2017-06-21", place=Jurisdiction(level="city", place="东莞市"))
    rule = "（四）企业从事研发和相关技术创新活动的科技人员占企业当年职工总数的比例不低于{}%；"
    city = passage("py-4", section="二、（四）", **pool, text=rule.format(6))
    twice = passage("py-4b", section="二、（四）", **pool, text=rule.format(6))
    national = passage("gq-11", doc="高新技术企业认定管理办法", title="高新技术企业认定管理办法", section="第十一条",
                       date="2016-01-29", text=rule.format(10))
    out = answer("进培育库要求科技人员占职工总数多少？正式认定高企又要求多少？", city, twice, national)
    assert out.grounded and "不低于6%" in out.text and "不低于10%" in out.text
    assert out.text.count("不低于6%") == 2  # the direct answer and one quote, not two


def test_a_sum_the_asker_states_picks_the_band_that_holds_it() -> None:
    # "去年营收1.2个亿": of three revenue bands, the one from 5,000万 to 2亿 answers, with what it requires
    rules = dict(doc="高新技术企业认定管理办法", title="高新技术企业认定管理办法", date="2016-01-29", section="第十一条")
    bands = passage("gq-11-5", **rules, text=(
        "（五）企业近三个会计年度的研究开发费用总额占同期销售收入总额的比例符合如下要求：\n"
        "1. 最近一年销售收入小于5,000万元（含）的企业，比例不低于5%；\n"
        "2. 最近一年销售收入在5,000万元至2亿元（含）的企业，比例不低于4%；\n"
        "3. 最近一年销售收入在2亿元以上的企业，比例不低于3%。"))
    lead = answer("我们公司去年营收1.2个亿，近三年研发投入要占销售收入多少才达标？", bands).text.splitlines()[0]
    assert "5,000万元至2亿元（含）的企业，比例不低于4%" in lead, lead
    lead = answer("我们公司去年营收3亿元，近三年研发投入要占销售收入多少才达标？", bands).text.splitlines()[0]
    assert "2亿元以上的企业，比例不低于3%" in lead, lead
    # the band holding the asker's own figure is about the question even when the coverage signal doubts it
    from retrieval.coverage import Coverage
    from retrieval.normalize import QueryNormalizer

    doubt = Coverage(score=2.0, covered=False, dense_top=0.8, keyword_match=0.1, threshold=2.1)
    strict = composer()
    strict.trust_reach = 1.0  # no share of the question's words outweighs the signal: the band must
    question = "去年营收1.2个亿，我们得投多少研发才够？"
    out = strict.policy_answer(QueryNormalizer()(question).expanded, [bands], doubt, question=question)
    assert out.grounded and "比例不低于4%" in out.text.splitlines()[0], out.text
    other = "我们公司有120名员工，研发得投多少才够？"  # no sum stated: the signal decides
    assert not strict.policy_answer(QueryNormalizer()(other).expanded, [bands], doubt, question=other).grounded


def test_a_question_on_what_is_not_allowed_is_answered_by_the_clause_that_forbids() -> None:
    scope = passage("zl-2", section="第二条", **ZLX, text="第二条 郑洛新国家自主创新示范区的规划、建设、服务、管理，适用本条例。")
    industry = passage("zl-11", section="第十一条", **ZLX,
                       text="第十一条 自主创新示范区应当制定产业发展规划，统筹产业布局；优先发展新材料、生物医药等战略性新兴产业；"
                            "禁止发展高能耗、高污染和高环境风险的产业项目，延长产业链。")
    out = answer("郑洛新自创区里哪些类型的项目是不让上的", scope, industry)
    assert out.grounded and "禁止发展高能耗" in out.text.split("\n\n")[0]


def test_a_count_of_two_thousand_is_not_the_year_2000() -> None:
    tibet = passage("xz-1", doc="关于内地西藏班（校）扩大规模有关问题的请示", title="关于内地西藏班（校）扩大规模有关问题的请示",
                    section="一、（一）", date="1996-05-13",
                    text="（一）扩大内地西藏初中班（校）招生规模，从1996年开始逐年扩招，至1998年达到2000名的招生规模。")
    out = answer("到2000年内地西藏初中班的招生规模要扩大到多少人？", tibet)
    assert not out.grounded and "2000年" in out.text


def test_a_grant_named_by_what_it_pays_for_needs_that_named() -> None:
    patents = passage("zgc-33", section="第三十三条", **ZGC,
                      text="第三十三条 市和区、县人民政府通过补贴、奖励等措施，支持示范区内的企业获得专利权、商标注册和著作权登记。")
    out = answer("企业买专利执行险，政府给不给保费补贴？", patents)
    assert not out.grounded and "但没有规定" in out.text
    assert answer("企业申请专利，政府给不给专利补贴？", patents).grounded  # the grant for patents is there


TITLES = passage("zl-42", section="第四十二条", **ZLX, text="第四十二条 自主创新示范区内创新能力强、人才智力密集的单位，可以按照有关规定自主开展高级职称评审。")


def test_who_approves_needs_a_body_that_approves() -> None:
    out = answer("郑洛新自创区的单位自主开展高级职称评审，要报哪个部门审批？", TITLES)
    assert not out.grounded and "但没有规定" in out.text
    approved = passage("zl-43", section="第四十三条", **ZLX, text="第四十三条 单位自主开展高级职称评审的，评审结果报省人力资源社会保障部门备案。")
    assert answer("郑洛新自创区的单位自主开展高级职称评审，要报哪个部门审批？", TITLES, approved).grounded


def test_which_of_two_is_greater_needs_a_comparison() -> None:
    area = passage("zl-2", section="第二条", **ZLX, text="第二条 郑洛新国家自主创新示范区是指经国务院批准建设的郑州、洛阳、新乡国家高新技术产业开发区。")
    out = answer("乌昌石自创区和郑洛新自创区比，哪个规划面积更大？", area)
    assert not out.grounded and "但没有规定" in out.text


def test_a_sum_asked_needs_a_sum() -> None:
    fund = passage("zgc-32", section="第三十二条", **ZGC, text="第三十二条 市人民政府设立示范区发展专项资金，支持在示范区创新创业。")
    out = answer("北京市每年给中关村示范区发展专项资金安排多少亿？", fund)
    assert not out.grounded and "但没有规定" in out.text
    stated = passage("zgc-32b", section="第三十二条", **ZGC, text="第三十二条 市人民政府每年安排示范区发展专项资金10亿元，支持在示范区创新创业。")
    assert answer("北京市每年给中关村示范区发展专项资金安排多少亿？", stated).grounded


XIONGAN = dict(doc="国函〔2018〕159号", title="国务院关于河北雄安新区总体规划（2018—2035年）的批复", date="2018-12-25")


def test_a_stance_asked_is_answered_by_the_clause_that_takes_it() -> None:
    towers = passage("xa-7", section="七", **XIONGAN, text="七、坚持中西合璧、以中为主，塑造建筑风貌，原则上不建高楼大厦，不搞奇奇怪怪的建筑。")
    assert answer("159号文对雄安盖高楼是什么态度", towers).grounded


def test_a_population_asked_needs_a_number_of_people() -> None:
    plan = passage("xa-5", section="五", **XIONGAN, text="五、坚持以人民为中心，合理控制人口密度，建设宜居宜业的新区。")
    out = answer("What population is Xiong'an New Area planned to reach by 2035?", plan)
    assert not out.grounded
    stated = passage("xa-5b", section="五", **XIONGAN, text="五、到2035年，新区常住人口规模控制在200万人左右。")
    assert answer("雄安新区到2035年人口规模要达到多少", stated).grounded


def test_a_multiple_asked_needs_a_number_of_times() -> None:
    guarantee = passage("gb-9", doc="国办发〔2019〕6号", title="国务院办公厅关于有效发挥政府性融资担保基金作用切实支持小微企业和“三农”发展的指导意见",
                        section="三、（九）", date="2019-01-22", text="（九）提高融资担保放大倍数，合理确定融资担保机构的资本规模。")
    out = answer("政府性融资担保机构的放大倍数最高是多少倍", guarantee)
    assert not out.grounded and "但没有规定" in out.text


def test_a_sanction_is_answered_for_the_act_asked_about() -> None:
    revoke = passage("gf7-21", section="七、（二十一）", **GUOFA,
                     text="对评价考核结果较差的国家高新区，通过约谈、通报等方式予以警告；对整改不力的予以撤销。")
    out = answer("高新区管委会报送评价数据造假会受到什么处罚", revoke)
    assert not out.grounded and "造假" in out.text.split("但没有规定")[1]


GUARANTEE = dict(doc="国办发〔2019〕6号", title="国务院办公厅关于有效发挥政府性融资担保基金作用切实支持小微企业和“三农”发展的指导意见",
                 date="2019-01-22")


def test_how_much_is_deducted_is_answered_by_a_sum_as_well_as_a_rate() -> None:
    child = passage("tx-1", doc="国发〔2018〕41号", title="个人所得税专项附加扣除暂行办法", section="第二章", date="2018-12-13",
                    text="第五条 纳税人的子女接受全日制学历教育的相关支出，按照每个子女每月1000元的标准定额扣除。")
    out = answer("孩子上学，个税每个月能扣多少", child)
    assert out.grounded and "1000元" in out.text.split("\n\n")[0]
    words = passage("tx-2", doc="国发〔2018〕41号", title="个人所得税专项附加扣除暂行办法", section="第一章", date="2018-12-13",
                    text="第一条 根据个人所得税法规定，制定本办法。")
    assert not answer("孩子上学，个税每个月能扣多少", words).grounded


def test_the_asked_rate_is_taken_from_a_top_passage_whose_words_differ_more() -> None:
    focus = passage("gb-4", section="二、（四）", **GUARANTEE,
                    text="（四）担保公司要为小微企业做贷款担保，重点支持单户担保金额500万元及以下的小微企业。")
    fee = passage("gb-8", section="三、（八）", **GUARANTEE, text="（八）引导降费让利，对小微企业收取的担保费率原则上不超过1%。")
    out = answer("给小微企业做一笔300万的贷款担保，政府性担保公司按规定最多能收几个点的担保费", focus, fee)
    assert out.grounded and "1%" in out.text


PROJECTS = dict(doc="企业投资项目核准和备案管理条例", title="企业投资项目核准和备案管理条例", date="2016-11-30")
JOBS = dict(doc="国发〔2018〕39号", title="国务院关于做好当前和今后一个时期促进就业工作的若干意见", date="2018-11-16")
ZHEJIANG = dict(doc="浙江省高新技术促进条例", title="浙江省高新技术促进条例", date="2021-09-29",
                place=Jurisdiction(level="province", place="浙江省"))


def test_working_days_are_a_period() -> None:
    limit = passage("xm-10", section="第十条", **PROJECTS,
                    text="第十条 核准机关应当自受理申请之日起20个工作日内作出是否予以核准的决定；项目情况复杂的，可以延长，延长的期限不得超过40个工作日。")
    out = answer("项目报上去核准，一般多久能批？复杂的最多还能拖多久？", limit)
    assert out.grounded and "20个工作日" in out.text


def test_a_qualification_asked_needs_one_stated() -> None:
    agency = passage("xm-8", section="第八条", **PROJECTS, text="第八条 核准机关可以委托中介服务机构对项目进行评估，评估费用由核准机关承担。")
    out = answer("给项目做评估的中介机构要具备什么资质？", agency)
    assert not out.grounded and "但没有规定" in out.text
    # a time limit is not a qualification
    limit = passage("xm-9", section="第九条", **PROJECTS, text="核准机关委托中介服务机构对项目进行评估的，评估时限不得超过30个工作日。")
    assert not answer("核准机关委托的中介评估机构要具备什么资质？", limit).grounded


def test_a_certificate_named_as_a_condition_is_not_a_list_of_materials() -> None:
    skills = passage("jy-8", section="二、（八）", **JOBS,
                     text="（八）参加失业保险3年以上、当年取得职业资格证书或职业技能等级证书的企业职工，可申请参保职工技能提升补贴。")
    out = answer("技术技能提升补贴申领要准备哪些材料？", skills)
    assert not out.grounded and "但没有规定" in out.text



def test_a_yes_no_on_a_rate_the_text_does_not_give_says_so() -> None:
    zhejiang = passage("zj-13", section="第十三条", **ZHEJIANG,
                       text="第十三条 高新技术企业按照国家有关规定享受研究开发费用税前加计扣除等税收优惠。")
    henan = passage("zl-46", section="第四十六条", **ZLX, text="第四十六条 企业的研究开发费用按照国家规定在税前列支并加计扣除。")
    out = answer("浙江的高企研发费用能按175%加计扣除吗", zhejiang, henan)
    assert not out.grounded and "175%" in out.text.split("但没有规定")[1]
    # Zhejiang's own rule was found: the answer does not say there is none
    assert "没有浙江省的相关规定" not in out.text
    english = answer("Does the Zhejiang regulation let a high-tech enterprise deduct 175% of its R&D spending?", zhejiang, henan)
    assert not english.grounded and "175%" in english.text and "no rules of" not in english.text


def test_a_detail_left_to_another_rule_is_not_answered_by_another_period() -> None:
    review = passage("zj-12", section="第十二条", **ZHEJIANG,
                     text="高新技术企业实行申请认定制度。高新技术企业认定和复审按照国家有关规定执行。")
    fraud = passage("zj-27", section="第二十七条", **ZHEJIANG,
                    text="企业采取欺骗手段骗取高新技术企业认定证书的，由负责认定的部门取消其资格，在五年内不再受理该企业提出的高新技术企业资格认定申请。")
    out = answer("浙江高企复审要提前多久把材料交上去", review, fraud)
    assert not out.grounded and "五年" not in out.text
    assert "按照国家有关规定执行" in out.text and "但没有规定" in out.text  # the clause that leaves it to others
    # a period stated by the clause that fits the question is still the answer
    ban = answer("骗取高企认定证书的企业多少年内不能再申请认定", review, fraud)
    assert ban.grounded and "五年" in ban.text.split("\n")[0]


def test_whether_two_benefits_combine_needs_a_rule_on_combining_them() -> None:
    refund = passage("gf39-1", section="一、（一）", **JOBS, text="对不裁员或少裁员的参保企业，可返还其上年度实际缴纳失业保险费的50%。")
    out = answer("稳岗返还和创业担保贷款能同时享受吗", refund)
    assert not out.grounded and "但没有规定" in out.text  # the refund alone does not say
    english = answer("Can a company get the unemployment insurance refund and a start-up loan at the same time?", refund)
    assert not english.grounded
    stacked = passage("gf39-2", section="一、（二）", **JOBS, text="同一企业的稳岗返还和创业担保贷款贴息不重复享受，按就高原则执行。")
    both = answer("稳岗返还和创业担保贷款能同时享受吗", refund, stacked)
    assert both.grounded and "不重复享受" in both.text.split("\n")[0]


LEAVE = dict(doc="企业职工带薪年休假实施办法", title="企业职工带薪年休假实施办法", date="2008-09-18")


def test_the_unit_asked_is_the_unit_answered() -> None:
    entitled = passage("nx-3", section="第三条", **LEAVE, text="职工连续工作满12个月以上的，享受带薪年休假。")
    out = answer("员工累计工作满10年，一年能休几天年假？", entitled)
    assert not out.grounded and "但没有规定" in out.text  # 12 months is not a number of days
    days = passage("nx-5", section="第五条", **LEAVE, text="职工累计工作已满10年不满20年的，年休假10天。")
    assert answer("员工累计工作满10年，一年能休几天年假？", entitled, days).grounded
    assert answer("带薪年休假要连续工作满多久才能享受？", entitled).grounded  # "多久": any period


def test_a_multiple_may_be_stated_as_a_percentage_over_a_hundred() -> None:
    pay = passage("nx-10", section="第十条", **LEAVE,
                  text="对职工应休未休年休假天数，按照其日工资收入的300%支付未休年休假工资报酬。")
    out = answer("员工年假没休完，公司要按几倍日工资补钱？", pay)
    assert out.grounded and "300%" in out.text.split("\n")[0]


def test_how_many_experts_needs_a_number_of_people() -> None:
    panel = passage("gq-12", doc="高新技术企业认定管理办法", title="高新技术企业认定管理办法", section="第十二条",
                    text="认定机构应在符合评审要求的专家中，随机抽取组成专家组。认定企业在认定工作网公示10个工作日。")
    out = answer("高企评审的专家组一般抽几个专家？", panel)
    assert not out.grounded and "10个工作日" not in out.text.split("，但没有规定")[-1]


def test_a_number_of_days_may_have_decimals_but_a_formulas_is_none() -> None:
    wage = passage("nx-11", section="第十一条", **LEAVE,
                   text="日工资收入按照职工本人的月工资除以月计薪天数（21.75天）进行折算。")
    assert answer("算未休年假工资时，月计薪天数按多少天算？", wage).grounded
    formula = passage("nx-12", section="第十二条", **LEAVE,
                      text="折算方法为：（当年度在本单位已过日历天数÷365天）×职工本人全年应当享受的年休假天数。")
    out = answer("员工累计工作满10年，一年能休几天年假？", formula)
    assert not out.grounded and "但没有规定" in out.text


PUBLICITY = dict(doc="国家市场监督管理总局令第45号", title="市场监督管理行政处罚信息公示规定", date="2021-07-30")
BEIJING_ZONE = dict(doc="北京市新技术产业开发试验区暂行条例", title="北京市新技术产业开发试验区暂行条例", date="1988-05-10")


def test_an_abbreviated_detail_is_found_in_its_full_form() -> None:
    # people write 监管部门 for the documents' 监督管理部门: the clause names the asked detail
    withdraw = passage("gs-11", **PUBLICITY, section="第十一条", text="行政处罚决定被依法撤销的，市场监督管理部门应当在三个工作日内撤回行政处罚公示信息。")
    out = answer("处罚决定被撤销了，市场监管部门得几天内撤下公示？", withdraw)
    assert out.grounded and "三个工作日" in out.text.split("\n")[0]


def test_which_years_is_answered_by_the_years_a_policy_runs() -> None:
    period = passage("lg-0", doc="临港若干意见", title="关于支持临港地区发展的若干意见", place=None,
                     text="为此，特制定本意见，政策期限为2016年至2018年。")
    out = answer("这份意见的政策期限是哪几年？", period)
    assert out.grounded and "2016年至2018年" in out.text.split("\n")[0]


def test_a_rule_opening_a_list_is_quoted_with_its_items() -> None:
    # "同时符合以下条件的：" states nothing without the conditions that follow it in the article
    early_stop = passage("gs-14", **PUBLICITY, section="第十四条", text=(
                             "第十四条　行政处罚信息公示满一年，且同时符合以下条件的，可以申请提前停止公示：\n"
                             "（一）已经自觉履行行政处罚决定中规定的义务；\n（二）已经主动消除危害后果和不良影响；\n"
                             "（三）未在严重违法失信名单中。\n当事人受到吊销营业执照处罚的，不得申请提前停止公示。"))
    out = answer("企业想提前停止公示处罚信息，要满足哪些条件？", early_stop)
    lead = out.text.split("\n")[0]
    assert out.grounded and "自觉履行" in lead and "消除危害后果" in lead and "严重违法失信名单" in lead
    assert "（二）已经主动消除危害后果和不良影响；[1]" in out.text
    assert "吊销营业执照" not in lead  # the sentence after the list is not one of its items


def test_a_rule_is_quoted_with_the_exception_that_follows_it() -> None:
    publish = passage("gs-2", **PUBLICITY, section="第二条", text=(
                          "第二条　市场监督管理部门作出行政处罚决定的相关信息，应当记录于国家企业信用信息公示系统，并向社会公示。\n"
                          "仅受到警告行政处罚的不予公示。\n依法登记的市场主体的公示信息应当记于市场主体名下。"))
    out = answer("只受了个警告处罚，会不会被挂到企业信用公示系统上？", publish)
    assert out.grounded and "仅受到警告行政处罚的不予公示" in out.text.split("\n")[0]  # the exception asked about
    assert "- 仅受到警告行政处罚的不予公示。[1]" in out.text
    assert "记于市场主体名下" not in out.text  # the next rule is no exception


def test_the_items_of_a_rule_give_what_the_rule_grants() -> None:
    # the rate is in an item of the list the best-matching sentence opens: the rule states it
    relief = passage("bj-5", **BEIJING_ZONE, section="第五条", text=(
                         "第五条 对试验区内经认定的新技术企业，实行下列减征或免征税收的优惠：\n"
                         "(一)减按15%税率征收所得税。\n(二)自开办之日起，三年内免征所得税。"))
    out = answer("试验区内经认定的新技术企业，实行什么减征税收的优惠，税率多少？", relief)
    assert out.grounded and "15%" in out.text


def test_the_sentence_giving_more_of_what_is_asked_leads() -> None:
    # a rate and a tax are asked: the item stating both leads, not a sentence that only names the tax
    relief = passage("bj-5", **BEIJING_ZONE, section="第五条", text=(
        "第五条 对试验区的新技术企业，实行下列减征或免征税收的优惠：\n(一)减按15%税率征收所得税。"))
    general = passage("gq-4", doc="高新技术企业认定管理办法", title="高新技术企业认定管理办法", section="第四条",
                      text="第四条 依据本办法认定的新技术企业，可依照《企业所得税法》申报享受所得税税收优惠政策。")
    out = answer("What income tax rate did the experimental zone set for new-technology companies?", general, relief)
    assert out.grounded and "15%" in out.text.split("\n")[0]


def test_a_list_question_stating_its_count_is_answered_by_the_sentence_stating_that_count() -> None:
    rows = passage("inc-a", doc="孵化器考核办法", title="孵化器考核办法", section="附件", text=(
        "孵化器考核指标 一级指标 一、服务能力 二级指标 （一）孵化器考核 场地 三级指标 1.孵化场地面积"))
    whole = passage("inc-2", doc="孵化器考核办法", title="孵化器考核办法", section="二", text=(
        "考核指标由服务能力、孵化绩效、可持续发展、社会贡献等4个方面的指标构成。"))
    for question in ("孵化器考核指标包括哪四个方面", "What are the four areas that incubator assessment indicators cover?"):
        out = answer(question, rows, whole)
        assert out.grounded
        assert "4个方面" in out.text.splitlines()[0], question


def test_a_clause_naming_the_things_counted_is_the_list_not_the_items_after_it() -> None:
    goals = passage("plan-goals", section="二", **FANG_AN, text=(
        "通过甲类园区、乙类园区、丙类园区等三类园区的建设，实现：\n——自主创新能力显著提升。\n——产业结构持续优化。"))
    lead = answer("行动方案里的园区分为哪三类", goals).text.splitlines()[0]
    assert lead.endswith("等三类园区的建设”[1]"), lead  # not "…：自主创新能力显著提升"


def test_a_zone_asked_about_is_not_answered_from_a_notice_that_never_mentions_it() -> None:
    notice = passage("gd-n", doc="关于组织申报2017年高新技术产品认定的通知", title="关于组织申报2017年高新技术产品认定的通知",
                     place=None, text="《某镇科技专项资金管理办法》对新认定的高新技术企业，一次性给予每家3万元的奖励。")
    own = passage("zlx-21", section="第二十一条", **ZLX, text="第二十一条 对经认定的高新技术企业按照规定给予奖励、补助。")
    out = answer("郑洛新自创区对新认定的高企一次性奖励多少钱", notice, own)
    assert not out.grounded and "3万元" not in out.text  # the zone's own rule names no sum
    assert "郑洛新" in out.text
    elsewhere = answer("对新认定的高企一次性奖励多少钱", notice, own)  # no zone asked: the notice answers
    assert elsewhere.grounded and "3万元" in elsewhere.text


def test_figures_offered_after_the_question_must_be_stated() -> None:
    rule = passage("gf-5", doc="国发〔2019〕5号", title="关于全面推行双随机一公开监管的意见", section="三、（二）",
                   text="对一般检查事项，严格控制抽查比例，合理确定抽查频次。")
    out = answer("一般检查事项的抽查比例上限到底是多少，5%还是3%？", rule)
    assert not out.grounded and "没有规定检查事项的抽查比例上限" in out.text


def test_how_many_years_needs_a_number_of_years() -> None:
    rules = dict(doc="国家市场监督管理总局令第52号", title="中华人民共和国市场主体登记管理条例实施细则", date="2022-03-01")
    capital = passage("sc-36", section="第三十六条", **rules,
                      text="公司减少注册资本，可以通过国家企业信用信息公示系统公告，公告期45日，应当于公告期届满后申请变更登记。")
    out = answer("有限公司注册资本认缴，股东最长可以几年内缴足？", capital)
    assert not out.grounded and "但没有规定" in out.text  # 45 days say nothing of years
    valid = passage("gq-9", doc="高新技术企业认定管理办法", title="高新技术企业认定管理办法", section="第九条",
                    text="通过认定的高新技术企业，其资格自颁发证书之日起有效期为三年。")
    out = answer("高企证书拿到以后有效期是几年？", valid)
    assert out.grounded and "三年" in out.text.split("\n")[0]
    exempt = passage("kf-2", doc="某开发区条例", title="某开发区条例", section="第二十条",
                     text="外商投资企业在开发区内自建的厂房，自建成之月起免征房产税36个月。")
    assert answer("厂房的房产税能免几年？", exempt).grounded  # months count


def test_a_notice_printing_no_issuer_belongs_to_the_place_its_title_names() -> None:
    notice = passage("gd-cp", doc="关于组织申报某省2017年高新技术产品认定的通知",
                     title="关于组织申报广东省2017年高新技术产品认定的通知", section="四", place=None,
                     text="经认定的高新技术产品，省财政一次性给予每个产品3万元的补助。")
    shandong = answer("山东省对认定的高新技术产品一次性补助多少？", notice)
    assert not shandong.grounded  # not 山东's rule
    assert "是广东省的规定，不适用于山东省" in shandong.text  # and said to be 广东's, as its title says
    assert answer("广东省对认定的高新技术产品一次性补助多少？", notice).grounded
    assert answer("认定的高新技术产品一次性补助多少？", notice).grounded  # no place asked: it may answer


TECH = dict(doc="技术进出口管理条例", title="中华人民共和国技术进出口管理条例", date="2019-03-02")
REGISTER = passage("tt-19", section="第十九条", **TECH,
                   text="国务院外经贸主管部门应当自收到本条例第十八条规定的文件之日起3个工作日内，对技术进口合同进行登记，"
                        "颁发技术进口合同登记证。")


def test_the_direct_answer_quotes_the_clause_stating_the_figure_asked() -> None:
    out = answer("技术进口合同交上去以后，几天能拿到技术进口合同登记证？", REGISTER)
    assert out.grounded and "3个工作日" in out.text.split("\n")[0]  # not "颁发技术进口合同登记证"


def test_a_clause_leaving_the_timing_open_is_not_answered_by_another_clauses_period() -> None:
    ended = passage("tt-21", section="第二十一条", **TECH,
                    text="经许可或者登记的技术进口合同终止的，应当及时向国务院外经贸主管部门备案。")
    out = answer("技术进口合同提前终止了，得在多少天内去备案？", ended, REGISTER)
    assert not out.grounded and "及时" in out.text and "没有规定" in out.text and "3个工作日" not in out.text


def test_a_number_of_years_is_not_answered_by_days_even_when_a_period_is_asked() -> None:
    # "有效期是几年" asks a period (有效期) and, more precisely, years: 90 days do not answer it
    licence = passage("sc-22", doc="国家市场监督管理总局令第52号", title="中华人民共和国市场主体登记管理条例实施细则",
                      section="第二十二条", date="2022-03-01",
                      text="批准文件或者许可证书未规定有效期限，自批准之日起超过90日的，申请人应当报审批机关确认其效力。")
    out = answer("许可证书的有效期是几年？", licence)
    assert not out.grounded and "没有规定具体年限" in out.text


def test_how_often_is_answered_by_a_frequency() -> None:
    voucher = passage("zj-22", doc="浙江省促进科技成果转化条例", title="浙江省促进科技成果转化条例", section="第二十二条",
                      date="2021-09-29", text="科技创新券可以在全省范围内使用，每半年至少结算一次，各地不得设置限制条件。")
    out = answer("科技创新券多长时间结算一次？", voucher)
    assert out.grounded and "每半年至少结算一次" in out.text.split("\n")[0]


def test_the_direct_answer_does_not_end_inside_brackets() -> None:
    grant = passage("zl-3", doc="专利申请资助通知", title="关于受理专利申请资助项目申报的通知", section="一、（二）3",
                    text="国内发明专利申请进入实质审查后每件资助3000元（获国家知识产权局费用减缓的，不再给予资助），"
                         "获得授权后每件再资助12000元。")
    lead = answer("发明专利进入实质审查后每件资助多少钱？", grant).text.split("\n")[0]
    assert "每件资助3000元（获国家知识产权局费用减缓的，不再给予资助）" in lead


def test_a_sum_lent_answers_how_much_can_be_borrowed() -> None:
    loan = passage("gf39-3", doc="国发〔2018〕39号", title="国务院关于推动创新创业高质量发展打造“双创”升级版的意见",
                   section="三、（九）", date="2018-09-18",
                   text="小微企业当年新招用符合条件的人员数量达到企业现有在职职工人数25%的，可申请最高不超过300万元的创业担保贷款。")
    out = answer("小微企业创业担保贷款最高能贷多少？", loan)
    assert out.grounded and "300万元" in out.text.split("\n")[0]
    fund = passage("zj-20", doc="浙江省促进科技成果转化条例", title="浙江省促进科技成果转化条例", section="第二十条",
                   date="2021-09-29", text="省人民政府设立科技创新类产业基金，主要用于引导社会力量加大科技成果转化投入。")
    out = answer("科技创新类产业基金规模有多大？", fund)
    assert not out.grounded and "没有规定具体金额" in out.text  # the fund is named, its size is not


def test_a_rule_for_the_member_a_premise_names_does_not_answer_for_the_one_asked() -> None:
    equity = passage("sd-46", doc="山东省人才发展促进条例", title="山东省人才发展促进条例", section="第四十六条", date="2020-03-26",
                     text="高等学校转化职务科技成果以股份或者出资比例等股权形式给予科研人员个人的奖励，符合规定条件的，"
                          "可以待分红或者转让时缴纳个人所得税。")
    asked = "股权奖励可以等到分红时再交个税，那单位发的现金奖励，个税能不能也缓交？"
    out = answer(asked, equity)
    assert not out.grounded and "可以。" not in out.text  # the deferral is the equity reward's, which the asker knows
    assert answer("股权奖励的个税能不能等到分红时再交？", equity).grounded  # asked of equity, it answers


def test_an_ordinal_or_a_relative_year_is_no_number_of_years() -> None:
    fees = passage("zl-115", section="第一百一十五条", doc="专利细则", title="专利细则",
                   text="第一百一十五条 授予专利权当年以后的年费应当在上一年度期满前缴纳。")
    out = answer("专利授权以后的年费能减几年？", fees)
    assert not out.grounded and "但没有规定" in out.text
    waiver = passage("jj-2", section="第二条", doc="减缴办法", title="减缴办法",
                     text="第二条 专利权人可以请求减缴自授予专利权当年起六年内的年费。")
    assert answer("专利授权以后的年费能减几年？", fees, waiver).grounded


def test_a_day_of_the_year_says_when() -> None:
    report = passage("gs-8", section="第八条", doc="公示条例", title="公示条例",
                     text="第八条 企业应当于每年1月1日至6月30日，通过企业信用信息公示系统向工商行政管理部门报送上一年度年度报告，并向社会公示。")
    out = answer("公司的年度报告每年什么时候之前要报完？", report)
    assert out.grounded and "6月30日" in out.text.split("依据")[0]


def test_the_sum_asked_may_close_the_article_whose_opening_was_found() -> None:
    article = dict(doc="软件条例", title="软件条例", section="第二十四条")
    opening = passage("rj-24a", **article, text=(
        "第二十四条 未经软件著作权人许可，有下列侵权行为的，应当承担停止侵害、赔偿损失等民事责任；同时损害社会公共利益的，"
        "由著作权行政管理部门责令停止侵权行为，没收违法所得，没收、销毁侵权复制品，可以并处罚款：\n（一）复制著作权人的软件的；"))
    closing = passage("rj-24b", **article, text=(
        "（二）向公众发行著作权人的软件的。\n有前款第一项或者第二项行为的，可以并处每件100元或者货值金额1倍以上5倍以下的罚款。"))
    other = passage("rj-30", doc="软件条例", title="软件条例", section="第三十条",
                    text="第三十条 软件的复制品持有人不知道该软件是侵权复制品的，不承担赔偿责任。")
    out = answer("复制别人的软件卖，著作权部门罚款能罚多少？", opening, other, closing)
    assert out.grounded and "100元" in out.text.split("依据")[0]
    # a sum of the article sharing no word with the question does not answer another one (damages)
    assert not answer("侵权人还要赔权利人钱，法定赔偿最高能判多少万？", opening, other, closing).grounded


def test_the_name_of_the_detail_asked_need_not_be_in_the_answer() -> None:
    # "年限", "deadline" name what is asked; the clause gives it as a number of years or a day, not by that name
    rules = passage("rd-11", section="第十一条", doc="认定办法", title="认定办法",
                    text="第十一条 认定为高新技术企业须同时满足以下条件：（一）企业申请认定时须注册成立一年以上；")
    out = answer("申请认定对企业注册成立的年限有没有要求？", rules)
    assert out.grounded and "一年以上" in out.text.split("依据")[0]
    report = passage("zc-9", section="第九条", doc="生产办法", title="生产办法",
                     text="第九条 生产企业应当每年对质量体系的运行情况进行自查，并于次年3月31日前向监督管理部门提交自查报告。")
    out = answer("Our plant checks its quality system every year. What is the deadline for the self-inspection report?", report)
    assert out.grounded and "3月31日" in out.text


def test_a_deadline_the_question_refers_to_is_not_asked_for() -> None:
    arrears = passage("gs-62", section="第六十二条", doc="保险条例", title="保险条例", text=(
        "第六十二条 用人单位应当参加保险而未参加的，责令限期参加，补缴应当缴纳的保险费，并自欠缴之日起，按日加收万分之五的滞纳金；"
        "逾期仍不缴纳的，处欠缴数额1倍以上3倍以下的罚款。"))
    out = answer("An employer never joined the insurance scheme. What fine does it face if it still has not paid by the deadline?",
                 arrears)
    assert out.grounded and "1倍以上3倍以下" in out.text


def test_a_fact_stated_for_a_neighbouring_thing_does_not_answer_for_the_thing_named() -> None:
    # the documents name the asked thing (电子发票) only in a sentence giving no period: the 30日 is the
    # 税务登记's, so the answer says the period is not stated, citing the sentence that names it
    article = passage("sw-20", section="第二十条", doc="登记办法", title="登记办法", text=(
        "第二十条 企业应当自取得营业执照之日起30日内办理税务登记。\n企业可以向税务机关申请开具电子发票。"))
    out = answer("我们想申请开具电子发票，要等多少天？", article)
    assert not out.grounded and "电子发票" in out.text and "30日" not in out.text
    assert answer("拿到营业执照以后，多少天内要办税务登记？", article).grounded
    # an article names its subject once; the period in its later sentence is that subject's
    licence = passage("gh-13", section="第十三条", doc="规划条例", title="规划条例", text=(
        "第十三条 申请建设用地规划许可的，应当向主管部门提交申请书和用地红线图。\n"
        "主管部门应当自受理之日起20个工作日内作出决定。"))
    out = answer("申请建设用地规划许可，受理后多少个工作日内作出决定？", licence)
    assert out.grounded and "20个工作日" in out.text.split("依据")[0]


def test_a_partial_answer_always_says_what_is_not_stated() -> None:
    # only the asker's own figure (50年) is stated: the answer names the kind of fact it lacks, never "没有规定，"
    terms = passage("cr-12", section="第十二条", doc="出让条例", title="出让条例",
                    text="第十二条 土地使用权出让最高年限按下列用途确定：工业用地五十年。")
    out = answer("我们从别的企业手里买了块工业用地，还能用多少年？是不是重新从50年开始算？", terms)
    assert not out.grounded and "没有规定具体年限" in out.text, out.text


def test_any_city_named_in_full_keeps_the_answer_to_its_rules() -> None:
    # 乐清市 and 义乌市 are in no list of usual names; named in full, each is a place of its own
    guide = dict(doc="创业补贴申领指南", title="创业补贴申领指南", place=Jurisdiction(level="city", place="义乌市"))
    grant = passage("yw-3", **guide, section="（三）", text="（三）补贴标准：对首次创业的，给予一次性创业补贴5000元。")
    assert answer("义乌市的创业补贴标准是多少？", grant).grounded
    out = answer("乐清市的创业补贴标准是多少？", grant)
    assert not out.grounded and "5000元" not in out.text, out.text
    # nor does naming the guide by its words ("创业补贴申领") make another city's rules apply
    out = answer("乐清市的创业补贴申领指南里补贴标准是多少？", grant, named=("创业补贴申领指南",))
    assert not out.grounded and "5000元" not in out.text, out.text


def test_where_a_thing_is_done_answers_where_to_do_it() -> None:
    where = passage("zx-8", doc="创新券兑付指南", title="创新券兑付指南", section="（八）", text=(
        "（八）办理方式：线上：登录政务服务网搜索“创新券兑付”在线办理。线下：市民中心2楼8号窗口。"))
    out = answer("创新券兑付去哪里办？", where)
    assert out.grounded and ("窗口" in out.text or "政务服务网" in out.text), out.text


def test_a_departments_own_rules_are_asked_for_when_the_question_says_it_made_them() -> None:
    national = passage("zc-92", doc="注册办法", title="注册办法", section="第九十二条",
                       text="第九十二条 第二类产品注册申请的技术审评时限为60日。")
    assert answer("二类产品注册申请，技术审评时限是多少天？", national).grounded
    out = answer("广东省药监局自己定的二类产品优先审评程序，审评时限是多少天？", national)
    assert not out.grounded and "60日" not in out.text, out.text


def test_a_floor_asked_of_a_thing_is_not_answered_by_a_sum_for_another() -> None:
    rules = passage("rc-15", doc="人才条例", title="人才条例", section="第十五条", text=(
        "第十五条 设立人才中介服务机构，应当有固定办公场所和注册资金。\n"
        "未经批准设立人才中介服务机构的，处一千元以上五千元以下罚款。"))
    out = answer("开人才中介服务机构，注册资金最少要多少万元？", rules)
    assert not out.grounded and "五千元" not in out.text, out.text


def test_each_question_of_several_asks_its_own_kind_and_each_is_to_be_given() -> None:
    fund = passage("jj-30", doc="基金条例", title="基金条例", section="第三十条", text=(
        "第三十条 面上项目的资助期限一般为4年。\n申请人有弄虚作假行为的，1至5年内不得申请基金资助。"))
    out = answer("面上项目一项能资助多少万元？资助期一般几年？", fund)
    assert not out.grounded and "具体金额" in out.text, out.text
    assert answer("面上项目的资助期一般几年？", fund).grounded


def test_a_time_counted_from_an_event_says_when() -> None:
    renewal = passage("sc-16", doc="生产办法", title="生产办法", section="第十六条", text=(
        "第十六条 生产许可证有效期届满需要延续的，应当在有效期届满前90个工作日至30个工作日期间提出延续申请。"))
    out = answer("许可证续期最早能提前多久申请？最晚在什么时候之前申请？", renewal)
    assert out.grounded and "30个工作日" in out.text.split("依据")[0], out.text


def test_a_number_of_persons_asked_with_their_classifier_is_not_answered_by_another_count() -> None:
    rule = passage("dl-11", doc="代理条例", title="代理条例", section="第十一条", text=(
        "第十一条 代理师执业应当取得资格证，在代理机构实习满1年，并在一家代理机构从业。"))
    out = answer("开一家代理公司，至少要有几名代理师？", rule)
    assert not out.grounded and "具体人数" in out.text, out.text  # "一家" counts firms, not persons
    team = passage("dl-14", doc="代理条例", title="代理条例", section="第十四条",
                   text="第十四条 设立代理机构，应当有3名以上合伙人或者股东。")
    assert "3名" in answer("设立代理机构要有几位合伙人？", team).text


def test_a_rule_the_nation_leaves_to_the_provinces_is_not_one_provinces_rule() -> None:
    land = passage("cr-13", doc="出让条例", title="出让条例", section="第十三条", text=(
        "第十三条 土地使用权出让可以采取协议、招标、拍卖方式。\n依照前款规定方式出让土地使用权的具体程序和步骤，"
        "由省、自治区、直辖市人民政府规定。"))
    out = answer("浙江省协议出让土地使用权的具体程序和步骤是怎么规定的？", land)
    assert not out.grounded and "由省、自治区、直辖市人民政府规定" in out.text, out.text
    assert answer("协议出让土地使用权的具体程序和步骤由谁规定？", land).grounded


def test_a_day_named_by_an_event_says_which_day() -> None:
    wage = passage("ld-6", doc="合同条例", title="合同条例", section="第六条", text=(
        "第六条 用人单位未与劳动者订立书面劳动合同的，应当支付两倍的工资。\n"
        "前款规定的两倍工资的起算时间为用工之日起满一个月的次日，截止时间为补订书面劳动合同的前一日。"))
    out = answer("没签书面合同要付双倍工资，这个双倍从哪一天开始算？", wage)
    assert out.grounded and "次日" in out.text.split("依据")[0], out.text


def test_a_floor_or_a_ceiling_is_no_word_the_answer_must_repeat() -> None:
    pay = passage("ld-15", doc="合同条例", title="合同条例", section="第十五条",
                  text="第十五条 劳动者在试用期的工资不得低于劳动合同约定工资的80%，并不得低于当地的最低工资标准。")
    out = answer("试用期工资的最低底线是多少？", pay)
    assert out.grounded and "80%" in out.text, out.text



def test_a_range_or_a_share_asked_is_checked_by_the_kind_of_fact_not_by_its_name() -> None:
    # 区间 and 比重 name what kind of figure is asked, which the answer kind checks; the clause need not say them
    fine = passage("xk-48", doc="许可证条例", title="许可证条例", section="第四十八条", text=(
        "第四十八条 销售未取得生产许可证的产品的，责令改正，处5万元以上20万元以下的罚款。"))
    out = answer("商场卖没证的产品，按许可证条例罚款区间是多少？", fine)
    assert out.grounded and "5万元以上20万元以下" in out.text.split("依据")[0], out.text
    funds = passage("kj-15", doc="科技进步条例", title="科技进步条例", section="第十五条", text=(
        "第十五条 市人民政府财政用于科学技术经费占本级财政经常性支出的比例应当不低于百分之六。"))
    out = answer("市财政每年花在科技上的钱占经常性支出的比重最低是多少？", funds)
    assert out.grounded and "百分之六" in out.text.split("依据")[0], out.text


def test_what_the_asker_says_they_make_is_not_what_is_asked_about() -> None:
    # "我们厂是做家用燃气灶具的": the product is the asker's situation; the period asked is the licence's, and
    # the sentence listing the product gives none, which does not make the licence's 6个月 another thing's
    products = passage("xk-2", doc="许可证条例", title="许可证条例", section="第二条",
                       text="（二）电热水壶、家用燃气灶具等可能危及人身安全的产品；")
    renewal = passage("xk-25", doc="许可证条例", title="许可证条例", section="第二十五条", text=(
        "生产许可证有效期届满，企业继续生产的，应当在有效期届满6个月前提出换证申请。"))
    out = answer("我们厂是做家用燃气灶具的，生产许可证明年到期，要提前多久申请换证？", products, renewal)
    assert out.grounded and "6个月" in out.text.split("依据")[0], out.text


def test_an_item_is_about_what_the_sentence_leading_its_list_names() -> None:
    # the article names where it applies once, in the sentence leading its items: the item's 两年 is that place's
    article = passage("sf-6", doc="示范园条例", title="示范园条例", section="第六条", text=(
        "第六条 对示范园内的软件企业，实行下列税收优惠：\n（一）软件企业自获利年度起，两年内免征所得税；\n"
        "（二）软件企业进口自用设备，免征进口关税。"))
    out = answer("示范园里的软件企业获利以后前几年可以不交所得税？", article)
    assert out.grounded and "两年" in out.text.split("依据")[0], out.text


def test_a_rate_for_one_kind_of_enterprise_does_not_answer_for_another() -> None:
    rate = passage("sd-91", doc="所得税条例", title="所得税条例", section="第九十一条", text=(
        "第九十一条 非居民企业取得本条例规定的所得，减按10%的税率征收企业所得税。"))
    out = answer("小型微利企业的企业所得税按多少税率交？", rate)
    # the sentence is quoted as what the documents say; the lead says whose rate they do not give
    assert not out.grounded and "没有规定小型微利企业的具体比例或税率" in out.text, out.text
    assert answer("非居民企业的所得按多少税率征收企业所得税？", rate).grounded
    out = answer("What income tax rate do small low-profit enterprises pay?", rate, english=True)
    assert not out.grounded and "(for small low-profit enterprises)" in out.text, out.text


def test_a_number_of_tax_years_says_how_many_years() -> None:
    credit = passage("sd-100", doc="所得税条例", title="所得税条例", section="第一百条", text=(
        "第一百条 当年不足抵免的，可以在以后5个纳税年度结转抵免。"))
    out = answer("设备投资额当年抵免不完，可以往后结转几年？", credit)
    assert out.grounded and "5个纳税年度" in out.text.split("依据")[0], out.text


def test_three_years_within_do_not_say_when_in_the_year() -> None:
    report = passage("bj-39", doc="转化条例", title="转化条例", section="第三十九条", text=(
        "第三十九条 未按时提交年度报告的，取消其三年内申报科技项目的资格。"))
    out = answer("年度报告每年几月几号之前要交？", report)
    assert not out.grounded and "**答：**" not in out.text, out.text


def test_which_of_two_periods_is_longer_is_answered_by_quoting_both() -> None:
    # the comparison is the reader's: both periods are quoted side by side
    article = passage("fd-24", doc="负担条例", title="负担条例", section="第二十四条", text=(
        "第二十四条 主管部门应当自收到投诉之日起五个工作日内作出受理决定。\n"
        "监督机构应当自收到投诉之日起十五个工作日内提出处理意见。"))
    out = answer("投诉交给主管部门和交给监督机构，各自有几个工作日？哪个时限更长？", article)
    assert out.grounded and "五个工作日" in out.text and "十五个工作日" in out.text, out.text


def test_the_words_a_premise_holds_do_not_make_a_sentence_about_the_ask() -> None:
    # the asker knows the notice period and names the 举报人 again; the 奖金's day is not in these clauses
    start = passage("jl-13", doc="奖励办法", title="奖励办法", section="第十三条",
                    text="第十三条 对符合本办法规定的奖励条件的举报，应当在举报查证属实、作出处理后30个工作日内启动奖励程序。")
    notice = passage("jl-15", doc="奖励办法", title="奖励办法", section="第十五条",
                     text="第十五条 应当在作出奖励决定之日起10个工作日内将奖励决定告知举报人。")
    asked = "作出奖励决定以后10个工作日内要通知举报人；那决定下来以后，最晚多少天内得把奖金打到举报人卡上？"
    out = answer(asked, start, notice)
    assert not out.grounded and "30个工作日" not in out.text
    paid = passage("jl-16", doc="奖励办法", title="奖励办法", section="第十六条",
                   text="第十六条 奖金应当在作出奖励决定之日起20个工作日内发放给举报人。")
    out = answer(asked, start, notice, paid)
    assert out.grounded and "20个工作日" in out.text.split("\n")[0]


def test_a_question_word_in_a_question_asked_with_ma_asks_for_nothing() -> None:
    # "缓几个月" is "put off for some months": the question asks whether, not how long
    rule = passage("gj-18", doc="公积金条例", title="公积金条例", section="第十八条",
                   text="第十八条 对缴存确有困难的单位，经本单位职工代表大会讨论通过，并经管理中心审核，可以降低缴存比例或者缓缴。")
    out = answer("公司这两年效益不好，公积金先少交一点或者缓几个月再交，可以吗？", rule)
    assert out.grounded and "可以降低缴存比例或者缓缴" in out.text
    assert not answer("公积金最多能缓缴几个月？", rule).grounded  # asked how long, it is not stated


def test_a_number_of_hours_is_a_period() -> None:
    fair = passage("zl-26", doc="专利规定", title="专利规定", section="第二十六条",
                   text="第二十六条 展会主办方应当接受专利侵权投诉，并及时移交专利管理部门依法处理。")
    asked = "展会上发现侵权，向主办方投诉后，主办方要在几个小时内把投诉转给专利管理部门？"
    assert not answer(asked, fair).grounded  # "及时" gives no number of hours
    timed = passage("zl-27", doc="专利规定", title="专利规定", section="第二十七条",
                    text="第二十七条 展会主办方接到专利侵权投诉后，应当在24小时内移交专利管理部门。")
    out = answer(asked, fair, timed)
    assert out.grounded and "24小时" in out.text.split("\n")[0]


def test_a_record_of_the_documents_history_states_no_rule_of_its_year() -> None:
    # the text in force is the 2014 revision; the 2006 adoption record says nothing of the 2006 version's fines
    record = passage("zb-0", doc="示范市专利规定", title="示范市专利规定", date="2014-11-27",
                     text="2006年5月17日 示范市第十二届人民代表大会常务委员会第二十四次会议通过\n"
                          "2014年10月29日 示范市第十四届人民代表大会常务委员会第二十三次会议通过修订")
    fine = passage("zb-31", doc="示范市专利规定", title="示范市专利规定", section="第三十一条", date="2014-11-27",
                   text="第三十一条 同一侵权人再次侵犯同一专利权的，由市专利管理部门责令改正，可以并处二万元以上二十万元以下的罚款。")
    out = answer("示范市2006年那一版专利规定里，对再次侵犯同一专利权的罚款上限是多少？", fine, record)
    assert not out.grounded and "2006" in out.text and "二十万元" not in out.text.split("\n")[0]


def test_a_ceiling_asked_with_the_verb_that_sets_it_is_asked_of_the_thing_before_it() -> None:
    # "违约金最多能约定多少" asks the ceiling of a 违约金: a clause on signing the agreement does not give it
    signing = passage("nb-11", doc="保密条例", title="保密条例", section="第十一条",
                      text="第十一条 企业可以根据保密岗位和密级与员工签订企业技术秘密保密协议。")
    asked = "企业跟员工签技术秘密保密协议，违约金最多能约定多少？"
    assert not answer(asked, signing).grounded
    capped = passage("nb-12", doc="保密条例", title="保密条例", section="第十二条",
                     text="第十二条 保密协议约定的违约金不得超过员工上一年度工资总额的三倍。")
    out = answer(asked, signing, capped)
    assert out.grounded and "三倍" in out.text.split("\n")[0]
