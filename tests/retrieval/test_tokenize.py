import jieba

from retrieval.tokenize import Tokenizer, TokenizerConfig, tokenize


def test_domain_terms_stay_whole():
    tokens = tokenize("瞪羚企业入驻孵化器和加速器")
    assert {"瞪羚企业", "孵化器", "加速器"} <= set(tokens)


def test_indicator_name_is_one_token_and_still_yields_its_parts():
    tokens = tokenize("服务收入占营业收入比例是多少")
    assert "服务收入占营业收入比例" in tokens
    assert "营业" in tokens and "收入" in tokens


def test_punctuation_whitespace_and_stopwords_are_dropped():
    tokens = tokenize("外籍专家63岁了，还能办工作许可吗？")
    assert not {"，", "？", "了", "吗", " ", "还"} & set(tokens)
    assert {"外籍", "63", "工作许可"} <= set(tokens)


def test_full_width_and_case_fold_like_half_width():
    assert tokenize("ＲＤ投入 ２０２０年") == tokenize("rd投入 2020年")


def test_question_and_clause_share_words():
    clause = set(tokenize("申请工作许可的年龄可放宽至65岁"))
    question = set(tokenize("外籍专家63岁了还能办工作许可吗"))
    assert "工作许可" in clause & question


def test_character_bigrams_can_be_switched_off():
    with_bigrams = Tokenizer(TokenizerConfig(bigrams=True)).tokenize("质押融资")
    without = Tokenizer(TokenizerConfig(bigrams=False)).tokenize("质押融资")
    assert "§押融" in with_bigrams
    assert not any(t.startswith("§") for t in without)


def test_own_dictionary_does_not_leak_into_global_jieba(tmp_path):
    words = tmp_path / "dict.txt"
    words.write_text("# test words\n园区卡口词\n", encoding="utf-8")
    ours = Tokenizer(TokenizerConfig(dictionary=words, bigrams=False))
    assert "园区卡口词" in ours.tokenize("园区卡口词")
    assert "园区卡口词" not in jieba.lcut("园区卡口词")
