"""A langchain `BaseRetriever` around the hybrid searcher.

    retriever = ParkBotRetriever(searcher=searcher, k=5)
    docs = retriever.invoke("企业能用专利做抵押贷款吗")            # list[Document]
    docs = retriever.invoke("…", k=3, doc="国发〔2020〕7号")         # per-call k and 文号 filter

Each `Document` has the passage text as `page_content` (with the section context in front of a
very short passage) and the hit's fields (chunk_id, doc, title, section, date, issuer, status,
score) plus `covered` (the coverage signal of the question) as metadata. Passes langchain-tests'
`RetrieversIntegrationTests` (tests/retrieval/test_langchain_retriever.py).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from retrieval.models import Hit


class ParkBotRetriever(BaseRetriever):
    """Hybrid (dense + BM25) retrieval over the ParkBot policy index."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any = Field(description="A retrieval.search.Searcher")
    k: int = Field(5, ge=1, description="Number of documents to return")
    doc: str | None = Field(None, description="Only this document (文号 or title)")

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        doc = kwargs.get("doc", self.doc)
        result = self.searcher.run(query, k, {"doc": doc} if doc else None)
        return [to_document(hit, covered=result.coverage.covered) for hit in result.hits]


def to_document(hit: Hit, covered: bool = True) -> Document:
    text = f"{hit.context}\n{hit.text}" if hit.context else hit.text
    metadata = hit.model_dump(exclude={"text", "context"})
    metadata["covered"] = covered
    return Document(page_content=text, metadata=metadata, id=hit.chunk_id)
