"""Questions about a document itself: answered from its metadata and cited to the passage stating it."""

from __future__ import annotations

from bot.assistant.backend import final_answer
from bot.assistant.offline.backend import build_offline_backend
from bot.assistant.offline.metadata import MetadataAnswers, dates_in
from bot.assistant.offline.policy import default_reader
from bot.assistant.wording import load_wording
from retrieval.models import Hit, Jurisdiction
from tests.assistant.conftest import answer_service
from tests.assistant.fakes import FakeParks, FakeSearch
from tests.support.asking import request

NATIONAL = Jurisdiction(level="national", place="全国")
TORCH = dict(doc="国科发火〔2011〕259号", doc_number="国科发火〔2011〕259号", title="关于进一步加强火炬工作 促进高新技术产业化的指导意见",
             date="2011-07-04", issuer="科学技术部", jurisdiction=NATIONAL, score=1.0)
SIGNATURE = Hit(chunk_id="t-0", section="", text="特此通知。\n附件：关于进一步加强火炬工作促进高新技术产业化的指导意见\n二Ｏ一一年七月四日", **TORCH)
BODY = Hit(chunk_id="t-1", section="二、（一）", text="加强科技企业加速器建设，探索依靠市场机制促进科技企业做强做大的新模式。", **TORCH)
LAW = Hit(chunk_id="law-117", doc="中华人民共和国科学技术进步法", title="中华人民共和国科学技术进步法", section="第一百一十七条",
          date="2021-12-24", effective_date="2022-01-01", issuer="全国人民代表大会常务委员会", jurisdiction=NATIONAL,
          text="第一百一十七条 本法自2022年1月1日起施行。", score=1.0)
ANSWERS = MetadataAnswers(load_wording())
READER = default_reader()


def test_dates_are_read_in_every_way_documents_print_them() -> None:
    assert dates_in("二Ｏ一一年七月四日") == {"2011-07-04"}
    assert dates_in("中华人民共和国科学技术部二〇〇五年一月十三日") == {"2005-01-13"}
    assert dates_in("成文日期：2018年11月23日 发布日期：2019年01月03日") == {"2018-11-23", "2019-01-03"}
    assert dates_in("国发〔2020〕7号") == set()


def test_the_date_is_given_and_cited_to_the_line_that_states_it() -> None:
    out = ANSWERS.answer(READER.read("259号文是哪天印发的"), BODY, [BODY, SIGNATURE])
    assert out.grounded
    assert out.text.startswith("**答：**国科发火〔2011〕259号的成文日期是2011年7月4日[1]。")
    assert [c.chunk_id for c in out.citations] == ["t-0"] and "- 二Ｏ一一年七月四日[1]" in out.text


def test_the_issuer_and_the_effective_date() -> None:
    issuer = ANSWERS.answer(READER.read("259号文是哪个部门发的"), BODY, [BODY, SIGNATURE])
    assert "的发文机关是科学技术部" in issuer.text
    effective = ANSWERS.answer(READER.read("科技进步法什么时候开始施行的"), LAW, [LAW])
    assert effective.text.startswith("**答：**《中华人民共和国科学技术进步法》自2022年1月1日起施行[1]。")
    assert effective.citations[0].section == "第一百一十七条"


def test_the_effective_date_is_cited_to_the_article_that_puts_the_text_in_force() -> None:
    # a record line carries the day too, but the article says the text is in force from it
    rules = dict(doc="国家市场监督管理总局令第45号", doc_number="国家市场监督管理总局令第45号", title="行政处罚信息公示规定",
                 date="2021-07-30", effective_date="2021-09-01", jurisdiction=NATIONAL, score=1.0)
    record = Hit(chunk_id="r-0", section="", text="2021年7月30日国家市场监督管理总局令第45号公布\n2021年9月1日施行", **rules)
    article = Hit(chunk_id="r-19", section="第十九条", text="第十九条　本规定自2021年9月1日起施行。", **rules)
    out = ANSWERS.answer(READER.read("45号令什么时候开始施行"), record, [record, article])
    assert out.citations[0].section == "第十九条" and "- 第十九条　本规定自2021年9月1日起施行。[1]" in out.text
    # "自发布之日起施行" names no day: it is still the article that says when
    leave = dict(doc="企业职工带薪年休假实施办法", title="企业职工带薪年休假实施办法", date="2008-07-17",
                 effective_date="2008-07-17", jurisdiction=NATIONAL, score=1.0)
    adopted = Hit(chunk_id="l-0", section="", text="2008年7月17日 经人力资源和社会保障部第6次部务会议通过", **leave)
    in_force = Hit(chunk_id="l-24", section="第二十四条", text="第二十四条　本办法自发布之日起施行。", **leave)
    out = ANSWERS.answer(READER.read("年休假实施办法什么时候开始施行"), adopted, [adopted, in_force])
    assert out.citations[0].section == "第二十四条" and "本办法自发布之日起施行" in out.text


