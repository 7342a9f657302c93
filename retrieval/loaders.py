"""Files → plain text, one format per small function.

Every loader returns a `LoadedText`: the document's text with one paragraph per line, tables as
tab-separated rows (one row per line), and — for formats that mark headings (Markdown, HTML,
DOCX heading styles) — heading lines prefixed with ``#`` × level, which the parser honours
because ``LoadedText.markup`` is true. Plain .txt is never read as Markdown.

A file that cannot be read raises a `retrieval.errors.DocumentError` naming the file and the
reason; `load_files` keeps going past such files and reports them.

Hostile files are bounded before the parsers see them (`DocumentTooLarge`, 413 over HTTP):

* a .docx is a ZIP: its members may unpack to at most ``MAX_UNPACKED_BYTES`` together, and its
  XML parts (what lxml builds a tree of) to ``MAX_MARKUP_BYTES``. The sizes its directory
  declares are checked first (a 1 MB file that claims 1 GB costs nothing), then the members are
  inflated in 1 MiB steps and counted, so a directory that lies is caught before python-docx
  reads a member whole;
* a PDF's streams are decoded under pypdf limits: ``MAX_PDF_STREAM_BYTES`` per stream,
  ``MAX_PDF_PAGE_OPERANDS`` operators and operands per page (pypdf's parse of a page costs
  about 200 bytes each), and ``MAX_PDF_CONTENT_BYTES`` of page content for the whole document,
  checked by decoding every page (and dropping it) before any text is read, which bounds the
  parsing time; memory holds one page's decoded content at a time;
* any document may hold at most ``MAX_TEXT_CHARS`` characters of text (checked on the decoded
  text of TXT/Markdown/HTML before their markup is read, and while a PDF's pages are read).

A bomb therefore costs the memory of its packed bytes plus one bounded step, not what it
inflates to (``benchmarks/hostile_uploads.py`` prints the figures).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from retrieval.errors import (
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    UndecodableText,
    UnsupportedFileType,
)
from retrieval.parsing.headings import match_attachment, match_marker, numbered_heading

log = logging.getLogger(__name__)

MIB = 1 << 20
MAX_UNPACKED_BYTES = 64 * MIB  # all members of a .docx together
MAX_MARKUP_BYTES = 16 * MIB  # its XML parts together (parsed into an lxml tree)
MAX_PDF_STREAM_BYTES = 16 * MIB  # one decoded PDF stream
MAX_PDF_CONTENT_BYTES = 64 * MIB  # the decoded page content of a whole PDF (bounds the parsing time)
MAX_PDF_PAGE_OPERANDS = 100_000  # operators and operands in one content stream (a dense text page: ~20,000)
MAX_TEXT_CHARS = 3_000_000  # the text of one document (a 500-page policy compilation is ~1 M)
_STEP = MIB


class LoadedText(BaseModel):
    path: str
    kind: str  # txt | md | html | docx | pdf
    text: str
    encoding: str | None = None
    markup: bool = False  # lines "# …" are headings
    sha256: str


class LoadFailure(BaseModel):
    """One file that could not be read, for the batch report."""

    path: str
    code: str
    reason: str
    message: str

    @classmethod
    def from_error(cls, err: DocumentError) -> LoadFailure:
        return cls(path=err.path, code=err.code, reason=err.reason, message=err.message)


# ---------------------------------------------------------------- text decoding

_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]


def decode_text(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312),
    else whatever charset-normalizer is confident about. Returns (text, encoding)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _looks_like_text(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and _looks_like_text(str(best)):
        return str(best), best.encoding
    raise UndecodableText(path, "the bytes are neither UTF-8 nor GB18030/GBK text")


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\t\r\n\f") or c == "\ufffd")
    return bad / len(text) < 0.01


def check_text_size(path: str | Path, text: str) -> str:
    """``text`` if it is within ``MAX_TEXT_CHARS``, else refuse the document."""
    if len(text) > MAX_TEXT_CHARS:
        raise DocumentTooLarge(path, f"it holds {len(text):,} characters of text, more than the "
                                     f"{MAX_TEXT_CHARS:,}-character limit")
    return text


def _markup(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def check_zip_bounds(path: str | Path, data: bytes, what: str = ".docx file") -> None:
    """Refuse a ZIP container whose members unpack to more than the limits, before any parser
    reads it: first by the sizes its directory declares, then by inflating each member in
    bounded steps and counting what really comes out (a directory may lie)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise CorruptDocument(path, f"not a readable {what} ({exc})") from exc
    _within_limits(path, data, sum(i.file_size for i in infos),
                   sum(i.file_size for i in infos if _markup(i.filename)))
    total = markup = 0
    try:
        for info in infos:
            with archive.open(info) as member:
                while chunk := member.read(_STEP):
                    total += len(chunk)
                    markup += len(chunk) if _markup(info.filename) else 0
                    _within_limits(path, data, total, markup)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as exc:
        raise CorruptDocument(path, f"not a readable {what}: a part is damaged ({exc})") from exc
    except Exception as exc:  # zlib.error and friends on a forged stream
        raise CorruptDocument(path, f"not a readable {what}: a part is damaged ({type(exc).__name__})") from exc


