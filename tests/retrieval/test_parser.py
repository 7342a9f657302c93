"""The parser on the shipped corpus (data/corpus) and on small texts made here."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from retrieval import load_corpus, parse_file, parse_text
from retrieval.dedupe import NearDuplicateIndex, normalize, similarity
from retrieval.errors import MetadataError
from retrieval.loaders import load_file
from retrieval.parsing.chrome import chrome_row
from retrieval.parsing.invariants import text_coverage
from retrieval.parsing.meta import normalize_doc_number, parse_date

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


@pytest.fixture(scope="module")
def corpus():
    docs, failures = load_corpus(CORPUS)
    assert failures == []
    by_key = {}
    for d in docs:  # file 000 holds two documents: the 粤府办 notice ("000n") and the 纲要 ("000")
        key = d.meta.source[:3]
        by_key[key + "n" if d.meta.doc.startswith("粤府办") else key] = d
    return by_key


# ------------------------------------------------------------------ metadata of all five

@pytest.mark.parametrize(
    "key, doc, title, issuer, date",
    [
        ("000", "国科发火字〔2005〕16号", "国家高新技术产业开发区技术创新纲要", "科学技术部", "2005-01-13"),
        ("001", "国家高新技术产业开发区“十二五”发展规划纲要", "国家高新技术产业开发区“十二五”发展规划纲要",
         "科学技术部", None),
        ("002", "国科发火〔2011〕259号", "关于进一步加强火炬工作 促进高新技术产业化的指导意见", "科学技术部",
         "2011-07-04"),
        ("003", "国发〔2020〕7号", "国务院关于促进国家高新技术产业开发区高质量发展的若干意见", "国务院",
         "2020-07-13"),
        ("004", "国科发火〔2013〕388号", "国家高新技术产业开发区创新驱动战略提升行动实施方案", "科学技术部",
         "2013-03-12"),
    ],
)
def test_metadata_of_the_five_documents(corpus, key, doc, title, issuer, date):
    meta = corpus[key].meta
    assert (meta.doc, meta.title, meta.issuer, meta.date) == (doc, title, issuer, date)
    assert meta.doc_number == (None if key == "001" else doc)
    assert {c.doc for c in corpus[key].chunks} == {doc}
    assert {c.title for c in corpus[key].chunks} == {title}


def test_000_is_two_linked_documents_each_with_its_own_number_and_date(corpus):
    (related,) = corpus["000"].meta.related
    assert (related.relation, related.doc, related.issuer, related.date) == (
        "forwarded_by", "粤府办〔2005〕92号", "广东省人民政府办公厅", "2005-11-07")
    notice = corpus["000n"].meta
    assert (notice.doc, notice.doc_number, notice.issuer, notice.date) == (
        "粤府办〔2005〕92号", "粤府办〔2005〕92号", "广东省人民政府办公厅", "2005-11-07")
    assert notice.title == "转发科技部关于国家高新技术产业开发区技术创新纲要的通知"
    assert [(r.relation, r.doc) for r in notice.related] == [("forwards", "国科发火字〔2005〕16号")]
    assert notice.jurisdiction.place == "广东省" and corpus["000"].meta.jurisdiction.level == "national"
    assert {c.doc for c in corpus["000n"].chunks} == {"粤府办〔2005〕92号"}


# ------------------------------------------------------------------ 国发〔2020〕7号

ARTICLES = {
    "一": ["一", "二", "三"], "二": ["四", "五", "六"], "三": ["七", "八", "九"], "四": ["十", "十一"],
    "五": ["十二", "十三", "十四"], "六": ["十五", "十六", "十七", "十八", "十九"], "七": ["二十", "二十一"],
}


def test_guofa_2020_7_has_21_articles_under_their_parts(corpus):
    doc = corpus["003"]
    expected = [f"{part}、（{n}）" for part, ns in ARTICLES.items() for n in ns]
    article_paths = [s.path for s in doc.sections if "（" in s.path]
    assert article_paths == expected and len(expected) == 21
    assert [s.path for s in doc.sections if "（" not in s.path] == list(ARTICLES)
    for path in expected:  # every article has its text, and only its text
        assert any(c.section == path for c in doc.chunks), path
    (c65,) = [c for c in doc.chunks if "65岁" in c.text]
    assert (c65.section, c65.section_title) == ("二、（五）", "吸引培育一流创新人才")
    last = [c for c in doc.chunks if c.section == "七、（二十一）"]
    assert "2020年7月13日" not in "".join(c.text for c in last)  # the signature is not article 21


# ------------------------------------------------------------------ 国科发火〔2013〕388号 附1 / 附2

def test_388_attachment_1_target_rows(corpus):
    rows = [c for c in corpus["004"].chunks if c.kind == "table_row" and c.section.startswith("附1")]
    counts = {s: sum(1 for c in rows if c.section == s) for s in ("附1 一", "附1 二", "附1 三")}
    assert counts == {"附1 一": 10, "附1 二": 10, "附1 三": 9}
    texts = [c.text for c in rows]
    assert "创新型科技园区 目标要求 序号6 服务收入占营业收入比例 35%" in texts
    assert "世界一流高科技园区 目标要求 序号9 从业人员人均增加值 70万/人" in texts
    assert "创新型特色园区 目标要求 序号9 营业收入利润率 7%" in texts


def test_388_attachment_2_has_40_indicator_rows_with_weights(corpus):
    rows = [c for c in corpus["004"].chunks if c.kind == "table_row" and c.section == "附2"]
    assert len(rows) == 40
    title = "国家高新区评价指标体系（修订版）"
    assert (f"{title} 一级指标 产业升级和结构优化能力30% 二级指标 2.2服务收入占营业总收入比例 赋权1.1 来源 统计"
            in [c.text for c in rows])
    pattern = re.compile(rf"^{re.escape(title)} 一级指标 (\S+?)(\d+)% 二级指标 (\d\.\d+).+ 赋权(\d\.\d) 来源 (统计|调查|定性)$")
    parsed = [pattern.match(c.text) for c in rows]
    assert all(parsed), [c.text for c, m in zip(rows, parsed, strict=True) if not m]
    primaries = {}
    for m in parsed:
        primaries.setdefault((m.group(1), int(m.group(2))), []).append(m.group(3))
        assert 0.8 <= float(m.group(4)) <= 1.1
        assert m.group(3).split(".")[0] == str(list(primaries).index((m.group(1), int(m.group(2)))) + 1)
    assert {k: len(v) for k, v in primaries.items()} == {
        ("知识创造和技术创新能力", 30): 11, ("产业升级和结构优化能力", 30): 11,
        ("国际化和参与全球竞争能力", 20): 10, ("高新区可持续发展能力", 20): 8}
    assert all(c.section_title == title for c in rows)


# ------------------------------------------------------------------ 国科发火〔2011〕259号

def test_259_nests_numbered_items_and_recovers_the_unnumbered_first_part(corpus):
    sections = {s.path: s.heading for s in corpus["002"].sections}
    assert sections["一"] == "一、加强火炬工作是依靠科技加快发展方式转变的重要战略任务"
    assert sections["二、（一）1"] == "1.提升国家高新区的发展水平"
    assert sections["三、4"] == "4.进一步加强组织领导"
    assert not any(k.startswith("附件") for k in sections)  # the 附件 is the document itself


# ------------------------------------------------------------------ 000: scraped, repeated, interleaved

def _own_sentences(doc):
    """(chunk position, sentence) for every sentence a chunk adds (its overlap excluded)."""
    out = []
    for c in doc.chunks:
        for s in re.split(r"(?<=[。；！？])|\n", c.text[c.overlap:]):
            if len(normalize(s)) >= 12:
                out.append((c.position, s))
    return out


def test_000_source_really_repeats_passages():
    raw = (CORPUS / "000_bbf779e5d15b6702.txt").read_text(encoding="utf-8")
    assert raw.count("各地、各有关部门要坚持科学发展观") == 2
    assert raw.count("2003年，国家高新区企业年投入R&D资金420亿元") == 2


def _both(corpus):
    class Both:
        chunks = corpus["000n"].chunks + corpus["000"].chunks
    return Both


def test_000_no_passage_is_indexed_twice(corpus):
    sents = _own_sentences(_both(corpus))
    keys = [normalize(s) for _, s in sents]
    assert len(keys) == len(set(keys)), "exact repeat"
    for (_, a), (_, b) in itertools.combinations(sents, 2):
        jaccard, containment = similarity(a, b)
        assert jaccard < 0.8 and containment < 0.9, (a, b)
    text = "".join(c.text[c.overlap:] for c in _both(corpus).chunks)
    assert text.count("各地、各有关部门要坚持科学发展观") == 1
    assert text.count("2003年，国家高新区企业年投入R&D资金420亿元") == 1


@pytest.mark.parametrize(
    "needle, section",
    [
        ("高新技术企业R&D经费，不能低于年产品销售额的5％", "五、（二）"),
        ("不能低于年财政预算的5％，到2010年应达到10％", "五、（二）"),
        ("用地不能低于总面积的60％", "五、（三）"),
        ("80％以上的班子成员应具有大学本科以上学历", "五、（一）"),
        ("各地、各有关部门要坚持科学发展观", "粤府办 一"),
        ("高新区要高度重视相关公共技术平台的建设", "粤府办 四"),
        ("现将科技部制定的《国家高新技术产业开发区技术创新纲要》", "粤府办 "),
        ("特制定本纲要", ""),
        ("支持大学、科研机构和企业参与国际科技合作", "四、（二）"),
    ],
)
def test_000_passages_are_attributed_to_their_document_and_heading(corpus, needle, section):
    doc, _, section = section.rpartition(" ") if section.startswith("粤府办") else ("", "", section)
    (chunk,) = [c for c in _both(corpus).chunks if needle in c.text[c.overlap:]]
    assert chunk.section == section
    assert chunk.doc.startswith("粤府办") == bool(doc)


def test_000_outline_separates_the_two_documents(corpus):
    assert [s.path for s in corpus["000n"].sections] == list("一二四三")
    paths = [s.path for s in corpus["000"].sections]
    assert [p for p in paths if "（" not in p] == list("一二三四五")
    assert [p for p in paths if p.startswith("五、")] == [f"五、（{n}）" for n in "一二三四五六"]


# ------------------------------------------------------------------ every document

def test_chunks_are_well_formed_everywhere(corpus):
    for doc in corpus.values():
        assert [c.position for c in doc.chunks] == list(range(len(doc.chunks)))
        assert len({c.chunk_id for c in doc.chunks}) == len(doc.chunks)
        for c in doc.chunks:
            assert c.text.strip() and c.section_title
            assert len(c.text) <= 400 + c.overlap, (c.section, len(c.text))
            assert c.issuer == doc.meta.issuer and c.date == doc.meta.date


def test_chunk_ids_are_stable_across_parses(corpus):
    again = parse_file(CORPUS / "004_02d40c519295951c.txt")
    assert [c.chunk_id for c in again.chunks] == [c.chunk_id for c in corpus["004"].chunks]


# ------------------------------------------------------------------ small texts

@pytest.mark.parametrize(
    "raw", ["国科发火〔2011〕259号", "国科发火[2011]259号", "国科发火［2011］259号", "国科发火【2011】259 号",
            "国科发火 [ 2011 ] 259号"],
)
def test_doc_number_bracket_variants_are_one_number(raw):
    assert normalize_doc_number(raw) == "国科发火〔2011〕259号"


@pytest.mark.parametrize(
    "raw, iso",
    [("2020年7月13日", "2020-07-13"), ("二〇一一年七月四日", "2011-07-04"), ("二Ｏ一一年七月四日", "2011-07-04"),
     ("二〇〇五年十一月七日", "2005-11-07"), ("二〇〇五年一月十三日", "2005-01-13"), ("2009-09-15", "2009-09-15"),
     ("发布日期:2009-09-15", "2009-09-15")],
)
def test_dates_to_iso(raw, iso):
    assert parse_date(raw) == iso


NESTED = """科学技术部关于印发示范园区管理办法的通知
国科发火[2021]12号

