"""Reading a policy question (config/assistant/question.yaml): what it asks, about what, for which
year and place, and whether it is about a document itself."""

from __future__ import annotations

import pytest

from bot.assistant.offline.policy import default_reader
from bot.assistant.offline.question import QuestionReader


@pytest.fixture(scope="module")
def reader() -> QuestionReader:
    return default_reader()


def test_the_asked_detail_and_what_it_belongs_to(reader: QuestionReader) -> None:
    q = reader.read("高新区管委会的编制有多少人？")
    assert "编制" in q.focus and q.focus_label == "编制"
    assert "管委会" in q.topic and "高新区" not in q.topic  # a word every document has tells nothing
    assert q.detail == "高新区管委会的编制"
    gazelle = reader.read("瞪羚企业的认定标准是什么")
    assert "认定" in gazelle.focus and "瞪羚企业" in gazelle.topic and "criteria" in gazelle.kinds
    assert gazelle.detail == "瞪羚企业的认定标准"


def test_a_detail_is_looked_for_in_the_documents_wording_too(reader: QuestionReader) -> None:
    assert "自主创新示范区" in reader.read("最早获批的自创区有哪几个").focus
    english = reader.read("How many staff positions is a zone management committee allowed to have?")
    assert english.language == "en" and english.focus == ["编制"]  # the glossary, longest phrase first


def test_a_predicate_or_a_count_is_not_a_detail(reader: QuestionReader) -> None:
    q = reader.read("145号批复里新疆的三个高新区要建成哪些示范区")
    assert "三个" not in q.focus and "建成" not in q.focus
    due = reader.read("乌鲁木齐高新区建自创区的实施方案要在什么时候前报送")
    assert "实施方案" in due.focus and "要在" not in "".join(due.focus) and "when" in due.kinds
    # "申请资助", "享受补贴": the act of getting a grant is not what the grant pays for (as 保费补贴's 保费 is)
    assert "申请" not in reader.read("申请资助的材料被退回了，几个工作日内要重新提交").focus
    assert reader.read("企业享受补贴要交哪些材料").focus == []
    assert reader.read("企业买专利执行险，政府给不给保费补贴？").focus == ["保费"]


def test_what_the_question_says_it_knows_is_not_what_it_asks(reader: QuestionReader) -> None:
    q = reader.read("个人月收入低于3500元可以减缴专利费，那个体工商户要满足什么收入标准？")
    assert "工商户" in q.focus and not {"收入", "专利费", "个人"} & set(q.focus)
    assert reader.read("那创新型科技园区呢？").focus == []  # a bare follow-up states nothing it knows


def test_a_figure_the_question_states_before_it_asks_is_known(reader: QuestionReader) -> None:
    # the unit the ask names decides which of the premise's figures it wants another of
    q = reader.read("每个团队一年最多推荐3个项目，那每个高校最多推荐几个项目？")
    assert q.known_figures == [(3.0, "个")]
    assert reader.read("博士后补贴不超过百分之二十，那硕士的补贴比例是多少？").known_figures == []  # no figure read
    assert reader.read("本科生的住房补贴是每月800元，那博士呢？").known_figures == [(800.0, "元")]
    assert reader.read("申请补贴要多少个项目？").known_figures == []  # no premise, no figure
    # without a premise, a figure of the unit asked for is known: the answer is another
    assert reader.read("园区那30平方公里里，工业用地有多少平方公里？").known_figures == [(30.0, "平方公里")]
    assert reader.read("公司去年营收1.2亿，研发投入要占多少？").known_figures == []  # no unit asked for


def test_a_requirement_asked_of_a_named_thing_and_copies_counted(reader: QuestionReader) -> None:
    assert "注册资本" in reader.read("对申报单位的注册资本有没有最低要求？").focus
    assert "count" in reader.read("申报材料要交几份？").kinds


def test_a_sum_asked_with_a_verb_of_granting(reader: QuestionReader) -> None:
    assert "money" in reader.read("市级资质的机构能奖多少？").kinds
    assert "money" in reader.read("这个项目最多补多少钱").kinds
    assert "money" not in reader.read("评审最多给多少分").kinds