def _within_limits(path: str | Path, data: bytes, total: int, markup: int) -> None:
    if total > MAX_UNPACKED_BYTES:
        raise DocumentTooLarge(path, f"its {len(data):,} bytes unpack to more than {MAX_UNPACKED_BYTES:,} bytes "
                                     f"(at least {total:,})")
    if markup > MAX_MARKUP_BYTES:
        raise DocumentTooLarge(path, f"its XML parts unpack to more than {MAX_MARKUP_BYTES:,} bytes "
                                     f"(at least {markup:,})")


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return text


# ---------------------------------------------------------------- one loader per format


def _load_txt(path: Path, data: bytes) -> tuple[str, str | None, bool]:
    text, enc = decode_text(data, path)
    return check_text_size(path, text), enc, False


def _load_md(path: Path, data: bytes) -> tuple[str, str | None, bool]:
    text, enc = decode_text(data, path)
    check_text_size(path, text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # HTML comments are not text
    lines = []
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if not in_fence:
            if re.fullmatch(r"\s*([-*_]\s*){3,}", line):  # horizontal rule
                continue
            if line.lstrip().startswith("|"):  # pipe table → tab-separated row
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                    continue
                line = "\t".join(cells)
            else:
                line = re.sub(r"^(\s*)[-*+]\s+", r"\1", line)  # bullet marks
                line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)  # bold
                line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links
        lines.append(line)
    return "\n".join(lines), enc, True


_BLOCK_TAGS = ["p", "div", "li", "br", "tr", "section", "article", "blockquote", "pre", "dd", "dt"]


def _load_html(path: Path, data: bytes) -> tuple[str, str | None, bool]:
    from bs4 import BeautifulSoup

    enc = None
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", data[:4096], re.I)
    if m:
        declared = m.group(1).decode("ascii", "ignore").lower()
        if declared in {"gbk", "gb2312", "gb18030"}:
            declared = "gb18030"
        try:
            html, enc = data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            html, enc = decode_text(data, path)
    else:
        html, enc = decode_text(data, path)
    soup = BeautifulSoup(check_text_size(path, html), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form", "iframe"]):
        tag.decompose()
    body = soup.body or soup
    for table in reversed(body.find_all("table")):  # innermost first
        if _is_layout_table(table):  # a page laid out with a table: its cells are text, not data
            for tag in table.find_all(["tr", "td", "th"]):
                tag.insert_before(soup.new_string("\n"))
                tag.insert_after(soup.new_string("\n"))
            table.replace_with(*table.contents) if table.contents else table.decompose()
            continue
        rows = []
        for tr in table.find_all("tr"):
            cells = [_inline(c.get_text(" ", strip=True)) for c in tr.find_all(["td", "th"])]
            rows.append("\t".join(cells))
        table.replace_with(soup.new_string("\n" + "\n".join(rows) + "\n"))
    for level in range(1, 7):
        for h in body.find_all(f"h{level}"):
            h.replace_with(soup.new_string("\n" + "#" * level + " " + _inline(h.get_text(" ", strip=True)) + "\n"))
    for br in body.find_all("br"):
        br.replace_with(soup.new_string("\n"))
    for tag in body.find_all(_BLOCK_TAGS):
        tag.insert_before(soup.new_string("\n"))
        tag.insert_after(soup.new_string("\n"))
    text = body.get_text()
    lines = [_inline(line) if "\t" not in line else line.strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    title = soup.title.get_text(strip=True) if soup.title else ""
    if title and not re.search(r"^#\s", text, re.M):
        text = f"# {title}\n{text}"
    return text, enc, True


def _is_layout_table(table: Any) -> bool:
    """A table that lays out a page rather than holding data: a cell holds a table (already
    turned into tab-separated rows), a long text, or several paragraphs of prose."""
    for cell in table.find_all(["td", "th"]):
        text = cell.get_text().strip()
        if "\t" in text or len(text) > 300 or cell.find("table"):
            return True
        if len(cell.find_all(["p", "div", "li"])) >= 3 and len(text) > 120:
            return True
    return False


def _inline(s: str) -> str:
    """Collapse runs of spaces; drop spaces between two CJK characters (HTML/PDF line joins), except
    the one after a line's article or chapter number ("第十一条 行政处罚决定…"), which the page prints."""
    s = re.sub(r"[ \t\u3000]+", " ", s).strip()
    keep = numbered_heading(s)
    return s[:keep] + re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])", "", s[keep:])


