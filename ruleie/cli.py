"""The `ruleie` command: extract, check, test, explain, profile, stats, schema.

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
from typing import Iterator, List, Optional

import typer

from ruleie import __version__
from ruleie.api import Document, RuleSet, load
from ruleie.dsl.errors import RuleErrors
from ruleie.io.readers import ReadError, read_inputs, valid_date
from ruleie.io.resume import ResumeError, copy_records, done_documents
from ruleie.io.spill import RecordSpill
from ruleie.io.writers import FORMATS, Writer, atomic_output, json_line

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


def _load_or_exit(rules: Optional[Path], use_cache: bool = True, thorough: bool = False) -> RuleSet:
    try:
        return load(rules, use_cache=use_cache, thorough=thorough)
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

#: `--timeout auto`: a document's matching budget is 10 s plus 120 s per million characters (each
#: piece of a split document gets the budget of its size). The French pack needs 2.5 s per million
#: characters on an idle machine and up to 25 s on text dense with quotes on a loaded one, a short
#: article well under a second: only a runaway pattern reaches the budget.
AUTO_TIMEOUT = (10.0, 120.0)


def _parse_timeout(value: str) -> tuple[float, float] | None:
    """`--timeout`: auto, none or 0 (no budget), or seconds per document; (seconds, per MB) or None."""
    if value.strip().lower() == "auto":
        return AUTO_TIMEOUT
    if value.strip().lower() in ("none", "off"):
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        _err(f"error: --timeout {value!r} is not a number of seconds, auto or none")
        raise typer.Exit(2)
    return None if seconds == 0 else (seconds, 0.0)


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
    timeout: str = typer.Option("auto", "--timeout", help="Matching time budget per document in seconds; auto: 10 s + 120 s per million characters; 0 or none: no limit."),
    resume: bool = typer.Option(False, "--resume", help="With -o FILE.jsonl: skip documents already in FILE, append the new records."),
    errors_out: Optional[str] = typer.Option(None, "--errors", help="Write the failed documents here as JSONL ({doc, stage, error})."),
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
    budget = _parse_timeout(timeout)
    done = _resume_from(output, fmt) if resume else None
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
    failed: list[dict[str, str]] = []  # for --errors
    skipped = 0
    # Documents handed to extract_many and not yet written, in order: (document or None, size in bytes).
    # Outcomes come back in input order, so the head of the queue is the document of the next one.
    in_flight: deque[tuple[Optional[Document], int]] = deque()

    def documents():
        nonlocal skipped
        for item in read_inputs(inputs, input_format, valid_date(doc_date) if doc_date else None, glob, encoding_errors):
            if isinstance(item, ReadError):
                read_failures.append(item)
                failed.append({"doc": item.doc, "stage": "read", "error": item.message})
                _err(f"error: {item.doc}: {item.message}")
                continue
            if done is not None and item.id in done:
                skipped += 1
                continue
            if not item.text or item.text.isspace():  # isspace: no copy of a huge text
                _err(f"warning: {item.id}: empty document")
            in_flight.append((item if needs_text else None, _utf8_size(item.text) if progress else 0))
            yield item

    stats = _Stats()
    seconds, per_mb = budget if budget is not None else (None, 0.0)
    # A long document comes back piece by piece (its records are held in a spill file until it is
    # complete), except for HTML, which shows each document whole.
    outcomes = ruleset.extract_many(documents(), n_jobs=jobs, timeout=seconds, timeout_per_mb=per_mb,
                                    by_piece=fmt not in Writer.NEEDS_TEXT)
    try:
        with atomic_output(output) as stream:
            if done:  # the records of the earlier run first, unchanged
                copy_records(output, stream)
            writer = Writer(stream, fmt, title=title or _default_title(inputs))
            for doc_id, error, records, spill in _whole_documents(
                _with_progress(outcomes, stats, prefetch=jobs > 1) if progress else outcomes
            ):
                document, size = in_flight.popleft()
                stats.docs += 1
                stats.bytes += size
                if error:
                    failures += 1
                    failed.append({"doc": doc_id, "stage": "extract", "error": error})
                    _err(f"error: {doc_id}: {error}")
                elif spill is None:
                    stats.records += len(records)
                    writer.write(records, document)
                else:
                    stats.records += spill.count
                    _write_spilled(writer, spill)
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
    if errors_out is not None:
        _write_failures(failed, errors_out)
    if skipped and not quiet:
        _err(f"resume: {skipped} document(s) already in {output}, skipped")
    if progress:
        _err(stats.summary(failures + len(read_failures)))
    if failures or read_failures:
        _err(f"{failures + len(read_failures)} document(s) failed")
        raise typer.Exit(1)


def _whole_documents(outcomes) -> Iterator[tuple[str, Optional[str], list, Optional[RecordSpill]]]:
    """`(doc, error, records, spill)` per document, whether its outcome came whole or piece by piece.

    The records of a document in pieces are in `spill` (valid until the next item), the first
    error of its pieces in `error`.
    """
    spill: Optional[RecordSpill] = None
    error: Optional[str] = None
    for outcome in outcomes:
        if outcome.part == 0 and outcome.last:
            yield outcome.doc, outcome.error, outcome.records, None
            continue
        if outcome.part == 0 or spill is None:
            spill, error = RecordSpill(), None
        error = error or outcome.error
        if error is None:
            spill.add(outcome.records)
        if outcome.last:
            try:
                yield outcome.doc, error, [], spill
            finally:
                spill.close()
                spill = None


def _write_spilled(writer: Writer, spill: RecordSpill) -> None:
    if writer.fmt == "jsonl":
        for lines in spill.lines():
            writer.write_json_lines(lines)
    else:
        for records in spill.records():
            writer.write(records)


def _resume_from(output: Optional[str], fmt: str) -> set[str]:
    """Ids of the documents `--resume` skips: those with a record in the JSONL output file."""
    if output in (None, "-") or fmt != "jsonl":
        _err("error: --resume needs --output FILE and the jsonl format")
        raise typer.Exit(2)
    if not Path(output).is_file():
        return set()
    try:
        return done_documents(output)
    except ResumeError as err:
        _err(f"error: {err}")
        raise typer.Exit(2)
    except OSError as err:
        _err(f"error: cannot read {output}: {err.strerror or err}")
        raise typer.Exit(2)


def _write_failures(failed: list[dict[str, str]], target: str) -> None:
    """The `--errors` report: one JSON object per failed document, replaced atomically."""
    try:
        with atomic_output(target) as stream:
            for item in failed:
                stream.write(json_line(item) + "\n")
    except OSError as err:
        _err(f"error: cannot write {target}: {err}")
        raise typer.Exit(2)


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
    """Parse and compile rules; report every error (exit 2) and warning, with every lint check."""
    ruleset = _load_or_exit(rules, thorough=True)
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
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="List every test, every uncovered rule and the rules of tests that exercise several."),
) -> None:
    """Run the rules' in-file tests and report rule coverage; exit 1 when one fails."""
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
    if report.uncovered:
        names = report.uncovered if verbose else report.uncovered[:10]
        typer.echo("rules no test exercises: " + ", ".join(f"{n} ({o})" for n, o in names)
                   + (" ..." if len(names) < len(report.uncovered) else ""))
    several = report.several_rules
    if several and verbose:
        typer.echo("tests that exercise several rules:")
        for outcome in several:
            typer.echo(f"  {outcome.test.name} ({outcome.test.origin}): {', '.join(report.rules_of(outcome))}")
    elif several:
        typer.echo(f"{len(several)} of {len(report.outcomes)} tests exercise several rules (-v lists them)")
    passed = len(report.outcomes) - len(report.failed)
    typer.echo(f"{passed} passed, {len(report.failed)} failed; {report.covered}/{report.total_rules} rules covered")
    if report.failed:
        raise typer.Exit(1)


