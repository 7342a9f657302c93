import pytest

from retrieval.normalize import QueryNormalizer, normalize_doc_number


@pytest.fixture(scope="module")
def normalizer():
    return QueryNormalizer()


def test_traditional_chinese_becomes_simplified(normalizer):
    assert normalizer("外籍專家能辦工作許可嗎").text == "外籍专家能办工作许可吗"


@pytest.mark.parametrize("typed", ["国发[2020]7号", "国发【2020】7号", "国发(2020)7号", "国发［２０２０］７ 号",
                                   "国发〔2020〕7号"])
def test_doc_number_brackets_are_unified(normalizer, typed):
    result = normalizer(f"{typed}第二十一条怎么说")
    assert "国发〔2020〕7号" in result.text
    assert result.doc_numbers == ["国发〔2020〕7号"]


def test_doc_number_helper_keeps_surrounding_text():
    assert normalize_doc_number("见国科发火[2011]259号文") == "见国科发火〔2011〕259号文"


def test_full_width_letters_digits_and_spaces_are_folded(normalizer):
    assert normalizer("ＡＢＣ　１２３").text == "abc 123"


def test_abbreviation_expands_but_keeps_the_original_word(normalizer):
    result = normalizer("高企出口额占比要求")
    assert "高新技术企业" in result.expansions
    assert result.expanded.startswith("高企出口额占比要求")


def test_colloquial_paraphrase_maps_to_the_documents_wording(normalizer):
    assert "知识产权质押融资" in normalizer("企业能用专利做抵押贷款吗").expansions
    assert "外籍人才" in normalizer("老外在园区工作能办几年居留").expansions


def test_no_expansion_when_the_documents_wording_is_already_there(normalizer):
    assert normalizer("高新技术企业和高企是一回事吗").expansions.count("高新技术企业") == 0


def test_english_variants_match_whole_words_only(normalizer):
    assert "工作许可" in normalizer("Can a foreign expert get a work permit?").expansions
    assert "知识产权" not in normalizer("a zip file").expansions


def test_custom_table():
    normalizer = QueryNormalizer({"科技型中小企业": ["科小"]})
    assert normalizer("科小入库").expansions == ["科技型中小企业"]


def test_the_glossary_covers_employment_notices(normalizer) -> None:
    nq = normalizer("How long can unemployed young people stay in a job internship?")
    assert {"见习", "失业"} <= set(nq.expansions)


def test_the_glossary_covers_leave_rules(normalizer) -> None:
    assert "年休假" in normalizer("员工的年假没休完怎么补").expansions  # the colloquial 年假
    assert "年休假" in normalizer("Do employees get extra days of annual leave?").expansions


def test_the_glossary_covers_fee_rules(normalizer) -> None:
    assert {"申请费", "减缴"} <= set(normalizer("Can the application fee be cut under the fee reduction rules?").expansions)


def test_the_glossary_covers_quality_rules(normalizer) -> None:
    nq = normalizer("When must a factory send the regulator its self-inspection report on the quality management system?")
    assert {"自查报告", "质量管理体系"} <= set(nq.expansions)


def test_the_glossary_covers_requests_for_more_documents(normalizer) -> None:
    assert "补充资料" in normalizer("How long do we have to hand in the additional documents the reviewers asked for?").expansions
    assert "补充资料" in normalizer("审评要我们补充材料，多久内交").expansions


def test_the_glossary_covers_probation_and_written_notice(normalizer) -> None:
    nq = normalizer("How many days' notice must she give on probation, and does it have to be in writing?")
    assert {"试用期", "书面形式"} <= set(nq.expansions)


def test_the_glossary_covers_work_injury_insurance(normalizer) -> None:
    nq = normalizer("What late charge is added to the work injury insurance premiums an employer owes?")
    assert {"工伤保险", "滞纳金", "保险费"} <= set(nq.expansions)
