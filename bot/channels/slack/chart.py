"""A score card's four primary scores as a small PNG bar chart (pure Python: zlib + struct).

Slack shows images, not SVG, and ParkBot has no imaging library; a bar chart needs only filled
rectangles. Labels and numbers are in the message's fields next to the image, in bar order.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

WIDTH, HEIGHT = 480, 240
MARGIN = 24
BACKGROUND = (255, 255, 255)
GRID = (225, 229, 236)
BARS = ((31, 78, 121), (46, 117, 182), (86, 156, 214), (155, 194, 230))


def bar_chart_png(scores: Sequence[float | None], width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """Bars for scores on 0–100 (None draws no bar), with grid lines at 25/50/75/100."""
    pixels = [[BACKGROUND] * width for _ in range(height)]
    plot_h = height - 2 * MARGIN
    for level in (0, 25, 50, 75, 100):
        y = height - MARGIN - round(plot_h * level / 100)
        for x in range(MARGIN, width - MARGIN):
            pixels[y][x] = GRID
    n = max(1, len(scores))
    slot = (width - 2 * MARGIN) / n
    for i, score in enumerate(scores):
        if score is None:
            continue
        top = height - MARGIN - round(plot_h * max(0.0, min(100.0, float(score))) / 100)
        left, right = round(MARGIN + i * slot + slot * 0.2), round(MARGIN + (i + 1) * slot - slot * 0.2)
        for y in range(top, height - MARGIN):
            row = pixels[y]
            for x in range(left, right):
                row[x] = BARS[i % len(BARS)]
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    return _png(width, height, raw)


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
