"""English questions searched with the corpus's own Chinese words, through CC-CEDICT (retrieval/bridge.py)."""

from __future__ import annotations

from retrieval.bridge import EnglishBridge, dictionary_lines
from tests.retrieval.search_fixtures import build_searcher

LINES = [
    "補貼 补贴 [bu3 tie1] /to subsidize/subsidy/allowance/",
    "津貼 津贴 [jin1 tie1] /allowance/subsidy/benefit/bonus/extra pay/",
    "補助金 补助金 [bu3 zhu4 jin1] /subsidy/",  # a word the corpus does not use
    "年假 年假 [nian2 jia4] /annual leave/New Year holidays/",
    "休假 休假 [xiu1 jia4] /to take a vacation/to go on leave/leave/",
    "罰款 罚款 [fa2 kuan3] /to fine/penalty/fine (monetary)/",
    "路橋 路桥 [Lu4 qiao2] /Luqiao district of Taizhou city, Zhejiang/",
    "一年 一年 [yi1 nian2] /one year/",
]
CORPUS_WORDS = {"补贴", "津贴", "年假", "休假", "罚款", "路桥", "一年"}


def bridge(per_word: int = 2) -> EnglishBridge:
    return EnglishBridge(LINES, CORPUS_WORDS.__contains__, per_word=per_word)


def test_a_word_becomes_the_corpus_words_whose_sense_it_is() -> None:
    # 补贴 has fewer senses than 津贴: it comes first; 补助金 is not a word of the corpus
    assert bridge().terms("How much subsidy does a zone get?") == ["补贴", "津贴"]
    assert bridge(per_word=1).terms("What subsidies are there?") == ["补贴"]  # plural read as singular


def test_a_phrase_is_read_before_its_words_and_names_are_left_alone() -> None:
    assert bridge().terms("How many days of annual leave?") == ["年假"]  # not 休假 for "leave" alone
    assert bridge().terms("What fine applies in Zhejiang?") == ["罚款"]  # no 路桥 for the province's name
    assert bridge().terms("What is it for one year?") == []  # a run that starts with a stopword is no term


def test_the_shipped_dictionary_is_installed() -> None:
    lines = dictionary_lines()
    assert len(lines) > 100_000 and any(" 补贴 [" in line for line in lines)


def test_an_english_question_searches_with_bridged_words_the_coverage_signal_ignores() -> None:
    question = "Who gets a public commendation after the evaluation?"
    on, off = build_searcher().run(question, 3), build_searcher(english_bridge=0).run(question, 3)
    searcher = build_searcher()
    assert on.query.bridged and all(w in searcher.keyword.idf for w in on.query.bridged)
    assert off.query.bridged == [] and on.coverage == off.coverage  # calibrated without them
    assert searcher.run("高新区考核评价结果好的会怎样", 3).query.bridged == []  # Chinese is not bridged
