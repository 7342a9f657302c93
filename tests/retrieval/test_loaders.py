"""Loaders: every supported format made here, read back, parsed; bad files give clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import load_corpus, load_file, parse_file
from retrieval.errors import CorruptDocument, DocumentError, EmptyDocument, UnsupportedFileType
from retrieval.loaders import load_files

TITLE = "关于印发高新区创新券管理办法的通知"
DOC_TITLE = "高新区创新券管理办法"  # a 印发 notice is filed under the document it issues
BODY = [
    "各国家高新技术产业开发区管委会：",
    "现将《高新区创新券管理办法》印发给你们，请认真贯彻执行。",
]
CLAUSE = "创新券额度不超过企业研发投入的百分之三十。"
LONG = ("创新券可用于购买研究开发、检验检测、技术转移和知识产权等科技服务，服务机构应当在园区备案，"
        "园区管委会按季度兑付，并对使用情况进行抽查和绩效评价。")


def _docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading(TITLE, level=1)
    d.add_paragraph("国科发火[2019]77号")
    for line in BODY:
        d.add_paragraph(line)
    d.add_paragraph("二〇一九年四月一日")
    d.add_heading("一、总体要求", level=2)
    d.add_paragraph(CLAUSE)
    d.add_paragraph("附1")
    d.add_paragraph("额度表")
    table = d.add_table(rows=3, cols=3)
    for r, cells in enumerate([("序号", "企业类型", "额度"), ("1", "小微企业", "30万"), ("2", "中型企业", "50万")]):
        for c, value in enumerate(cells):
            table.cell(r, c).text = value
    d.save(path)
    return path


def _pdf(path: Path) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    y = 800
    wrapped = [LONG[i : i + 30] for i in range(0, len(LONG), 30)]  # one paragraph, wrapped at 30
    for line in [TITLE, "国科发火〔2019〕78号", *BODY, "科学技术部", "2019年4月2日", "一、总体要求", CLAUSE,
                 "二、支持方式", *wrapped]:
        c.drawString(60, y, line)
        y -= 20
    c.save()
    return path


def test_docx_headings_table_and_bracket_variant(tmp_path):
    doc = parse_file(_docx(tmp_path / "notice.docx"))
    assert (doc.meta.doc, doc.meta.date, doc.meta.title) == ("国科发火〔2019〕77号", "2019-04-01", DOC_TITLE)
    (clause,) = [c for c in doc.chunks if CLAUSE in c.text]
    assert (clause.section, clause.section_title) == ("一", "总体要求")
    rows = [c.text for c in doc.chunks if c.kind == "table_row"]
    assert rows == ["额度表 序号1 企业类型 小微企业 额度 30万", "额度表 序号2 企业类型 中型企业 额度 50万"]
    assert {c.section for c in doc.chunks if c.kind == "table_row"} == {"附1"}


def test_pdf_with_cid_font_keeps_chinese_text(tmp_path):
    loaded = load_file(_pdf(tmp_path / "notice.pdf"))
    assert CLAUSE in loaded.text and TITLE in loaded.text
    doc = parse_file(tmp_path / "notice.pdf")
    assert (doc.meta.doc, doc.meta.issuer, doc.meta.date) == ("国科发火〔2019〕78号", "科学技术部", "2019-04-02")
    assert any(c.section == "一" and CLAUSE in c.text for c in doc.chunks)
    (support,) = [c for c in doc.chunks if c.section == "二"]
    assert support.text == LONG  # the wrapped lines are one paragraph again


def test_html_page_with_headings_and_table(tmp_path):
    html = f"""<html><head><meta charset="gbk"><title>ignored</title><script>var x = "一、假标题";</script></head>
    <body><nav>首页 | 政策</nav><h1>{TITLE}</h1><p>国科发火［2019］79号</p>
    {''.join(f'<p>{line}</p>' for line in BODY)}<p>科学技术部<br>2019年4月3日</p>
    <h2>一、总体要求</h2><p>{CLAUSE}</p>
    <p>附1</p><p>额度表</p><table><tr><th>序号</th><th>企业类型</th><th>额度</th></tr>
    <tr><td>1</td><td>小微企业</td><td>30万</td></tr></table></body></html>"""
    path = tmp_path / "notice.html"
    path.write_bytes(html.encode("gbk"))
    doc = parse_file(path)
    assert (doc.meta.doc, doc.meta.title, doc.meta.date) == ("国科发火〔2019〕79号", DOC_TITLE, "2019-04-03")
    text = "\n".join(c.text for c in doc.chunks)
    assert "假标题" not in text and "首页" not in text
    assert any(c.section == "一" and CLAUSE in c.text for c in doc.chunks)
    assert [c.text for c in doc.chunks if c.kind == "table_row"] == ["额度表 序号1 企业类型 小微企业 额度 30万"]


def test_html_article_number_keeps_its_space_while_line_joins_close(tmp_path):
    # a web page prints "第十一条 行政处罚决定…"; the space after the number is the page's own, the one in
    # "依法 变更" is a line join between two characters of one word
    html = """<html><body><h1>市场监督管理行政处罚信息公示规定</h1>
    <p>第十条 市场监督管理部门应当在二十个工作日内公示。</p>
    <p>第十一条 行政处罚决定被依法 变更、撤销的，应当在三个工作日内撤回公示信息。</p></body></html>"""
    path = tmp_path / "rules.html"
    path.write_text(html, encoding="utf-8")
    texts = [c.text for c in parse_file(path).chunks]
    assert any(t.startswith("第十一条 行政处罚决定被依法变更、撤销的") for t in texts), texts


def test_gbk_text_file_is_detected(tmp_path):
    path = tmp_path / "gbk.txt"
    content = "\n".join([TITLE, "国科发火〔2019〕80号", *BODY, "一、总体要求", CLAUSE])
    path.write_bytes(content.encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    loaded = load_file(path)
    assert loaded.encoding == "gb18030" and CLAUSE in loaded.text
    assert parse_file(path).meta.doc == "国科发火〔2019〕80号"


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff".encode() + f"{TITLE}\n{CLAUSE}\n".encode())
    loaded = load_file(path)
    assert loaded.text.startswith(TITLE)


def test_markdown_headings_become_sections(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(
        "# 高新区企业服务指南\n\n## 申报条件\n\n- 企业注册满一年。\n- **研发投入**占比不低于3%。\n\n"
        "## 一、办理流程\n\n| 步骤 | 内容 |\n|---|---|\n| 1 | 网上申报 |\n", encoding="utf-8")
    doc = parse_file(path)
    assert doc.meta.title == "高新区企业服务指南"
    assert [(s.path, s.heading) for s in doc.sections] == [("申报条件", "申报条件"), ("一", "一、办理流程")]
    (cond,) = [c for c in doc.chunks if "研发投入占比不低于3%" in c.text]
    assert (cond.section, cond.section_title) == ("申报条件", "申报条件")
    assert [c.text for c in doc.chunks if c.kind == "table_row"] == ["办理流程 步骤1 网上申报"]  # 内容 is a generic header


@pytest.mark.parametrize(
    "name, data, error, reason",
    [
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", CorruptDocument, "damaged PDF"),
        ("fake.pdf", b"hello, I am not a pdf", CorruptDocument, "no %PDF header"),
        ("broken.docx", b"PK\x03\x04 not really a zip", CorruptDocument, "not a readable .docx"),
        ("empty.txt", b"", EmptyDocument, "the file is empty"),
        ("blank.md", b"  \n\n ", EmptyDocument, "the file is empty"),
        ("table.xlsx", b"PK\x03\x04", UnsupportedFileType, "unknown file type '.xlsx'"),
        ("noext", "一、总则".encode(), UnsupportedFileType, "unknown file type '(no extension)'"),
        ("old.doc", b"\xd0\xcf\x11\xe0", UnsupportedFileType, "old binary format '.doc' (save it as .docx"),
    ],
)
def test_bad_files_give_clear_errors(tmp_path, name, data, error, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(error) as info:
        load_file(path)
    err = info.value
    assert isinstance(err, DocumentError) and err.path == str(path)
    assert str(err).startswith(f"{name}: ") and reason in str(err)
    assert err.code == error.code


def test_batch_keeps_going_past_bad_files(tmp_path):
    _docx(tmp_path / "a_good.docx")
    (tmp_path / "b_broken.pdf").write_bytes(b"%PDF-1.7 broken")
    (tmp_path / "c_empty.txt").write_bytes(b"")
    (tmp_path / "d_sheet.xlsx").write_bytes(b"PK")
    (tmp_path / "e_good.txt").write_text(f"{TITLE}\n国科发火〔2019〕81号\n{CLAUSE}\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# 说明\n不是政策文件", encoding="utf-8")
    (tmp_path / "e_good.txt.meta.toml").write_text('status = "expired"\n', encoding="utf-8")
    docs, failures = load_corpus(tmp_path)
    assert [d.meta.doc for d in docs] == ["国科发火〔2019〕77号", "国科发火〔2019〕81号"]
    assert docs[1].meta.status == "expired"
    assert [(Path(f.path).name, f.code) for f in failures] == [
        ("b_broken.pdf", "corrupt_document"), ("c_empty.txt", "empty_document"),
        ("d_sheet.xlsx", "unsupported_file_type")]
    assert all(f.message.startswith(Path(f.path).name) for f in failures)
    loaded, failed = load_files(sorted(tmp_path.iterdir()))
    assert len(loaded) == 3 and len(failed) == 4  # README.md loads; the sidecar is an unknown type
