"""Chunking: section boundaries, sentence ends, sizes, overlap and stable ids."""

from __future__ import annotations

from retrieval import parse_text
from retrieval.chunking import ChunkingConfig, chunk_id, split_text

SENTENCE = "国家高新区要加大基础和应用研究投入，加强关键共性技术联合攻关和产业化应用{n}。"


def _long(n: int) -> str:
    return "".join(SENTENCE.format(n=i) for i in range(n))


def test_long_section_splits_at_sentence_ends_with_small_overlap():
    text = _long(20)  # ~700 characters
    pieces = split_text(text)
    assert len(pieces) >= 2
    for k, (piece, overlap) in enumerate(pieces):
        assert 150 <= len(piece) - overlap <= 400
        assert piece.endswith("。")
        if k == 0:
            assert overlap == 0
        else:
            assert 0 < overlap <= 60
            assert pieces[k - 1][0].endswith(piece[:overlap])  # the overlap repeats the previous tail
    rebuilt = pieces[0][0] + "".join(p[o:] for p, o in pieces[1:])
    assert rebuilt == text  # nothing lost, nothing added


def test_a_sentence_longer_than_the_limit_is_cut_at_clauses():
    sentence = "，".join(f"第{i}项支持政策适用于园区内注册的科技型中小企业" for i in range(30)) + "。"
    pieces = split_text(sentence, ChunkingConfig(max_chars=200, target_chars=150, overlap_chars=30))
    assert len(pieces) > 2
    assert all(len(p) - o <= 200 for p, o in pieces)
    assert all(p.endswith(("，", "。")) for p, _ in pieces)


def test_short_sections_stay_whole_and_keep_their_heading():
    doc = parse_text("示范办法\n\n一、总则\n（一）目的。\n为规范管理，制定本办法。\n（二）范围。\n适用于示范园区。\n")
    assert [(c.section, c.section_title, c.text) for c in doc.chunks] == [
        ("一、（一）", "目的", "为规范管理，制定本办法。"),
        ("一、（二）", "范围", "适用于示范园区。"),
    ]


def test_chunks_never_span_two_sections():
    body = _long(8)
    doc = parse_text(f"示范办法\n\n一、总则\n{body}\n二、附则\n{body.replace('国家', '省级')}\n")
    for c in doc.chunks:
        assert ("国家" in c.text) != ("省级" in c.text)
        assert c.section == ("一" if "国家" in c.text else "二")
    assert [c.position for c in doc.chunks] == list(range(len(doc.chunks)))


def test_chunk_ids_follow_content():
    a = parse_text("示范办法\n\n一、总则\n为规范管理，制定本办法。\n")
    b = parse_text("示范办法\n\n一、总则\n为规范管理，制定本办法。\n")
    c = parse_text("示范办法\n\n一、总则\n为规范管理，特制定本办法。\n")
    assert a.chunks[0].chunk_id == b.chunks[0].chunk_id != c.chunks[0].chunk_id
    assert a.chunks[0].chunk_id == chunk_id("示范办法", "一", "为规范管理，制定本办法。")
    assert len(a.chunks[0].chunk_id) == 16


def test_chunk_carries_document_metadata():
    doc = parse_text("国务院关于示范的意见\n国发〔2020〕99号\n\n一、总则\n为规范管理，制定本办法。\n国务院\n2020年7月1日\n")
    (c, closing) = doc.chunks
    assert (c.doc, c.title, c.issuer, c.date, c.section, c.kind) == (
        "国发〔2020〕99号", "国务院关于示范的意见", "国务院", "2020-07-01", "一", "text")
    assert closing.section == "" and "2020年7月1日" in closing.text
