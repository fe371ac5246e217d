"""Static checks of a compiled rule set: runaway repetition (an error) and lint warnings.

Runs after every rule is compiled, on the syntax tree (for positions) and the compiled spec (for
what really runs). Every finding points at the user's own element, never at generated regex:

- E310 a repetition that can backtrack without end. It is an error rather than a silent rewrite:
  no rewrite keeps the meaning in general (making `(a|aa)+` possessive changes what it matches),
  and a rule set that can hang on one unlucky document should not load. The hint names the fixes:
  a possessive repeat, an atomic group, or a bound. Found by `ruleie.compile.backtrack` on each
  `/regex/` atom (the caret is on the quantifier inside it) and on each unbounded repeat of a
  pattern (`item+`, `item*`, `item{m,}`: the caret is on its quantifier).
- W503 an unbounded repetition over characters that a following repetition also takes
  (`/\\w+\\w+/`, `/.*,.*,/`): matching time grows as a power of the text length (regex atoms).
- W504 a rule that can never fire: in a phase whose overlap policy is not `all`, for every label
  it produces, another rule producing that label matches everything it matches and always wins.
  Decided only where it is certain: the two rules compile to the same regexes and the other one
  has a higher priority or the same priority and comes first; or, under `longest`, the rule's
  pattern is one of the alternatives of the other rule's pattern and the other rule has the
  highest priority of all rules producing that label (its matches are then always kept, and one
  of them overlaps each match of the rule).
- W505 a capture that no action reads, in a rule that only marks (a `mark` keeps no capture;
  an `emit` exports every capture in the record's `captures`, so there none is unused).
- W506 a lexicon entry given twice: equal once normalised as the lexicon matches (spaces and
  apostrophes always, letter case with `case=any`, accents with `accents=insensitive`), or, with
  `case=first`, a capitalised entry whose lower-case form is listed too.
- W507 a test expecting a value in a record field that no `emit` of that type fills anywhere in
  the rule set: the field always keeps its default, so the expectation can never hold. (A field
  merely left unfilled is not reported: small rule sets rightly leave optional fields empty.)

A pattern that can match the empty string stays error E305 (checked when rules are compiled).
"""

from __future__ import annotations

from typing import Callable

from ruleie.compile import backtrack
from ruleie.compile.lexicons import CompiledLexicon, normalize_key
from ruleie.compile.patterns import PatternCompiler
from ruleie.compile.trie import fold_accents
from ruleie.dsl import ast
from ruleie.dsl.errors import ErrorSink, SourceLocation
from ruleie.dsl.resolve import PRELUDE_NAME, Program, display_path, walk
from ruleie.records import RECORD_TYPES

RUNAWAY_HINT = "make it possessive (++ or *+), wrap it in an atomic group (?>...), or bound it, e.g. {1,200}"


def lint_program(program: Program, patterns: PatternCompiler, phases: list, sink: ErrorSink, thorough: bool = False) -> None:
    """Report E310 errors and W504-W507 warnings of a compiled program to `sink` (W503 too when `thorough`).

    The polynomial-backtracking search behind W503 costs about as much as the rest of compiling a
    large rule set, so only an explicit lint (`ruleie check`) pays for it.
    """
    runaway(program, patterns, sink, thorough)
    shadowed_rules(program, phases, patterns, sink)
    unused_captures(program, sink)
    duplicate_entries(program, sink)
    unfilled_fields(program, sink)


# ------------------------------------------------------------------ runaway repetition


def _user_nodes(program: Program):
    """Every pattern node written in the rule files (macro bodies once, not through references)."""
    for macro in program.macros.values():
        if macro.loc.file != PRELUDE_NAME:
            yield from walk(macro.pattern)
    for phase in program.phases:
        for rule in phase.rules:
            yield from walk(rule.pattern)


def runaway(program: Program, patterns: PatternCompiler, sink: ErrorSink, polynomial: bool = True) -> None:
    """E310 on repetitions that can backtrack without end, W503 on polynomial ones (regex atoms, when `polynomial`)."""
    seen: set[int] = set()
    for node in _user_nodes(program):
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ast.RegexAtom):
            _check_atom(node, patterns, sink, polynomial)
        elif isinstance(node, ast.Repeat) and node.max is None:
            _check_repeat(node, patterns, sink)


