"""Uploads are judged by their bytes, not their names; the upload form is read without extra packages."""

from __future__ import annotations

import pytest

from bot.documents.errors import BadUpload, FileTypeMismatch
from bot.documents.multipart import parse_form
from bot.documents.sniff import suffix_for
from retrieval.errors import CorruptDocument, UndecodableText, UnsupportedFileType
from tests.documents.kit import docx_bytes, pdf_bytes


@pytest.mark.parametrize(("name", "data", "suffix"), [
    ("方案.docx", docx_bytes(), ".docx"),
    ("方案", docx_bytes(), ".docx"),           # no extension: the bytes decide
    ("通知.pdf", pdf_bytes(), ".pdf"),
    ("通知.md", "# 通知\n正文".encode(), ".md"),
    ("通知", "<!doctype html><html><body><p>正文</p></body></html>".encode(), ".html"),
    ("通知", "一、总则\n正文".encode("gb18030"), ".txt"),
])
def test_documents_are_recognised_by_content(name: str, data: bytes, suffix: str) -> None:
    assert suffix_for(name, data) == suffix


@pytest.mark.parametrize(("name", "data", "error", "words"), [
    ("通知.pdf", docx_bytes(), FileTypeMismatch, "content is a DOCX"),
    ("通知.txt", pdf_bytes(), FileTypeMismatch, "content is a PDF"),
    ("通知.txt", b"\x7fELF\x02\x01" + b"\x00" * 50, FileTypeMismatch, "a program"),
    ("照片", b"\xff\xd8\xff\xe0" + b"\x00" * 50, UnsupportedFileType, "JPEG"),
    ("通知.docx", "纯文本".encode(), CorruptDocument, "not a zip"),
    ("通知.pdf", "纯文本".encode(), CorruptDocument, "no %PDF header"),
    ("通知.wps", b"\xd0\xcf\x11\xe0", UnsupportedFileType, "save it as .docx"),
    ("通知.txt", b"\x81\x30\xff\xfe\xfd" * 40 + b"\x80", UndecodableText, "neither UTF-8 nor GB18030"),
])
def test_other_content_is_refused_with_the_reason(name: str, data: bytes, error: type, words: str) -> None:
    with pytest.raises(error) as caught:
        suffix_for(name, data)
    assert words in str(caught.value)


def test_the_upload_form_is_read_with_chinese_names_and_binary_bytes() -> None:
    payload = bytes(range(256)) * 3 + b"\r\n--not-the-boundary\r\n"
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\xe9\x80\x9a\xe7\x9f\xa5.pdf\"\r\n"
            b"Content-Type: application/pdf\r\n\r\n" + payload + b"\r\n--XyZ\r\n"
            b"Content-Disposition: form-data; name=\"supersedes\"\r\n\r\n\xe5\x9b\xbd\xe5\x8f\x91\r\n--XyZ--\r\n")
    fields, files = parse_form(body, "multipart/form-data; boundary=XyZ")
    assert files == {"file": ("通知.pdf", payload)} and fields == {"supersedes": "国发"}
    with pytest.raises(BadUpload):
        parse_form(body, "application/json")