各有关单位：
现将《示范园区管理办法》印发给你们，请遵照执行。
附件：示范园区管理办法
科学技术部
二〇二一年三月五日

附件
示范园区管理办法
一、总则
（一）目的。
为规范管理，制定本办法。
1.适用范围。本办法适用于国家级示范园区。
（1）园区应当建立统计制度。
（2）园区应当每年报送数据。
——报送材料须真实。报送材料由管委会负责审核，并对其真实性负责。
二、附则
本办法自发布之日起施行。
附1
评价表
序号\t指标\t要求
1\t研发投入占比\t5%
"""


def test_a_made_up_notice_with_every_heading_level():
    doc = parse_text(NESTED)
    meta = doc.meta
    assert (meta.doc, meta.title, meta.issuer, meta.date) == (
        "国科发火〔2021〕12号", "示范园区管理办法", "科学技术部", "2021-03-05")
    paths = [s.path for s in doc.sections]
    assert paths == ["一", "一、（一）", "一、（一）1", "一、（一）1.（1）", "一、（一）1.（2）",
                     "一、（一）1.（2）", "二", "附1"]
    by_text = {c.text: c for c in doc.chunks}
    assert by_text["为规范管理，制定本办法。"].section == "一、（一）"
    dash = next(c for c in doc.chunks if c.text.startswith("——"))
    assert (dash.section, dash.section_title) == ("一、（一）1.（2）", "报送材料须真实")
    (row,) = [c for c in doc.chunks if c.kind == "table_row"]
    assert (row.section, row.text) == ("附1", "评价表 序号1 研发投入占比 5%")
    cover = [c for c in doc.chunks if c.section == "" and "印发给你们" in c.text]
    assert cover and cover[0].section_title == "科学技术部关于印发示范园区管理办法的通知"


def test_sidecar_overrides_and_refuses_unknown_keys(tmp_path):
    src = tmp_path / "plan.txt"
    src.write_text("某某规划纲要\n\n一、总体要求\n坚持创新驱动。\n", encoding="utf-8")
    (tmp_path / "plan.meta.toml").write_text(
        'issuer = "科学技术部"\nstatus = "expired"\ndate = "2011-01-01"\n', encoding="utf-8")
    meta = parse_file(src).meta
    assert (meta.doc, meta.issuer, meta.status, meta.date) == ("某某规划纲要", "科学技术部", "expired", "2011-01-01")
    (tmp_path / "plan.meta.toml").write_text('isuer = "科学技术部"\n', encoding="utf-8")
    with pytest.raises(MetadataError, match=r"plan\.meta\.toml: unknown key\(s\) isuer"):
        parse_file(src)
    (tmp_path / "plan.meta.toml").write_text('date = "2011年1月1日"\n', encoding="utf-8")
    with pytest.raises(MetadataError, match="not an ISO date"):
        parse_file(src)


def test_near_duplicates_are_found_through_punctuation_width_and_small_edits():
    index = NearDuplicateIndex()
    index.add("国家高新区直接用于支持新产品开发的科技经费，不能低于年财政预算的5%，到2010年应达到10%。")
    assert index.find("国家高新区直接用于支持新产品开发的科技经费,不能低于年财政预算的５％，到2010年应达到10％") == 0
    assert index.find("国家高新区直接用于支持新产品开发的科技经费，不能低于年度财政预算的5%，到2010年应达到10%。") == 0
    assert index.find("不能低于年财政预算的5%，到2010年应达到10%。") == 0  # contained in the first
    assert index.find("高新技术企业R&D经费，不能低于年产品销售额的5%。") is None


def test_a_laws_adoption_and_revision_records_are_text_of_its_opening_passage():
    doc = parse_text("中华人民共和国示范法\n\n（2001年3月1日第九届全国人民代表大会常务委员会第二十次会议通过　"
                     "2015年8月29日第十二届全国人民代表大会常务委员会第十六次会议修正）\n\n"
                     "第一条　为了示范，制定本法。\n第二条　本法自2001年7月1日起施行。\n")
    assert doc.meta.date == "2015-08-29" and len(doc.meta.history) == 2
    opening = doc.chunks[0]
    assert opening.section == "" and "2001年3月1日" in opening.text and "2015年8月29日" in opening.text
    assert doc.chunks[1].section == "第一条" and "通过" not in doc.chunks[1].text


LOCAL_RULE = """{title}

