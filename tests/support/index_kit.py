"""Small builders for index tests: parsed documents made in code, a config on a temp dir."""

from __future__ import annotations

import hashlib
from pathlib import Path

from retrieval.config import EmbeddingConfig, RetrievalConfig
from retrieval.models import Chunk, DocumentMeta, ParsedDocument


def make_doc(doc: str, texts: list[str], *, title: str | None = None, source: str | None = None,
             status: str = "in_force", date: str | None = "2020-07-13") -> ParsedDocument:
    """A parsed document whose chunk i is texts[i] under section （i+1）, ids derived from content."""
    title = title or f"{doc}的标题"
    meta = DocumentMeta(doc=doc, title=title, doc_number=doc, issuer="国务院", date=date,
                        status=status, source=source or f"{doc}.txt")  # type: ignore[arg-type]
    chunks = []
    for i, text in enumerate(texts):
        digest = hashlib.sha256(f"{doc}|{i}|{text}".encode()).hexdigest()[:16]
        chunks.append(Chunk(chunk_id=f"{digest}", doc=doc, title=title, issuer="国务院", date=date,
                            section=f"（{i + 1}）", section_title=f"第{i + 1}条", position=i, text=text))
    return ParsedDocument(meta=meta, chunks=chunks)


def fake_config(index_dir: Path, **overrides: object) -> RetrievalConfig:
    """An index under `index_dir` embedded with the deterministic fake embedder."""
    return RetrievalConfig(index_dir=index_dir, embedding=EmbeddingConfig(backend="fake"), **overrides)  # type: ignore[arg-type]


POLICY_A = [
    "支持国家高新区开展知识产权质押融资，鼓励银行为科技型中小企业提供信贷支持。",
    "对符合条件的外籍高层次人才，工作许可年龄可放宽至65岁，居留许可有效期最长为5年。",
    "建立国家高新区动态管理机制，对发展质量不高的园区给予警告并限期整改，整改不到位的撤销资格。",
]
POLICY_B = [
    "国家高新区评价指标体系包括创新能力和创业活跃度、结构优化和产业价值链、绿色发展和宜居包容性、开放创新和国际竞争力四项一级指标。",
    "创新型科技园区目标要求：服务收入占营业收入比例达到35%。",
]
