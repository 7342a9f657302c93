"""The command line as staff meet it: park ids in any case, one Chinese line for an error (with
what to do), nothing written half-way, the settings section a new token goes in, and progress
bars that log lines never break."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from typer.testing import CliRunner

from bot.cli import app
from bot.logging_setup import logs_above

runner = CliRunner()


@pytest.mark.parametrize("park", ["syn-010", "Syn-010", " SYN-010"])
def test_park_ids_are_read_without_case(park: str) -> None:
    card = runner.invoke(app, ["score", "--park", park, "--json"])
    assert card.exit_code == 0, card.output
    assert json.loads(card.output)["park_id"] == "SYN-010"
    checked = runner.invoke(app, ["check", "--category", "创新型科技园区", "--park", park.lower(), "--json"])
    assert checked.exit_code == 0, checked.output
    explained = runner.invoke(app, ["explain", park, "--json"])
    assert json.loads(explained.output)["park_id"] == "SYN-010"
    what_if = runner.invoke(app, ["whatif", park, "2.2=40%", "--json"])
    assert json.loads(what_if.output)["park_id"] == "SYN-010"


def test_a_card_in_the_terminal_ranks_among_the_rankable_with_units_and_medians() -> None:
    out = runner.invoke(app, ["score", "--park", "syn-010"]).output
    assert "第 43 / 59 名" in out and "中位数" in out
    assert "SYN-046 未排名：一级指标3「国际化和参与全球竞争能力」缺 3.4" in out
    assert "万元/人" in out and "%" in out
    assert "SYNTHETIC" in out and "并非火炬中心官方评价结果" in out


def test_an_unknown_park_is_one_chinese_line_naming_the_known_ones() -> None:
    result = runner.invoke(app, ["score", "--park", "SYN-999"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("错误（找不到园区）：'SYN-999' 不在当前数据中（共 60 个园区：SYN-001")
    assert "park_not_found" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["score", "--out"], ["template", "--out"]])
def test_a_path_that_cannot_be_written_is_one_line_without_a_traceback(tmp_path: Path, command: list[str]) -> None:
    missing_dir = tmp_path / "no-such-dir" / "scores.xlsx"
    result = runner.invoke(app, [*command, str(missing_dir)])
    assert result.exit_code == 2 and (result.exception is None or isinstance(result.exception, SystemExit))
    text = " ".join(result.output.split())  # a long temporary path may wrap
    assert text.startswith("错误（无法写入）：") and "不存在" in text and "mkdir -p" in text
    assert "Traceback" not in result.output and not missing_dir.exists()
    a_dir = runner.invoke(app, [*command, str(tmp_path)])
    assert a_dir.exit_code == 2 and "是一个目录" in a_dir.output


def test_token_create_names_the_settings_section() -> None:
    result = runner.invoke(app, ["token", "create", "ops", "--parks", "SYN-001"])
    assert result.exit_code == 0, result.output
    assert "under [auth] in your settings file" in result.output
    assert 'PARKBOT_AUTH__TOKENS=\'[{"name": "ops"' in result.output


def _visible(text: str) -> list[str]:
    """The lines a terminal shows: control sequences removed, carriage returns as line starts."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "\n").split("\n")


def test_log_lines_print_above_the_progress_bars_not_inside_them() -> None:
    stderr = io.StringIO()  # the bars and the log lines share stderr, as in a terminal
    terminal = Console(file=stderr, force_terminal=True, width=100)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    plain = logging.StreamHandler(stderr)
    plain.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.handlers, root.level = [plain], logging.DEBUG
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                      console=terminal, transient=True) as bar, logs_above(bar.console):
            task = bar.add_task("Embedding passages", total=3)
            for step in range(3):
                bar.update(task, advance=1)
                bar.refresh()
                logging.getLogger("bm25s").debug("batch %d indexed", step)
        assert root.handlers == [plain]  # restored afterwards
    finally:
        root.handlers, root.level = saved_handlers, saved_level
    logged = [line for line in _visible(stderr.getvalue()) if "indexed" in line]
    assert logged == [f"DEBUG bm25s: batch {step} indexed" for step in range(3)]