def test_the_article_putting_a_text_in_force_is_searched_for_when_the_question_does_not_match_it() -> None:
    # "…是哪天开始实施的" shares no word with "本办法自2016年9月1日起施行", the last of twelve articles: the
    # search within the document looks for the article by the effective date the parser read
    fees = dict(doc="专利费用减缴办法", title="专利费用减缴办法", effective_date="2016-09-01", jurisdiction=NATIONAL)
    chunks = [dict(chunk_id=f"fee-{n}", section=f"第{cn}条", text=f"第{cn}条 专利费用减缴办法所称减缴，适用于第{cn}类收费。", **fees)
              for n, cn in enumerate("一二三四五六七八九十", 1)]
    chunks.append(dict(chunk_id="fee-11", section="第十一条", text="第十一条 减缴请求不予批准的，应当说明理由。", **fees))
    chunks.append(dict(chunk_id="fee-12", section="第十二条", text="第十二条 本办法自2016年9月1日起施行。", **fees))
    search, parks = FakeSearch(chunks=chunks), FakeParks()
    service = answer_service(build_offline_backend(search, parks), (search, parks), None)
    answer = final_answer(service.stream(request("专利费用减缴办法是哪天开始实施的？")))
    assert answer.answer.startswith("**答：**《专利费用减缴办法》自2016年9月1日起施行[1]。"), answer.answer
    assert [c.section for c in answer.citations] == ["第十二条"]


def test_a_value_the_text_does_not_print_is_marked_as_the_records() -> None:
    out = ANSWERS.answer(READER.read("259号文的文号是多少"), BODY, [BODY])
    assert "的文号是国科发火〔2011〕259号" in out.text and "文号取自文档库登记的文件信息" in out.text
    none = ANSWERS.answer(READER.read("科技进步法的文号是多少"), LAW, [LAW])
    assert "没有文号" in none.text and not none.grounded


def test_english_questions_get_an_english_answer() -> None:
    out = ANSWERS.answer(READER.read("Who issued the torch guidance, and when?"), BODY, [BODY, SIGNATURE], english=True)
    assert out.text.startswith("**Answer:** 国科发火〔2011〕259号 is dated 2011-07-04[1].")
    assert "was issued by 科学技术部" in out.text


def test_the_document_asked_about() -> None:
    hits = [BODY, LAW]
    assert ANSWERS.target("259号文是哪天印发的", ["国科发火〔2011〕259号"], hits) == "国科发火〔2011〕259号"
    assert ANSWERS.target("Who issued it?", [], hits) == "国科发火〔2011〕259号"  # the best hit's document
    assert ANSWERS.names("国科发火〔2011〕259号还有效吗", "国科发火〔2011〕259号", hits)
    assert not ANSWERS.names("原来那个条例还管用吗", "国科发火〔2011〕259号", hits)