第一条　为了规范园区管理，制定本条例。
第二条　本条例自2001年5月1日起施行。
"""


@pytest.mark.parametrize(("title", "level", "place"), [
    ("江苏省示范园区管理暂行条例", "province", "江苏省"),
    ("天津市示范园区管理条例（试行）", "province", "天津市"),
    ("苏州市示范园区管理规定", "city", "苏州市"),
    ("广东省佛山市示范园区管理办法", "city", "佛山市"),
])
def test_a_local_regulation_naming_no_issuer_is_the_place_its_title_opens_with(title, level, place):
    meta = parse_text(LOCAL_RULE.format(title=title)).meta
    assert meta.issuer is None
    assert (meta.jurisdiction.level, meta.jurisdiction.place) == (level, place)


@pytest.mark.parametrize("title", [
    "示范园区管理条例",  # no place in the title
    "上海示范园区管理条例",  # a short name is not read
    "推进城市示范园区管理条例",  # 城市 is a word, not a city
    "江苏省关于加快示范园区建设的意见",  # not a regulation
])
def test_a_title_without_a_local_regulations_place_gives_no_jurisdiction(title):
    assert parse_text(LOCAL_RULE.format(title=title)).meta.jurisdiction is None


@pytest.mark.parametrize("gap", ["", " "])
def test_a_state_council_order_glued_to_its_date_names_the_order_and_its_organ(gap):
    # PDF text drops the space between a record's date and the organ: the date's 日 is no part of it
    doc = parse_text("示范园区项目管理条例\n\n2019年3月1日 国务院第9次常务会议通过\n\n"
                     f"2019年3月20日{gap}中华人民共和国国务院令第901号公布\n\n"
                     "第一条　为了规范园区项目管理，制定本条例。\n第二条　本条例自2019年6月1日起施行。\n")
    assert (doc.meta.doc_number, doc.meta.issuer) == ("中华人民共和国国务院令第901号", "国务院")
    assert (doc.meta.date, doc.meta.effective_date) == ("2019-03-20", "2019-06-01")


@pytest.mark.parametrize("record", [
    "（2012年5月4日中华人民共和国国务院令第620号公布　2019年3月20日中华人民共和国国务院令第901号修订）",
    "2012年5月4日中华人民共和国国务院令第620号公布\n\n2019年3月20日中华人民共和国国务院令第901号修订",
])
def test_a_revised_regulation_is_named_by_the_order_of_the_text_in_force(record):
    # the text as revised was published by the later 令: its number goes with the document's date
    doc = parse_text(f"示范园区项目管理条例\n\n{record}\n\n"
                     "第一条　为了规范园区项目管理，制定本条例。\n第二条　本条例自2019年6月1日起施行。\n")
    assert (doc.meta.doc_number, doc.meta.date) == ("中华人民共和国国务院令第901号", "2019-03-20")


@pytest.mark.parametrize("records", [
    # as printed, one record a line
    "2012年5月4日中华人民共和国国务院令第620号公布\n\n2016年2月6日《国务院关于修改部分行政法规的决定》第一次修订\n\n"
    "2019年3月2日《国务院关于修改部分行政法规的决定》第二次修订",
    # as a PDF's text gives centred lines: glued, the last cut after "根据" as some sources print it
    "2012年5月4日中华人民共和国国务院令第620号公布\n2016年2月6日《国务院关于修改部分行政法规的决定》第一次修订"
    "2019年3月2日《国务院关于修改部分行政法规的决定》第二次修订　根据",
])
def test_a_regulation_whose_last_revision_prints_no_order_is_named_by_its_title(records):
    # the 620号令 published the 2012 text; the text in force was revised by 决定 whose number is not printed,
    # so naming it 国务院令第620号 would name the old text
    doc = parse_text(f"示范园区项目管理条例\n\n{records}\n\n"
                     "第一条　为了规范园区项目管理，制定本条例。\n第二条　本条例自2012年7月1日起施行。\n")
    assert (doc.meta.doc, doc.meta.doc_number, doc.meta.date) == ("示范园区项目管理条例", None, "2019-03-02")
    assert len(doc.meta.history) == 3
    assert "根据" not in doc.meta.history[1]  # each record whole, none cut into another


@pytest.mark.parametrize("gap", ["", " "])
def test_a_congress_record_glued_to_its_date_names_the_congress_of_its_place(gap):
    # HTML and PDF text often drop the space between a record's date and the adopting body
    doc = parse_text("江苏省园区促进条例\n\n"
                     f"2010年12月23日{gap}江苏省第十三届人民代表大会常务委员会第二十二次会议通过\n\n"
                     "第一条　为了促进园区建设，制定本条例。\n第二条　本条例自2011年3月1日起施行。\n")
    assert doc.meta.issuer == "江苏省人民代表大会常务委员会"  # not 日江苏省…
    assert doc.meta.jurisdiction is not None and doc.meta.jurisdiction.place == "江苏省"
    assert doc.meta.date == "2010-12-23"


def test_a_text_dated_only_by_its_approval_takes_the_approver_and_day_but_no_publication_day():
    doc = parse_text("示范试验区暂行条例\n\n1990年4月2日 国务院批准\n\n"
                     "第一条　为了扶植示范试验区，制定本条例。\n第二条　本条例自发布之日起施行。\n")
    assert (doc.meta.issuer, doc.meta.date) == ("国务院", "1990-04-02")
    assert doc.meta.effective_date is None  # "自发布之日起": the day it was published is not printed


def test_an_approval_next_to_an_adoption_leaves_the_adopter_the_issuer():
    doc = parse_text("示范市园区管理条例\n\n2005年6月1日 示范市第十二届人民代表大会常务委员会第二十次会议通过\n\n"
                     "2005年7月1日 示范省第十届人民代表大会常务委员会第十六次会议批准\n\n"
                     "第一条　为了规范园区管理，制定本条例。\n第二条　本条例自公布之日起施行。\n")
    assert doc.meta.issuer == "示范市人民代表大会常务委员会" and doc.meta.date == "2005-06-01"


def test_a_ministry_rule_passed_at_the_ministrys_own_meeting_names_that_ministry():
    doc = parse_text("示范企业假期实施办法\n\n2009年3月2日 经示范资源部第4次部务会议通过\n\n"
                     "第一条　为了实施条例，制定本办法。\n第二条　本办法自发布之日起施行。\n")
    assert (doc.meta.issuer, doc.meta.date) == ("示范资源部", "2009-03-02")
    assert doc.meta.jurisdiction is not None and doc.meta.jurisdiction.level == "national"


@pytest.mark.parametrize("gap", ["", " "])
def test_a_state_council_meeting_record_names_the_state_council(gap):
    doc = parse_text(f"示范项目管理条例\n\n2016年10月8日{gap}国务院第149次常务会议通过\n\n"
                     "第一条　为了规范项目管理，制定本条例。\n第二条　本条例自2017年2月1日起施行。\n")
    assert (doc.meta.issuer, doc.meta.date) == ("国务院", "2016-10-08")


@pytest.mark.parametrize(
    "interpreter, issuer",
    [("示范部、财政部、税务总局", "示范部、财政部、税务总局"), ("科技部", "科学技术部"), ("市科技局", None)],
)
def test_a_rule_that_signs_nothing_is_issued_by_the_organs_it_names_as_its_interpreters(interpreter, issuer):
    # a rule is interpreted by the organs that made it; a relative name (市科技局) names no organ
    doc = parse_text("示范企业认定管理办法\n\n第一条　为了规范认定，制定本办法。\n"
                     f"第二条　本办法由{interpreter}负责解释。\n第三条　本办法自2016年1月1日起实施。\n")
    assert doc.meta.issuer == issuer
    assert (doc.meta.jurisdiction.level if doc.meta.jurisdiction else None) == ("national" if issuer else None)


WEB_REPRINT = """当前位置：首页> 业务详情> 示范认定>
示范企业认定管理办法
发布时间：2016-05-16 15:23:18
关于修订印发《示范企业认定管理办法》的通知
示范企业认定管理办法
第一章 总 则
第一条 为扶持示范企业发展，特制定本办法。
第二条 示范企业资格自颁发证书之日起有效期为三年。
上一个：示范企业申报流程
"""


def test_a_reprinted_page_is_titled_by_its_own_title_not_its_breadcrumb_or_the_heading_below():
    # the page title stands above its 发布时间 line; the breadcrumb and the time are chrome, and what
    # follows the 发布时间 line (the 印发 notice's heading, the title again) is the article's text
    doc = parse_text(WEB_REPRINT)
    assert doc.meta.title == "示范企业认定管理办法" and doc.meta.date == "2016-05-16"
    text = "".join(c.text for c in doc.chunks)
    assert "当前位置" not in text and "发布时间" not in text and "15:23" not in text and "上一个" not in text
    assert "关于修订印发" in text and "有效期为三年" in text
    assert text_coverage(WEB_REPRINT, [doc]).lost == []


# ------------------------------------------------------------------ layouts of real pages

INDICATOR_TABLE = """国务院办公厅关于加强示范园区考核工作的意见
国办发〔2021〕9号
各省、自治区、直辖市人民政府：
现就考核工作提出以下意见。
国务院办公厅
2021年2月3日
附件
示范园区考核指标
一级指标\t二级指标\t三级指标\t指标性质
一、创新能力\t（一）研发投入\t1.研发经费占比\t定量
2.研发人员占比\t定量
（二）成果转化\t3.技术合同成交额\t定量
4.成果转化制度\t定性
"""


def test_a_browser_copied_table_keeps_the_cells_its_rows_share_with_the_rows_above():
    # A browser copies a cell spanning several rows only into the first of them: the rows under
    # it start at their own first cell, so their leading cells are the ones above, not column 1.
    doc = parse_text(INDICATOR_TABLE)
    rows = [c.text for c in doc.chunks if c.kind == "table_row"]
    assert rows == [
        "示范园区考核指标 一级指标 一、创新能力 二级指标 （一）研发投入 三级指标 1.研发经费占比 指标性质 定量",
        "示范园区考核指标 一级指标 一、创新能力 二级指标 （一）研发投入 三级指标 2.研发人员占比 指标性质 定量",
        "示范园区考核指标 一级指标 一、创新能力 二级指标 （二）成果转化 三级指标 3.技术合同成交额 指标性质 定量",
        "示范园区考核指标 一级指标 一、创新能力 二级指标 （二）成果转化 三级指标 4.成果转化制度 指标性质 定性",
    ]


CELL_PER_LINE_TABLE = """国务院办公厅关于推广示范举措的通知
国办发〔2021〕7号
各省、自治区、直辖市人民政府：
现将示范举措推广清单印发给你们，请认真贯彻执行。
国务院办公厅
2021年3月1日
附件
示范举措推广清单
序号
举措名称
主 要 内 容
牵头部门
一、融资服务方面（共2项）
1
专利质押快速登记
压缩登记时限，实行线上办理。
国家知识产权局
2
科技保险补偿
对首台套保险给予保费补贴。
财政部、科技部
二、人才服务方面（共3项）
三、园区管理方面（共1项）
6
园区统一审批
审批事项集中到一个窗口办理。
科技部、国务院办公厅
各地要结合实际抓好落实。
"""


def test_a_table_copied_one_cell_per_line_is_read_back_into_rows_that_keep_their_cells_and_group():
    # The header's labels give the number of cells; each row is its serial number and that many
    # cells, so a row's 牵头部门 is in the same passage as its 举措名称, under its group line.
    doc = parse_text(CELL_PER_LINE_TABLE)
    rows = [(c.section, c.text) for c in doc.chunks if c.kind == "table_row"]
    assert rows == [
        ("附件 一", "融资服务方面（共2项） 序号1 举措名称 专利质押快速登记 主要内容 压缩登记时限，实行线上办理。 牵头部门 国家知识产权局"),
        ("附件 一", "融资服务方面（共2项） 序号2 举措名称 科技保险补偿 主要内容 对首台套保险给予保费补贴。 牵头部门 财政部、科技部"),
        ("附件 三", "园区管理方面（共1项） 序号6 举措名称 园区统一审批 主要内容 审批事项集中到一个窗口办理。 牵头部门 科技部、国务院办公厅"),
    ]
    # a group whose rows the copy left out keeps its line; the text after the table stays text
    texts = [c.text for c in doc.chunks if c.kind != "table_row"]
    assert "二、人才服务方面（共3项）" in texts and any("各地要结合实际抓好落实。" in t for t in texts)
    assert text_coverage(CELL_PER_LINE_TABLE, [doc]).lost == []


def test_short_lines_after_a_serial_header_that_do_not_make_whole_rows_stay_text():
    # a cell too few in the only row: the next line would be read as a cell, so nothing is rebuilt
    text = CELL_PER_LINE_TABLE.replace("压缩登记时限，实行线上办理。\n", "", 1)
    doc = parse_text(text)
    rows = [c.text for c in doc.chunks if c.kind == "table_row"]
    assert not any("专利质押快速登记" in r for r in rows)
    assert text_coverage(text, [doc]).lost == []


REPLY = """国务院关于同意某某新区总体规划的批复
国函〔2021〕3号
某某省人民政府：
你们关于某某新区总体规划的请示收悉。现批复如下：
一、原则同意《某某新区总体规划》。规划要坚持生态优先、绿色发展。
二、严控开发强度。新区远景开发强度控制在30%，蓝绿空间占比稳定在70%。
三、加强组织实施。省人民政府要切实履行主体责任。
国务院
2021年1月5日
"""

CONDITIONS = """某某市科技企业认定办法
第一章 总则
某某中心应当具备下列条件：
（一）有固定的办公场所；
（二）有专职管理人员。
本办法自发布之日起施行。
"""


def test_numbered_paragraphs_after_a_colon_are_sections_and_short_items_stay_a_list():
    # "现批复如下：" introduces numbered paragraphs of several sentences each: every one is a
    # section a user can be pointed to, not an item of one long list.
    doc = parse_text(REPLY)
    assert [s.path for s in doc.sections] == ["一", "二", "三"]
    (chunk,) = [c for c in doc.chunks if "开发强度控制在30%" in c.text]
    assert (chunk.section, chunk.section_title) == ("二", "严控开发强度")
    assert "原则同意" not in chunk.text and "履行主体责任" not in chunk.text
    # "具备下列条件：" introduces one-clause items: they stay with their lead-in
    doc = parse_text(CONDITIONS)
    (chunk,) = [c for c in doc.chunks if "有固定的办公场所" in c.text]
    assert "具备下列条件" in chunk.text and "有专职管理人员" in chunk.text

PIPE_COPY = """| 索 引 号： | 000014349/2019-00099 | 主题分类： | 科技、教育\科技 |
| 发文机关： | 国务院 | 成文日期： | 2019年3月1日 |
| 标　　题： | 国务院关于同意某某高新技术产业开发区升级为国家高新技术产业开发区的批复 |
| 发文字号： | 国函〔2019〕99号 | 发布日期： | 2019年3月5日 |
| 主 题 词： | 开发区 创新 |

