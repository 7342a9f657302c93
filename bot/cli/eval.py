"""`parkbot eval`: the project's own evaluation set, dense-only vs BM25-only vs hybrid.

Loads ``tests/eval/dev_qa.jsonl`` (or ``--cases FILE``), runs every question through the
searcher in each mode and prints recall@1/5/10, MRR@10, refusal accuracy and false-refusal
rate side by side (``--json`` for scripts). The metrics are `retrieval.evaluation`'s; this
module only adapts the searcher and renders the figures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from bot.cli.app import app, console, err_console
from retrieval.evaluation import EvalCase, RetrievalReport, evaluate_retrieval

MODES = ("dense", "bm25", "hybrid")
# Our mode names -> `Searcher.run(mode=…)`.
SEARCHER_MODE = {"dense": "dense", "bm25": "keyword", "hybrid": "hybrid"}
KS = (1, 5, 10)
MRR_K = 10


class ModeAdapter:
    """One search mode of a `retrieval.search.Searcher` as `search_fn` and `covers_fn`.

    The coverage signal comes from the same run as the hits, so each question is searched once
    per mode. Anything with ``run(query, k, mode=…) -> result`` (``result.hits``,
    ``result.coverage.covered``) works, which keeps tests on a small fake searcher.
    """

    def __init__(self, searcher: Any, mode: str, k: int) -> None:
        self.searcher, self.mode, self.k = searcher, SEARCHER_MODE[mode], k
        self._results: dict[str, Any] = {}

    def _run(self, question: str) -> Any:
        if question not in self._results:
            self._results[question] = self.searcher.run(question, self.k, mode=self.mode)
        return self._results[question]

    def search(self, question: str, k: int) -> list[Any]:
        return list(self._run(question).hits)[:k]

    def covers(self, question: str) -> bool:
        return bool(self._run(question).coverage.covered)


def compare_modes(
    cases: Sequence[EvalCase], searcher: Any, modes: Sequence[str] = MODES
) -> dict[str, RetrievalReport]:
    """One report per mode on the same cases."""
    depth = max(*KS, MRR_K)
    reports = {}
    for mode in modes:
        adapter = ModeAdapter(searcher, mode, depth)
        reports[mode] = evaluate_retrieval(cases, adapter.search, KS, covers_fn=adapter.covers, mrr_k=MRR_K)
    return reports


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def summary_table(reports: dict[str, RetrievalReport], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("mode")
    for k in KS:
        table.add_column(f"recall@{k}", justify="right")
    table.add_column(f"MRR@{MRR_K}", justify="right")
    table.add_column("complete@10", justify="right")
    table.add_column("refusal acc.", justify="right")
    table.add_column("false refusals", justify="right")
    best_mrr = max((r.overall.mrr or 0.0) for r in reports.values())
    for mode, report in reports.items():
        o = report.overall
        mrr = _pct(o.mrr)
        table.add_row(
            mode,
            *(_pct(o.recall[k]) for k in KS),
            f"[bold]{mrr}[/bold]" if o.mrr is not None and o.mrr == best_mrr else mrr,
            _pct(o.complete[10]),
            _pct(o.refusal_accuracy),
            _pct(o.false_refusal_rate),
        )
    return table


def breakdown_table(reports: dict[str, RetrievalReport], k: int = 5) -> Table:
    """recall@k and MRR per category and language, one column pair per mode."""
    table = Table(title=f"By category and language (recall@{k} / MRR@{MRR_K})", title_justify="left")
    table.add_column("group")
    table.add_column("n", justify="right")
    for mode in reports:
        table.add_column(mode, justify="right")
    first = next(iter(reports.values()))
    groups = [(f"category {c}", c, "by_category") for c in first.by_category]
    groups += [(f"lang {lang}", lang, "by_lang") for lang in first.by_lang]
    for label, key, attr in groups:
        base = getattr(first, attr)[key]
        if not base.answerable:
            continue
        cells = []
        for report in reports.values():
            fig = getattr(report, attr)[key]
            cells.append(f"{_pct(fig.recall[k])} / {_pct(fig.mrr)}")
        table.add_row(label, str(base.answerable), *cells)
    return table


def misses_table(report: RetrievalReport, cases: Sequence[EvalCase], mode: str, k: int = 5) -> Table:
    by_id = {c.id: c for c in cases}
    table = Table(
        title=f"{mode}: answerable questions without the evidence in the top {k}", title_justify="left"
    )
    table.add_column("id")
    table.add_column("question")
    table.add_column("expected")
    table.add_column("rank", justify="right")
    table.add_column("top hits")
    for result in report.misses(k):
        case = by_id[result.id]
        expected = "; ".join(f"{e.doc} {e.section}".strip() for e in case.expected)
        top = "; ".join(f"{h.doc} {h.section}".strip() for h in result.top)
        table.add_row(result.id, Text(case.question), Text(expected), str(result.rank or "–"), Text(top))
    return table


def to_json(reports: dict[str, RetrievalReport], cases_path: Path, details: bool) -> dict[str, Any]:
    exclude = None if details else {"cases"}
    return {
        "cases_file": str(cases_path),
        "ks": list(KS),
        "mrr_k": MRR_K,
        "modes": {mode: report.model_dump(mode="json", exclude=exclude) for mode, report in reports.items()},
    }


def _default_cases() -> Path:
    from bot.paths import project_root

    return project_root() / "tests" / "eval" / "dev_qa.jsonl"


def _build_searcher() -> Any:
    """The searcher over the current index, built the way the server builds it."""
    from bot.services import Services
    from bot.settings import get_settings

    searcher = getattr(Services(get_settings()), "searcher", None)
    if searcher is None:
        raise RuntimeError("no search index is available: run `parkbot ingest` first")
    return searcher


@app.command("eval")
def eval_command(
    cases: Annotated[
        Path | None,
        typer.Option("--cases", help="JSON-lines evaluation set (default: tests/eval/dev_qa.jsonl)"),
    ] = None,
    mode: Annotated[
        list[str] | None,
        typer.Option("--mode", help="Modes to compare: dense, bm25, hybrid (repeatable; default all)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    details: Annotated[
        bool, typer.Option("--details", help="With --json: every case's rank and top hits")
    ] = False,
    breakdown: Annotated[
        bool, typer.Option("--breakdown", help="Also print recall@5 / MRR per category")
    ] = False,
    misses: Annotated[
        bool, typer.Option("--misses", help="Also list the questions hybrid misses at k=5")
    ] = False,
) -> None:
    """Run the evaluation set through dense-only, BM25-only and hybrid search and print the figures."""
    from retrieval.errors import RetrievalError
    from retrieval.evaluation import load_cases

    mode = mode or list(MODES)
    unknown = [m for m in mode if m not in MODES]
    if unknown:
        err_console.print(
            f"--mode: {', '.join(unknown)} is not a mode (use dense, bm25 or hybrid)",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)
    modes = [m for m in MODES if m in mode]
    path = cases or _default_cases()
    try:
        loaded = load_cases(path)
    except RetrievalError as exc:
        err_console.print(str(exc), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    try:
        searcher = _build_searcher()
        reports = compare_modes(loaded, searcher, modes)
    except (RetrievalError, RuntimeError) as exc:
        err_console.print(str(exc), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(1) from exc

    if as_json:
        console.print_json(json.dumps(to_json(reports, path, details), ensure_ascii=False))
        return
    first = next(iter(reports.values())).overall
    title = (
        f"ParkBot retrieval on {path.name}: {first.answerable} answerable, "
        f"{first.unanswerable} unanswerable questions"
    )
    console.print(summary_table(reports, title))
    console.print(
        "recall@k: evidence passage in the top k; MRR: mean 1/rank of the first one; complete: every "
        "expected passage (two-document questions); refusals: the coverage signal on unanswerable / "
        "answerable questions.",
        style="dim",
    )
    if breakdown:
        console.print(breakdown_table(reports))
    if misses:
        shown = "hybrid" if "hybrid" in reports else modes[-1]
        console.print(misses_table(reports[shown], loaded, shown))
