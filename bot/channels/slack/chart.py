"""A score card's primary scores as a PNG bar chart with labels and values (pure Python: zlib +
struct, text in a bundled bitmap font, bot/channels/slack/bitmap_font.py).

Slack shows images, not SVG, and ParkBot has no imaging library. Each primary is a row: its code
and name, a bar on 0–100, the score, its rank out of the parks ranked on it, and a tick at the
cohort median. The title gives the park, the total and its rank; the footer says SYNTHETIC when
the data is, and that the score is not an official result.
"""

from __future__ import annotations

import struct
import zlib

from bot.channels.slack.bitmap_font import HEIGHT, Canvas, Rgb, draw_text, fit, text_width
from scoring import ScoreCard

SCALE = 2  # every pixel drawn twice as wide and high: 16-pixel glyphs read well in Slack
MARGIN = 12
LABEL_W = 208
BAR_W = 220
VALUE_W = 124
ROW_H = 28
TOP = 58
WIDTH = MARGIN + LABEL_W + 8 + BAR_W + 8 + VALUE_W + MARGIN

WHITE: Rgb = (255, 255, 255)
INK: Rgb = (28, 36, 48)
MUTED: Rgb = (91, 102, 117)
GRID: Rgb = (225, 229, 236)
TRACK: Rgb = (237, 240, 244)
BAR: Rgb = (31, 95, 168)
MEDIAN: Rgb = (217, 130, 43)
SYNTHETIC: Rgb = (163, 59, 0)


def _rect(canvas: Canvas, x: int, y: int, w: int, h: int, colour: Rgb) -> None:
    pixel = bytes(colour)
    for row in canvas[max(0, y) : max(0, y + h)]:
        left, right = max(0, x), min(len(row) // 3, x + w)
        if right > left:
            row[3 * left : 3 * right] = pixel * (right - left)


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def score_chart(card: ScoreCard) -> Canvas:
    """The chart's pixels at scale 1 (rows of RGB bytes)."""
    rows = len(card.primaries)
    height = TOP + rows * ROW_H + 22 + 2 * (HEIGHT + 6) + MARGIN
    canvas: Canvas = [bytearray(bytes(WHITE) * WIDTH) for _ in range(height)]
    ranked = card.rankable_count or card.cohort_size
    draw_text(canvas, MARGIN, MARGIN, fit(f"{card.name or card.park_id} 一级指标得分", WIDTH - 2 * MARGIN), INK)
    if card.total is None:
        summary = "总分：未排名（数据不全）"
    else:
        median = "" if card.median_total is None else f"（中位数 {_num(card.median_total)}）"
        summary = f"总分 {_num(card.total)}{median} · 第 {card.rank} / {ranked} 名"
    draw_text(canvas, MARGIN, MARGIN + HEIGHT + 4, fit(summary, WIDTH - 2 * MARGIN), MUTED)
    bar_x = MARGIN + LABEL_W + 8
    for level in (0, 25, 50, 75, 100):
        _rect(canvas, bar_x + round(BAR_W * level / 100), TOP - 4, 1, rows * ROW_H + 4, GRID)
    for k, p in enumerate(card.primaries):
        y = TOP + k * ROW_H
        draw_text(canvas, MARGIN, y + (ROW_H - HEIGHT) // 2 - 2, fit(f"{p.code} {p.name}", LABEL_W), INK)
        _rect(canvas, bar_x, y + 4, BAR_W, ROW_H - 12, TRACK)
        if p.score is not None:
            _rect(canvas, bar_x, y + 4, round(BAR_W * max(0.0, min(100.0, p.score)) / 100), ROW_H - 12, BAR)
        if p.median is not None:
            _rect(canvas, bar_x + round(BAR_W * max(0.0, min(100.0, p.median)) / 100) - 1, y + 1, 3, ROW_H - 6, MEDIAN)
        where = f" 第{p.rank}/{p.ranked or ranked}" if p.rank else " 未排名"
        draw_text(canvas, bar_x + BAR_W + 8, y + (ROW_H - HEIGHT) // 2 - 2, fit(_num(p.score) + where, VALUE_W), INK)
    y = TOP + rows * ROW_H + 2
    for level in (0, 25, 50, 75, 100):
        label = str(level)
        draw_text(canvas, bar_x + round(BAR_W * level / 100) - text_width(label) // 2, y, label, MUTED)
    y += HEIGHT + 6
    _rect(canvas, MARGIN, y + 4, 14, 8, BAR)
    x = draw_text(canvas, MARGIN + 18, y, "得分", MUTED)
    _rect(canvas, x + 12, y + 1, 3, 14, MEDIAN)
    draw_text(canvas, x + 20, y, "样本中位数", MUTED)
    y += HEIGHT + 6
    footer = "SYNTHETIC 示例数据 · 非火炬中心官方结果" if card.synthetic else "ParkBot 计算，非火炬中心官方结果"
    draw_text(canvas, MARGIN, y, fit(footer, WIDTH - 2 * MARGIN), SYNTHETIC if card.synthetic else MUTED)
    return canvas


def score_chart_png(card: ScoreCard) -> bytes:
    """The chart as a PNG, every pixel drawn ``SCALE`` times as wide and high."""
    canvas = score_chart(card)
    rows = []
    for line in canvas:
        wide = b"".join(bytes(line[i : i + 3]) * SCALE for i in range(0, len(line), 3))
        rows.extend([b"\x00" + wide] * SCALE)
    return _png(WIDTH * SCALE, len(canvas) * SCALE, b"".join(rows))


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