def _load_docx(path: Path, data: bytes) -> tuple[str, str | None, bool]:
    check_zip_bounds(path, data)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptDocument(path, f"not a readable .docx file ({exc.__class__.__name__})") from exc
    except Exception as exc:  # python-docx raises assorted lxml/opc errors on damaged files
        raise CorruptDocument(path, f"not a readable .docx file ({exc})") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            text = para.text.strip()
            style = (para.style.name if para.style is not None else "") or ""
            m = re.match(r"(?:Heading|标题)\s*(\d)", style)
            if text and (m or style == "Title"):
                level = int(m.group(1)) if m else 1
                lines.append("#" * level + " " + text)
            else:
                lines.append(text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = []
                for cell in row.cells:  # merged cells repeat: that fills rowspans for us
                    cells.append(_inline(cell.text.replace("\n", "")))
                lines.append("\t".join(cells))
            lines.append("")
    return "\n".join(lines), None, True


def _pdf_limits() -> Any:
    """pypdf's own decoding limits (a ``pypdf.Configuration``), tightened to ours."""
    from pypdf import get_configuration

    per_stream = {name: MAX_PDF_STREAM_BYTES for name in (
        "maximum_declared_stream_length", "array_based_stream_maximum_output_length", "jbig2_maximum_output_length",
        "lzw_maximum_output_length", "run_length_maximum_output_length", "zlib_maximum_output_length",
        "brotli_maximum_output_length", "image_maximum_buffer_size")}
    return get_configuration().with_overwrites(**per_stream, stream_decoding_work_maximum_length=2 * MAX_PDF_STREAM_BYTES,
                                               stream_parsing_work_maximum_count=MAX_PDF_PAGE_OPERANDS,
                                               xform_maximum_invocations_per_extraction=500)


def _pdf_pages(path: Path, reader: object) -> list[str]:
    """Each page's text. First the decoded size of all page content is checked (one page in memory
    at a time), then the text is read page by page, refused once it passes ``MAX_TEXT_CHARS``."""
    pages = reader.pages  # type: ignore[attr-defined]
    content = 0
    for number, page in enumerate(pages, 1):
        stream = page.get_contents()
        content += len(stream.get_data()) if stream is not None else 0
        _forget_decoded(page)
        if content > MAX_PDF_CONTENT_BYTES:
            raise DocumentTooLarge(path, f"its pages decode to more than {MAX_PDF_CONTENT_BYTES:,} bytes of content "
                                         f"(by page {number} of {len(pages)})")
    texts: list[str] = []
    chars = 0
    for page in pages:
        texts.append(page.extract_text() or "")
        _forget_decoded(page)
        chars += len(texts[-1])
        if chars > MAX_TEXT_CHARS:
            raise DocumentTooLarge(path, f"it holds more than {MAX_TEXT_CHARS:,} characters of text "
                                         f"(by page {len(texts)})")
    return texts


def _forget_decoded(page: object) -> None:
    """Drop the decoded copy pypdf caches on each content stream of a read page."""
    contents = page.get("/Contents")  # type: ignore[attr-defined]
    resolved = contents.get_object() if contents is not None else None
    for item in resolved if isinstance(resolved, list) else [resolved]:
        stream = item.get_object() if item is not None else None
        if getattr(stream, "decoded_self", None) is not None:
            stream.decoded_self = None  # type: ignore[union-attr]


def _load_pdf(path: Path, data: bytes) -> tuple[str, str | None, bool]:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise CorruptDocument(path, "not a PDF file (no %PDF header)")
    try:
        with apply_configuration(_pdf_limits()):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    reader.decrypt("")
                except Exception as exc:
                    raise CorruptDocument(path, "the PDF is password-protected", "remove the password and retry") from exc
            pages = _pdf_pages(path, reader)
    except (CorruptDocument, DocumentTooLarge):
        raise
    except LimitReachedError as exc:
        raise DocumentTooLarge(path, f"a page is beyond the limits for reading a PDF safely ({exc} at most "
                                     f"{MAX_PDF_STREAM_BYTES:,} bytes per decoded stream, {MAX_PDF_PAGE_OPERANDS:,} "
                                     "operators per page)") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorruptDocument(path, f"damaged PDF ({exc})") from exc
    except Exception as exc:  # pypdf can raise many things on garbage input
        raise CorruptDocument(path, f"damaged PDF ({exc.__class__.__name__}: {exc})") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise EmptyDocument(path, "the PDF has no extractable text (a scanned image?)", "OCR it first")
    lines = [_inline(line) for line in text.split("\n")]
    return "\n".join(reflow(lines)), None, False


def reflow(lines: list[str]) -> list[str]:
    """Join the visual lines of a PDF paragraph: a line as long as the page is wide that does
    not end a sentence continues on the next one (unless that one starts a heading or table)."""

    lengths = sorted(len(line) for line in lines if line.strip())
    if not lengths:
        return lines
    full = lengths[int(0.9 * (len(lengths) - 1))]
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and line.strip() and "\t" not in line and not match_marker(line) and not match_attachment(line):
            out[-1] += line
        else:
            out.append(line)
        last = out[-1]
        joining = (len(line) >= 0.85 * full and full >= 15 and "\t" not in last
                   and not re.search(r"[。！？；：:!?;]$", last))
    return out


LOADERS: dict[str, Callable[[Path, bytes], tuple[str, str | None, bool]]] = {
    ".txt": _load_txt,
    ".text": _load_txt,
    ".md": _load_md,
    ".markdown": _load_md,
    ".html": _load_html,
    ".htm": _load_html,
    ".docx": _load_docx,
    ".pdf": _load_pdf,
}
SUPPORTED_SUFFIXES = tuple(LOADERS)
_OLD_FORMATS = {".doc": "save it as .docx or PDF", ".wps": "save it as .docx or PDF", ".rtf": "save it as .docx"}
_KINDS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
          ".docx": "docx", ".pdf": "pdf"}


