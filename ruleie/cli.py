"""The `ruleie` command: extract, check, test, explain, schema.

Exit codes: 0 ok; 1 some documents failed (each reported on stderr, the rest processed) or a test
failed; 2 usage or rule errors (reported as `file:line:col` with a caret, never a traceback).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections import deque
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


#: While a progress bar is shown, messages go through its console, above the bar.
_LIVE_CONSOLE = None


def _err(message: str) -> None:
    if _LIVE_CONSOLE is not None:
        _LIVE_CONSOLE.print(message, markup=False, highlight=False, soft_wrap=True)
    else:
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


DEFAULT_GLOBS = ("*.txt", "*.txt.gz")


@app.command()
def extract(
    inputs: List[str] = typer.Argument(None, help="Files, folders (recursive), or - for stdin (default). Gzip files are read as they are."),
    rules: Optional[Path] = typer.Option(None, "--rules", "-r", help="Rule file or folder (default: built-in French pack)."),
    doc_date: Optional[str] = typer.Option(None, "--doc-date", help="Document date YYYY-MM-DD[THH:MM] for relative dates."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help=f"Output format: {', '.join(FORMATS)}."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write here (atomically) instead of stdout."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=0, help="Worker processes (0: one per CPU). Output keeps the input order."),
    input_format: str = typer.Option("auto", "--input-format", help="auto (by name; stdin by content), txt or jsonl."),
    glob: List[str] = typer.Option(list(DEFAULT_GLOBS), "--glob", help="Files to take from folders (repeatable)."),
    encoding_errors: str = typer.Option("strict", "--encoding-errors", help="strict: report invalid UTF-8; replace: read it with U+FFFD."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
    title: Optional[str] = typer.Option(None, "--title", help="Title of the HTML page (default: the inputs)."),
) -> None:
    """Extract records from documents and write them as JSONL, CSV, a table or an HTML page."""
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
    if jobs == 0:
        jobs = os.cpu_count() or 1
    inputs = inputs or []
    if (not inputs or inputs == ["-"]) and sys.stdin.isatty() and not quiet:
        _err("reading a document from standard input (end it with Ctrl-D)")
    to_terminal = output in (None, "-") and sys.stdout.isatty()
    # The bar goes to stderr; records streamed to the same terminal would tear it apart.
    progress = sys.stderr.isatty() and not quiet and not (to_terminal and fmt != "table")
    needs_text = fmt in Writer.NEEDS_TEXT
    failures = 0
    read_failures: list[ReadError] = []
    # Documents handed to extract_many and not yet written, in order: (document or None, size in bytes).
    # Outcomes come back in input order, so the head of the queue is the document of the next one.
    in_flight: deque[tuple[Optional[Document], int]] = deque()

    def documents():
        for item in read_inputs(inputs, input_format, valid_date(doc_date) if doc_date else None, glob, encoding_errors):
            if isinstance(item, ReadError):
                read_failures.append(item)
                _err(f"error: {item.doc}: {item.message}")
                continue
            if not item.text.strip():
                _err(f"warning: {item.id}: empty document")
            in_flight.append((item if needs_text else None, _utf8_size(item.text) if progress else 0))
            yield item

    stats = _Stats()
    outcomes = ruleset.extract_many(documents(), n_jobs=jobs)
    try:
        with atomic_output(output) as stream:
            writer = Writer(stream, fmt, title=title or _default_title(inputs))
            for outcome in _with_progress(outcomes, stats, prefetch=jobs > 1) if progress else outcomes:
                document, size = in_flight.popleft()
                stats.docs += 1
                stats.bytes += size
                if outcome.error:
                    failures += 1
                    _err(f"error: {outcome.doc}: {outcome.error}")
                    continue
                stats.records += len(outcome.records)
                writer.write(outcome.records, document)
            writer.close()
    except KeyboardInterrupt:
        outcomes.close()
        _err(f"interrupted: {output} left as it was" if output not in (None, "-") else "interrupted")
        raise typer.Exit(130)
    except BrokenPipeError:  # downstream closed early (`| head`): stop quietly
        _silence_stdout()
        raise typer.Exit(0)
    except OSError as err:
        _err(f"error: cannot write output: {err}")
        raise typer.Exit(2)
    finally:
        outcomes.close()  # stop worker processes now when leaving early (error, Ctrl-C)
    if progress:
        _err(stats.summary(failures + len(read_failures)))
    if failures or read_failures:
        _err(f"{failures + len(read_failures)} document(s) failed")
        raise typer.Exit(1)


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _default_title(inputs: list[str]) -> str:
    names = ", ".join(inputs) if inputs else "standard input"
    return f"ruleie: {names if len(names) <= 80 else names[:77] + '...'}"


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that the exit flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover
        pass


class _Stats:
    """Counts for the progress bar and the closing summary."""

    def __init__(self) -> None:
        self.docs = 0
        self.bytes = 0
        self.records = 0
        self.started = time.monotonic()

    def summary(self, failed: int) -> str:
        """One line: what was done, how fast."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        mb = self.bytes / 1e6
        line = (f"{self.records:,} records from {self.docs:,} documents ({mb:,.1f} MB) in {elapsed:,.1f} s: "
                f"{self.docs / elapsed:,.1f} documents/s, {mb / elapsed:,.2f} MB/s")
        return line + (f"; {failed} failed" if failed else "")


