"""Documents made by the tests: a DOCX (python-docx, heading styles) and a PDF (reportlab, STSong-Light)."""

from __future__ import annotations

import io
from typing import Any

from bot.documents.config import DocumentSettings
from bot.settings import Settings

GREEN_TITLE = "国家高新区绿色发展行动方案"
GREEN_NO = "国科发火〔2024〕8号"
GREEN = [
    ("title", GREEN_TITLE), ("p", GREEN_NO), ("h1", "一、总体要求"),
    ("p", "园区单位工业增加值综合能耗应逐年下降，到2025年累计下降百分之十五。"),
    ("h2", "（一）推进清洁能源替代"),
    ("p", "鼓励园区企业建设分布式光伏，新建厂房屋顶光伏覆盖率不低于百分之五十。"),
    ("h1", "二、保障措施"), ("p", "各园区管委会应当每年报送绿色发展监测数据。"),
    ("p", "科学技术部"), ("p", "2024年5月6日"),
]
DATA_TITLE = "国家高新区数据要素流通试点通知"
DATA_NO = "国科发区〔2024〕21号"
DATA = [
    DATA_TITLE, DATA_NO, "一、试点任务",
    "支持园区建设数据交易服务平台，培育数据经纪人等新型市场主体，试点期限为三年。",
    "二、组织实施", "试点园区应当建立数据安全审查机制，每季度开展一次风险评估。",
    "科学技术部", "2024年9月1日",
]
TALENT_OLD = ("科学技术部关于外籍人才工作许可的通知\n国科发外〔2019〕12号\n一、放宽条件\n"
              "对外籍高层次人才，工作许可的年龄上限可放宽至60岁，居留许可有效期最长为两年。\n"
              "科学技术部\n2019年3月1日\n")
TALENT_NEW = ("科学技术部关于外籍人才工作许可的通知（修订）\n国科发外〔2023〕5号\n一、放宽条件\n"
              "对外籍高层次人才，工作许可的年龄上限可放宽至65岁，居留许可有效期最长为五年。\n"
              "科学技术部\n2023年3月1日\n")
TALENT_QUESTION = "外籍高层次人才工作许可的年龄上限可以放宽到多少岁？"


def docx_bytes(blocks: list[tuple[str, str]] = GREEN) -> bytes:
    import docx

    document = docx.Document()
    for kind, text in blocks:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind.startswith("h"):
            document.add_heading(text, level=int(kind[1]))
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(lines: list[str] = DATA) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        page.drawString(40, y, line)
        y -= 22
    page.save()
    return out.getvalue()


class DocSettings(Settings):
    """Settings with the [documents] group (until bot/settings.py carries it)."""

    documents: DocumentSettings = DocumentSettings()


def make_settings(tmp_path: Any) -> DocSettings:
    return DocSettings(
        embedding={"backend": "fake"},
        paths={"index_dir": str(tmp_path / "index"), "corpus_dir": str(tmp_path / "corpus")},
        store={"url": f"sqlite:///{tmp_path}/store.db"},
        documents={"uploads_dir": str(tmp_path / "uploads"), "max_upload_bytes": 2_000_000},
    )
