"""The `parkbot` command-line application object, shared by the command modules, and the one way
a command reports a failure: a single line on stderr, in Chinese, naming what to do."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(
    name="parkbot",
    help="ParkBot: policy assistant for 国家高新区 staff (policy Q&A, scores, eligibility, drafts).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
err_console = Console(stderr=True)

# The heading of an error line, by the error's code (the codes themselves stay in JSON output).
ERROR_TITLES = {
    "park_not_found": "找不到园区",
    "not_found": "找不到",
    "bad_input": "输入有误",
    "bad_value": "数值格式有误",
    "bad_park_data": "园区数据有误",
    "unknown_key": "名称无法识别",
    "bad_cohort": "这些园区不能一起评分",
    "bad_config": "配置文件有误",
    "bad_registry": "指标体系配置有误",
    "incomplete_registry": "指标体系不完整",
    "unwritable": "无法写入",
    "bad_request": "请求有误",
    "message_too_long": "问题太长",
    "scoring_error": "评分出错",
    "index_missing": "索引尚未建立",
    "index_unavailable": "索引不可用",
    "index_corrupt": "索引已损坏",
    "index_stale": "索引需要重建",
    "embedding_unavailable": "向量模型不可用",
    "bad_query": "查询有误",
    "unknown_document": "找不到文件",
    "bad_document": "文件无法读取",
    "unsupported_file_type": "不支持的文件类型",
    "empty_document": "文件为空",
    "corrupt_document": "文件已损坏",
    "undecodable_text": "文件编码无法识别",
    "document_too_large": "文件过大",
    "unparsable_document": "文件无法解析",
    "bad_metadata": "文件信息有误",
    "retrieval_error": "检索出错",
    "unavailable": "服务暂不可用",
    "store_unavailable": "存储不可用",
    "disk_full": "磁盘已满",
}


def fail(message: str, code: str = "", exit_code: int = 2) -> NoReturn:
    """Print one error line (``错误（找不到园区）：…``) to stderr and exit."""
    title = ERROR_TITLES.get(code, "")
    head = f"错误（{title}）" if title else "错误"
    err_console.print(f"[red]{head}[/red]：{escape(message)}", soft_wrap=True)
    raise typer.Exit(exit_code)


def fail_with(exc: Exception, exit_code: int = 2) -> NoReturn:
    """A library error (it carries a ``code`` and a message naming the fix) as one error line."""
    park_id, known = getattr(exc, "park_id", None), getattr(exc, "known", None)
    if park_id is not None and known is not None:  # a park the data does not have: say which it has
        shown = "、".join(known[:5]) + (" …" if len(known) > 5 else "")
        fail(f"{park_id!r} 不在当前数据中（共 {len(known)} 个园区：{shown}）；园区代码不区分大小写，"
             "`parkbot score` 列出全部园区", "park_not_found", exit_code)
    fail(str(exc), str(getattr(exc, "code", "")), exit_code)


def writable_file(path: Path) -> Path:
    """``path`` if a file can be written there; else one error line saying why and what to do."""
    target = path.expanduser()
    if target.is_dir():
        fail(f"{path} 是一个目录；请在后面加上文件名", "unwritable")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        fail(f"{path}：目录 {folder} 不存在；请先创建它（mkdir -p {folder}）或换一个路径", "unwritable")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        fail(f"{path}：没有写入权限；请换一个可写的路径", "unwritable")
    return target


def write_failed(path: Path, exc: OSError) -> NoReturn:
    """An OS error while writing ``path`` (disk full, permission) as one error line."""
    fail(f"{path}：{exc.strerror or exc}；请检查磁盘空间和权限，或换一个路径", "unwritable")


@app.callback()
def _root() -> None:
    """ParkBot: policy assistant for 国家高新区 staff."""
