"""文号 (document numbers) in any bracket style, and their canonical 〔〕 form.

One pattern for the parser (reading a document's own number) and for search (a 文号 typed in a
question or a filter): 国科发火[2011]259号, 国发【2020】7号, 国发 ［2020］ 第7 号 → 国发〔2020〕7号.
"""

from __future__ import annotations

import re

_OPEN = r"[〔\[［【(（〖{]"
_CLOSE = r"[〕\]］】)）〗}]"
# issuer abbreviation (Han), bracketed year, number, 号 — with stray spaces and an optional 第
DOC_NUMBER = re.compile(
    rf"([\u4e00-\u9fff]{{1,10}}?)\s*{_OPEN}\s*((?:19|20)\d{{2}})\s*{_CLOSE}\s*第?\s*(\d{{1,4}})\s*号"
)


def _canonical(m: re.Match[str]) -> str:
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"


def normalize_doc_number(text: str) -> str:
    """Every 文号 in ``text`` rewritten with 〔〕 brackets and no spaces."""
    return DOC_NUMBER.sub(_canonical, text)


def find_doc_numbers(text: str) -> list[str]:
    """The 文号 in ``text``, in canonical form, in order of appearance."""
    return [_canonical(m) for m in DOC_NUMBER.finditer(text)]