def test_the_year_asked_about_is_not_a_document_number_year(reader: QuestionReader) -> None:
    assert reader.read("2018年国家高新区营业总收入是多少").year == 2018
    assert reader.read("How many national high-tech zones were there in 2019?").year == 2019
    assert reader.read("国发〔2020〕7号对人才有什么规定").year is None
    # a boundary asks what holds from then on, not for that year's figures
    assert reader.read("这项政策2019年以后还继续执行吗").year is None
    assert reader.read("2015年起新增的政府债务计入哪里").year is None


def test_places_and_whose_rules_are_asked_for(reader: QuestionReader) -> None:
    (own,) = reader.read("广东省对高新区的公共技术服务体系有什么要求").places
    assert (own.name, own.level, own.role) == ("广东省", "province", "issuer")
    (there,) = reader.read("在青岛重复侵犯同一专利会被罚多少钱").places
    assert (there.name, there.level, there.province, there.role) == ("青岛市", "city", "山东省", "location")
    assert reader.read("我们是浙江的国家高新区，想申请设综合保税区").places[0].role == "location"
    assert reader.read("How large a fine can Qingdao impose?").places[0].name == "青岛市"
    assert [p.name for p in reader.read("山东省促进科技成果转化条例是哪年修订的").places] == ["山东省"]
    assert reader.without_places("广东要求把高新区建成哪几类基地", reader.places("广东要求")) == "要求把高新区建成哪几类基地"


@pytest.mark.parametrize(("question", "fields"), [
    ("国发〔2020〕7号是哪天印发的", ["date"]),
    ("科技进步法什么时候开始施行的", ["effective_date"]),
    ("127号文是哪个机关发的", ["issuer"]),
    ("粤府办〔2005〕92号是哪天发的，发文单位是谁", ["date", "issuer"]),
    ("Who issued the 2020 opinions on the high-tech zones, and when?", ["date", "issuer"]),
    ("What is the document number of the State Council opinions?", ["doc_number"]),
    ("战略提升行动啥时候中期检查", []),  # a date in the text, not the document's own
])
def test_questions_about_a_document_itself(reader: QuestionReader, question: str, fields: list[str]) -> None:
    assert sorted(reader.read(question).metadata) == sorted(fields)


def test_a_question_offering_its_answers(reader: QuestionReader) -> None:
    q = reader.read("研发费用加计扣除比例现在是75%还是100%？")
    assert q.options == ["75%", "100%"] and "研发费用" in q.focus
    assert reader.read("园区宜居性那个评价指标是统计出来的还是定性的").options == ["统计", "定性"]


def test_kinds_of_answer_asked_for(reader: QuestionReader) -> None:
    assert "materials" in reader.read("申请人才特区政策要准备哪些材料").kinds
    assert "rate" in reader.read("研发责任保险政府给补贴的比例是多少").kinds
    assert "fine" in reader.read("在青岛重复侵犯同一专利会被罚多少钱").kinds
    assert "rate" in reader.read("专利卖了，团队能从净收入里拿出几成？").kinds  # tenths
    assert "money" in reader.read("省里的产业引导基金规模有多大？").kinds  # a fund's size is a sum
    assert "money" in reader.read("单个项目最多能投多少？").kinds and "money" in reader.read("最多能贷多少").kinds
    assert "money" not in reader.read("这家企业规模有多大").kinds
    assert reader.read("外籍专家63岁了还能办工作许可吗").polar
    three = reader.read("388号文里的三类园区是哪三类")
    assert three.listing and three.listed_count == 3
    assert reader.read("259号文提出了哪几项火炬工程").listing


def test_a_follow_up_keeps_the_year_and_the_place(reader: QuestionReader) -> None:
    q = reader.read("那孵化器呢？", previous="广东省2010年有多少家技术转移机构")
    assert q.year == 2010 and [p.name for p in q.places] == ["广东省"]
    assert set(q.inherited) == {"year", "places"}
    assert reader.read("那2003年呢？", previous="2010年有多少家孵化器").year == 2003  # its own year wins


