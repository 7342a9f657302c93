"""The real test corpus (tests/corpora/real): every document named as labelled, and the
staff-style questions on it well formed (evidence verbatim in its document's passages)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.corpus import document_files, parse_file_documents
from retrieval.evaluation import normalize_text

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
LABELS = [json.loads(line) for line in (CORPORA / "metadata.jsonl").read_text(encoding="utf-8").splitlines()]
QUESTIONS = [json.loads(line) for line in (CORPORA / "questions.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def parsed():
    return {f.name: parse_file_documents(f) for f in document_files(CORPORA / "real")}


def test_every_file_is_labelled_and_every_label_parsed(parsed):
    assert len(parsed) >= 10
    assert {label["file"] for label in LABELS} == set(parsed)
    # a held-out document whose name the parser misreads is expected under the misread name, until fixed
    labelled = [KNOWN_HELD_OUT_DOC_MISREADS.get(label["file"], label["doc"]) for label in LABELS]
    assert sorted(labelled) == sorted(d.meta.doc for docs in parsed.values() for d in docs), (
        "if a misread in KNOWN_HELD_OUT_DOC_MISREADS is now read right, drop it there")


# Held-out documents whose metadata the parser misreads: not fixed on purpose (fixing the parser
# on a held-out file would tune on it); the lead decides. strict, so a fix shows up as XPASS.
# (h07's jurisdiction, once listed here, is read since local regulations take the place their title
# opens with: a general rule, tested on made-up titles in test_parser.py. h16's and h17's issuer, once
# listed, are read since a congress record glued to its date is read with the date blanked — found by
# rendering the tune file t02 as HTML, which gave the same misread. h14's, h27's and h30's records, once
# listed, are read since records a PDF glues together, a record line cut after "根据" and a last record
# printing no 令 are read as such — found on the tune file t33, which has all three.)
KNOWN_HELD_OUT_MISREADS: dict[str, str] = {
    "h12_广州市青年创新创业促进条例.md": (
        "a city regulation adopted by the city congress (2022-11-25) and approved by the province "
        "(2023-01-09): the label dates it by the approval, its last record; the parser takes the adoption"
    ),
    "h21_宁波大榭开发区条例.docx": (
        "'本条例自公布之日起施行' with six record lines (1994 adoption and approval, two amendments each adopted "
        "and approved): the 条例 came into force on its 1994 publication, a day the text does not print, so the "
        "label leaves the effective date empty; the parser takes the last record (2013-05-29, the second "
        "amendment's approval)"
    ),
    "h22_广东省2017年企业研发省级财政补助申报通知.txt": (
        "a reprint whose only date is the site's '发布时间：2016-07-08 14:50:33', which cannot be the notice's own "
        "(it asks for 2016 annual tax returns and opens a 2017-07-10 window); the text prints no date or "
        "signature, so the label leaves the date empty; the parser takes the posting time"
    ),
    "h28_软件企业认定条件及程序.txt": (
        "a reprint printing no issuer: the label takes the four organs its 第二十五条 names as interpreters "
        "('本办法由工业和信息化部会同国家发展和改革委员会、财政部、国家税务总局负责解释'), as t15's is taken; the "
        "parser keeps the connective ('工业和信息化部会同国家发展和改革委员会、…') as part of the issuer"
    ),
    "h34_市场监督管理投诉举报处理暂行办法.pdf": (
        "a 部门规章 published by 国家市场监督管理总局令第20号 (2019) and amended in 2022 by a 决定 whose number its "
        "record does not print: the label names it by its title with no 文号 and two records; the parser reads one "
        "record and names it by the 2019 order"
    ),
    "h26_闽政文2006-354.txt": (
        "a web reprint that opens with the site's metadata block ('发文单位:福建省人民政府', '文 号:…', '发布日期:', "
        "'执行日期:2006-8-9') and prints no title: the label gives the 批复's title and takes 执行日期 as its "
        "effective date; the parser takes the block's first line as title and reads no effective date"
    ),
}

# Held-out files whose document the parser names otherwise than the label (file → the parsed name): their
# questions cannot find the labelled document, so they are xfail (strict) too.
KNOWN_HELD_OUT_DOC_MISREADS: dict[str, str] = {
    "h34_市场监督管理投诉举报处理暂行办法.pdf": "国家市场监督管理总局令第20号",
}


def _label_params():
    for lab in LABELS:
        reason = KNOWN_HELD_OUT_MISREADS.get(lab["file"])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(lab, id=f"{lab['file']}:{lab['doc']}", marks=marks)


@pytest.mark.parametrize("label", list(_label_params()))
def test_metadata_is_read_from_the_text(parsed, label):
    (doc,) = [d for d in parsed[label["file"]] if d.meta.doc == label["doc"]]
    meta = doc.meta
    got = {"title": meta.title, "doc_number": meta.doc_number, "issuer": meta.issuer, "date": meta.date,
           "effective_date": meta.effective_date,
           "jurisdiction": meta.jurisdiction.model_dump() if meta.jurisdiction else None,
           "history": len(meta.history)}
    assert got == {k: label[k] for k in got}


def test_forwarding_notices_are_linked_to_what_they_forward(parsed):
    for name in ("t04_国办发1996-32.html", "h06_国办发1996-2.html"):
        notice, forwarded = parsed[name]
        assert [(r.relation, r.doc) for r in notice.meta.related] == [("forwards", forwarded.meta.doc)]
        assert [(r.relation, r.doc) for r in forwarded.meta.related] == [("forwarded_by", notice.meta.doc)]
        assert notice.meta.date > forwarded.meta.date  # the notice came after what it forwards
        notice_text = "".join(c.text for c in notice.chunks)
        assert "转发给你们" in notice_text
        assert forwarded.chunks[-1].text[-30:] not in notice_text  # the forwarded text is not the notice's


def test_law_articles_keep_their_numbers_beyond_one_hundred(parsed):
    (law,) = parsed["h01_科学技术进步法.md"]
    sections = {c.section for c in law.chunks}
    assert {"第一百零一条", "第一百一十七条"} <= sections
    assert not any(s.startswith("第十章") for s in sections)  # articles are cited by their own number
    (last,) = [c for c in law.chunks if c.section == "第一百一十七条"]
    assert last.text == "第一百一十七条 本法自2022年1月1日起施行。"


def test_web_page_chrome_is_not_text(parsed):
    for name in ("t06_国办发2018-126.txt", "h03_国办发2018-127.txt", "t03_国函2018-145.html"):
        (doc,) = parsed[name]
        text = "".join(c.text for c in doc.chunks)
        assert "扫一扫" not in text and "索引号" not in text.replace(" ", "") and "主题分类" not in text
        assert "发布日期" not in doc.meta.title


def _question_params():
    misread = {lab["doc"]: lab["file"] for lab in LABELS if lab["file"] in KNOWN_HELD_OUT_DOC_MISREADS}
    for case in QUESTIONS:
        files = [misread[e["doc"]] for e in case["expected"] if e["doc"] in misread]
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_HELD_OUT_MISREADS[files[0]])] if files else []
        yield pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", list(_question_params()))
def test_questions_point_at_real_passages(parsed, case):
    docs = {d.meta.doc: d for found in parsed.values() for d in found}
    assert case["split"] in ("tune", "heldout") and case["category"]
    assert case["answerable"] == bool(case["expected"])
    files = {label["doc"]: label["file"] for label in LABELS}
    for expected in case["expected"]:
        doc = docs[expected["doc"]]
        assert 0 < len(expected["evidence"]) <= 40
        assert any(normalize_text(expected["evidence"]) in normalize_text(c.text) for c in doc.chunks)
        if case["split"] == "heldout":
            assert files[expected["doc"]].startswith("h")


def test_the_held_out_set_is_big_enough():
    held = [q for q in QUESTIONS if q["split"] == "heldout"]
    assert len(held) >= 15 and sum(not q["answerable"] for q in held) >= 3
