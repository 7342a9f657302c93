"""The parser's intermediate result: the text of one section, or the rows of one table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class Block:
    path: str  # heading path as printed, e.g. 七、（二十一） or 附1 二
    title: str  # innermost heading text
    level: int
    kind: Literal["text", "table_row"] = "text"
    paragraphs: list[str] = field(default_factory=list)  # for table_row: one row text each

    @property
    def empty(self) -> bool:
        return not any(p.strip() for p in self.paragraphs)


@dataclass
class Outline:
    blocks: list[Block] = field(default_factory=list)
    headings: list[tuple[str, str, int]] = field(default_factory=list)  # (path, heading, level)
