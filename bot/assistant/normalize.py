"""How the assistant compares what people type: one normal form for messages, park names and hints."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any


def normalize_message(text: str) -> str:
    """Half-width, lower case, traditional → simplified (OpenCC), single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    cc = _opencc()
    if cc is not None:
        text = cc.convert(text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _opencc() -> Any:
    try:
        from opencc import OpenCC

        return OpenCC("t2s")
    except Exception:  # pragma: no cover - opencc is a dependency of retrieval
        return None