def _check_atom(node: ast.RegexAtom, patterns: PatternCompiler, sink: ErrorSink, polynomial: bool = True) -> None:
    compiled = patterns.compile(node)
    if compiled == "(?!)":
        return  # invalid: reported as E303
    prefix = len(compiled) - len(node.source) - 1
    found = backtrack.analyse(compiled, polynomial=polynomial)
    if not found:
        return
    offsets = backtrack.quantifier_offsets(compiled)
    for finding in [f for f in found if f.unbounded][:1]:  # a bound is an accepted fix
        at = offsets[finding.repeat] - prefix if finding.repeat < len(offsets) else -1
        if at < 0:
            col = node.loc.col
        else:  # columns count the `\/` escapes the file has and the source has not
            col = node.loc.col + 1 + at + node.source[:at].count("/")
        loc = SourceLocation(node.loc.file, node.loc.line, col)
        if finding.kind == "exponential":
            sink.error("E310", "this repetition can backtrack without end: what it repeats can match one text in several ways",
                       loc, RUNAWAY_HINT)
        else:
            sink.warn("W503", "this repetition takes characters that a following repetition takes too: matching time "
                      "grows as a power of the text length", loc,
                      "make it possessive (++ or *+), or leave out of its class what follows it")


def _check_repeat(node: ast.Repeat, patterns: PatternCompiler, sink: ErrorSink) -> None:
    saved_uses, saved_needed = patterns._uses, patterns._needed
    patterns._uses, patterns._needed = {}, set()  # expand every macro: no shared definitions
    try:
        source = patterns.compile(node)
    finally:
        patterns._uses, patterns._needed = saved_uses, saved_needed
    parsed = backtrack.parse(source)
    if parsed is None:
        return
    tree, table = parsed
    total = backtrack._count_repeats(tree)
    found = backtrack.findings_of(tree, table)
    loop = total - (2 if node.min == 0 else 1)  # the repeat's own loop (then its `?` wrapper)
    if found and any(f.kind == "exponential" and f.repeat == loop for f in found):
        sink.error("E310", "this repetition can backtrack without end: what it repeats can match one text in several ways",
                   node.loc, RUNAWAY_HINT)


# ------------------------------------------------------------------ shadowed rules


def shadowed_rules(program: Program, phases: list, patterns: PatternCompiler, sink: ErrorSink) -> None:
    """W504 on rules that another rule of their phase always beats, for every label they produce."""
    for merged, spec in zip(program.phases, phases):
        if spec.overlap == "all":
            continue
        groups: dict[tuple[str, str], list[int]] = {}
        for i, rule in enumerate(spec.rules):
            for action in rule.actions:
                members = groups.setdefault((action.kind, action.label), [])
                if i not in members:
                    members.append(i)
        for j, rule in enumerate(spec.rules):
            keys = {(a.kind, a.label) for a in rule.actions}
            winners = [_winner(j, groups[key], merged.rules, spec, patterns) for key in keys]
            if winners and all(w is not None for w in winners):
                a = spec.rules[winners[0]]
                sink.warn("W504", f"rule '{rule.name}' can never fire: rule '{a.name}' ({a.origin}) matches everything "
                          "it matches and wins every overlap", merged.rules[j].loc,
                          "remove it, or change its pattern, label or priority")


def _winner(j: int, members: list[int], asts: list[ast.Rule], spec, patterns: PatternCompiler) -> int | None:
    """A rule of `members` that beats rule j wherever rule j matches, or None."""
    b = spec.rules[j]
    for i in members:
        a = spec.rules[i]
        if i == j:
            continue
        if a.segments == b.segments and (a.priority > b.priority or (a.priority == b.priority and i < j)):
            return i
        if (spec.overlap == "longest" and len(b.segments) == 1 == len(a.segments) and b.segments[0].kind == "regex"
                and all(spec.rules[k].priority < a.priority for k in members if k != i)
                and _includes(asts[i].pattern, asts[j].pattern, patterns.compile)):
            return i
    return None


def _bare(node: ast.Pattern) -> ast.Pattern:
    """The pattern without its capture names (they change the record, not what matches)."""
    while isinstance(node, ast.Capture):
        node = node.item
    return node


def _items(node: ast.Pattern) -> list[ast.Pattern] | None:
    """The items of a pattern written with gaps only, nested sequences spliced in; None with `~` glue."""
    node = _bare(node)
    if not isinstance(node, ast.Sequence):
        return [node]
    if not all(node.joins):
        return None
    out: list[ast.Pattern] = []
    for item in node.items:
        inner = _items(item)
        if inner is None:
            return None
        out.extend(inner)
    return out


def _includes(big: ast.Pattern, small: ast.Pattern, regex_of: Callable[[ast.Pattern], str]) -> bool:
    """Whether `big` matches every text `small` matches, decided on their shape (sound, not complete).

    Equal regexes; an alternation whose options are all included, or that has an option including
    the other; sequences matched item by item, where an alternation or an optional item of `big`
    may stand for a run of items of `small` (`("a" "dit" | "a" "déclaré") ":"` includes
    `"a" "déclaré" ":"`).
    """
    big, small = _bare(big), _bare(small)
    if regex_of(big) == regex_of(small):
        return True
    if isinstance(small, ast.Alternation):
        return all(_includes(big, o, regex_of) for o in small.options)
    if isinstance(big, ast.Alternation) and any(_includes(o, small, regex_of) for o in big.options):
        return True
    bs, ss = _items(big), _items(small)
    if bs is None or ss is None or (len(bs) == 1 and len(ss) == 1):
        return False
    return _sequence_includes(bs, ss, regex_of)


