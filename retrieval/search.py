"""Hybrid search: `Searcher.search(query, k, filters) -> list[Hit]`.

    question ─ normalise (width, t2s, 文号, synonyms) ─┬─ embed ─ dense top-N ─┐
                                                      └─ tokenize ─ BM25 top-N ┴─ fuse (+ 文号 /
    title / phrase boosts, top-rank protection) ─ [rerank] ─ shape (dedupe, context) ─ hits

Build a `Searcher` once (it loads the tokenizer, OpenCC and the synonym table) from the index
(`Searcher.from_index`) or from chunks and their vectors (`Searcher.from_vectors`), then call
`search` / `run` (hits plus the coverage signal) from any thread.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from retrieval.bridge import EnglishBridge, dictionary_lines
from retrieval.coverage import Coverage, assess, keyword_lead, keyword_match
from retrieval.docrefs import TitleMatcher, doc_number_refs, doc_number_spans, unknown_doc_refs
from retrieval.errors import BadQuery, UnknownDocument
from retrieval.fusion import Fused, fuse
from retrieval.models import Chunk, DocumentMeta, Hit, short_place
from retrieval.normalize import (
    NormalizedQuery,
    QueryNormalizer,
    detect_language,
    load_synonyms,
    normalize_doc_number,
)
from retrieval.rerank import Reranker, build_reranker
from retrieval.romanized import RomanizedNames
from retrieval.search_config import SearchConfig
from retrieval.shaping import Shaper
from retrieval.signals import DenseSignal, IndexDenseSignal, KeywordSignal, Signal
from retrieval.tokenize import Tokenizer, fold, get_tokenizer, read_word_list
from retrieval.versions import prefer_in_force, with_versions

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
_LATIN_WORD = re.compile(r"[A-Za-z]{4}")
Mode = Literal["hybrid", "dense", "keyword"]
QueryEmbedder = Callable[[str], np.ndarray]


class SearchFilters(BaseModel):
    doc: str | None = None  # 文号 (any bracket style) or title of one document
    in_force_only: bool = False
    # national | province | city, or a place name (广东省, 广东, 青岛市): documents of that jurisdiction
    jurisdiction: str | None = None


def _in_jurisdiction(meta: DocumentMeta, wanted: str) -> bool:
    """A level (national, province, city) or a place name, with or without 省/市 (广东, 广东省)."""
    j = meta.jurisdiction
    if j is None:
        return False
    if wanted in ("national", "province", "city"):
        return j.level == wanted
    return j.place == wanted or short_place(j.place) == short_place(wanted) or (
        wanted in ("全国", "国家") and j.level == "national")


class SearchResult(BaseModel):
    query: NormalizedQuery
    hits: list[Hit]
    coverage: Coverage
    named_docs: list[str] = []  # documents the question names (文号, "7号文", title words), whatever the filters
    named_spans: list[str] = []  # the parts of the (normalised) question that name them
    unknown_refs: list[str] = []  # documents it names by a number no document has ("国发〔2015〕32号", "8号文")
    timings_ms: dict[str, float] = {}


class Searcher:
    def __init__(
        self,
        chunks: Sequence[Chunk],
        documents: Sequence[DocumentMeta] | Mapping[str, DocumentMeta],
        *,
        dense: Signal,
        keyword: KeywordSignal,
        embed_query: QueryEmbedder,
        config: SearchConfig | None = None,
        tokenizer: Tokenizer | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        self.config = config or SearchConfig.load()
        self.chunks = list(chunks)
        docs = documents.values() if isinstance(documents, Mapping) else documents
        self.documents = {d.doc: d for d in docs}
        self.dense, self.keyword, self.embed_query = dense, keyword, embed_query
        self.tokenizer = tokenizer or get_tokenizer(self.config.tokenizer)
        self.normalizer = QueryNormalizer(load_synonyms(self.config.synonyms))
        self.reranker = reranker if reranker is not None else build_reranker(self.config.rerank)
        self.shaper = Shaper(self.chunks, self.documents, self.config.shaping)
        rows_of: dict[str, list[int]] = {}
        for row, chunk in enumerate(self.chunks):
            rows_of.setdefault(chunk.doc, []).append(row)
        self._doc_rows = {d: np.asarray(r, dtype=np.int64) for d, r in rows_of.items()}
        self._folded = [fold(c.text) for c in self.chunks]
        self._phrases = sorted(
            {fold(w.split()[0]) for w in read_word_list(self.config.tokenizer.dictionary)
             if len(w.split()[0]) >= self.config.fusion.phrase_min_chars},
            key=len, reverse=True,
        )
        self._title_refs = TitleMatcher(self.documents, self.tokenizer, self._docs_using)
        self._token_cache: dict[int, set[str]] = {}

    # construction ------------------------------------------------------------------------
    @classmethod
    def from_vectors(
        cls,
        chunks: Sequence[Chunk],
        documents: Sequence[DocumentMeta] | Mapping[str, DocumentMeta],
        vectors: np.ndarray,
        embed_query: QueryEmbedder,
        config: SearchConfig | None = None,
        keyword: KeywordSignal | None = None,
        **kwargs: Any,
    ) -> Searcher:
        """In-memory signals: exact cosine over `vectors` (row-aligned) and BM25 over the chunks."""
        config = config or SearchConfig.load()
        tokenizer = get_tokenizer(config.tokenizer)
        if keyword is None:
            keyword = KeywordSignal.from_tokens([tokenizer(c.text) for c in chunks],
                                                config.keyword.k1, config.keyword.b)
        return cls(chunks, documents, dense=DenseSignal(vectors), keyword=keyword,
                   embed_query=embed_query, config=config, tokenizer=tokenizer, **kwargs)

    @classmethod
    def from_index(cls, index: Any, config: SearchConfig | None = None, **kwargs: Any) -> Searcher:
        """Over an opened `retrieval.index.Index`: its chunks, Chroma vectors and BM25 index."""
        chunks = list(index.chunks.values())
        ids = [c.chunk_id for c in chunks]
        config = config or SearchConfig.load()
        embedder = getattr(getattr(index, "embedder", None), "name", None)
        coverage = config.coverage.for_embedder(embedder)
        if coverage is not config.coverage:
            logger.warning("the coverage signal's dense floors were calibrated for %s, this index is embedded with %s: "
                           "the score decides until benchmarks/refusal_calibration.py is run for it",
                           config.coverage.floor_embedder, embedder)
            config = config.model_copy(update={"coverage": coverage})
        tokenizer = index.tokenizer if isinstance(index.tokenizer, Tokenizer) else None
        bm25 = getattr(index.keyword_index, "_bm25", None)
        if (getattr(bm25, "k1", None), getattr(bm25, "b", None)) == (config.keyword.k1, config.keyword.b):
            keyword = KeywordSignal.from_keyword_index(index.keyword_index, ids)
        else:  # the persisted index was built with other BM25 parameters: rebuild it in memory
            logger.info("keyword index built with other BM25 parameters; rebuilding with k1=%s b=%s",
                        config.keyword.k1, config.keyword.b)
            cut = tokenizer or get_tokenizer(config.tokenizer)
            template = getattr(getattr(index, "config", None), "keyword_template", "{text}")
            keyword = KeywordSignal.from_tokens(
                [cut(template.format(title=c.title, section=c.section, section_title=c.section_title,
                                     doc=c.doc, text=c.text)) for c in chunks],
                config.keyword.k1, config.keyword.b)
        dense: Signal = IndexDenseSignal(index, ids, [c.doc for c in chunks])
        if config.dense_in_memory and hasattr(index, "vectors"):
            dense = DenseSignal(index.vectors())  # rows follow index.chunks, as ours do
        return cls(
            chunks, index.documents, dense=dense,
            keyword=keyword, embed_query=index.embed_query, config=config, tokenizer=tokenizer, **kwargs,
        )

    # public API --------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: SearchFilters | Mapping[str, Any] | None = None
               ) -> list[Hit]:
        return self.run(query, k, filters).hits

    def run(self, query: str, k: int | None = None, filters: SearchFilters | Mapping[str, Any] | None = None,
            mode: Mode = "hybrid") -> SearchResult:
        """Hits plus the coverage signal (and per-stage timings) for one question.

        `mode` "dense" or "keyword" ranks by that signal alone (for evaluation side by side).
        """
        k = self.config.k_default if k is None else k
        self._validate(query, k)
        filters = SearchFilters.model_validate(filters or {})
        allowed = self._allowed(filters)
        t0 = time.perf_counter()
        nq = self._bridged(self._with_names(self.normalizer(query)))
        tokens = self.tokenizer(nq.expanded)
        t1 = time.perf_counter()
        vector = self.embed_query(nq.glossed)  # the dense signal and its calibrated floors: the bridge's words left out
        t2 = time.perf_counter()
        n = self.config.fusion.candidates
        dense = self.dense.search(vector, n, allowed)
        keyword = self.keyword.search(tokens, n, allowed)
        named = self.named_documents(nq.expanded)
        spans = self.reference_spans(nq.text) if named else []
        if mode == "hybrid":
            fused = fuse(dense, keyword, self.config.fusion, self._boosts(nq, dense, keyword))
        else:
            fused = [Fused(row=r, score=s, sources=[mode]) for r, s in (dense if mode == "dense" else keyword)]
        t3 = time.perf_counter()
        if self.reranker is not None and mode == "hybrid":
            fused = self._rerank(nq.text, fused)
        fused = prefer_in_force(fused, self.chunks, self.documents)  # in-force documents rank first
        t4 = time.perf_counter()
        hits = with_versions(self.shaper.shape(((f.row, f.score) for f in fused), k), self.documents)
        coverage = self._coverage(tokens, dense, keyword, fused, english=detect_language(nq.text) == "en") \
            if not nq.bridged else self._unbridged_coverage(nq, dense, allowed)
        t5 = time.perf_counter()
        timings = {"normalize": t1 - t0, "embed": t2 - t1, "retrieve": t3 - t2, "rerank": t4 - t3,
                   "shape": t5 - t4}
        logger.debug("search %r: %d hits, coverage %.3f", query[:40], len(hits), coverage.score)
        return SearchResult(query=nq, hits=hits, coverage=coverage, named_docs=sorted(named), named_spans=spans,
                            unknown_refs=unknown_doc_refs(fold(nq.text), self.documents),
                            timings_ms={s: round(v * 1000, 2) for s, v in timings.items()})

    def section(self, doc: str, section: str) -> list[Hit]:
        """Every passage of one section of a document, in reading order (a table's rows, complete).

        `doc` as for the `doc` filter (文号, id or title); `section` the heading path as printed
        (`附1 二`). An unknown document raises `UnknownDocument`; an unknown section gives [].
        """
        doc_id = self.resolve_doc(doc)
        rows = sorted((int(r) for r in self._doc_rows.get(doc_id, []) if self.chunks[int(r)].section == section),
                      key=lambda r: self.chunks[r].position)
        return with_versions([self.shaper.hit(r, 1.0) for r in rows], self.documents)

    def named_documents(self, query: str) -> set[str]:
        """The documents a (normalised) question names: its 文号 in full or as "N号文", or words of a title."""
        text = fold(query)
        return doc_number_refs(text, self.documents) | self._title_refs(text)

    def reference_spans(self, query: str) -> list[str]:
        """The parts of a (normalised) question that name documents, longest first."""
        text = fold(query)
        by_number = doc_number_refs(text, self.documents)
        spans = set(doc_number_spans(text, self.documents)) | set(self._title_refs.spans(text, by_number))
        return sorted(spans, key=len, reverse=True)

    def resolve_doc(self, doc: str) -> str:
        """The document id for a 文号 (any bracket style), a document id or a title."""
        if doc in self.documents:
            return doc
        wanted = fold(normalize_doc_number(fold(doc).strip()))
        for doc_id, meta in self.documents.items():
            names = {doc_id, meta.title, meta.doc_number or ""}
            if wanted in {fold(normalize_doc_number(fold(n))) for n in names if n}:
                return doc_id
        error = UnknownDocument(doc, known=sorted(self.documents))
        error.message = f"doc: {error.message}; pass a 文号 or a title from that list"
        raise error

    # stages --------------------------------------------------------------------------------
    def _docs_using(self, word: str) -> set[str]:
        """The documents a passage of which has the (tokenizer's) word, as the keyword index reads them."""
        return {self.chunks[int(r)].doc for r in np.flatnonzero(self.keyword.scores([word]) > 0)}

    def _with_names(self, nq: NormalizedQuery) -> NormalizedQuery:
        """The question with the corpus's own characters for the pinyin names it spells."""
        if not self.config.romanized_names or not _LATIN_WORD.search(nq.original):
            return nq
        new = [n for n in self._romanized.names(nq.original) if n not in nq.text and n not in nq.expansions]
        return nq.model_copy(update={"expansions": [*nq.expansions, *new]}) if new else nq

    def _unbridged_coverage(self, nq: NormalizedQuery, dense: list[tuple[int, float]],
                            allowed: np.ndarray | None) -> Coverage:
        """The coverage signal as if the question had no bridged words: the bridge helps find passages, and
        whether the corpus covers the question is judged as the signal was calibrated, without them."""
        plain = nq.model_copy(update={"bridged": []})
        tokens = self.tokenizer(plain.expanded)
        keyword = self.keyword.search(tokens, self.config.fusion.candidates, allowed)
        fused = prefer_in_force(fuse(dense, keyword, self.config.fusion, self._boosts(plain, dense, keyword)),
                                self.chunks, self.documents)
        return self._coverage(tokens, dense, keyword, fused, english=True)

    def _bridged(self, nq: NormalizedQuery) -> NormalizedQuery:
        """An English question with the corpus's Chinese words for its English ones (retrieval/bridge.py)."""
        if not self.config.english_bridge or detect_language(nq.text) != "en":
            return nq
        have = {*nq.expansions, nq.text}
        new = [w for w in self._bridge.terms(nq.original) if not any(w in h for h in have)]
        return nq.model_copy(update={"bridged": new}) if new else nq

    @cached_property
    def _bridge(self) -> EnglishBridge:
        idf = self.keyword.idf
        return EnglishBridge(dictionary_lines(), idf.__contains__, per_word=self.config.english_bridge,
                             rarity=lambda w: idf.get(w, 0.0))

    @cached_property
    def _romanized(self) -> RomanizedNames:
        english = {w for variants in load_synonyms(self.config.synonyms, sections=("english",)).values()
                   for v in variants for w in re.findall(r"[a-z]+", v.lower())}
        return RomanizedNames((c.text for c in self.chunks), self.tokenizer.words, known_english=english)

    def _validate(self, query: str, k: int) -> None:
        if not isinstance(query, str) or not query.strip():
            raise BadQuery("query: must be a non-empty question (got an empty string)")
        if len(query) > MAX_QUERY_CHARS:
            raise BadQuery(f"query: {len(query)} characters is too long (at most {MAX_QUERY_CHARS})")
        if not isinstance(k, int) or not 1 <= k <= self.config.k_max:
            raise BadQuery(f"k: {k!r} is out of range (expected an integer from 1 to {self.config.k_max})")

    def _allowed(self, filters: SearchFilters) -> np.ndarray | None:
        mask = None
        if filters.doc:
            mask = np.zeros(len(self.chunks), dtype=bool)
            mask[self._doc_rows.get(self.resolve_doc(filters.doc), [])] = True
        if filters.in_force_only:
            keep = np.array([self.documents.get(c.doc) is None or self.documents[c.doc].status == "in_force"
                             for c in self.chunks])
            mask = keep if mask is None else mask & keep
        if filters.jurisdiction:
            wanted = filters.jurisdiction.strip()
            docs = {d for d, meta in self.documents.items() if _in_jurisdiction(meta, wanted)}
            keep = np.array([c.doc in docs for c in self.chunks], dtype=bool)
            mask = keep if mask is None else mask & keep
        return mask

    def _boosts(self, nq: NormalizedQuery, dense: list[tuple[int, float]], keyword: list[tuple[int, float]]
                ) -> dict[int, float]:
        cfg = self.config.fusion
        text = fold(nq.expanded)
        boosts: dict[int, float] = {}
        numbered = doc_number_refs(text, self.documents) if cfg.doc_number_boost else set()
        titled = self._title_refs(text) if cfg.title_boost else set()
        for doc_id in numbered | titled:
            bonus = cfg.doc_number_boost * (doc_id in numbered) + cfg.title_boost * (doc_id in titled)
            if bonus:
                for row in self._doc_rows.get(doc_id, []):
                    boosts[int(row)] = boosts.get(int(row), 0.0) + bonus
        if cfg.phrase_boost:
            phrases = [p for p in self._phrases if p in text]
            if phrases:
                for row in {r for r, _ in dense} | {r for r, _ in keyword}:
                    if any(p in self._folded[row] for p in phrases):
                        boosts[row] = boosts.get(row, 0.0) + cfg.phrase_boost
        return boosts

    def _rerank(self, query: str, fused: list[Fused]) -> list[Fused]:
        assert self.reranker is not None
        cfg = self.config.rerank
        head, tail = fused[: cfg.top_n], fused[cfg.top_n :]
        scores = self.reranker.score(query, [self.chunks[f.row].text for f in head])
        lo, hi = min(scores, default=0.0), max(scores, default=0.0)
        top = max((f.score for f in head), default=1.0) or 1.0
        for f, s in zip(head, scores, strict=True):
            r = (s - lo) / (hi - lo) if hi > lo else 1.0
            f.score = top * (cfg.weight * r + (1 - cfg.weight) * f.score / top)
        head.sort(key=lambda f: -f.score)
        return head + tail

    def _coverage(self, tokens: list[str], dense: list[tuple[int, float]], keyword: list[tuple[int, float]],
                  fused: list[Fused], *, english: bool = False) -> Coverage:
        dense_top = dense[0][1] if dense else 0.0
        hit_tokens = [self._row_tokens(f.row) for f in fused[:3]]
        # a Latin word no document uses says the question is English, not that the corpus lacks its topic:
        # the keyword side is judged on the Chinese words the glossary gave it
        known = [t for t in tokens if t in self.keyword.idf or not _LATIN.fullmatch(t)]
        kw = keyword_match(known or tokens, hit_tokens, self.keyword.idf, self.keyword.unknown_idf)
        return assess(dense_top, kw, self.config.coverage, keyword_lead([s for _, s in keyword[:2]]), english=english)

    def _row_tokens(self, row: int) -> set[str]:
        tokens = self._token_cache.get(row)
        if tokens is None:
            if len(self._token_cache) > 20_000:
                self._token_cache.clear()
            tokens = self._token_cache[row] = set(self.tokenizer(self.chunks[row].text))
        return tokens


_LATIN = re.compile(r"[a-z0-9&'\-.]*[a-z][a-z0-9&'\-.]*")  # a word with a letter: not a year or a number


def open_searcher(config: Any = None, search_config: SearchConfig | None = None) -> Searcher:
    """Open the built index (`retrieval.config.RetrievalConfig`, default: var/index, bundled e5)
    and build a searcher over it with `search_config` (default: config/retrieval/search.toml)."""
    from retrieval.config import RetrievalConfig
    from retrieval.embedding import make_embedder
    from retrieval.index import Index

    config = config or RetrievalConfig()
    index = Index.open(config, make_embedder(config.embedding))
    return Searcher.from_index(index, search_config or SearchConfig.load())