def _with_progress(outcomes, stats: _Stats, prefetch: bool):
    """Pass outcomes through while a progress bar on stderr shows documents/s and MB/s."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, TimeElapsedColumn
    from rich.text import Text

    class Rates(ProgressColumn):
        def render(self, task) -> Text:  # type: ignore[override]
            elapsed = max(time.monotonic() - stats.started, 1e-9)
            mb = stats.bytes / 1e6
            return Text(f"{stats.docs:,} documents  {stats.docs / elapsed:,.1f} docs/s  "
                        f"{mb:,.1f} MB  {mb / elapsed:,.2f} MB/s  {stats.records:,} records",
                        no_wrap=True, overflow="ellipsis")

    outcomes = iter(outcomes)
    first = []
    if prefetch:  # start the worker processes (fork) before the bar starts its refresh thread
        first = [outcome for outcome in [next(outcomes, None)] if outcome is not None]
    with Progress(SpinnerColumn(), Rates(), BarColumn(bar_width=16, pulse_style="cyan"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True, refresh_per_second=8,
                  redirect_stdout=False) as bar:  # records keep going to the real stdout
        bar.add_task("extract", total=None)
        global _LIVE_CONSOLE
        _LIVE_CONSOLE = bar.console
        try:
            yield from itertools.chain(first, outcomes)
        finally:
            _LIVE_CONSOLE = None


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
    """Show which rules fired where, with their captures and source, and which matches lost to an overlap."""
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
    fired: dict[str, tuple[object, bool]] = {}
    for rule, _match, _label, kept in result.trace.found:
        seen = fired.get(rule.origin)
        fired[rule.origin] = (rule, kept or (seen is not None and seen[1]))
    if fired:
        typer.echo("rules that fired:")
        _print_rule_sources([(r, k) for r, k in fired.values()], ruleset.path)
    typer.echo("records:")
    for record in result.records:
        typer.echo("  " + record.model_dump_json(exclude={"captures"}))


def _rule_file(origin_file: str, rules_path: Optional[Path]) -> Optional[Path]:
    """The rule file an `origin` names: relative to the working directory, or found in the rule folder."""
    candidate = Path(origin_file)
    if candidate.is_file():
        return candidate
    if rules_path is None:
        return None
    root = rules_path if rules_path.is_dir() else rules_path.parent
    if (root.parent / origin_file).is_file():  # origins outside the working directory: "folder/file.rules"
        return root.parent / origin_file
    tail = Path(origin_file).parts
    best: Optional[Path] = None
    best_len = 0
    for path in root.rglob("*.rules"):
        parts = path.parts
        n = 0
        while n < min(len(parts), len(tail)) and parts[-1 - n] == tail[-1 - n]:
            n += 1
        if n > best_len:
            best, best_len = path, n
    return best


def _print_rule_sources(rules: list, rules_path: Optional[Path]) -> None:
    """Each rule's source lines (from its `origin`), in colour on a terminal, plain when piped."""
    from ruleie.pygments_lexer import RulesLexer, rule_extent

    colour = sys.stdout.isatty()
    console = None
    if colour:
        from rich.console import Console

        console = Console(highlight=False)
    sources: dict[Path, str] = {}
    for rule, kept in rules:
        origin_file, _, line_text = rule.origin.rpartition(":")
        status = "" if kept else "  (all its matches lost to overlap)"
        path = _rule_file(origin_file, rules_path) if line_text.isdigit() else None
        if path is None:
            typer.echo(f"  rule {rule.name} ({rule.origin}): source not found{status}")
            continue
        if path not in sources:
            try:
                sources[path] = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                sources[path] = ""
        first, last = rule_extent(sources[path], int(line_text))
        lines = sources[path].splitlines()[first - 1 : last]
        if not lines:
            typer.echo(f"  rule {rule.name} ({rule.origin}): source not found{status}")
            continue
        header = f"  {rule.origin}  rule {rule.name}{status}"
        if console is not None:
            from rich.padding import Padding
            from rich.syntax import Syntax

            console.print(header, style="bold", markup=False)
            syntax = Syntax("\n".join(lines), RulesLexer(), line_numbers=True, start_line=first,
                            theme="ansi_dark", background_color="default", word_wrap=True)
            console.print(Padding(syntax, (0, 0, 0, 4)))
        else:
            typer.echo(header)
            width = len(str(last))
            for number, text in enumerate(lines, start=first):
                typer.echo(f"    {number:>{width}} | {text}")


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
