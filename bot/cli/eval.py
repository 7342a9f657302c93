"""`parkbot eval`: the project's own evaluation set, dense-only vs BM25-only vs hybrid.

Loads ``tests/eval/dev_qa.jsonl`` (or ``--cases FILE``), runs every question through the
searcher in each mode and prints recall@1/5/10, MRR@10, refusal accuracy and false-refusal
rate side by side (``--json`` for scripts). With ``--answers`` it also puts every question to
the assistant (``Services.answer``, offline mode, one conversation per question) and prints the
answer figures: citation validity, evidence cited, facts stated, refusal accuracy, false
refusals and latency, overall and per split (``tune``: looked at while improving ParkBot;
``heldout``: not), category and language. ``--split heldout`` keeps one split only.

``--corpus DIR`` evaluates against another folder of documents (e.g. the real documents of
``tests/corpora/real`` with ``--cases tests/corpora/questions.jsonl``): the folder is indexed
into ``<index_dir>-eval/<folder name>`` (later runs only check it is current) and the current
index is left alone. The metrics are `retrieval.evaluation`'s and `bot.assistant.evaluation`'s;
this module only adapts the searcher and the service and renders the figures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from bot.cli.app import app, console, err_console
from retrieval.evaluation import EvalCase, RetrievalReport, evaluate_retrieval

if TYPE_CHECKING:
    from bot.assistant.evaluation import AnswerReport

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


ANSWER_COLUMNS = (  # (heading, AnswerFigures field); short headings keep the table readable at 80 columns
    ("valid cit.", "citation_validity"),
    ("evidence", "cites_evidence"),
    ("facts", "facts_stated"),
    ("all facts", "all_facts"),
    ("refusal acc.", "refusal_accuracy"),
    ("false ref.", "false_refusal_rate"),
)


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def answers_table(report: AnswerReport, title: str) -> Table:
    """The answer figures overall, per category and per language."""
    table = Table(title=title, title_justify="left")
    table.add_column("group")
    table.add_column("n", justify="right")
    for heading, _ in ANSWER_COLUMNS:
        table.add_column(heading, justify="right")
    table.add_column("refused", justify="right")
    table.add_column("p50 ms", justify="right")
    table.add_column("p95 ms", justify="right")
    rows = [("all", report.overall)]
    rows += [(f"split:{name}", fig) for name, fig in report.by_split.items()]
    rows += [(name, fig) for name, fig in report.by_category.items()]
    rows += [(f"lang:{name}", fig) for name, fig in report.by_lang.items()]
    for label, fig in rows:
        cells = [_pct(getattr(fig, attr)) for _, attr in ANSWER_COLUMNS]
        if fig.citation_validity is not None and fig.citation_validity < 1.0:
            cells[0] = f"[bold red]{cells[0]}[/bold red]"
        refused = f"{fig.unanswerable_refused}/{fig.unanswerable} · {fig.answerable_refused}/{fig.answerable}"
        table.add_row(label, str(fig.cases), *cells, refused, _ms(fig.latency_p50_ms), _ms(fig.latency_p95_ms))
    return table


def answer_misses_table(report: AnswerReport, cases: Sequence[EvalCase]) -> Table:
    """Every answer a reader would count against ParkBot, and why."""
    by_id = {c.id: c for c in cases}
    table = Table(title="Answers that miss (invalid citation, wrong refusal decision, evidence not cited, "
                  "fact not stated)", title_justify="left")
    table.add_column("id")
    table.add_column("question")
    table.add_column("why")
    table.add_column("cited")
    for result in report.misses():
        why: list[str] = []
        if result.error:
            why.append(f"error: {result.error}")
        if result.unresolved:
            why.append(f"unresolved {result.unresolved}")
        if result.not_indexed:
            why.append(f"not in index {result.not_indexed}")
        if not result.answerable and result.grounded is not False:
            why.append("answered (should refuse)")
        if result.answerable and result.grounded is False:
            why.append("refused")
        elif result.answerable:
            if not result.cites_evidence:
                why.append("evidence not cited")
            if result.facts_missing:
                why.append("missing " + "、".join(result.facts_missing))
        cited = "; ".join(f"{'*' if h.relevant else ''}{h.doc} {h.section}".strip() for h in result.cited)
        table.add_row(result.id, Text(by_id[result.id].question), Text(", ".join(why)), Text(cited or "–"))
    return table


def answer_function(services: Any) -> tuple[Any, Any]:
    """`Services.answer` (a fresh conversation per question) and the index's passage lookup."""
    index = services.current_index()
    if index is None:
        raise RuntimeError("no search index is available: run `parkbot ingest` first")
    chunks = index.chunks

    def passage(chunk_id: str) -> str | None:
        chunk = chunks.get(chunk_id)
        return chunk.text if chunk is not None else None

    from bot.assistant.types import AnswerRequest
    from bot.cli.ask import local_principal

    principal = local_principal()

    def answer(question: str) -> Any:
        return services.answer(AnswerRequest(principal=principal, message=question, channel="eval"))

    return answer, passage


