"""Pinyin names in English questions are read back to the corpus's characters (retrieval/romanized.py)."""

from __future__ import annotations

import pytest

from retrieval.embedding import FakeEmbedder
from retrieval.models import Chunk, DocumentMeta
from retrieval.romanized import RomanizedNames
from retrieval.search import Searcher
from retrieval.search_config import SearchConfig
from retrieval.tokenize import get_tokenizer

TEXTS = [
    "第二条 雄安新区重点承接北京非首都功能疏解，建设雄安新区创新中心。",
    "第三条 郑州、洛阳、新乡国家高新技术产业开发区是自主创新示范区的核心区，郑州片区先行先试。",
    "第四条 漕河泾开发区实行统一规划，漕河泾开发区管理委员会负责日常管理。洛阳、新乡两地协同。",
    "第五条 对无偿实施转化的成果，单位可以无偿实施并给予奖励。",  # 无偿实 reads "wuchangshi" across two words
    "第六条 西安高新区与西安市人民政府共同制定规划。",
]


@pytest.fixture(scope="module")
def names() -> RomanizedNames:
    return RomanizedNames(TEXTS, get_tokenizer().words, known_english=["guiding"])


@pytest.mark.parametrize(("question", "expected"), [
    ("Which functions is Xiongan supposed to take in?", ["雄安"]),
    ("What does the Xiong'an plan say?", ["雄安"]),
    ("In the Zhengzhou-Luoyang-Xinxiang innovation zone, who plans?", ["郑州", "洛阳", "新乡"]),
    ("Who manages the Caohejing zone?", ["漕河泾"]),
    ("rules of the caohejing zone", ["漕河泾"]),  # three syllables: a name even when not capitalised
    ("Xi'an high-tech zone", ["西安"]),
])
def test_a_name_spelled_in_pinyin_is_read_back_to_the_corpus_words(names, question, expected) -> None:
    assert names.names(question) == expected


@pytest.mark.parametrize("question", [
    "Wuchangshi zone rules",  # only a run across two words (无偿|实施) reads so: not a name
    "Guiding rules for zones",  # an English word of the glossary, though it reads 规定
    "what about xiongan",  # two syllables, not capitalised: could be any word
    "Pudong New Area",  # a name the corpus never uses
])
def test_words_that_only_happen_to_read_as_pinyin_are_not_names(names, question) -> None:
    assert names.names(question) == []


def test_an_english_question_naming_a_zone_in_pinyin_finds_its_passage() -> None:
    docs = [DocumentMeta(doc=f"d{i}", title=f"文件{i}", date="2020-01-01") for i in range(len(TEXTS))]
    chunks = [Chunk(chunk_id=f"c{i}", doc=f"d{i}", title=f"文件{i}", section="一", position=i, text=t)
              for i, t in enumerate(TEXTS)]
    embedder = FakeEmbedder(dim=64)
    vectors = embedder.embed_passages(TEXTS)

    def searcher(on: bool) -> Searcher:
        return Searcher.from_vectors(chunks, docs, vectors, embedder.embed_query,
                                     SearchConfig.load(romanized_names=on))

    question = "Who is in charge of day-to-day management in Caohejing?"
    found = searcher(True).run(question, k=1)
    assert "漕河泾" in found.query.expansions and found.hits[0].chunk_id == "c2"
    assert "漕河泾" not in searcher(False).run(question, k=1).query.expansions
