"""The `ruleie` command: extract, check, test, explain, schema.

Exit codes: 0 ok; 1 some documents failed (each reported on stderr, the rest processed) or a test
failed; 2 usage or rule errors (reported as `file:line:col` with a caret, never a traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from ruleie import __version__
from ruleie.api import Document, RuleSet, load
from ruleie.dsl.errors import RuleErrors
from ruleie.io.readers import ReadError, read_inputs, valid_date
from ruleie.io.writers import FORMATS, Writer, atomic_output

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Rule-based information extraction for French text: who said what, who accused whom, and when.",
    pretty_exceptions_enable=False,
)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _load_or_exit(rules: Optional[Path], use_cache: bool = True) -> RuleSet:
    try:
        return load(rules, use_cache=use_cache)
    except RuleErrors as errors:
        _err(errors.render())
        raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ruleie {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Rule-based information extraction for French text."""


@app.command()
def extract(
    inputs: List[str] = typer.Argument(None, help="Files, folders (recursive *.txt), or - for stdin (default)."),
    rules: Optional[Path] = typer.Option(None, "--rules", "-r", help="Rule file or folder (default: built-in French pack)."),
    doc_date: Optional[str] = typer.Option(None, "--doc-date", help="Document date YYYY-MM-DD[THH:MM] for relative dates."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help=f"Output format: {', '.join(FORMATS)}."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write here (atomically) instead of stdout."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=1, help="Worker processes."),
    input_format: str = typer.Option("auto", "--input-format", help="auto (by extension), txt or jsonl."),
    glob: str = typer.Option("*.txt", "--glob", help="Files to take from folders."),
    encoding_errors: str = typer.Option("strict", "--encoding-errors", help="strict: report invalid UTF-8; replace: read it with U+FFFD."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Extract records from documents and write them as JSONL, CSV or a table."""
    if fmt not in FORMATS:
        _err(f"error: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        raise typer.Exit(2)
    if input_format not in ("auto", "txt", "jsonl"):
        _err(f"error: unknown input format {input_format!r} (auto, txt or jsonl)")
        raise typer.Exit(2)
    if encoding_errors not in ("strict", "replace"):
        _err("error: --encoding-errors takes strict or replace")
        raise typer.Exit(2)
    if doc_date is not None and valid_date(doc_date) is None:
        _err(f"error: --doc-date {doc_date!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        raise typer.Exit(2)
    ruleset = _load_or_exit(rules)
    failures = 0
    read_failures: list[ReadError] = []

    def documents():
        for item in read_inputs(inputs or [], input_format, valid_date(doc_date) if doc_date else None, glob, encoding_errors):
            if isinstance(item, ReadError):
                read_failures.append(item)
                _err(f"error: {item.doc}: {item.message}")
                continue
            if not item.text.strip():
                _err(f"warning: {item.id}: empty document")
            yield item

    progress = sys.stderr.isatty() and not quiet
    try:
        with atomic_output(output) as stream:
            writer = Writer(stream, fmt)
            outcomes = ruleset.extract_many(documents(), n_jobs=jobs)
            if progress:
                outcomes = _with_progress(outcomes)
            for outcome in outcomes:
                if outcome.error:
                    failures += 1
                    _err(f"error: {outcome.doc}: {outcome.error}")
                    continue
                writer.write(outcome.records)
            writer.close()
    except OSError as err:
        _err(f"error: cannot write output: {err}")
        raise typer.Exit(2)
    except BrokenPipeError:  # pragma: no cover - downstream closed early (e.g. `| head`)
        raise typer.Exit(0)
    if failures or read_failures:
        _err(f"{failures + len(read_failures)} document(s) failed")
        raise typer.Exit(1)


def _with_progress(outcomes):
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.completed} documents"), BarColumn(), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("extract", total=None)
        for outcome in outcomes:
            bar.advance(task)
            yield outcome


@app.command()
def check(
    rules: Path = typer.Argument(..., help="Rule file or folder."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
) -> None:
    """Parse and compile rules; report every error (exit 2) and warning."""
    ruleset = _load_or_exit(rules, use_cache=False)
    for warning in ruleset.warnings:
        _err(warning)
    n_rules = sum(len(p.rules) for p in ruleset.spec.phases)
    typer.echo(f"ok: {n_rules} rules in {len(ruleset.spec.phases)} phases, {len(ruleset.spec.tests)} tests, "
               f"{len(ruleset.warnings)} warnings")
    if strict and ruleset.warnings:
        raise typer.Exit(2)


@app.command("test")
def test_cmd(
    rules: Path = typer.Argument(..., help="Rule file or folder."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every test and every uncovered rule."),
) -> None:
    """Run the rules' in-file tests; exit 1 when one fails."""
    from ruleie.testing import run_tests

    ruleset = _load_or_exit(rules)
    report = run_tests(ruleset)
    for outcome in report.outcomes:
        if outcome.passed:
            if verbose:
                typer.echo(f"PASS {outcome.test.name} ({outcome.test.origin})")
        else:
            typer.echo(f"FAIL {outcome.test.name} ({outcome.test.origin})")
            for failure in outcome.failures:
                typer.echo(f"  {failure}")
    covered = report.total_rules - len(report.uncovered)
    if report.uncovered:
        names = report.uncovered if verbose else report.uncovered[:10]
        typer.echo("rules no test exercises: " + ", ".join(f"{n} ({o})" for n, o in names)
                   + (" ..." if len(names) < len(report.uncovered) else ""))
    passed = len(report.outcomes) - len(report.failed)
    typer.echo(f"{passed} passed, {len(report.failed)} failed; {covered}/{report.total_rules} rules covered")
    if report.failed:
        raise typer.Exit(1)


@app.command()
def explain(
    rules: Path = typer.Argument(..., help="Rule file or folder."),
    text: str = typer.Argument(..., help="Text to explain, a file path, or - for stdin."),
    doc_date: Optional[str] = typer.Option(None, "--doc-date", help="Document date for relative dates."),
) -> None:
    """Show which rules fired where, with their captures, and which matches lost to an overlap."""
    if text == "-":
        text = sys.stdin.read()
    elif len(text) < 4096 and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    ruleset = _load_or_exit(rules)
    result = ruleset.explain(text, doc_date=doc_date)
    norm = result.normalized  # type: ignore[attr-defined]
    assert result.trace is not None
    typer.echo("matches:")
    for rule, match, label, kept in sorted(result.trace.found, key=lambda t: (t[1].start, t[1].end)):
        s, e = norm.to_original(match.start, match.end)
        status = "kept" if kept else "lost to overlap"
        typer.echo(f"  {s}-{e} {text[s:e]!r}  rule {rule.name} ({rule.origin}) -> {label or '-'} [{status}]")
        for name, (cs, ce) in sorted(match.captures.items()):
            os_, oe = norm.to_original(cs, ce)
            typer.echo(f"      {name} = {text[os_:oe]!r} ({os_}-{oe})")
    typer.echo("records:")
    for record in result.records:
        typer.echo("  " + record.model_dump_json(exclude={"captures"}))


@app.command()
def schema() -> None:
    """Print the JSON Schema of every record type."""
    from ruleie.records import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def main() -> None:
    """Entry point of the `ruleie` console script."""
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