国务院关于同意某某高新技术产业开发区升级为国家高新技术产业开发区的批复

国函〔2019〕99号

某某省人民政府、科技部：

你们关于某某高新技术产业开发区升级为国家高新技术产业开发区的请示收悉。现批复如下：

一、同意某某高新技术产业开发区升级为国家高新技术产业开发区，定名为某某高新技术产业开发区。

二、某某高新技术产业开发区要以深化体制机制改革和营造良好创新创业生态为抓手，加快发展战略性新兴产业。

国务院

2019年3月1日
"""


def test_a_metadata_table_copied_between_pipes_is_page_chrome_and_read():
    # a browser or Markdown copy of a gov.cn page gives its metadata table as "| label： | value |" rows
    doc = parse_text(PIPE_COPY)
    assert doc.meta.title == "国务院关于同意某某高新技术产业开发区升级为国家高新技术产业开发区的批复"
    assert (doc.meta.doc_number, doc.meta.issuer, doc.meta.date) == ("国函〔2019〕99号", "国务院", "2019-03-01")
    text = "\n".join(c.text for c in doc.chunks)
    assert "索 引 号" not in text and "主题分类" not in text
    # a table of data between pipes is not chrome
    assert chrome_row("| 序号 | 指标 | 要求 |") is None


# a provincial site's table as a stored copy gives it: " | " between cells, no outer pipes, empty cells
# as "||", labels spaced out and a half-width colon, a date with its time
PROVINCE_PIPES = """索 引 号: | 002482040/2012-00123 | 分 类: | 政府文件 批复 |
发 布 机 构: | 浙江省人民政府 | 发 文 日 期: | 2012-05-20 00:00:00 |
标 题: | 浙江省人民政府关于同意设立某某省级高新技术产业园区的批复 | 主 题 词: | 园区 批复 |
文 号: | 浙政函〔2012〕88号 | ||
内 容 概 述: | 关于同意设立某某省级高新技术产业园区的批复 | ||
时 效: |
浙政函〔2012〕88号
浙江省人民政府关于同意设立某某省级
高新技术产业园区的批复
某某市人民政府:
你市《关于设立某某省级高新技术产业园区的请示》悉。经研究,批复如下:
一、同意设立某某省级高新技术产业园区,规划面积10平方公里。
二、园区要着力集聚创新资源,加快发展高新技术产业。
浙江省人民政府
二○一二年五月二十日
"""


def test_a_provincial_metadata_table_between_pipes_names_the_document():
    doc = parse_text(PROVINCE_PIPES)
    assert (doc.meta.doc_number, doc.meta.issuer, doc.meta.date) == ("浙政函〔2012〕88号", "浙江省人民政府", "2012-05-20")
    assert doc.meta.title == "浙江省人民政府关于同意设立某某省级高新技术产业园区的批复"
    text = "\n".join(c.text for c in doc.chunks)
    assert "内 容 概 述" not in text and "时 效" not in text and "|" not in text
    assert "规划面积10平方公里" in text
    assert text_coverage(PROVINCE_PIPES, [doc]).lost == []


# a county-level city's 信息公开 page as a browser copy gives it: the metadata table as a list, each label
# over its value, the title printed twice around a spaced 发布日期 line and a font widget without buttons
LISTED_METADATA = """  • 索引号:
  • 11330000MB0000000X/2023-00001
  • 组配分类:
  • 科技信息服务
  • 发布机构:
  • 某某市科学技术局
  • 成文日期:
  • 2023-02-10
  • 公开方式:
  • 主动公开

