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

from bot.cli.app import app, console, err_console


def _kit(data: Path | None = None, with_cohort: bool = True) -> Any:
    """The scoring kit from settings (config dir, default parks file) or an explicit data file."""
    from bot.settings import get_settings
    from scoring import ScoringKit

    settings = get_settings()
    return ScoringKit.load(
        settings.paths.config / "scoring", data or settings.paths.parks, with_cohort=with_cohort
    )


def _fail(exc: Exception) -> None:
    err_console.print(f"[red]{getattr(exc, 'code', 'error')}[/red]: {escape(str(exc))}")
    raise typer.Exit(2) from exc


def _echo_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def _banner(synthetic: bool) -> None:
    from scoring.cards import notice_for

    console.print(f"[yellow]{escape(notice_for(synthetic))}[/yellow]")


DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Park data (.csv/.xlsx); default: the SYNTHETIC sample")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape)")]


@app.command()
def score(
    data: DataOpt = None,
    park: Annotated[str | None, typer.Option("--park", help="Show one park's score card")] = None,
    profile: Annotated[str, typer.Option(help="Method profile (config/scoring/profiles.yaml)")] = "default",
    out: Annotated[Path | None, typer.Option("--out", help="Write a formatted workbook (.xlsx), or the scores table (.csv)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score and rank the cohort (国科发火〔2013〕388号 附2 structure and weights)."""
    import scoring
    from scoring.workbook import write_score_workbook

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
            write_score_workbook(result, out, reports, ids)
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
        _fail(exc)
    _banner(result.synthetic)
    table = Table(
        title=f"{result.registry.id} · {result.profile.id} · {result.size} parks · sha256 {result.input_sha256[:12]}"
    )
    for col in ("rank", "park_id", "name", "total", *(f"P{p.code}" for p in result.registry.primaries)):
        table.add_column(col, justify="right" if col not in ("park_id", "name") else "left")
    frame = result.table()
    for row in frame.itertuples(index=False):
        d = row._asdict()
        table.add_row(
            _cell(d["rank"]),
            d["park_id"],
            escape(str(d["name"])),
            _cell(d["total"], "not rankable"),
            *(_cell(d[f"P{p.code}"]) for p in result.registry.primaries),
        )
    console.print(table)
    if out is not None:
        console.print(f"wrote {out}")


def _cell(value: Any, empty: str = "—") -> str:
    import pandas as pd

    return empty if value is None or pd.isna(value) else str(value)


def _print_card(card: Any) -> None:
    _banner(card.synthetic)
    total = "not rankable" if card.total is None else f"{card.total:.2f}"
    console.print(
        f"[bold]{escape(card.name)} ({card.park_id})[/bold]  total {total}  rank {card.rank or '—'}/{card.cohort_size}"
    )
    for p in card.primaries:
        score_text = "—" if p.score is None else f"{p.score:.2f}"
        console.print(f"  {p.code} {escape(p.name)} ({p.weight:g}%): {score_text}  rank {p.rank or '—'}")
    for reason in card.reasons:
        console.print(f"  [red]{escape(reason)}[/red]")
    if card.missing:
        console.print(f"  missing: {escape(', '.join(card.missing))}")
    console.print(f"  [dim]{card.registry} · {card.method} · sha256 {card.input_sha256[:12]}[/dim]")


@app.command()
def check(
    category: Annotated[
        str, typer.Option("--category", help="世界一流高科技园区 / 创新型科技园区 / 创新型特色园区 or an id")
    ],
    park_file: Annotated[
        Path | None, typer.Option("--park-file", help="JSON file with the park's values")
    ] = None,
    park: Annotated[str | None, typer.Option("--park", help="A park_id of the loaded cohort")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a park against the 附1 targets of a category (or another rule set)."""
    import scoring

    if (park_file is None) == (park is None):
        err_console.print("give exactly one of --park-file FILE.json or --park ID")
        raise typer.Exit(2)
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
        _fail(exc)
    if as_json:
        _echo_json(report.model_dump())
        return
    if report.synthetic:
        _banner(True)
    console.print(f"[bold]{escape(report.summary())}[/bold]")
    for t in report.targets:
        mark = {True: "[green]✓[/green]", False: "[red]✗[/red]", None: "[yellow]?[/yellow]"}[t.met]
        extra = f"  gap {t.gap:g}" if t.met is False and t.gap is not None else ""
        near = "  (near miss)" if t.near_miss else ""
        console.print(
            f"  {mark} {t.no}. {escape(t.name)}: 要求 {escape(t.requirement)}; 数值 {t.value if t.value is not None else '—'}{extra}{near}"
        )
        if t.detail:
            console.print(f"      [dim]{escape(t.detail)}[/dim]")
        console.print(f"      [dim]{escape(t.citation)}[/dim]")


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
        _fail(exc)
    if as_json:
        _echo_json(exp.model_dump())
        return
    _banner(exp.synthetic)
    console.print(
        f"[bold]{escape(exp.name)} ({exp.park_id})[/bold]: total {exp.total if exp.total is not None else 'not rankable'}, rank {exp.rank or '—'}/{exp.cohort_size}"
    )
    console.print("Points lost (headroom):")
    for e in exp.losses:
        console.print(f"  {e.code} {escape(e.name)}: −{e.headroom:.2f} (earned {e.contribution:.2f})")
    console.print("Strengths:")
    for e in exp.strengths:
        console.print(f"  {e.code} {escape(e.name)}: +{e.contribution:.2f}")
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
        _fail(exc)
    if as_json:
        _echo_json(answer.model_dump())
        return
    _banner(answer.synthetic)
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

    kit = _kit(with_cohort=False)
    write_template(out, kit.registry)
    console.print(f"wrote {out} (sheets: parks, 说明)")
