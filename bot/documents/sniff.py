"""What an upload really is, judged by its bytes (magic numbers, ZIP members, a text decode).

    suffix_for(filename, data) -> ".pdf" | ".docx" | ".html" | ".md" | ".txt"

The result is the suffix the file is stored and parsed under. A name whose extension is not a
supported one is refused with the same error as ``parkbot ingest``; a supported extension that
contradicts the content (a ZIP named .pdf, a PNG named .txt) is refused as a mismatch; a file
without an extension is taken for what its bytes are.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from bot.documents.errors import FileTypeMismatch
from retrieval.errors import CorruptDocument, EmptyDocument, UnsupportedFileType
from retrieval.loaders import SUPPORTED_SUFFIXES, decode_text

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm"}
_OLD = {".doc": "save it as .docx or PDF", ".wps": "save it as .docx or PDF", ".rtf": "save it as .docx"}
_BINARY = [  # (magic, what) for a helpful refusal
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"\x7fELF", "a program (ELF)"), (b"MZ", "a Windows program"), (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"), (b"%!PS", "a PostScript file"),
]
_HTML = re.compile(rb"<\s*(!doctype\s+html|html|head|body|p|div|h[1-6]|table)[\s>]", re.I)


def content_kind(data: bytes) -> str:
    """pdf | docx | ole | zip | text, or a phrase naming another binary format."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "zip"
        return "docx" if "word/document.xml" in names else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    for magic, what in _BINARY:
        if data.startswith(magic):
            return what
    sample = data[:8192]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary data"
    return "text"


def suffix_for(filename: str, data: bytes) -> str:
    declared = Path(filename).suffix.lower()
    if declared in _OLD:
        raise UnsupportedFileType(filename, f"old binary format '{declared}'", _OLD[declared])
    if declared and declared not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileType(filename, f"unknown file type '{declared}'")
    if not data.strip():
        raise EmptyDocument(filename, "the file is empty")
    kind = content_kind(data)
    if kind == "ole":
        raise UnsupportedFileType(filename, "old binary Word/WPS format (.doc)", "save it as .docx or PDF")
    if kind == "zip":
        if declared == ".docx":
            raise CorruptDocument(filename, "not a readable .docx file (a ZIP without word/document.xml)")
        raise UnsupportedFileType(filename, "the content is a ZIP archive, not a document", "upload the files inside it")
    if kind in ("pdf", "docx"):
        if declared and declared != f".{kind}":
            raise FileTypeMismatch(f"{filename}: the name says '{declared}' but the content is a "
                                   f"{kind.upper()} file; rename it to .{kind} or upload the right file")
        return f".{kind}"
    if kind != "text":
        if declared:
            raise FileTypeMismatch(f"{filename}: the name says '{declared}' but the content is {kind}; "
                                   "upload the document itself (TXT, Markdown, HTML, DOCX or PDF)")
        raise UnsupportedFileType(filename, f"the content is {kind}, not a document")
    if declared in (".pdf", ".docx"):
        if declared == ".pdf":
            raise CorruptDocument(filename, "not a PDF file (no %PDF header)")
        raise CorruptDocument(filename, "not a .docx file (not a zip container)")
    decode_text(data, filename)  # UndecodableText, like `parkbot ingest`
    if declared in TEXT_SUFFIXES:
        return declared
    return ".html" if _HTML.search(data[:4096]) else ".txt"