def test_the_thing_a_rate_a_period_or_a_rank_is_asked_of(reader: QuestionReader) -> None:
    rate = reader.read("研发费用加计扣除的比例是多少")
    assert rate.focus_label == "研发费用加计扣除" and rate.focus_heads == ["扣除"] and "rate" in rate.kinds
    permit = reader.read("外籍人才办工作许可要几个工作日")
    assert "days" in permit.kinds  # a number of days: 5年 would not say
    assert permit.focus_heads[0] == "工作许可"  # the longest word ending it: not 许可 (a 居留许可 is another permit)
    again = reader.read("被撤销的国家高新区过几年可以重新申请")
    assert again.focus_label == "重新申请" and again.focus_heads == ["申请"]
    rank = reader.read("高新区管委会主任一般是什么行政级别")
    assert rank.focus_label == "行政级别"


def test_a_sum_per_period_is_an_amount_in_english_too(reader: QuestionReader) -> None:
    assert "money" in reader.read("What is the monthly housing subsidy for high-level talent?").kinds
    assert "money" not in reader.read("What is the housing policy for high-level talent?").kinds
    # "how much of the fee" asks a share of it, not a sum
    waived = reader.read("How much of the application fee can be waived?").kinds
    assert "share" in waived and "money" not in waived


def test_a_fine_asked_with_its_bound(reader: QuestionReader) -> None:
    assert "fine" in reader.read("侵权被查处的，罚款最高多少").kinds
    assert "fine" in reader.read("罚款一般是多少钱").kinds


@pytest.mark.parametrize(("question", "count"), [
    ("高新区评价指标体系包括哪五个方面", 5),
    ("国家高新区分为哪三类", 3),
    ("What are the four areas that the performance indicators cover?", 4),
    ("Name the three park categories", 3),
    ("评价指标体系有哪些方面", None),  # no count said
    ("第三个方面有哪些指标", None),  # an ordinal, not a count
    ("三个园区分别得了多少分", None),  # not a list question
])
def test_a_list_question_is_read_with_the_count_it_states(reader: QuestionReader, question: str,
                                                          count: int | None) -> None:
    assert reader.read(question).listed_count == count


def test_a_zone_named_is_read_with_the_words_that_may_name_it(reader: QuestionReader) -> None:
    assert "雄安" in reader.read("企业搬到雄安新区能享受哪些税收减免").zones
    assert reader.read("郑洛新自创区对新认定的高企奖励多少钱").zones[0] == "郑洛新"
    assert reader.read("国家高新区的企业能享受什么").zones == []  # 国家 names no zone


def test_options_after_the_question_and_a_deadline_are_read(reader: QuestionReader) -> None:
    q = reader.read("一般检查事项的抽查比例上限到底是多少，5%还是3%？")
    assert q.options == ["5%", "3%"] and q.focus_label == "抽查比例上限"  # 到底 is a filler
    assert reader.read("我们是小微企业，找税务局还是科技局？").options == []  # a statement before the comma
    deadline = reader.read("各地政府要在什么时候之前出台本地的实施办法？")
    assert deadline.metadata == [] and "出台" in deadline.focus  # a date the document sets, not its own
    assert reader.read("这份意见是什么时候出台的").metadata == ["date"]


def test_a_number_of_days_or_years_is_asked_instead_of_any_period(reader: QuestionReader) -> None:
    assert reader.read("证书的有效期是几年？").kinds == ["years"]  # 有效期 alone asks a period
    assert "duration" not in reader.read("多少个工作日内要办结？期限是多久").kinds
    assert reader.read("证书的有效期是多久？").kinds == ["duration"]


def test_a_kind_narrowing_no_kind_is_refused_when_the_rules_load() -> None:
    from bot.assistant.offline.question import QuestionConfig

    data = QuestionConfig.load().model_dump()
    data["answer_kinds"]["years"]["narrows"] = ["period"]
    with pytest.raises(ValueError, match="answer_kinds.years.narrows names no answer kind: period"):
        QuestionConfig.model_validate(data)


def test_what_is_asked_after_a_premise_may_run_over_a_comma(reader: QuestionReader) -> None:
    q = reader.read("股权奖励可以等到分红时再交个税，那单位发的现金奖励，个税能不能也缓交？")
    assert q.ask == "单位发的现金奖励,个税能不能也缓交"
    assert reader.read("外籍专家能办工作许可吗").ask == ""


