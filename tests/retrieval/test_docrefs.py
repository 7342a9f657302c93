"""Which documents a question names, and the words that name them (retrieval/docrefs.py)."""

from __future__ import annotations

from retrieval.docrefs import ShortNames, TitleMatcher, doc_number_refs, doc_number_spans, unknown_doc_refs
from retrieval.models import DocumentMeta
from retrieval.tokenize import tokenize

DOCS = {d: DocumentMeta(doc=d, title=t, date=date, doc_number=d if "〔" in d else None) for d, t, date in [
    ("中华人民共和国科学技术进步法", "中华人民共和国科学技术进步法", "2021-12-24"),
    ("中华人民共和国促进科技成果转化法", "中华人民共和国促进科技成果转化法", "2015-08-29"),
    ("山东省促进科技成果转化条例", "山东省促进科技成果转化条例", "2017-12-01"),
    ("中关村国家自主创新示范区条例", "中关村国家自主创新示范区条例", "2010-12-23"),
    ("国科发火字〔2005〕16号", "国家高新技术产业开发区技术创新纲要", "2005-01-13"),
    ("粤府办〔2005〕92号", "转发科技部关于国家高新技术产业开发区技术创新纲要的通知", "2005-11-07"),
    ("国家高新技术产业开发区“十二五”发展规划纲要", "国家高新技术产业开发区“十二五”发展规划纲要", None),
    ("国发〔2020〕7号", "国务院关于促进国家高新技术产业开发区高质量发展的若干意见", "2020-07-13"),
]}


def test_laws_and_regulations_named_the_short_way() -> None:
    names = ShortNames(DOCS)
    assert names("科技进步法什么时候开始施行的") == {"中华人民共和国科学技术进步法"}
    assert names("成果转化法对科技中介怎么罚") == {"中华人民共和国促进科技成果转化法"}  # not the 条例
    assert names("中关村条例出台以后") == {"中关村国家自主创新示范区条例"}
    assert names("山东条例和成果转化法规定得一样吗") == {"山东省促进科技成果转化条例", "中华人民共和国促进科技成果转化法"}
    assert names("有什么办法吗") == set() and names("国家用什么方法") == set()
    assert names.spans("根据科技进步法第十条") == ["科技进步法"]


def test_a_short_name_names_the_title_that_takes_all_of_it() -> None:
    docs = {d: DocumentMeta(doc=d, title=d, date="2016-07-22") for d in ("山东省经济开发区条例", "河南省开发区条例")}
    # 河南省开发区条例 holds the run 开发区, but leaves 山东 out
    assert ShortNames(docs)("山东开发区条例里的特岗特薪针对哪些人") == {"山东省经济开发区条例"}
    assert ShortNames(docs)("河南开发区条例怎么规定") == {"河南省开发区条例"}


def test_a_year_and_a_kind_name_the_document_of_that_kind() -> None:
    titles = TitleMatcher(DOCS, tokenize)
    assert titles("2005年的纲要对高企研发投入有什么要求") == {"国科发火字〔2005〕16号"}  # not the notice forwarding it


def test_the_words_that_name_documents_are_not_the_question() -> None:
    titles = TitleMatcher(DOCS, tokenize)
    text = "两高项目能不能进高新区？十二五纲要和7号文是怎么规定的"
    assert doc_number_refs(text, DOCS) == {"国发〔2020〕7号"} and doc_number_spans(text, DOCS) == ["7号文"]
    assert "十二五" in titles.spans(text)
    # named by its 文号, a document's title words in the question are what is asked: "转发" stays
    numbered = doc_number_refs("粤府办〔2005〕92号转发的是哪个文件", DOCS)
    assert "转发" not in titles.spans("粤府办〔2005〕92号转发的是哪个文件", numbered)


def test_two_title_words_name_a_document_only_when_the_question_has_them_apart() -> None:
    docs = {**DOCS, "国办发〔2018〕127号": DocumentMeta(
        doc="国办发〔2018〕127号", title="国务院办公厅关于抓好赋予科研机构和人员更大自主权有关文件贯彻落实工作的通知",
        date="2018-12-26", doc_number="国办发〔2018〕127号")}
    titles = TitleMatcher(docs, tokenize)
    assert "国办发〔2018〕127号" not in titles("科研人员能不能用专利入股创办企业")  # 科研 + 人员 inside one word
    assert "国办发〔2018〕127号" in titles("赋予科研机构更大自主权的文件怎么落实")


def test_title_words_most_documents_use_in_their_text_name_no_document() -> None:
    docs = {f"d{i}": DocumentMeta(doc=f"d{i}", title=f"第{i}号无关规定", date="2020-01-01") for i in range(8)}
    docs["fund"] = DocumentMeta(doc="fund", title="关于有效发挥政府性融资担保基金作用的指导意见", date="2019-01-22")
    bodies = {d: "县级以上人民政府应当设立专项基金，支持企业发展。" for d in docs if d != "fund"}
    bodies["fund"] = "政府性融资担保基金要聚焦支小支农。"
    titles = TitleMatcher(docs, tokenize, lambda word: {d for d, body in bodies.items() if word in body})
    assert "fund" not in titles("浙江的创业风险投资引导基金由哪一级政府设立")  # 政府 and 基金: every body has them
    assert "fund" in titles("融资担保基金那份指导意见怎么说的")
    # without the bodies (or in a corpus of few documents), the two title words still name it
    assert "fund" in TitleMatcher(docs, tokenize)("浙江的创业风险投资引导基金由哪一级政府设立")


