"""The Slack score chart: a PNG whose pixels spell out the labels and the values (drawn with the
bundled Unifont subset), the median ticks, and the SYNTHETIC note when the data is synthetic."""

from __future__ import annotations

import struct
import zlib

from bot.channels.slack.bitmap_font import HEIGHT, draw_text, glyphs, text_width
from bot.channels.slack.chart import BAR_W, LABEL_W, MARGIN, ROW_H, SCALE, TOP, score_chart_png
from tests.support.results import score_card

PRIMARIES = [("知识创造和技术创新能力", 30, 41.74, 24, 60, 38.82), ("产业升级和结构优化能力", 30, 30.79, 44, 60, 35.58),
             ("国际化和参与全球竞争能力", 20, 38.21, 30, 59, 38.21), ("高新区可持续发展能力", 20, 34.31, 58, 60, 52.55)]


def _card(synthetic: bool = True):  # type: ignore[no-untyped-def]
    return score_card(
        park_id="SYN-010", name="沅璟湾高新区（虚构）", total=36.26, rank=43, cohort_size=60, rankable_count=59,
        median_total=40.21, synthetic=synthetic,
        primaries=[{"code": str(k), "name": n, "weight": w, "score": s, "rank": r, "ranked": of, "median": m}
                   for k, (n, w, s, r, of, m) in enumerate(PRIMARIES, 1)])


def _decode(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGB rows of a PNG this module wrote (8-bit RGB, filter 0)."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pos, chunks = 8, {}
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        chunks[kind] = chunks.get(kind, b"") + data
        pos += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 3 * width
    rows = [raw[i * stride:(i + 1) * stride] for i in range(height)]
    assert all(r[0] == 0 for r in rows)
    return width, height, [r[1:] for r in rows]


def _ink(rows: list[bytes], scale: int) -> list[str]:
    """One character per pixel at scale 1: "1" where the chart is not white."""
    return ["".join("0" if row[3 * x:3 * x + 3] == b"\xff\xff\xff" else "1" for x in range(0, len(row) // 3, scale))
            for row in rows[::scale]]


def _shows(ink: list[str], text: str) -> bool:
    """Whether ``text`` as the bundled font draws it appears somewhere in the picture."""
    width = text_width(text)
    stamp = [bytearray(b"\xff" * 3 * width) for _ in range(HEIGHT)]
    draw_text(stamp, 0, 0, text, (0, 0, 0))
    pattern = _ink([bytes(r) for r in stamp], 1)
    first = next(k for k, row in enumerate(pattern) if "1" in row)
    for y, line in enumerate(ink):
        start = line.find(pattern[first])
        while start != -1:
            top = y - first
            if top >= 0 and all(ink[top + k][start:start + width] == pattern[k] for k in range(HEIGHT) if top + k < len(ink)):
                return True
            start = line.find(pattern[first], start + 1)
    return False


def test_the_chart_spells_out_each_primary_its_score_and_rank() -> None:
    width, height, rows = _decode(score_chart_png(_card()))
    assert width % SCALE == 0 and height % SCALE == 0 and width >= 1000
    ink = _ink(rows, SCALE)
    assert _shows(ink, "沅璟湾高新区（虚构） 一级指标得分")
    assert _shows(ink, "总分 36.26（中位数 40.21） · 第 43 / 59 名")
    for k, (name, _w, score, rank, of, _m) in enumerate(PRIMARIES, 1):
        assert _shows(ink, f"{k} {name}"), name
        assert _shows(ink, f"{score:.2f} 第{rank}/{of}"), score
    assert _shows(ink, "样本中位数")
    assert _shows(ink, "SYNTHETIC 示例数据 · 非火炬中心官方结果")
    assert not _shows(ink, "未排名")


def test_a_chart_of_real_data_says_it_is_not_official_and_not_synthetic() -> None:
    ink = _ink(_decode(score_chart_png(_card(synthetic=False)))[2], SCALE)
    assert _shows(ink, "ParkBot 计算，非火炬中心官方结果") and not _shows(ink, "SYNTHETIC")


def test_the_median_tick_sits_at_the_median() -> None:
    rows = _decode(score_chart_png(_card()))[2]
    orange = b"\xd9\x82\x2b"
    bar_x = MARGIN + LABEL_W + 8
    for k, (*_rest, median) in enumerate(PRIMARIES):
        row = rows[(TOP + k * ROW_H + ROW_H // 2) * SCALE]
        xs = [x // SCALE for x in range(len(row) // 3) if row[3 * x:3 * x + 3] == orange]
        assert xs, f"no median tick on row {k + 1}"
        centre = (min(xs) + max(xs)) / 2
        assert abs(centre - (bar_x + BAR_W * median / 100)) <= 1.5, (k, centre)


def test_the_font_covers_the_names_of_every_primary_and_indicator() -> None:
    from scoring import load_registry

    registry = load_registry()
    names = "".join(p.name for p in registry.primaries) + "".join(i.name for i in registry.indicators)
    missing = sorted({c for c in names if ord(c) not in glyphs()})
    assert not missing, f"the bundled font lacks: {missing}"