def test_a_share_in_hundredths_and_a_fine_asked_in_english_are_read(reader: QuestionReader) -> None:
    assert "rate" in reader.read("补交的出让金是市场评估价的百分之多少？").kinds
    assert "fine" in reader.read("Can the bureau fine the company, and how large can the fine be?").kinds
    assert "fine" not in reader.read("Can the bureau fine the company?").kinds


def test_the_detail_asked_is_read_in_the_clause_that_asks(reader: QuestionReader) -> None:
    # the 资助 the asker's context names is not what the question asks about
    q = reader.read("基金项目资助到期了，结题材料最晚多长时间内要报上去？")
    assert "基金项目" not in q.focus
    assert reader.read("企业买专利执行险，政府给不给保费补贴？").focus == ["保费"]
    assert reader.read("创业补贴的标准是多少").focus == ["创业"]  # one clause: read as before


def test_a_missing_list_of_cities_is_refused_saying_which_file_and_what_to_do() -> None:
    from bot.assistant.offline.question import QuestionConfig

    data = QuestionConfig.load().model_dump()
    data["places"]["more_cities"] = "no-such-cities.csv"
    with pytest.raises(ValueError, match=r"no-such-cities\.csv, which does not exist: restore it or remove"):
        QuestionConfig.model_validate(data)


def test_every_city_is_read_by_its_full_name_and_the_usual_names_stay(reader: QuestionReader) -> None:
    assert [(p.name, p.province) for p in reader.read("乐清市的创业补贴标准是多少").places] == [("乐清市", "浙江省")]
    assert [p.name for p in reader.read("青岛的高企有什么奖励").places] == ["青岛市"]
    assert reader.read("城市更新项目有什么补贴").places == []


def test_question_words_demonstratives_and_the_parts_of_a_place_name_nothing(reader: QuestionReader) -> None:
    # what a paraphrase must match is what names a thing: not 干什么, 主要, 这件, 市里, nor the 州市 of 杭州市
    use = reader.read("区里的专项资金可以按需设立，那市里必须设的杭州市科技创新资金，主要拿来干什么用？")
    assert not {"干什么", "主要", "拿来", "州市", "市里"} & set(use.focus), use.focus
    act = reader.read("国安最迟多少天要把发奖这件事办起来？")
    assert "这件" not in act.focus
    # the phrase was cut inside 办起来: its last word is not a word the answer must hold
    assert act.focus_heads == []
    # the word that must be there may be in the documents' wording (增速 → 增长幅度)
    assert "增长幅度" in reader.read("科技投入每年的增速有没有硬性要求？").focus_heads


def test_what_a_message_of_several_sentences_asks_is_in_its_questions(reader: QuestionReader) -> None:
    # the deadline is the asker's story; what is asked is the fine
    q = reader.read("A company in our park runs a website. It ignored the deadline to fix its page. What fine can it get?")
    assert q.kinds == ["fine"], q.kinds


def test_a_question_asked_with_ma_asks_no_kind_of_fact_with_its_question_words(reader: QuestionReader) -> None:
    # 几 in a 吗 question means "some"; the tag 可以吗 asks of the clause before it, 有清单吗 only of itself
    assert "duration" not in reader.read("公积金先缓几个月再交，可以吗？").kinds
    assert "duration" in reader.read("公积金最多能缓几个月？").kinds
    assert "materials" in reader.read("申报资助需要准备哪些纸质材料，有清单吗？").kinds


def test_a_question_word_of_free_choice_asks_nothing(reader: QuestionReader) -> None:
    # "随便哪天" is "any day": the question asks whether any day will do, not which day
    assert "day" not in reader.read("续期是到期前随便哪天交申请都行，还是有规定的时间段？").kinds
    assert "day" in reader.read("续期申请要在哪天之前交？").kinds


def test_a_time_window_asked_for_is_a_period(reader: QuestionReader) -> None:
    assert "duration" in reader.read("续期申请是不是有规定的时间段？").kinds
