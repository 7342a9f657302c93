"""A small searcher over real passages of the shipped corpus, with the fake hashing embedder.

Used by the search, retriever and API tests: no model, no Chroma, built in well under a second.
"""

from __future__ import annotations

from retrieval.embedding import FakeEmbedder
from retrieval.models import Chunk, DocumentMeta
from retrieval.search import Searcher
from retrieval.search_config import SearchConfig

DOCS = [
    DocumentMeta(doc="国发〔2020〕7号", title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见",
                 doc_number="国发〔2020〕7号", issuer="国务院", date="2020-07-13"),
    DocumentMeta(doc="国科发火〔2013〕388号", title="国家高新技术产业开发区创新驱动战略提升行动实施方案",
                 doc_number="国科发火〔2013〕388号", issuer="科学技术部", date="2013-03-12"),
    DocumentMeta(doc="国科发火字〔2005〕16号", title="国家高新技术产业开发区技术创新纲要",
                 doc_number="国科发火字〔2005〕16号", issuer="科学技术部", date="2005-01-13"),
]

WORK_PERMIT = ("在国家高新区内企业工作的境外高端人才，经市级以上人民政府科技行政部门（外国人来华工作管理部门）批准，"
               "申请工作许可的年龄可放宽至65岁。")
IP_LOANS = "鼓励商业银行在国家高新区设立科技支行。支持金融机构在国家高新区开展知识产权投融资服务，支持开展知识产权质押融资。"
DYNAMIC = ("加强动态管理。对评价考核结果好的国家高新区予以通报表扬；对评价考核结果较差的国家高新区，"
           "通过约谈、通报等方式予以警告；对整改不力的予以撤销。")
LAND = "扩大国家高新区范围，符合条件的国家高新区可以申请扩大区域范围，鼓励以市场化方式盘活闲置土地。"
TABLE_HEAD = "一、世界一流高科技园区 目标要求：序号\t指标\t要求"
PATENT_ROW = "5\t万人年新增发明专利授权\t40"
INCUBATOR_ROW = "1.4 国家级孵化器数\t0.8\t统计"
RD_2005 = "高新技术企业用于研究开发的经费不能低于年产品销售额的5％，鼓励企业建立研发中心。"


def _chunk(n: int, doc: str, section: str, text: str, section_title: str = "", kind: str = "text") -> Chunk:
    meta = next(d for d in DOCS if d.doc == doc)
    return Chunk(chunk_id=f"c{n:02d}", doc=doc, title=meta.title, issuer=meta.issuer, date=meta.date,
                 section=section, section_title=section_title, position=n, kind=kind, text=text)  # type: ignore[arg-type]


CHUNKS = [
    _chunk(0, "国发〔2020〕7号", "二、（五）", WORK_PERMIT, "支持国家高新区面向全球招才引智"),
    _chunk(1, "国发〔2020〕7号", "六、（十七）", IP_LOANS, "加大金融支持"),
    _chunk(2, "国发〔2020〕7号", "七、（二十一）", DYNAMIC, "加强动态管理"),
    _chunk(3, "国发〔2020〕7号", "六、（十八）", LAND, "优化土地资源配置"),
    _chunk(4, "国科发火〔2013〕388号", "附1 一", TABLE_HEAD, "世界一流高科技园区", "table"),
    _chunk(5, "国科发火〔2013〕388号", "附1 一", PATENT_ROW, "世界一流高科技园区", "table_row"),
    _chunk(6, "国科发火〔2013〕388号", "附2", INCUBATOR_ROW, "国家高新区评价指标体系（修订版）", "table_row"),
    _chunk(7, "国科发火字〔2005〕16号", "五、(三)", RD_2005, "加大研发投入"),
    # the scraped 2005 page repeats whole paragraphs: the same clause again, one character apart
    _chunk(8, "国科发火字〔2005〕16号", "五、(三)", RD_2005.replace("，鼓励", "；鼓励"), "加大研发投入"),
]


def build_searcher(**config_overrides: object) -> Searcher:
    embedder = FakeEmbedder(dim=128)
    config = SearchConfig.load(**config_overrides)
    vectors = embedder.embed_passages([c.text for c in CHUNKS])
    return Searcher.from_vectors(CHUNKS, DOCS, vectors, embedder.embed_query, config)