def test_the_addressees_are_read_from_the_line_before_the_body() -> None:
    opening = Hit(chunk_id="t-head", section="", text="国科发火〔2011〕259号\n各省、自治区、直辖市科技厅（委、局），新疆生产建设兵团科技局：\n"
                  "为贯彻落实……，现提出如下意见。", **TORCH)
    asked = READER.read("259号文是发给哪些单位的")
    assert asked.metadata == ["recipients"]
    out = ANSWERS.answer(asked, BODY, [BODY, opening])
    assert out.grounded and [c.chunk_id for c in out.citations] == ["t-head"]
    assert out.text.startswith("**答：**国科发火〔2011〕259号的主送机关是各省、自治区、直辖市科技厅（委、局），新疆生产建设兵团科技局[1]。")
    english = ANSWERS.answer(READER.read("Who was the torch guidance addressed to?"), BODY, [BODY, opening], english=True)
    assert "is addressed to 各省、自治区、直辖市科技厅（委、局），新疆生产建设兵团科技局[1]" in english.text
    unknown = ANSWERS.answer(asked, BODY, [BODY, SIGNATURE])  # no addressee line among the passages
    assert "的主送机关在文件中没有载明" in unknown.text and not unknown.grounded


def test_a_laws_adoption_and_last_revision_are_both_given_from_its_records() -> None:
    records = Hit(chunk_id="law-0", section="", text=(
        "1993年7月2日 第八届全国人民代表大会常务委员会第二次会议通过\n"
        "2007年12月29日 第十届全国人民代表大会常务委员会第三十一次会议第一次修订\n"
        "2021年12月24日 第十三届全国人民代表大会常务委员会第三十二次会议第二次修订"),
        **LAW.model_dump(exclude={"chunk_id", "section", "text"}))
    out = ANSWERS.answer(READER.read("科技进步法是哪一年通过的"), LAW, [LAW, records])
    assert out.text.startswith("**答：**《中华人民共和国科学技术进步法》于1993年7月2日通过，最近一次修订（修正）于2021年12月24日[1]。")
    assert [c.chunk_id for c in out.citations] == ["law-0"]
    assert "- 2007年12月29日 第十届全国人民代表大会常务委员会第三十一次会议第一次修订[1]" in out.text


def test_a_regulation_adopted_then_published_is_not_said_to_be_revised() -> None:
    rule = dict(doc="中华人民共和国国务院令第717号", doc_number="中华人民共和国国务院令第717号", title="中华人民共和国人类遗传资源管理条例",
                date="2019-05-28", effective_date="2019-07-01", issuer="国务院", jurisdiction=NATIONAL, score=1.0)
    records = Hit(chunk_id="hg-0", section="", text="2019年3月20日 国务院第41次常务会议通过\n"
                                                   "2019年5月28日 中华人民共和国国务院令第717号公布", **rule)
    article = Hit(chunk_id="hg-47", section="第四十七条", text="第四十七条 本条例自2019年7月1日起施行。", **rule)
    asked = READER.read("国务院令第717号是哪天公布的？从什么时候开始施行？")
    assert set(asked.metadata) == {"date", "effective_date"}  # 公布 asks the document's date
    out = ANSWERS.answer(asked, article, [article, records])
    assert "于2019年3月20日通过，2019年5月28日公布" in out.text and "修订" not in out.text.split("\n")[0]
    assert "自2019年7月1日起施行" in out.text


