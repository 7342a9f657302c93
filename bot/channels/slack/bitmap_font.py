"""Text drawn with a bundled bitmap font (a GNU Unifont subset, fonts/README.md): Chinese labels
and numbers on the Slack chart without an imaging library.

Each glyph is 16 pixels high and 8 (half-width) or 16 (full-width) pixels wide. The font file is
read on first use, not at import. A character the subset lacks is drawn as an empty box.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "unifont-15.0.01-cjk.hex.gz"
HEIGHT = 16
_BOX = "FFFF" + "8001" * 14 + "FFFF"  # 16×16: the glyph of a missing character

Rgb = tuple[int, int, int]
Canvas = list[bytearray]  # rows of RGB bytes


@cache
def glyphs() -> dict[int, str]:
    """Code point → the glyph's hex rows (32 hex digits for 8 wide, 64 for 16 wide)."""
    with gzip.open(FONT_FILE, "rt", encoding="ascii") as handle:
        return {int(code, 16): bits.strip() for code, bits in (line.split(":", 1) for line in handle if ":" in line)}


def _glyph(char: str) -> tuple[int, list[int]]:
    bits = glyphs().get(ord(char), _BOX)
    width = 8 if len(bits) == 32 else 16
    step = width // 4
    return width, [int(bits[i : i + step], 16) for i in range(0, len(bits), step)]


def text_width(text: str) -> int:
    """Pixels the text takes at scale 1."""
    return sum(_glyph(c)[0] for c in text)


def fit(text: str, width: int) -> str:
    """The text, cut with "…" so that it takes at most ``width`` pixels."""
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def draw_text(canvas: Canvas, x: int, y: int, text: str, colour: Rgb) -> int:
    """Draw ``text`` with its top-left corner at (x, y); returns the x after it. Pixels off the
    canvas are skipped."""
    height, width = len(canvas), len(canvas[0]) // 3 if canvas else 0
    pixel = bytes(colour)
    for char in text:
        w, rows = _glyph(char)
        for dy, row in enumerate(rows):
            py = y + dy
            if not 0 <= py < height:
                continue
            line = canvas[py]
            for dx in range(w):
                px = x + dx
                if row >> (w - 1 - dx) & 1 and 0 <= px < width:
                    line[3 * px : 3 * px + 3] = pixel
        x += w
    return x