科技创新券兑付申报指南

发布日期: 2023- 02- 10 09 : 30 浏览次数: 字体:[ ]

科技创新券兑付申报指南

(一)兑付对象:在本市注册的科技型中小企业。

(二)兑付标准:按服务合同金额的50%兑付,每家企业每年最高不超过10万元。
"""


def test_a_metadata_table_copied_as_a_list_is_page_chrome_and_read():
    doc = parse_text(LISTED_METADATA)
    assert doc.meta.title == "科技创新券兑付申报指南"
    assert (doc.meta.issuer, doc.meta.date) == ("某某市科学技术局", "2023-02-10")
    text = "\n".join(c.text for c in doc.chunks)
    assert "索引号" not in text and "主动公开" not in text and "浏览次数" not in text
    assert "最高不超过10万元" in text
    assert text_coverage(LISTED_METADATA, [doc]).lost == []


def test_a_reprint_pages_heading_gives_way_to_the_printed_title_and_number_under_it():
    # a reprint site heads the page with the title and its own decoration (a gazette issue); the document
    # follows as printed: its title broken over two lines, then its 文号
    doc = parse_text("# 国务院办公厅关于示范省示范经济技术开发区的复函(2001年7号)\n\n国务院办公厅关于示范省\n"
                     "示范经济技术开发区的复函\n国办函〔2001〕9号\n示范省人民政府:\n"
                     "你省请示收悉。现函复如下:\n一、同意示范经济技术开发区为国家级经济技术开发区。\n"
                     "国务院办公厅\n二○○一年三月五日\n", markup=True)
    meta = doc.meta
    assert (meta.title, meta.doc_number) == ("国务院办公厅关于示范省示范经济技术开发区的复函", "国办函〔2001〕9号")
    assert (meta.issuer, meta.date) == ("国务院办公厅", "2001-03-05")
    text = "".join(c.text for c in doc.chunks)
    assert "(2001年7号)" in text  # the page's decoration is said nowhere else: it stays text
    assert "示范经济技术开发区的复函国办函" not in text.replace("\n", "")  # the printed masthead is not body


def test_a_page_whose_body_does_not_repeat_its_heading_keeps_the_heading_as_title():
    doc = parse_text("# 示范市园区奖励申报指南\n\n国办函〔2001〕9号文件的要求如下。\n一、奖励对象\n园区企业。\n", markup=True)
    assert (doc.meta.title, doc.meta.doc_number) == ("示范市园区奖励申报指南", None)


@pytest.mark.parametrize(("title", "place"), [
    ("东莞市企业研究开发财政补助", "东莞市"),
    ("苏州市科技服务机构奖励专题申报指南", "苏州市"),
])
def test_an_unsigned_page_on_a_citys_own_programme_is_that_citys(title, place):
    # no issuer is printed, but a title opening with the city and no 关于 names the city's own programme
    meta = parse_text(f"{title}\n\n一、申报条件\n在本市注册的企业。\n二、补助标准\n每家不超过50万元。\n").meta
    assert meta.issuer is None
    assert meta.jurisdiction is not None and (meta.jurisdiction.level, meta.jurisdiction.place) == ("city", place)


ORDER_PAGE = """{masthead}