def test_a_document_the_corpus_only_cites_is_answered_from_the_part_citing_it() -> None:
    # a made-up city notice applying two 资助办法 the corpus does not hold, each over its own part
    notice = dict(doc="关于受理2017年第二批专利申请资助项目申报的通知", title="关于受理2017年第二批专利申请资助项目申报的通知",
                  date="2017-08-01", jurisdiction=Jurisdiction(level="city", place="东莞市"))
    chunks = [
        dict(chunk_id="n-0", section="", text="根据《专利促进项目资助办法》（东府办〔2013〕100号）、《专利促进项目资助办法（修订）》"
                                             "（东府办〔2016〕20号）有关规定，现将有关事项通知如下：", **notice),
        dict(chunk_id="n-1", section="一、（一）",
             text="（一）按照《专利促进项目资助办法》（东府办〔2013〕100号）相关规定执行的专利申请资助项目：", **notice),
        dict(chunk_id="n-2", section="一、（一）3", text="3、资助额度：\n国内发明专利授权后每件资助5000元。", **notice),
        dict(chunk_id="n-3", section="一、（二）", text="本批受理的两类项目，分别按各自的办法执行。\n"
             "（二）按照《专利促进项目资助办法（修订）》（东府办〔2016〕20号）相关规定执行的专利申请资助项目：", **notice),
        dict(chunk_id="n-4", section="一、（二）3", text="3、资助额度：\n国内发明专利授权后每件资助12000元。", **notice),
        dict(chunk_id="n-5", section="三", text="联系电话：12345678\n东莞市知识产权局\n2017年8月1日", **notice),
        dict(chunk_id="n-6", section="一、（四）", text="商标注册资助另行通知。\n"
             "按照《版权登记资助办法》（东府办〔2017〕8号）执行的作品登记，每件资助300元。", **notice),
    ]
    search, parks = FakeSearch(chunks=chunks), FakeParks()
    service = answer_service(build_offline_backend(search, parks), (search, parks), None)

    def ask(question: str):  # type: ignore[no-untyped-def]
        return final_answer(service.stream(request(question)))

    amount = ask("东府办〔2016〕20号对国内发明专利授权资助多少钱？")
    assert amount.grounded and amount.answer.startswith("现有政策文件中没有收录东府办〔2016〕20号本身；以下出自提到它的")
    assert "12000元" in amount.answer and "5000元" not in amount.answer  # the part under 20号, not 100号's
    # the part read is the sentence citing it; the passage is cited whole, as indexed
    registration = ask("东府办〔2017〕8号对作品登记每件资助多少？")
    assert registration.grounded and "300元" in registration.answer and "商标注册资助另行通知" not in registration.answer
    assert [(c.chunk_id, c.text) for c in registration.citations] == [("n-6", chunks[-1]["text"])]
    # its own date is not the citing notice's, nor is a day the notice prints elsewhere
    for question in ("东府办〔2016〕20号是哪天印发的？", "东府办〔2016〕20号是哪一天报给市政府的？"):
        refused = ask(question)
        assert not refused.grounded and refused.answer.startswith("现有政策文件中没有东府办〔2016〕20号"), refused.answer
        assert "2017年8月1日" not in refused.answer
    # a number nothing cites is refused as before
    assert ask("东府办〔2018〕5号对发明专利资助多少钱？").answer.startswith("现有政策文件中没有东府办〔2018〕5号")


def test_an_article_split_over_passages_is_read_whole() -> None:
    # the search finds the paragraph of 第三十七条 defining 净收入 among others; the rate is in the paragraph
    # before it, which the search ranks below its cut
    rule = dict(doc="某省促进科技成果转化条例", title="某省促进科技成果转化条例", section="第三十七条", date="2021-09-29",
                jurisdiction=Jurisdiction(level="province", place="浙江省"))
    chunks = [dict(chunk_id="zj-37a", text="第三十七条 转让科技成果的，从所得中提取不低于百分之七十的比例用于奖励。", **rule),
              dict(chunk_id="zj-37b", text="本条所称净收入是指转让科技成果的实际成交额扣除成本和税金后的余值，"
                                           "科技成果完成人另有约定的除外。", **rule)]
    notice = dict(doc="某市科技成果登记通知", title="某市科技成果登记通知", date="2020-01-01", jurisdiction=NATIONAL)
    chunks += [dict(chunk_id=f"n-{i}", section=f"{cn}、", text=f"{cn}、完成人应当如实登记净收入。", **notice)
               for i, cn in enumerate("一二三四五", 1)]
    search, parks = FakeSearch(chunks=chunks), FakeParks()
    asked = "科技成果完成人按净收入至少提几成？"
    assert [h.chunk_id for h in search.run(asked, 5).hits][0] == "zj-37b"
    assert "zj-37a" not in [h.chunk_id for h in search.run(asked, 5).hits]
    service = answer_service(build_offline_backend(search, parks), (search, parks), None)
    answer = final_answer(service.stream(request(asked)))
    assert answer.grounded and "百分之七十" in answer.answer.split("\n")[0], answer.answer


def test_who_gets_a_thing_is_not_asked_of_a_documents_addressees() -> None:
    assert READER.read("Z签是发给哪类外国人的？").metadata == []  # a visa's holders, not the document's addressees
    assert READER.read("145号批复是发给哪几个单位的").metadata == ["recipients"]