def run_answers(cases: Sequence[EvalCase], services: Any) -> AnswerReport:
    from bot.assistant.evaluation import evaluate_answers

    answer, passage = answer_function(services)
    services.warm_up()
    answer("国家高新区")  # the first answer loads the router, the cohort and the tokenizer: not timed
    return evaluate_answers(cases, answer, passage)


def to_json(
    reports: dict[str, RetrievalReport], cases_path: Path, details: bool, answers: AnswerReport | None = None
) -> dict[str, Any]:
    exclude = None if details else {"cases"}
    data = {
        "cases_file": str(cases_path),
        "ks": list(KS),
        "mrr_k": MRR_K,
        "modes": {mode: report.model_dump(mode="json", exclude=exclude) for mode, report in reports.items()},
    }
    if answers is not None:
        data["answers"] = answers.model_dump(mode="json", exclude=exclude)
    return data


def _default_cases() -> Path:
    from bot.paths import project_root

    return project_root() / "tests" / "eval" / "dev_qa.jsonl"


def _build_services(corpus: Path | None = None) -> Any:
    """Services as the server builds them, but answering offline and remembering nothing on disk.

    With ``corpus``, over an index of that folder kept beside the current one (built or brought up
    to date first; an unchanged folder costs a parse and no embedding)."""
    from bot.services import Services
    from bot.settings import get_settings

    settings = get_settings()
    update: dict[str, Any] = {
        "llm": settings.llm.model_copy(update={"backend": "offline"}),
        "store": settings.store.model_copy(update={"url": "sqlite://"}),
    }
    if corpus is not None:
        index_dir = settings.paths.index.with_name(f"{settings.paths.index.name}-eval") / corpus.resolve().name
        update["paths"] = settings.paths.model_copy(update={"index_dir": str(index_dir), "corpus_dir": str(corpus)})
    settings = settings.model_copy(update=update)
    if corpus is not None:
        from retrieval.ingest import build_index

        report = build_index(corpus, settings.retrieval_config())
        if report.all_failed:
            raise RuntimeError(f"--corpus {corpus}: no document could be indexed "
                               f"({'; '.join(f'{f.source}: {f.reason}' for f in report.failed)})")
    return Services(settings)


def _build_searcher(services: Any = None) -> Any:
    """The searcher over the current index, built the way the server builds it."""
    services = services or _build_services()
    searcher = getattr(services, "searcher", None)
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
        bool, typer.Option("--details", help="With --json: every case's rank and top hits (and answer)")
    ] = False,
    answers: Annotated[
        bool,
        typer.Option("--answers", help="Also answer every question (offline assistant) and print the answer figures"),
    ] = False,
    breakdown: Annotated[
        bool, typer.Option("--breakdown", help="Also print recall@5 / MRR per category")
    ] = False,
    misses: Annotated[
        bool,
        typer.Option("--misses", help="Also list the questions hybrid misses at k=5 (and, with --answers, the answers that miss)"),
    ] = False,
    split: Annotated[
        str | None, typer.Option("--split", help="Only the cases of this split (tune or heldout)")
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", help="Evaluate over an index of this folder of documents instead of the current "
                     "index (built beside it on first use)"),
    ] = None,
) -> None:
    """Run the evaluation set through dense-only, BM25-only and hybrid search (and, with --answers,
    the offline assistant) and print the figures."""
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
    if split is not None:
        splits = sorted({c.split for c in loaded if c.split})
        loaded = [c for c in loaded if c.split == split]
        if not loaded:
            err_console.print(f"--split: no case of {path.name} is in split '{split}' "
                              f"(its splits: {', '.join(splits) or 'none'})", markup=False, soft_wrap=True)
            raise typer.Exit(2)
    if corpus is not None and not corpus.is_dir():
        err_console.print(f"--corpus: {corpus} is not a folder of documents", markup=False, soft_wrap=True)
        raise typer.Exit(2)
    answer_report = None
    try:
        services = _build_services(corpus)
        try:
            searcher = _build_searcher(services)
            reports = compare_modes(loaded, searcher, modes)
            if answers:
                answer_report = run_answers(loaded, services)
        finally:
            services.close()
    except (RetrievalError, RuntimeError) as exc:
        err_console.print(str(exc), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(1) from exc

    if as_json:
        console.print_json(json.dumps(to_json(reports, path, details, answer_report), ensure_ascii=False))
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
    if answer_report is not None:
        o = answer_report.overall
        console.print(answers_table(
            answer_report,
            f"ParkBot answers (offline assistant) on {path.name}: {o.answerable} answerable, "
            f"{o.unanswerable} unanswerable questions",
        ))
        console.print(
            "valid cit.: every [n] resolves and every citation quotes an indexed passage verbatim (must be 1.000); "
            "evidence: an expected evidence passage is cited; facts: share of expected facts stated in the answer "
            "text (all facts: answers stating every one); refusals: grounded=false on unanswerable / answerable "
            "questions (refused: how many of the unanswerable · of the answerable ones); latency of one answer.",
            style="dim",
            markup=False,
        )
        if misses:
            console.print(answer_misses_table(answer_report, loaded))
