"""Keyword tokenizer shared by the BM25 index and the query side.

`tokenize(text) -> list[str]` is the one function the keyword index and the searcher must
both use, so a document and a question about it are cut the same way. It wraps its own
`jieba.Tokenizer` instance (never jieba's global one) loaded with the domain dictionary in
`config/retrieval/dictionary.txt`, folds width and case (NFKC + lower), and drops
punctuation, whitespace and the stopwords in `config/retrieval/stopwords.txt`.

Choices made by measurement on tests/eval/dev_qa.jsonl (benchmarks/retrieval_quality.py):
jieba's search mode (a long dictionary word also yields its known 2- and 3-character parts;
default mode lost 0.05 keyword recall@5), HMM off (new-word guessing cuts a question and the
clause it asks about differently: −0.02), and character bigrams of every Han run added as extra
tokens prefixed "§" (they catch words jieba cuts differently on the two sides: +0.02 hybrid
recall@5, +0.016 MRR@10). Single characters are kept (dropping them did not help).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import jieba
from pydantic import BaseModel, ConfigDict

# jieba logs its dictionary loading at DEBUG straight to stderr; our own log line says it once.
jieba.setLogLevel(logging.WARNING)
logger = logging.getLogger(__name__)

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config" / "retrieval"
DEFAULT_DICTIONARY = CONFIG_DIR / "dictionary.txt"
DEFAULT_STOPWORDS = CONFIG_DIR / "stopwords.txt"

# A token is kept only if it contains a letter, digit or Han character.
_WORDLIKE = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


class TokenizerConfig(BaseModel):
    """How text is cut into keyword tokens. Changing it requires rebuilding the keyword index."""

    model_config = ConfigDict(frozen=True)

    dictionary: Path | None = DEFAULT_DICTIONARY
    stopwords: Path | None = DEFAULT_STOPWORDS
    mode: Literal["search", "default"] = "search"
    hmm: bool = False
    bigrams: bool = True
    single_chars: bool = True


def read_word_list(path: Path | None) -> list[str]:
    """Lines of a word-list file, without comments (#) and blank lines; first field only kept."""
    if path is None:
        return []
    words = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    return words


def fold(text: str) -> str:
    """Width and case folding used on both sides: full-width → half-width, upper → lower."""
    return unicodedata.normalize("NFKC", text).lower()


class Tokenizer:
    """A jieba tokenizer with the domain dictionary; call it on text to get keyword tokens."""

    def __init__(self, config: TokenizerConfig | None = None) -> None:
        self.config = config or TokenizerConfig()
        self._jieba = jieba.Tokenizer()
        for line in read_word_list(self.config.dictionary):
            parts = line.split()
            word = fold(parts[0])
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            self._jieba.add_word(word, freq)
        self.stopwords = frozenset(fold(w) for w in read_word_list(self.config.stopwords))
        self.dictionary_size = len(read_word_list(self.config.dictionary))

    def __call__(self, text: str) -> list[str]:
        return self.tokenize(text)

    def tokenize(self, text: str) -> list[str]:
        text = fold(text)
        cut = self._jieba.cut_for_search if self.config.mode == "search" else self._jieba.cut
        tokens = [t for t in (s.strip() for s in cut(text, HMM=self.config.hmm)) if self._keep(t)]
        if self.config.bigrams:
            tokens.extend(_han_bigrams(text))
        return tokens

    def words(self, text: str) -> list[str]:
        """The text cut into words, every character kept (jieba's accurate mode, no stopwords dropped)."""
        return list(self._jieba.cut(text, HMM=self.config.hmm))

    def _keep(self, token: str) -> bool:
        if not token or token in self.stopwords or not _WORDLIKE.search(token):
            return False
        if not self.config.single_chars and len(token) == 1 and _HAN.fullmatch(token):
            return False
        return True


def _han_bigrams(text: str) -> Iterable[str]:
    for run in _HAN.findall(text):
        for i in range(len(run) - 1):
            yield "§" + run[i : i + 2]


@functools.lru_cache(maxsize=8)
def get_tokenizer(config: TokenizerConfig | None = None) -> Tokenizer:
    """The tokenizer for a config, built once per process on first use (not at import)."""
    tokenizer = Tokenizer(config)
    logger.info("tokenizer ready: %d dictionary entries, %d stopwords",
                tokenizer.dictionary_size, len(tokenizer.stopwords))
    return tokenizer


def tokenize(text: str) -> list[str]:
    """Keyword tokens of `text` with the default configuration (index and query side alike)."""
    return get_tokenizer().tokenize(text)
