"""`ruleie extract`: documents in, records out, with budgets, resume, failure reports and progress."""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections import deque
from pathlib import Path
from typing import Iterator, List, Optional

import typer

from ruleie.api import Document
from ruleie.io.readers import ReadError, read_inputs, valid_date
from ruleie.io.resume import ResumeError, copy_records, done_documents
from ruleie.io.spill import RecordSpill
from ruleie.io.writers import FORMATS, Writer, atomic_output, json_line

from ruleie.cli import common
from ruleie.cli.common import DEFAULT_GLOBS, _check_input_options, _err, _load_or_exit, _silence_stdout, app


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
    _check_input_options(input_format, encoding_errors, doc_date)
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
        common._LIVE_CONSOLE = bar.console
        try:
            yield from itertools.chain(first, outcomes)
        finally:
            common._LIVE_CONSOLE = None
