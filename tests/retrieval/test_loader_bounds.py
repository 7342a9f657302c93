"""Decompression bombs and oversized text are refused before a parser sees them, at a bounded cost.

Memory is measured with tracemalloc (Python's allocations, deterministic for a given input): a
bomb costs its packed bytes plus one bounded step, not what it inflates to.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from retrieval.errors import CorruptDocument, DocumentTooLarge
from retrieval.loaders import MAX_TEXT_CHARS, load_file
from tests.documents.kit import docx_bytes, pdf_bytes
from tests.support.bombs import TEXT_OP, docx_bomb, pdf_bomb

MIB = 2**20


def _peak(load: Callable[[], object]) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        load()
        error = None
    except Exception as exc:  # the caller asserts on it
        error = exc
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return error, peak


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_docx_that_inflates_to_a_gigabyte_is_refused_for_a_few_megabytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "通知.docx", docx_bomb(1024))
    assert path.stat().st_size < 1.1 * MIB
    error, peak = _peak(lambda: load_file(path))
    assert isinstance(error, DocumentTooLarge), error
    assert str(error).startswith("通知.docx: ") and "unpack to more than" in str(error)
    assert error.code == "document_too_large"
    assert peak < 8 * MIB, f"{peak / MIB:.1f} MiB"


def test_docx_whose_directory_lies_about_the_size_is_caught_while_inflating(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # claims 1 MiB, inflates to 1 GiB: python-docx would inflate it whole before the CRC fails
    path = _write(tmp_path, "通知.docx", docx_bomb(1024, declared_mib=1))
    error, peak = _peak(lambda: load_file(path))
    assert isinstance(error, CorruptDocument), error
    assert "damaged" in str(error) and "CRC" in str(error)
    assert peak < 16 * MIB, f"{peak / MIB:.1f} MiB"


@pytest.mark.parametrize(
    ("mib", "pages", "unit", "reason"),
    [
        (1024, 1, TEXT_OP, "per decoded stream"),  # one page of text operators that inflates to 1 GiB
        (1, 1, TEXT_OP, "operators per page"),  # 28,000 text objects, 280,000 tokens on one page
        (12, 40, b" ", "bytes of content"),  # pages each under the limits, 480 MiB together
    ],
)
def test_pdf_bombs_are_refused_with_memory_bounded_by_one_page(tmp_path, mib, pages, unit, reason) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "通知.pdf", pdf_bomb(mib, pages, unit))
    error, peak = _peak(lambda: load_file(path))
    assert isinstance(error, DocumentTooLarge), error
    assert str(error).startswith("通知.pdf: ") and reason in str(error)
    assert peak < 64 * MIB, f"{peak / MIB:.1f} MiB"


def test_text_longer_than_the_limit_is_refused_before_it_is_parsed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "通知.md", ("# 标题\n" + "政" * MAX_TEXT_CHARS).encode())
    with pytest.raises(DocumentTooLarge, match=r"通知\.md: it holds [\d,]+ characters of text"):
        load_file(path)


def test_ordinary_documents_still_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert "屋顶光伏" in load_file(_write(tmp_path, "方案.docx", docx_bytes())).text
    assert "数据交易服务平台" in load_file(_write(tmp_path, "试点.pdf", pdf_bytes())).text