def test_one_title_word_before_a_kind_word_names_a_document_only_when_few_others_use_it() -> None:
    docs = {f"d{i}": DocumentMeta(doc=f"d{i}", title=f"第{i}号无关条例", date="2020-01-01") for i in range(24)}
    docs["awards"] = DocumentMeta(doc="awards", title="国务院关于2018年度国家科学技术奖励的决定", date="2018-12-28")
    # a third of the other documents speak of 奖励; one of them of 提名
    bodies = {d: "对作出突出贡献的单位给予奖励。" if i % 3 == 0 else "依法管理。" for i, d in enumerate(docs)}
    bodies["d1"] = "由专家提名。"
    bodies["awards"] = "授予国家科学技术奖励，由专家提名。"
    titles = TitleMatcher(docs, tokenize, lambda word: {d for d, body in bodies.items() if word in body})
    assert "awards" not in titles("江苏省对高校科技成果转化有什么奖励规定")  # "奖励规定": rules on awards
    assert "awards" in titles("奖励那个决定是哪年发的")  # two of its title words
    # the same word, rare in the other documents, still names it before a kind word
    rare = TitleMatcher(docs, tokenize, lambda word: {"awards"} if word == "奖励" else set())
    assert "awards" in rare("有什么奖励规定")


def test_an_order_is_named_by_its_number() -> None:
    docs = {**DOCS, **{d: DocumentMeta(doc=d, title=t, date=date, doc_number=d) for d, t, date in [
        ("国家市场监督管理总局令第52号", "中华人民共和国市场主体登记管理条例实施细则", "2022-03-01"),
        ("国家市场监督管理总局令第45号", "市场监督管理行政处罚信息公示规定", "2021-07-30"),
        ("中华人民共和国国务院令第7号", "某条例", "1990-01-01"),
    ]}}
    text = "市场监管总局52号令是哪天公布的"
    assert doc_number_refs(text, docs) == {"国家市场监督管理总局令第52号"} and doc_number_spans(text, docs) == ["52号令"]
    assert doc_number_refs("总局令第45号什么时候施行", docs) == {"国家市场监督管理总局令第45号"}
    # "7号文" is the 文号's, "7号令" the order's; a bare "7号" both have names neither
    assert doc_number_refs("7号文怎么说", docs) == {"国发〔2020〕7号"}
    assert doc_number_refs("7号令怎么说", docs) == {"中华人民共和国国务院令第7号"}
    assert doc_number_refs("7号怎么说", docs) == set()


def test_numbers_no_document_has_are_unknown_references() -> None:
    assert unknown_doc_refs("请问国发〔2015〕32号是哪天印发的", DOCS) == ["国发〔2015〕32号"]
    assert unknown_doc_refs("河南省报的豫政文〔1999〕167号请示是哪天报的", DOCS) == ["豫政文〔1999〕167号"]
    assert unknown_doc_refs("8号文和9号令怎么说", DOCS) == ["8号文", "9号令"]
    # held: the same 文号 in any form, its short form, or its year and number under another abbreviation
    assert unknown_doc_refs("请问国发〔2020〕7号是哪天印发的", DOCS) == []
    assert unknown_doc_refs("7号文怎么说", DOCS) == unknown_doc_refs("国科发〔2013〕388号", {
        "国科发火〔2013〕388号": DocumentMeta(doc="国科发火〔2013〕388号", title="实施方案", date="2013-03-12",
                                          doc_number="国科发火〔2013〕388号")}) == []
    assert unknown_doc_refs("园区5号楼能不能租", DOCS) == []  # a bare number names no document


def test_a_word_saying_what_kind_of_document_a_text_is_names_no_document_by_itself() -> None:
    docs = {**DOCS, **{d: DocumentMeta(doc=d, title=t, date=date, doc_number=d) for d, t, date in [
        ("国家市场监督管理总局令第52号", "中华人民共和国市场主体登记管理条例实施细则", "2022-03-01"),
        ("国办函〔2000〕17号", "国务院办公厅关于郑州经济技术开发区升级的复函", "2000-02-13"),
    ]}}
    titles = TitleMatcher(docs, tokenize)
    # the corpus's one 实施细则 is not every 实施细则 a question names
    assert titles("专利法实施细则规定的代理师资格考试多久一次") == set()
    assert "国家市场监督管理总局令第52号" in titles("市场主体登记的实施细则规定了哪些登记事项")
    # after a word of its own title, the kind names the document
    assert titles("郑州那份复函是怎么说的") == {"国办函〔2000〕17号"}
    assert titles("国务院给各地的复函一般怎么写") == set()