@app.command()
def explain(
    rules: Path = typer.Argument(..., help="Rule file or folder."),
    text: str = typer.Argument(..., help="Text to explain, a file path, or - for stdin."),
    doc_date: Optional[str] = typer.Option(None, "--doc-date", help="Document date for relative dates."),
    why_not: Optional[str] = typer.Option(None, "--why-not", help="Say why no record covers this text instead (its first occurrence)."),
    why_not_at: Optional[str] = typer.Option(None, "--why-not-at", help="An OFFSET (take the occurrence of --why-not at or after it), or the span to explain as START:END offsets."),
    only_rules: List[str] = typer.Option([], "--rule", help="With --why-not: only rules with this name (glob pattern, repeatable)."),
    only_labels: List[str] = typer.Option([], "--label", help="With --why-not: only rules that mark or emit this label (repeatable)."),
    limit: int = typer.Option(10, "--limit", min=0, help="With --why-not: how many rules to show, furthest first (0: all)."),
) -> None:
    """Show which rules fired where, with their captures and source, and which matches lost to an overlap;
    with --why-not, why each rule did not produce a record over a given span."""
    if text == "-":
        text = sys.stdin.read()
    elif len(text) < 4096 and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    ruleset = _load_or_exit(rules)
    if why_not is not None or why_not_at is not None:
        _why_not(ruleset, text, why_not, why_not_at, doc_date, only_rules, only_labels, limit)
        return
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


