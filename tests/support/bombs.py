"""Decompression bombs built in a second: a .docx, an .xlsx and a PDF that inflate to any size.

A deflate stream of ``n`` MiB of a repeated unit (spaces, spreadsheet rows, PDF text operators) is
one compressed block of 1 MiB repeated: after a full flush the compressor starts from an empty
history, so every block's bytes are the same. The ZIP
is written by hand (``zipfile`` cannot store pre-compressed bytes), which also lets a test make
the directory lie about a member's size. Used by tests/retrieval/test_loader_bounds.py,
tests/scoring and benchmarks/hostile_uploads.py.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

MIB = 1 << 20
_SPACES = b" " * MIB
ROW = b'<row><c t="n"><v>1</v></c></row>'
TEXT_OP = b"BT /F1 12 Tf 72 720 Td (ParkBot) Tj ET\n"

CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOC_HEAD = (
    b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>"
)
DOC_TAIL = b"</w:t></w:r></w:p></w:body></w:document>"


def _unit_mib(unit: bytes) -> bytes:
    return (unit * (MIB // len(unit) + 1))[: MIB - MIB % len(unit)]


@lru_cache(maxsize=8)
def repeated_stream(mib: int, unit: bytes = b" ") -> tuple[bytes, int, int, int]:
    """(raw deflate bytes, crc32, adler32, size) of about ``mib`` MiB of ``unit`` repeated."""
    chunk = _unit_mib(unit)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc, adler = 0, 1
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
        adler = zlib.adler32(chunk, adler)
    return block * mib + b"\x03\x00", crc, adler, len(chunk) * mib


def _raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def zip_archive(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP of (name, raw deflate bytes, crc32, size declared in the directory) members."""
    out = bytearray()
    central = bytearray()
    for name, raw, crc, size in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(encoded), 0)
        out += encoded + raw
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                               len(encoded), 0, 0, 0, 0, 0, offset)
        central += encoded
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    return bytes(out)


def _member(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    return name, _raw(data), zlib.crc32(data), len(data)


def docx_bomb(mib: int, *, declared_mib: int | None = None) -> bytes:
    """A .docx whose document.xml inflates to about ``mib`` MiB (its directory may claim less)."""
    raw, crc, size = _wrapped(DOC_HEAD, mib, b" ", DOC_TAIL)
    declared = size if declared_mib is None else declared_mib * MIB
    return zip_archive([
        _member("[Content_Types].xml", CONTENT_TYPES),
        _member("_rels/.rels", RELS),
        ("word/document.xml", raw, crc, declared),
    ])


XLSX_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
XLSX_RELS = RELS.replace(b"word/document.xml", b"xl/workbook.xml")
WORKBOOK = (
    b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="parks" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<sheetData><row><c t="inlineStr"><is><t>park_id</t></is></c></row>')
SHEET_TAIL = b"</sheetData></worksheet>"


def _wrapped(head: bytes, mib: int, unit: bytes, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate bytes, crc32 and size of head + ``mib`` MiB of ``unit`` + tail."""
    raw_body, _, _, size = repeated_stream(mib, unit)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH) + raw_body[:-2]
    raw += compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    chunk = _unit_mib(unit)
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return raw, zlib.crc32(tail, crc), len(head) + size + len(tail)


def xlsx_bomb(mib: int) -> bytes:
    """A valid .xlsx whose one sheet inflates to about ``mib`` MiB of rows (30,000 rows per MiB)."""
    raw, crc, size = _wrapped(SHEET_HEAD, mib, ROW, SHEET_TAIL)
    return zip_archive([
        _member("[Content_Types].xml", XLSX_TYPES),
        _member("_rels/.rels", XLSX_RELS),
        _member("xl/workbook.xml", WORKBOOK),
        _member("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", raw, crc, size),
    ])


def pdf_bomb(mib: int, pages: int = 1, unit: bytes = TEXT_OP) -> bytes:
    """A PDF whose pages' content streams each inflate to ``mib`` MiB of ``unit`` (zlib format):
    by default text operators drawing with a standard font, so that text extraction walks them."""
    body, _, adler, _ = repeated_stream(mib, unit)
    stream = b"\x78\xda" + body + struct.pack(">I", adler)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