def load_file(path: str | Path) -> LoadedText:
    """Read one file into text. Raises a `DocumentError` subclass naming the file and reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    loader = LOADERS.get(suffix)
    if loader is None:
        if suffix in _OLD_FORMATS:
            raise UnsupportedFileType(path, f"old binary format '{suffix}'", _OLD_FORMATS[suffix])
        raise UnsupportedFileType(path, f"unknown file type '{suffix or '(no extension)'}'")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(path, "file not found", "check the path") from exc
    except OSError as exc:
        raise DocumentError(path, f"cannot read the file ({exc.strerror})") from exc
    if not data.strip():
        raise EmptyDocument(path, "the file is empty")
    if suffix == ".docx" and not data.startswith(b"PK"):
        raise CorruptDocument(path, "not a .docx file (not a zip container)")
    text, encoding, markup = loader(path, data)
    text = _clean(check_text_size(path, text))
    if not text.strip():
        raise EmptyDocument(path, "no text found in the file")
    log.debug("loaded %s (%s, %d chars)", path.name, suffix, len(text))
    return LoadedText(
        path=str(path),
        kind=_KINDS[suffix],
        text=text,
        encoding=encoding,
        markup=markup,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def load_files(paths: Iterable[str | Path]) -> tuple[list[LoadedText], list[LoadFailure]]:
    """Load many files; a bad file is reported in the failures and the rest carry on."""
    loaded: list[LoadedText] = []
    failures: list[LoadFailure] = []
    for p in paths:
        try:
            loaded.append(load_file(p))
        except DocumentError as err:
            log.warning("skipped %s", err.message)
            failures.append(LoadFailure.from_error(err))
    return loaded, failures
