"""Commands on rule files: `check` (compile and lint), `test` (in-file tests, coverage), `explain` (why a rule fired, or did not)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from ruleie.api import RuleSet
from ruleie.cli.common import _err, _load_or_exit, app


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