def _why_not(ruleset: RuleSet, text: str, target: Optional[str], at: Optional[str], doc_date: Optional[str],
             only_rules: List[str], only_labels: List[str], limit: int) -> None:
    """`explain --why-not`: one block per rule, the rules that got furthest first."""
    from ruleie.authoring.why_not import why_not

    where: object = target
    offset = 0
    if at is not None:
        start, sep, end = at.partition(":")
        if not (start.isdigit() and (not sep or end.isdigit())) or (not sep and target is None):
            _err("error: --why-not-at takes OFFSET (with --why-not) or START:END")
            raise typer.Exit(2)
        if sep:
            where = (int(start), int(end))
        else:
            offset = int(start)
    try:
        found = why_not(ruleset, text, where, doc_date=doc_date, at=offset,  # type: ignore[arg-type]
                        rules=only_rules or None, labels=only_labels or None)
    except ValueError as err:
        _err(f"error: {err}")
        raise typer.Exit(2)
    colour = sys.stdout.isatty()

    def style(value: str, **kw: object) -> str:
        return typer.style(value, **kw) if colour else value  # type: ignore[arg-type]

    def quoted(span) -> str:
        return f'{span.start}-{span.end} "{_one_line(span.text)}"'

    shown = found if limit == 0 else found[:limit]
    if found:
        from ruleie.authoring.why_not import locate

        s, e = locate(text, where, offset)  # type: ignore[arg-type]
        typer.echo(f'why no record over {s}-{e} "{_one_line(text[s:e])}": {len(shown)} of {len(found)} rules, furthest first')
    else:
        typer.echo("no rule matches --rule/--label")
    red, yellow, green = {"fg": "red", "bold": True}, {"fg": "yellow", "bold": True}, {"fg": "green", "bold": True}
    for d in shown:
        typer.echo("")
        typer.echo(f"rule {style(d.rule, bold=True)}  {style(d.origin, dim=True)}  -> {', '.join(d.labels)}")
        if d.matched is not None and d.verdict != "produced":
            typer.echo(f"  matched   {quoted(d.matched)}  ({d.elements_matched} of {d.elements} elements)")
        if d.verdict == "produced" and d.matched is not None:
            typer.echo(f"  {style('produced', **green)}  {quoted(d.matched)}")
        elif d.verdict == "overlap":
            typer.echo(f"  {style('lost', **yellow)}      the overlap resolution (priority {d.priority}) to:")
            if d.winner is not None:
                w = d.winner
                typer.echo(f"            rule {w.rule} ({w.origin}), priority {w.priority}: {quoted(w.span)}")
        elif d.verdict == "empty_field":
            typer.echo(f"  {style('no record', **yellow)}: required field {', '.join(d.fields)} stayed empty")
        elif d.verdict == "extent":
            typer.echo(f"  {style('elsewhere', **yellow)} this is another extent than the span")
        elif d.element is not None:
            word = {"element": "failed", "lookaround": "vetoed by", "ref": "no span"}[d.verdict]
            typer.echo(f"  {style(word, **red)}{' ' * max(1, 10 - len(word))}{_one_line(d.element.text, 70)}  {style(str(d.element.loc), dim=True)}")
            if d.backward:
                typer.echo(f'            had to end at {d.position}: "…{_one_line(d.excerpt[-40:])}"')
            else:
                typer.echo(f'            tried at {d.position}: "{_one_line(d.excerpt)}"')
            if d.verdict == "ref":
                near = ", ".join(f"{n.label} {quoted(n.span)}" for n in d.nearby) or "none"
                typer.echo(f"            spans there: {near}")
    if len(shown) < len(found):
        typer.echo(f"\n{len(found) - len(shown)} more rules (--limit 0 shows them all)")


def _one_line(value: str, width: int = 50) -> str:
    """`value` on one line (whitespace runs as one space), cut to `width` characters."""
    import re

    flat = re.sub(r"\s+", " ", value)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


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


# ------------------------------------------------------------------ profile and stats: for rule authors