def _sequence_includes(bs: list[ast.Pattern], ss: list[ast.Pattern], regex_of: Callable[[ast.Pattern], str]) -> bool:
    """`_includes` for two runs of items: each item of `bs` takes the next one or more of `ss`."""
    if not bs:
        return not ss
    head = bs[0]
    if isinstance(head, ast.Repeat) and head.min == 0 and head.max == 1 and _sequence_includes(bs[1:], ss, regex_of):
        return True  # `x?` matching nothing
    runs = [_items(o) for o in head.options] if isinstance(head, ast.Alternation) else [[head]]
    if isinstance(head, ast.Repeat) and head.min == 0 and head.max == 1:
        runs.append(_items(head.item))
    for run in runs:
        if run is None or len(run) > len(ss):
            continue
        if all(_includes(r, x, regex_of) for r, x in zip(run, ss)) and _sequence_includes(bs[1:], ss[len(run):], regex_of):
            return True
    return False


# ------------------------------------------------------------------ unused captures


def unused_captures(program: Program, sink: ErrorSink) -> None:
    """W505 on captures of mark-only rules that no action reads."""
    for phase in program.phases:
        for rule in phase.rules:
            if any(a.kind == "emit" for a in rule.actions):
                continue
            read = {v.value if v.kind == "capture" else v.argument for a in rule.actions for _, v in a.fields}
            for node in walk(rule.pattern):
                if isinstance(node, ast.Capture) and node.name not in read:
                    sink.warn("W505", f"capture '{node.name}' is never read: rule '{rule.name}' only marks spans",
                              node.loc, f"remove '{node.name}:'")


# ------------------------------------------------------------------ lexicon entries


def _entries(program: Program, lex: ast.Lexicon, sink: ErrorSink) -> list[tuple[str, SourceLocation]]:
    """The entries of a lexicon with their positions (a lexicon file is registered for rendering)."""
    if lex.file is None:
        return list(lex.entries)
    if lex.name not in program.lexicon_files:
        return []
    path, text = program.lexicon_files[lex.name]
    name = display_path(path, program.root)
    sink.sources.setdefault(name, text)
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0]
        if entry.strip():
            out.append((entry.strip(), SourceLocation(name, number, len(entry) - len(entry.lstrip()) + 1)))
    return out


def duplicate_entries(program: Program, sink: ErrorSink) -> None:
    """W506 on lexicon entries that another entry of the same lexicon already matches."""
    for lex in program.lexicons.values():
        options = {o.name: o.value for o in lex.options}
        case, accents = options.get("case", "first"), options.get("accents", "exact")
        first: dict[str, SourceLocation] = {}
        entries = _entries(program, lex, sink)
        for text, loc in entries:
            key = normalize_key(text) if case == "any" else " ".join(text.replace("’", "'").split())
            if accents == "insensitive":
                key = fold_accents(key)
            if not key:
                continue
            if key in first:
                sink.warn("W506", f"'{text}' is already an entry of '@{lex.name}' (at {first[key]})", loc, "remove one of them")
            else:
                first[key] = loc
        if case == "first" and "verbs" not in options:
            for key, loc in list(first.items()):
                lower = key[0].lower() + key[1:]
                if key[0].isupper() and lower != key and lower in first:
                    sink.warn("W506", f"'{key}' is matched by the entry '{lower}' of '@{lex.name}' (case=first lets "
                              "an entry start with a capital)", loc, "remove it")


# ------------------------------------------------------------------ record fields


def unfilled_fields(program: Program, sink: ErrorSink) -> None:
    """W507 on a test expecting a value in a record field that no `emit` of that type fills."""
    filled: dict[str, set[str]] = {}
    for phase in program.phases:
        for rule in phase.rules:
            for action in rule.actions:
                if action.kind == "emit":
                    filled.setdefault(action.label, set()).update(name for name, _ in action.fields)
    for test in program.tests:
        for expect in test.expectations:
            model = RECORD_TYPES.get(expect.label)
            if model is None or expect.absent or expect.label not in filled:
                continue
            for name, value in expect.fields:
                info = model.model_fields.get(name)
                if info is None or name in ("span", "type", "rule", "origin", "doc", "captures") or name in filled[expect.label]:
                    continue
                if value is not None and value != info.default:
                    sink.warn("W507", f"test '{test.name}' expects {expect.label}.{name}, which no rule fills: "
                              f"every {expect.label} record leaves it {'empty' if info.default is None else repr(info.default)}", expect.loc,
                              f"fill it in an emit ({name}=...) or drop it from the test")
                    break
