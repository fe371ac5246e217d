"""Commands over a corpus for rule authors: `profile` (where time goes) and `stats` (what a rule set produces)."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Iterable, List, Optional

import typer

from ruleie.api import Document
from ruleie.io.readers import ReadError, read_inputs, valid_date
from ruleie.io.writers import atomic_output
from ruleie.cli.common import DEFAULT_GLOBS, _check_input_options, _err, _load_or_exit, _silence_stdout, app


def _corpus(
    inputs: List[str],
    input_format: str,
    doc_date: Optional[str],
    glob: List[str],
    encoding_errors: str,
    limit: int,
    lines: bool,
) -> tuple[Iterable[Document], list[ReadError]]:
    """Documents of the inputs, and the list their read errors go to as they are met (each is
    also reported on stderr).

    `lines`: each non-blank line of a document is a document of its own (`ID:LINE`); `limit` > 0:
    stop after that many documents.
    """
    _check_input_options(input_format, encoding_errors, doc_date)
    read_failures: list[ReadError] = []

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

    return (itertools.islice(documents(), limit) if limit > 0 else documents()), read_failures


def _run_corpus(rules: Path, corpus: tuple[Iterable[Document], list[ReadError]], measure, json_out: Optional[str]):
    """Load `rules` and run `measure(ruleset, documents)` over a `_corpus`; report the documents
    that failed to run and write the result's JSON (`--json`). The result, and how many documents
    failed to read or to run."""
    documents, read_failures = corpus
    result = measure(_load_or_exit(rules), documents)
    for doc, error in result.failed:
        _err(f"error: {doc}: {error}")
    if json_out is not None:
        _write_json(result.as_json(), json_out)
    return result, len(result.failed) + len(read_failures)


def _exit_if_failed(failed: int) -> None:
    """Exit 1 when documents failed (each was reported when it did)."""
    if failed:
        _err(f"{failed} document(s) failed")
        raise typer.Exit(1)


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
    report, failed = _run_corpus(rules, _corpus(inputs, input_format, doc_date, glob, encoding_errors, limit, lines),
                                 profile_corpus, json_out)
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
    _exit_if_failed(failed)


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
    counts, failed = _run_corpus(rules, _corpus(inputs, input_format, doc_date, glob, encoding_errors, limit, lines),
                                 corpus_stats, json_out)
    if json_out != "-":
        if old is None:
            _show_stats(counts, top, str(rules))
        else:
            _show_comparison(compare(old, counts), top)
    _exit_if_failed(failed)