def _corpus(
    inputs: List[str],
    input_format: str,
    doc_date: Optional[str],
    glob: List[str],
    encoding_errors: str,
    limit: int,
    lines: bool,
    read_failures: list,
):
    """Documents of the inputs, read errors reported (and appended to `read_failures`).

    `lines`: each non-blank line of a document is a document of its own (`ID:LINE`); `limit` > 0:
    stop after that many documents.
    """
    if input_format not in ("auto", "txt", "jsonl"):
        _err(f"error: unknown input format {input_format!r} (auto, txt or jsonl)")
        raise typer.Exit(2)
    if encoding_errors not in ("strict", "replace"):
        _err("error: --encoding-errors takes strict or replace")
        raise typer.Exit(2)
    if doc_date is not None and valid_date(doc_date) is None:
        _err(f"error: --doc-date {doc_date!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        raise typer.Exit(2)

    def documents():
        for item in read_inputs(inputs, input_format, valid_date(doc_date) if doc_date else None, glob, encoding_errors):
            if isinstance(item, ReadError):
                read_failures.append(item)
                _err(f"error: {item.doc}: {item.message}")
            elif lines:
                for number, line in enumerate(item.text.split("\n"), start=1):
                    if line.strip():
                        yield Document(f"{item.id}:{number}", line, item.date)
            else:
                yield item

    return itertools.islice(documents(), limit) if limit > 0 else documents()


def _show_table(title: str, headers: List[str], rows: List[List[str]], right: set) -> None:
    """A table: drawn by rich on a terminal, plain text aligned in columns when piped."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, title_justify="left", title_style="bold")
        for i, header in enumerate(headers):
            table.add_column(header, justify="right" if i in right else "left")
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        Console().print(table)
        return
    widths = [max([len(headers[i])] + [len(row[i]) for row in rows]) for i in range(len(headers))]

    def line(cells: List[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    typer.echo(title)
    typer.echo(line(headers))
    for row in rows:
        typer.echo(line(row))


def _write_json(data: dict, target: str) -> None:
    try:
        with atomic_output(target) as stream:
            json.dump(data, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
    except BrokenPipeError:  # `--json - | head`: stop quietly
        _silence_stdout()
        raise typer.Exit(0)
    except OSError as err:
        _err(f"error: cannot write {target}: {err}")
        raise typer.Exit(2)


def _ratio(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole > 0 else "-"


_INPUTS_HELP = "Files, folders (recursive), JSONL, or - for stdin, as for `extract`."


@app.command()
def profile(
    rules: Path = typer.Argument(..., help="Rule file or folder."),
    inputs: List[str] = typer.Argument(..., help=_INPUTS_HELP),
    sort: str = typer.Option("time", "--sort", help="Order of the rules: time, found, kept or name."),
    top: int = typer.Option(20, "--top", min=0, help="Rules to show (0: all)."),
    json_out: Optional[str] = typer.Option(None, "--json", help="Also write the profile as JSON to this file (-: stdout, no tables)."),
    limit: int = typer.Option(0, "--limit", min=0, help="Profile the first N documents only (0: all)."),
    lines: bool = typer.Option(False, "--lines", help="Each non-blank line of an input is a document."),
    doc_date: Optional[str] = typer.Option(None, "--doc-date", help="Document date YYYY-MM-DD[THH:MM] for relative dates."),
    input_format: str = typer.Option("auto", "--input-format", help="auto (by name; stdin by content), txt or jsonl."),
    glob: List[str] = typer.Option(list(DEFAULT_GLOBS), "--glob", help="Files to take from folders (repeatable)."),
    encoding_errors: str = typer.Option("strict", "--encoding-errors", help="strict: report invalid UTF-8; replace: read it with U+FFFD."),
) -> None:
    """Where extraction time goes: matches found and kept, and time, per rule and per phase."""
    from ruleie.authoring.profile import SORT_KEYS, profile_corpus

    if sort not in SORT_KEYS:
        _err(f"error: unknown sort key {sort!r} (choose from {', '.join(SORT_KEYS)})")
        raise typer.Exit(2)
    read_failures: list = []
    documents = _corpus(inputs, input_format, doc_date, glob, encoding_errors, limit, lines, read_failures)
    ruleset = _load_or_exit(rules)
    report = profile_corpus(ruleset, documents)
    for doc, error in report.failed:
        _err(f"error: {doc}: {error}")
    if json_out is not None:
        _write_json(report.as_json(), json_out)
    if json_out != "-":
        total = report.run_seconds
        typer.echo(f"profile of {rules} over {report.documents:,} documents ({report.chars:,} chars)")
        typer.echo(f"compile: {report.compile_seconds:.3f} s (regexes of {len(report.rules)} rules, before the "
                   f"first document); warm-up {report.warmup_seconds:.3f} s")
        typer.echo(f"run: {total:.3f} s, {report.chars_per_second:,.0f} chars/s; matching {report.match_seconds:.3f} s "
                   f"({_ratio(report.match_seconds, total)}), overlap resolution and records {report.resolve_seconds:.3f} s "
                   f"({_ratio(report.resolve_seconds, total)}), other {report.other_seconds:.3f} s "
                   f"({_ratio(report.other_seconds, total)})")
        typer.echo("")
        matched = report.match_seconds + report.resolve_seconds
        _show_table(
            "phases",
            ["phase", "rules", "found", "kept", "match s", "resolve s", "total s", "%"],
            [[p.name, str(p.rules), f"{p.found:,}", f"{p.kept:,}", f"{p.match_seconds:.3f}", f"{p.resolve_seconds:.3f}",
              f"{p.seconds:.3f}", _ratio(p.seconds, total)] for p in report.phases]
            + [["total", str(len(report.rules)), f"{sum(p.found for p in report.phases):,}",
                f"{sum(p.kept for p in report.phases):,}", f"{report.match_seconds:.3f}", f"{report.resolve_seconds:.3f}",
                f"{matched:.3f}", _ratio(matched, total)]],
            right={1, 2, 3, 4, 5, 6, 7},
        )
        typer.echo("")
        shown = report.sorted_rules(sort, top or None)
        _show_table(
            f"rules by {sort}" + (f" (first {len(shown)} of {len(report.rules)})" if len(shown) < len(report.rules) else ""),
            ["rule", "phase", "found", "kept", "seconds", "%", "origin"],
            [[r.name, r.phase, f"{r.found:,}", f"{r.kept:,}", f"{r.seconds:.3f}", _ratio(r.seconds, total), r.origin]
             for r in shown],
            right={2, 3, 4, 5},
        )
    if report.failed or read_failures:
        _err(f"{len(report.failed) + len(read_failures)} document(s) failed")
        raise typer.Exit(1)


def _change(delta) -> List[str]:
    """Cells old, new, delta and percent of a `Delta`."""
    pct = delta.percent
    shown = "new" if pct is None and delta.new else "-" if pct is None else f"{pct:+.1f}%"
    return [f"{delta.old:,}", f"{delta.new:,}", f"{delta.delta:+,}", shown]


def _show_stats(counts, top: int, rules_label: str) -> None:
    typer.echo(f"stats of {rules_label} over {counts.documents:,} documents ({counts.chars:,} chars): "
               f"{counts.records:,} records, {sum(counts.marks.values()):,} marked spans")
    typer.echo("")
    _show_table("records by type", ["type", "records", "%"],
                [[t, f"{n:,}", _ratio(n, counts.records)] for t, n in sorted(counts.types.items(), key=lambda kv: (-kv[1], kv[0]))],
                right={1, 2})
    if counts.marks:
        typer.echo("")
        _show_table("marked spans by label", ["label", "spans"],
                    [[label, f"{n:,}"] for label, n in sorted(counts.marks.items(), key=lambda kv: (-kv[1], kv[0]))],
                    right={1})
    producing = sorted((r for r in counts.rules.values() if r.total), key=lambda r: -r.total)  # ties: rule order
    shown = producing[:top] if top else producing
    typer.echo("")
    _show_table(
        "output by rule" + (f" (first {len(shown)} of {len(producing)})" if len(shown) < len(producing) else ""),
        ["rule", "phase", "records", "marks", "output", "origin"],
        [[r.name, r.phase, f"{sum(r.records.values()):,}", f"{sum(r.marks.values()):,}",
          ", ".join(f"{k} {v:,}" for k, v in sorted({**r.records, **r.marks}.items())), r.origin] for r in shown],
        right={2, 3},
    )
    silent = [r.name for r in counts.rules.values() if not r.total]
    if silent:
        typer.echo(f"\n{len(silent)} rules produced nothing: {', '.join(silent)}")


def _show_comparison(cmp, top: int) -> None:
    old, new = cmp.old, cmp.new
    typer.echo(f"old: {old.rules_path} over {old.documents:,} documents ({old.chars:,} chars): {old.records:,} records")
    typer.echo(f"new: {new.rules_path} over {new.documents:,} documents ({new.chars:,} chars): {new.records:,} records")
    if not cmp.same_documents:
        typer.echo("note: the two runs did not read the same documents")
    headers = ["old", "new", "delta", "%"]
    typer.echo("")
    _show_table("records by type", ["type"] + headers, [[d.key] + _change(d) for d in cmp.types], right={1, 2, 3, 4})
    marks = [d for d in cmp.marks if d.delta]
    if marks:
        typer.echo("")
        _show_table("marked spans whose count changed", ["label"] + headers, [[d.key] + _change(d) for d in marks],
                    right={1, 2, 3, 4})
    if cmp.marks:
        typer.echo(f"labels of marked spans: {len(marks)} changed, {len(cmp.marks) - len(marks)} unchanged")
    changed = sorted((d for d in cmp.rules if d.delta), key=lambda d: -abs(d.delta))
    shown = changed[:top] if top else changed
    typer.echo("")
    if changed:
        _show_table("rules whose output changed" + (f" (first {len(shown)} of {len(changed)})" if len(shown) < len(changed) else ""),
                    ["rule"] + headers, [[d.key] + _change(d) for d in shown], right={1, 2, 3, 4})
    typer.echo(f"rules: {len(changed)} changed, {len(cmp.rules) - len(changed)} unchanged, "
               f"{len(cmp.added)} added, {len(cmp.removed)} removed")
    if cmp.added:
        typer.echo("added: " + ", ".join(f"{n} ({new.rules[n].total:,})" for n in cmp.added))
    if cmp.removed:
        typer.echo("removed: " + ", ".join(f"{n} ({old.rules[n].total:,})" for n in cmp.removed))
    gained, lost = cmp.gained, cmp.lost
    typer.echo(f"documents whose records changed: {len(gained):,} gained, {len(lost):,} lost, "
               f"{len(cmp.documents) - len(gained) - len(lost):,} changed only in types")
    for d in sorted(gained + lost, key=lambda d: -abs(d.delta))[:10]:
        typer.echo(f"  {d.key}: {d.old:,} -> {d.new:,} ({d.delta:+,})")


@app.command()
def stats(
    rules: Path = typer.Argument(..., help="Rule file or folder."),
    inputs: List[str] = typer.Argument(..., help=_INPUTS_HELP),
    json_out: Optional[str] = typer.Option(None, "--json", help="Write the counts as JSON to this file (-: stdout, no tables)."),
    compare_with: Optional[Path] = typer.Option(None, "--compare", help="JSON of an earlier run (--json): show what changed."),
    top: int = typer.Option(30, "--top", min=0, help="Rules to show (0: all)."),
    limit: int = typer.Option(0, "--limit", min=0, help="Count over the first N documents only (0: all)."),
    lines: bool = typer.Option(False, "--lines", help="Each non-blank line of an input is a document."),
    doc_date: Optional[str] = typer.Option(None, "--doc-date", help="Document date YYYY-MM-DD[THH:MM] for relative dates."),
    input_format: str = typer.Option("auto", "--input-format", help="auto (by name; stdin by content), txt or jsonl."),
    glob: List[str] = typer.Option(list(DEFAULT_GLOBS), "--glob", help="Files to take from folders (repeatable)."),
    encoding_errors: str = typer.Option("strict", "--encoding-errors", help="strict: report invalid UTF-8; replace: read it with U+FFFD."),
) -> None:
    """What a rule set produces over a corpus: records per type, output per rule; --compare: what changed."""
    from ruleie.authoring.stats import Stats, compare, corpus_stats

    old = None
    if compare_with is not None:
        try:
            old = Stats.from_json(json.loads(compare_with.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValueError) as err:  # JSONDecodeError is a ValueError
            _err(f"error: cannot read {compare_with}: {err}")
            raise typer.Exit(2)
    read_failures: list = []
    documents = _corpus(inputs, input_format, doc_date, glob, encoding_errors, limit, lines, read_failures)
    ruleset = _load_or_exit(rules)
    counts = corpus_stats(ruleset, documents)
    for doc, error in counts.failed:
        _err(f"error: {doc}: {error}")
    if json_out is not None:
        _write_json(counts.as_json(), json_out)
    if json_out != "-":
        if old is None:
            _show_stats(counts, top, str(rules))
        else:
            _show_comparison(compare(old, counts), top)
    if counts.failed or read_failures:
        _err(f"{len(counts.failed) + len(read_failures)} document(s) failed")
        raise typer.Exit(1)


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
