"""ParkBot's retrieval library: parse Chinese policy documents, chunk, index and search them.

Parsing entry points (no index needed)::

    from retrieval import parse_file, load_corpus
    doc = parse_file("data/corpus/003_aceb60dd589429a8.txt")   # -> ParsedDocument
    docs, failures = load_corpus("data/corpus")                # bad files are reported, not raised
"""

from retrieval.corpus import load_corpus, parse_file, parse_file_documents, parse_files
from retrieval.loaders import LoadFailure, load_file
from retrieval.models import Chunk, DocumentMeta, Hit, ParsedDocument, Section
from retrieval.parsing import parse_documents, parse_text

__all__ = [
    "parse_documents",
    "parse_file",
    "parse_file_documents",
    "parse_files",
    "load_corpus",
    "load_file",
    "parse_text",
    "LoadFailure",
    "Chunk",
    "DocumentMeta",
    "Hit",
    "ParsedDocument",
    "Section",
]