《示范园区项目管理条例》已经2019年3月1日国务院第9次常务会议通过，现予公布，自2019年6月1日起施行。

总理　某某

2019年3月20日

示范园区项目管理条例

（2012年5月4日中华人民共和国国务院令第620号发布{gap}2019年3月1日国务院第9次常务会议修订通过）

第一条　为了规范园区项目管理，制定本条例。
第二条　本条例自2019年6月1日起施行。
"""


@pytest.mark.parametrize("masthead", ["中华人民共和国国务院令\n\n第901号", "中华人民共和国国务院令第901号"])
@pytest.mark.parametrize("gap", ["\u3000", " "])  # a web page's text may collapse the wide space to one
def test_a_regulation_printed_under_its_order_is_named_titled_and_dated_by_it(masthead, gap):
    # gov.cn prints a 行政法规 under the order publishing it: the masthead is no title, the order's
    # day dates the text as published, and its own title and records follow the order's signature
    doc = parse_text(ORDER_PAGE.format(masthead=masthead, gap=gap))
    meta = doc.meta
    assert (meta.title, meta.doc_number, meta.issuer) == ("示范园区项目管理条例", "中华人民共和国国务院令第901号", "国务院")
    assert (meta.date, meta.effective_date) == ("2019-03-20", "2019-06-01")
    assert meta.history == ["2012年5月4日中华人民共和国国务院令第620号发布", "2019年3月1日国务院第9次常务会议修订通过"]
    opening = doc.chunks[0]
    assert opening.section == "" and "现予公布" in opening.text and "2019年3月20日" in opening.text
    assert doc.chunks[1].section == "第一条"


def test_a_title_ending_in_ling_without_an_order_number_is_still_a_title():
    doc = parse_text("示范园区禁止令\n\n第一条　为了规范园区管理，制定本令。\n第二条　本令自2019年6月1日起施行。\n")
    assert doc.meta.title == "示范园区禁止令" and doc.meta.doc_number is None


def test_a_notice_copied_without_its_title_line_is_named_by_the_number_it_prints(tmp_path):
    source = tmp_path / "page-copy.txt"
    source.write_text("示科〔2024〕12号\n各区科技局,各有关单位:\n现将2024年度示范孵化器认定工作通知如下:\n"
                      "一、申报条件\n运营时间须满1年。\n示范市科学技术局\n2024年5月10日\n", encoding="utf-8")
    meta = parse_file(source).meta
    assert (meta.title, meta.doc, meta.issuer) == ("示科〔2024〕12号", "示科〔2024〕12号", "示范市科学技术局")


def test_a_long_page_title_and_the_bare_day_under_it_are_read(tmp_path):
    # a 转发 notice's heading runs past 50 characters; the page prints its day without a label, beside chrome
    title = "关于转发《示范省科学技术厅示范省财政厅关于开展2023年度示范省中央引导地方科技发展资金项目申报工作的通知》的通知"
    source = tmp_path / "page.html"
    source.write_text("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title></head><body>"
                      "<p>当前位置:首页 &gt; 示范科技 &gt; 通知公告</p>"
                      f"<h1>{title}</h1><p>2023-01-17   来源:[科技局]   字号: | |</p>"
                      "<p>各县(市)区科技局:</p><p>一、网上申报项目截止时间为2023年2月26日。</p></body></html>",
                      encoding="utf-8")
    doc = parse_file(source)
    assert (doc.meta.title, doc.meta.date) == (title, "2023-01-17")
    text = "".join(c.text for c in doc.chunks)
    assert "字号" not in text and "网上申报项目截止时间为2023年2月26日" in text
    assert text_coverage(load_file(source).text, [doc]).lost == []  # the day is read, not lost


def test_in_force_from_its_publication_is_the_day_it_was_published_not_revised():
    text = ("# 示范管理条例\n\n1999年4月3日 中华人民共和国国务院令第900号发布\n\n"
            "2002年3月24日 《国务院关于修改〈示范管理条例〉的决定》修订\n\n"
            "第一条 为了加强示范管理，制定本条例。\n\n第二条 本条例自发布之日起施行。\n")
    meta = parse_text(text, source="示范管理条例.md", markup=True).meta
    assert (meta.date, meta.effective_date) == ("2002-03-24", "1999-04-03")
