"""`parkbot score | check | explain | whatif | template`: the scoring engine from the shell.

Outputs computed from the shipped sample cohort say SYNTHETIC; no output is an official result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.app import app, console, fail, fail_with, writable_file, write_failed


def _kit(data: Path | None = None, with_cohort: bool = True) -> Any:
    """The scoring kit from settings (config dir, default parks file) or an explicit data file."""
    from bot.settings import get_settings
    from scoring import ScoringKit

    settings = get_settings()
    return ScoringKit.load(
        settings.paths.config / "scoring", data or settings.paths.parks, with_cohort=with_cohort
    )


def _echo_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def _banner(synthetic: bool) -> None:
    from scoring.cards import notice_zh

    console.print(f"[yellow]{escape(notice_zh(synthetic))}[/yellow]")


DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Park data (.csv/.xlsx); default: the SYNTHETIC sample")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape)")]


@app.command()
def score(
    data: DataOpt = None,
    park: Annotated[str | None, typer.Option("--park", help="Show one park's score card (ids ignore case)")] = None,
    profile: Annotated[str, typer.Option(help="Method profile (config/scoring/profiles.yaml)")] = "default",
    out: Annotated[Path | None, typer.Option("--out", help="Write a formatted workbook (.xlsx), or the scores table (.csv)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score and rank the cohort (国科发火〔2013〕388号 附2 structure and weights)."""
    import scoring
    from scoring.workbook import write_score_workbook

    if out is not None:
        writable_file(out)  # before the work, not after it
    try:
        kit = _kit(data)
        result = kit.result(profile)
        if out is not None:
            reports, ids = [], []
            for pid in result.cohort.park_ids:
                found, _ = scoring.check_all_categories(
                    pid, kit.packs, registry=kit.registry, cohort=kit.cohort
                )
                reports += found
                ids += [pid] * len(found)
            try:
                write_score_workbook(result, out, reports, ids)
            except OSError as exc:
                write_failed(out, exc)
        if park is not None:
            card = scoring.build_card(result, park)
            if as_json:
                _echo_json(card.model_dump())
                return
            _print_card(card)
            return
        if as_json:
            _echo_json(scoring.cards_payload(result))
            return
    except scoring.ScoringError as exc:
        fail_with(exc)
    _banner(result.synthetic)
    table = Table(
        title=f"{result.rankable_count} 个园区参与排名（共 {result.size} 个）· "
        f"{result.registry.id} · 方法 {result.profile.id} · sha256 {result.input_sha256[:12]}"
    )
    for col in ("排名", "园区代码", "园区名称", "总分", *(f"一级指标{p.code}" for p in result.registry.primaries)):
        table.add_column(col, justify="left" if col in ("园区代码", "园区名称") else "right")
    frame = result.table()
    for row in frame.itertuples(index=False):
        d = row._asdict()
        table.add_row(
            _cell(d["rank"]),
            d["park_id"],
            escape(str(d["name"])),
            _cell(d["total"], "未排名"),
            *(_cell(d[f"P{p.code}"]) for p in result.registry.primaries),
        )
    console.print(table)
    for unranked in scoring.cards.unranked_parks(result):
        console.print(f"[red]{unranked.park_id} 未排名：{escape(unranked.text())}[/red]", soft_wrap=True)
    if out is not None:
        console.print(f"已写入 {out}")


def _cell(value: Any, empty: str = "—") -> str:
    import pandas as pd

    return empty if value is None or pd.isna(value) else str(value)


def _print_card(card: Any) -> None:
    from bot.assistant.formatting import fmt_shown

    _banner(card.synthetic)
    total = "未排名" if card.total is None else f"{card.total:.2f}（中位数 {card.median_total:.2f}）"
    rank = f"第 {card.rank} / {card.rankable_count} 名" if card.rank else "未排名"
    console.print(f"[bold]{escape(card.name)} ({card.park_id})[/bold]  总分 {total}  {rank}")
    for p in card.primaries:
        score_text = "—" if p.score is None else f"{p.score:.2f}"
        median = "" if p.median is None else f"（中位数 {p.median:.2f}）"
        where = f"第 {p.rank} / {p.ranked}" if p.rank else "未排名"
        console.print(f"  {p.code} {escape(p.name)}（权重 {p.weight:g}%）：{score_text}{median}  {where}")
    for u in card.unrankable:
        console.print(f"  [red]{u.park_id} 未排名：{escape(u.text())}[/red]", soft_wrap=True)
    if card.missing:
        console.print(f"  缺失数据：{escape('、'.join(card.missing))}")
    weakest = sorted((i for i in card.indicators if i.headroom), key=lambda i: -(i.headroom or 0))[:3]
    for i in weakest:
        console.print(f"  失分较多：{i.code} {escape(i.name)} {fmt_shown(i.value, i.display_unit, i.display_scale)}"
                      f"（中位数 {fmt_shown(i.median, i.display_unit, i.display_scale)}），失 {i.headroom:.2f} 分")
    console.print(f"  [dim]技术信息：{card.registry} · 方法 {card.method} · sha256 {card.input_sha256[:12]}[/dim]")


@app.command()
def check(
    category: Annotated[
        str, typer.Option("--category", help="世界一流高科技园区 / 创新型科技园区 / 创新型特色园区 or an id")
    ],
    park_file: Annotated[
        Path | None, typer.Option("--park-file", help="JSON file with the park's values")
    ] = None,
    park: Annotated[str | None, typer.Option("--park", help="A park_id of the loaded cohort (ignores case)")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a park against the 附1 targets of a category (or another rule set)."""
    import scoring
    from bot.assistant.formatting import MARKS, target_gap, target_requirement, target_value

    if (park_file is None) == (park is None):
        fail("请给出 --park-file 文件.json 或 --park 园区代码 二者之一", "bad_input")
    try:
        kit = _kit(data, with_cohort=park is not None)
        subject: Any = park
        if park_file is not None:
            try:
                subject = json.loads(park_file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise scoring.InputError(f"--park-file {park_file}: cannot read JSON ({exc})") from exc
        report = scoring.check_eligibility(
            subject, category, kit.packs, registry=kit.registry, cohort=kit.cohort
        )
    except scoring.ScoringError as exc:
        fail_with(exc)
    if as_json:
        _echo_json(report.model_dump())
        return
    if report.synthetic:
        _banner(True)
    console.print(f"[bold]{escape(report.summary())}[/bold]")
    colours = {True: "green", False: "red", None: "yellow"}
    for t in report.targets:
        mark = f"[{colours[t.met]}]{MARKS[t.met]}[/{colours[t.met]}]"
        gap = target_gap(t)
        extra = f"；差距 {gap}" if gap else ""
        near = "（接近达标）" if t.near_miss else ""
        console.print(
            f"  {mark} {t.no}. {escape(t.name)}：要求 {escape(target_requirement(t))}；"
            f"本园区 {escape(target_value(t))}{extra}{near}",
            soft_wrap=True,
        )
        if t.detail and not t.parts:
            console.print(f"      [dim]{escape(t.detail)}[/dim]")
        console.print(f"      [dim]{escape(t.citation)}[/dim]")
    for note in report.notes:
        console.print(f"  [yellow]说明：{escape(note)}[/yellow]", soft_wrap=True)


@app.command()
def explain(
    park: Annotated[str, typer.Argument(help="park_id")],
    data: DataOpt = None,
    top: Annotated[int, typer.Option(min=1, max=40)] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Where a park earns and loses points (contributions and headroom)."""
    import scoring

    try:
        exp = scoring.explain(_kit(data).result(), park, top)
    except scoring.ScoringError as exc:
        fail_with(exc)
    if as_json:
        _echo_json(exp.model_dump())
        return
    _banner(exp.synthetic)
    total = exp.total if exp.total is not None else "未排名"
    console.print(f"[bold]{escape(exp.name)} ({exp.park_id})[/bold]：总分 {total}，排名 {exp.rank or '—'}")
    console.print("失分最多（提升空间）：")
    for e in exp.losses:
        console.print(f"  {e.code} {escape(e.name)}：失 {e.headroom:.2f} 分（已得 {e.contribution:.2f} 分）")
    console.print("贡献最大：")
    for e in exp.strengths:
        console.print(f"  {e.code} {escape(e.name)}：+{e.contribution:.2f} 分")
    for reason in exp.reasons:
        console.print(f"  [red]{escape(reason)}[/red]")


@app.command()
def whatif(
    park: Annotated[str, typer.Argument(help="park_id")],
    changes: Annotated[list[str] | None, typer.Argument(help="CODE=VALUE, e.g. 2.2=40% 1.2=900")] = None,
    target_score: Annotated[float | None, typer.Option(help="Solve: reach this total")] = None,
    target_rank: Annotated[int | None, typer.Option(help="Solve: reach this rank")] = None,
    indicator: Annotated[str | None, typer.Option(help="Solve with this indicator only")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute with changed values, or solve how far an indicator must move."""
    import scoring

    try:
        result = _kit(data).result()
        if target_score is not None or target_rank is not None:
            if indicator:
                answer: Any = scoring.solve_target(
                    result, park, indicator, target_score=target_score, target_rank=target_rank
                )
            elif target_score is not None:
                answer = scoring.plan_target(result, park, target_score)
            else:
                raise scoring.InputError("--target-rank needs --indicator CODE")
        else:
            parsed = {}
            for item in changes or []:
                if "=" not in item:
                    raise scoring.InputError(f"change {item!r} must look like CODE=VALUE, e.g. 2.2=40%")
                key, value = item.split("=", 1)
                parsed[key.strip()] = value.strip()
            answer, _ = scoring.what_if(result, park, parsed)
    except scoring.ScoringError as exc:
        fail_with(exc)
    if as_json:
        _echo_json(answer.model_dump())
        return
    _banner(answer.synthetic)
    if isinstance(answer, scoring.WhatIfResult):
        changed = "，".join(f"{k} = {v}" for k, v in answer.changes.items())
        console.print(f"[bold]{answer.park_id}[/bold] 若 {escape(changed)}（整个样本精确重算）：")
        console.print(f"  总分 {answer.total_before} → {answer.total_after}（{answer.delta:+}）" if answer.delta is not None
                      else f"  总分 {answer.total_before} → {answer.total_after}")
        console.print(f"  排名 {answer.rank_before or '未排名'} → {answer.rank_after or '未排名'}")
        if answer.moved_references:
            console.print(f"  参照值随之变化的指标：{'、'.join(answer.moved_references)}")
        return
    for key, value in answer.model_dump(exclude={"notice", "synthetic"}).items():
        console.print(f"  {key}: {escape(str(value))}")


@app.command()
def template(
    out: Annotated[Path, typer.Option("--out", help="Where to write the .xlsx template")] = Path(
        "parks.xlsx"
    ),
) -> None:
    """Write an empty park-data workbook with Chinese headers and a notes sheet on units."""
    from scoring import write_template

    writable_file(out)
    kit = _kit(with_cohort=False)
    try:
        write_template(out, kit.registry)
    except OSError as exc:
        write_failed(out, exc)
    console.print(f"已写入 {out}（工作表：parks 填写数据，第2行是示例；说明 各列含义和单位）")
