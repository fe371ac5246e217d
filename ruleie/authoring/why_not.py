"""Why a rule did not produce a record over a given stretch of text (`ruleie explain --why-not`).

For every candidate rule the answer is one `Diagnosis`. When the engine's trace holds a match of
the rule over the target, the verdict comes from it: the record was produced, the match lost the
overlap resolution to another (the winner is named), a required record field stayed empty, or the
match covers another extent. Otherwise the rule's pattern is replayed element by element, where
an element is one top-level item of the pattern as written (a group, an alternation or a repeated
item counts as one), from every start the engine could have used for a record over the target;
the attempt that got furthest names the element that failed and where, a `<Label>` that found no
span there (with the spans that exist nearby), or a lookaround that vetoed.

The replay follows `ruleie.runtime.matcher`: regex elements are compiled by `PatternCompiler`
exactly as in the rule (gaps, `~` glue, macros, lexicons), spans come from the traced run, and a
reference takes the longest span that lets the rest match. A rule without a required reference
(or starting with one) is tried from each position up to `LEFT_WINDOW` characters before the
target; a rule with one after its first element is tried around each span of that reference, the
part before it matched backwards from the span (and, where no span starts, the reference is
reported missing where that part ends). The rule files are read again from the rule set's path, so
they must not have changed since it was loaded.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import regex

from ruleie.compile.lexicons import CompiledLexicon, compile_lexicon
from ruleie.compile.patterns import GAP, PatternCompiler, sequence_items, trailing_looks_start
from ruleie.compile.ruleset import ActionSpec, RuleSpec
from ruleie.dsl import ast
from ruleie.dsl.errors import ErrorSink, SourceLocation
from ruleie.dsl.resolve import Program, load_program, walk
from ruleie.normalize import NormalizedText, normalize
from ruleie.records import Span, field_shapes
from ruleie.runtime.engine import action_extent
from ruleie.runtime.matcher import AHEAD_AT, LEFT_WINDOW, backwards, compile_fast, search_left, touching, trim
from ruleie.runtime.overlap import Match

if TYPE_CHECKING:
    from ruleie.api import RuleSet

#: Verdicts, from the rule that did produce the record to the element that failed.
VERDICTS = ("produced", "overlap", "empty_field", "extent", "element", "lookaround", "ref")
#: How far around a failed `<Label>` the spans that do exist are listed.
NEARBY = 40

_GAP = regex.compile(GAP)
_WORD = regex.compile(r"\w")
_SENTENCE_END = regex.compile(r"[.!?…]\s")


@dataclass(frozen=True)
class Element:
    """One top-level item of a rule's pattern: its source text and where it is written."""

    index: int
    text: str  # as written, comments dropped and whitespace runs collapsed
    loc: SourceLocation


@dataclass(frozen=True)
class LabelledSpan:
    """A span an earlier phase produced (`mark` or a record), visible to `<Label>`."""

    label: str
    span: Span
    rule: str


@dataclass(frozen=True)
class Winner:
    """The match that won the overlap resolution against the diagnosed one."""

    rule: str
    origin: str
    priority: int
    span: Span


@dataclass
class Diagnosis:
    """Why one rule did or did not produce a record over the target, with structured details."""

    rule: str
    origin: str
    phase: str
    labels: tuple[str, ...]  # what the rule's actions mark or emit
    verdict: str  # one of VERDICTS
    matched: Span | None = None  # the rule's match, or what it matched before the failure
    element: Element | None = None  # the element that failed (element, lookaround, ref)
    elements: int = 0  # elements of the pattern
    elements_matched: int = 0  # how many matched before the failure (all when it matched)
    position: int | None = None  # where the failed element was tried (original offset)
    backward: bool = False  # the element precedes the anchor reference: it had to end at `position`
    excerpt: str = ""  # the text from `position` on (before it when `backward`)
    winner: Winner | None = None  # overlap: the match kept instead
    priority: int = 0
    fields: tuple[str, ...] = ()  # empty_field: the required fields left empty
    nearby: tuple[LabelledSpan, ...] = ()  # ref: spans of earlier phases around `position`
    fit: float = 0.0  # overlap of `matched` with the target over their union (for ranking)

    def summary(self) -> str:
        """The verdict in one plain line."""
        head = f"rule {self.rule} ({self.origin})"
        got = f'matched "{_short(self.matched.text)}" ({self.matched.start}-{self.matched.end})' if self.matched else ""
        if self.verdict == "produced":
            return f"{head}: produced {'/'.join(self.labels)} over {got[8:]}"
        if self.verdict == "overlap" and self.winner is not None:
            w = self.winner
            return (f'{head}: {got} but lost the overlap to rule {w.rule} ({w.origin}): "{_short(w.span.text)}" '
                    f"({w.span.start}-{w.span.end}), priority {w.priority} against {self.priority}")
        if self.verdict == "empty_field":
            return f"{head}: {got} but required field {', '.join(self.fields)} stayed empty: no record"
        if self.verdict == "extent":
            return f"{head}: {got}, another extent than the target"
        assert self.element is not None
        where = (f'ending at {self.position}: "…{_short(self.excerpt[-40:])}"' if self.backward
                 else f'at {self.position}: "{_short(self.excerpt)}"')
        before = f"{got}; " if self.matched else ""
        what = {"element": "failed at element", "lookaround": "vetoed by", "ref": "found no span for"}[self.verdict]
        line = f"{head}: {before}{what} {_short(self.element.text)} ({self.element.loc}) {where}"
        if self.verdict == "ref":
            near = ", ".join(f'{s.label} {s.span.start}-{s.span.end} "{_short(s.span.text, 20)}"' for s in self.nearby)
            line += f"; spans nearby: {near}" if near else "; no span nearby"
        return line


def why_not(
    ruleset: "RuleSet",
    text: str,
    target: str | tuple[int, int],
    doc_date: str | None = None,
    at: int = 0,
    rules: Iterable[str] | None = None,
    labels: Iterable[str] | None = None,
) -> list[Diagnosis]:
    """Why each rule did not produce a record over `target`, the rules that got furthest first.

    `target` is a text to find in `text` (its first occurrence starting at or after `at`) or
    `(start, end)` offsets; `rules` keeps only rules whose name matches one of these glob patterns,
    `labels` only rules that mark or emit one of these labels.
    Raises ValueError when the target is not in the text or the rule files cannot be read again.
    """
    start, end = locate(text, target, at)
    result = ruleset.explain(text, doc_date=doc_date)
    assert result.trace is not None
    norm: NormalizedText = result.normalized  # type: ignore[attr-defined]
    context = _Context(ruleset, norm, result.trace, result.records, (_to_normalised(norm, start), _to_normalised(norm, end)))
    program = _reload(ruleset)
    compiler = _compiler(program)
    by_name = {r.name: r for p in program.phases for r in p.rules}
    patterns = list(rules) if rules is not None else None
    wanted = set(labels) if labels is not None else None
    out = []
    for index, spec in enumerate(context.rules):
        if patterns is not None and not any(fnmatchcase(spec.name, p) for p in patterns):
            continue
        if wanted is not None and not wanted & {a.label for a in spec.actions}:
            continue
        rule = by_name.get(spec.name)
        if rule is None or [s.source for s in compiler.rule_segments(rule.pattern)] != [s.source for s in spec.segments]:
            raise ValueError(f"rule {spec.name} ({spec.origin}) changed since the rule set was loaded: load it again")
        plan = _Plan(rule, spec, compiler, program.sources.get(rule.loc.file, ""))
        diagnosis = context.from_trace(index, spec, plan) or context.replay(index, spec, plan)
        out.append(diagnosis)
    out.sort(key=lambda d: (-round(d.fit, 3), VERDICTS.index(d.verdict) > 3, -d.elements_matched, VERDICTS.index(d.verdict)))
    return out


def locate(text: str, target: str | tuple[int, int], at: int = 0) -> tuple[int, int]:
    """Original offsets of the target: given as offsets, or the first occurrence at or after `at`.

    A text not found as written is also looked for after normalisation (`’` for `'`, spaces).
    """
    if isinstance(target, tuple):
        start, end = target
        if not 0 <= start < end <= len(text):
            raise ValueError(f"offsets {start}:{end} are not a non-empty range of the text (length {len(text)})")
        return start, end
    wanted = target.strip()
    if not wanted:
        raise ValueError("the span to explain is empty")
    found = text.find(wanted, at)
    if found >= 0:
        return found, found + len(wanted)
    norm, key = normalize(text), normalize(wanted).text
    found = norm.text.find(key, _to_normalised(norm, min(at, len(text))))
    if found < 0:
        where = f" at or after offset {at}" if at else ""
        raise ValueError(f'"{_short(wanted)}" does not occur in the text{where}')
    return norm.to_original(found, found + len(key))


# ------------------------------------------------------------------ the rule as elements


@dataclass
class _Part:
    """A run of regex elements [first, stop) or one reference element of a rule."""

    first: int
    stop: int
    ref: tuple[ast.SpanRef, str | None, bool] | None = None  # (reference, capture, optional)
    glued: bool = False


class _Plan:
    """A rule's elements and the regexes the replay needs, compiled on demand."""

    def __init__(self, rule: ast.Rule, spec: RuleSpec, compiler: PatternCompiler, source: str):
        self.rule = rule
        self.items, self.joins = sequence_items(rule.pattern)
        self.compiler = compiler
        self.elements = _elements(rule, self.items, source)
        self.parts: list[_Part] = []
        for i, item in enumerate(self.items):
            found = ast.as_span_ref(item)
            glued = i > 0 and not self.joins[i]
            if found is not None:
                self.parts.append(_Part(i, i + 1, found, glued))
            elif self.parts and self.parts[-1].ref is None:
                self.parts[-1].stop = i + 1
            else:
                self.parts.append(_Part(i, i + 1, None, glued))
        self.part_at = {p.first: p for p in self.parts}
        first_ref = next((p for p in self.parts if p.ref is not None), None)
        # The part before a required first reference must end where one of its spans starts.
        self.left_anchor = first_ref if first_ref is not None and first_ref.first > 0 and not first_ref.ref[2] else None
        self._compiled: dict[tuple[int, int, str], object] = {}

    def parts_ref(self, i: int) -> bool:
        """Whether element `i` is a span reference."""
        return i in self.part_at and self.part_at[i].ref is not None

    def regex(self, first: int, stop: int):
        """Compiled regex of elements [first, stop) of a regex part, with the gap that joins it to
        the element before (as the matcher chains parts)."""
        key = (first, stop, "chain")
        if key not in self._compiled:
            source = self.compiler.items_source(self.rule.pattern, first, stop)
            if first > 0 and self.joins[first]:
                source = f"{GAP}(?:{source})"
            self._compiled[key] = compile_fast(source)
        return self._compiled[key]

    def left_regex(self, first: int, stop: int):
        """Compiled regex of elements [first, stop) before the anchor, ending at the search's end;
        in reverse mode when the whole part before the anchor is (`(?r)`, matched backwards).
        Trailing look-aheads are left out and compiled apart, as the matcher checks them on the
        whole text (`left_ahead`)."""
        key = (first, stop, "left")
        if key not in self._compiled:
            assert self.left_anchor is not None
            after = GAP if self.joins[self.left_anchor.first] else ""
            kept = trailing_looks_start(self.items[:stop], first)
            body = self.compiler.items_source(self.rule.pattern, first, kept) if kept > first else ""
            at = f"(?P<{AHEAD_AT}>)" if kept < stop else ""
            source = f"(?:{body}){at}{after}\\Z"
            if first > 0 and backwards(self.left_regex(0, stop)):
                source = "(?r)" + source
            self._compiled[key] = compile_fast(source)
        return self._compiled[key]

    def left_ahead(self, first: int, stop: int):
        """The look-aheads ending elements [first, stop) before the anchor, compiled; None without."""
        kept = trailing_looks_start(self.items[:stop], first)
        if kept == stop:
            return None
        key = (kept, stop, "ahead")
        if key not in self._compiled:
            self._compiled[key] = compile_fast(self.compiler.items_source(self.rule.pattern, kept, stop))
        return self._compiled[key]


def _elements(rule: ast.Rule, items: tuple[ast.Pattern, ...], source: str) -> list[Element]:
    """The source text and location of each top-level item of a rule's pattern."""
    lines = [0]
    for i, ch in enumerate(source):
        if ch == "\n":
            lines.append(i + 1)

    def offset(loc: SourceLocation) -> int:
        return lines[loc.line - 1] + loc.col - 1 if 0 < loc.line <= len(lines) else 0

    starts = []
    for item in items:
        first = min(offset(n.loc) for n in walk(item))
        back = first
        while back > 0 and (source[back - 1].isspace() or source[back - 1] == "("):
            back -= 1
            if source[back] == "(":
                first = back
        starts.append(first)
    end = offset(rule.actions[0].loc) if rule.actions else len(source)
    out = []
    for k, item in enumerate(items):
        stop = starts[k + 1] if k + 1 < len(items) else end
        text = _clean(source[starts[k] : stop], last=k + 1 == len(items)) if source else ""
        line = bisect_right(lines, starts[k]) if source else item.loc.line
        loc = SourceLocation(rule.loc.file, line, starts[k] - lines[line - 1] + 1) if source else item.loc
        out.append(Element(k, text or type(item).__name__, loc))
    return out


_TOKENS = regex.compile(r'"(?:[^"\\\n]|\\.)*"|/(?:[^/\\\n]|\\.)+/[imsx]*|#[^\n]*|\s+|[()]|[^"/#\s()]+|.')


def _clean(chunk: str, last: bool) -> str:
    """Source of one item from the text between its start and the next item's: comments dropped,
    whitespace collapsed, the trailing `~` (and the `mark`/`emit` after the last item) removed, and
    parentheses of an enclosing group left out."""
    tokens = []
    for tok in _TOKENS.findall(chunk):
        if tok.startswith("#"):
            continue
        tokens.append(" " if tok.isspace() else tok)
    text = "".join(tokens).strip()
    if last:
        text = regex.sub(r"\s*\b(?:mark|emit)\Z", "", text)
    text = text.rstrip(" ~")
    depth = sum(1 if t == "(" else -1 if t == ")" else 0 for t in _TOKENS.findall(text))
    while depth > 0 and text.startswith("("):
        text, depth = text[1:].lstrip(), depth - 1
    while depth < 0 and text.endswith(")"):
        text, depth = text[:-1].rstrip(), depth + 1
    return text


def _reload(ruleset: "RuleSet") -> Program:
    """The rule set's program, read again from its files."""
    path = ruleset.path if ruleset.path is not None else Path(ruleset.spec.source)
    if not Path(path).exists():
        raise ValueError(f"cannot read the rules again from {path}")
    return load_program(path, strict=False)


def _compiler(program: Program) -> PatternCompiler:
    """A pattern compiler over the program's macros and compiled lexicons, as `compile_program` builds it."""
    sink = ErrorSink(sources=program.sources)
    lexicons: dict[str, CompiledLexicon] = {}
    for name, lex in program.lexicons.items():
        if lex.file is not None and name not in program.lexicon_files:
            lexicons[name] = CompiledLexicon(name)
            continue
        lexicons[name] = compile_lexicon(lex, program.lexicon_files.get(name, (None, None))[1], sink)
    compiler = PatternCompiler(program.macros, lexicons, sink)
    for macro in program.macros.values():  # in the same order as the compiler: macro sources are memoised
        compiler.compile(ast.MacroRef(macro.name, macro.loc))
    return compiler


# ------------------------------------------------------------------ diagnosing


@dataclass
class _Attempt:
    """How far a replay of a rule got: `matched` elements, then `failed` at `pos` (None: it matched).

    `start`-`end` is the text the attempt matched; `backward` marks a failure in the part before the
    anchor reference, which is matched backwards from it: the failed element had to end at `pos`.
    """

    matched: int
    pos: int
    failed: int | None = None
    start: int = 0
    end: int = -1
    backward: bool = False

    def __post_init__(self) -> None:
        if self.end < 0:
            self.end = self.pos


def _better(a: _Attempt | None, b: _Attempt) -> _Attempt:
    if a is None:
        return b
    return b if (b.failed is None, b.matched, b.end) > (a.failed is None, a.matched, a.end) else a


class _Context:
    """One traced run of a text, and what every diagnosis needs from it."""

    def __init__(self, ruleset: "RuleSet", norm: NormalizedText, trace, records, target: tuple[int, int]):
        self.norm = norm
        self.text = norm.text
        self.target = target
        engine = ruleset.engine
        self.rules: list[RuleSpec] = engine.rules
        self.phase_of: list[int] = [0] * len(self.rules)
        for k, (_phase, lo, hi) in enumerate(engine.phase_ranges):
            for i in range(lo, hi):
                self.phase_of[i] = k
        self.found: dict[int, list[tuple[Match, str, bool]]] = {}
        for _rule, m, label, kept in trace.found:
            self.found.setdefault(m.rule, []).append((m, label, kept))
        produced = {(r.rule, r.type, r.span.start, r.span.end) for r in records}
        self.produced: set[tuple[int, str, int, int]] = set()  # (rule index, label, normalised extent)
        self.spans: list[tuple[str, int, int, int, str]] = []  # label, start, end, phase, rule
        for i, entries in self.found.items():
            spec = self.rules[i]
            for m, label, kept in entries:
                for action in _actions(spec, label):
                    extent = action_extent(action, m)
                    if extent is None:
                        continue  # a mark of a capture that did not take part: nothing made
                    s, e = extent
                    made = kept if action.kind == "mark" else (spec.name, label, *self.original(s, e)) in produced
                    if made:
                        self.produced.add((i, label, s, e))
                        self.spans.append((label, s, e, self.phase_of[i], spec.name))
        self._index_cache: dict[int, dict[str, dict[int, list[int]]]] = {}

    def original(self, start: int, end: int) -> tuple[int, int]:
        return self.norm.to_original(start, end)

    def span(self, start: int, end: int) -> Span:
        """The original-text span of a normalised range."""
        s, e = self.original(start, end)
        return Span(start=s, end=e, text=self.norm.original[s:e])

    def fit(self, start: int, end: int) -> float:
        ts, te = self.target
        inter = min(end, te) - max(start, ts)
        return max(inter, 0) / (max(end, te) - min(start, ts))

    def span_index(self, phase: int) -> dict[str, dict[int, list[int]]]:
        """Spans visible to the rules of `phase` (produced by the phases before it), longest first."""
        if phase not in self._index_cache:
            index: dict[str, dict[int, list[int]]] = {}
            for label, s, e, p, _ in self.spans:
                if p < phase:
                    ends = index.setdefault(label, {}).setdefault(s, [])
                    if e not in ends:
                        ends.append(e)
            for by_start in index.values():
                for ends in by_start.values():
                    ends.sort(reverse=True)
            self._index_cache[phase] = index
        return self._index_cache[phase]

    def base(self, spec: RuleSpec, plan: _Plan, verdict: str) -> Diagnosis:
        return Diagnosis(
            rule=spec.name, origin=spec.origin, phase=spec.phase,
            labels=tuple(dict.fromkeys(a.label for a in spec.actions)), verdict=verdict,
            elements=len(plan.elements), priority=spec.priority,
        )

    # -- verdicts from the trace

    def from_trace(self, index: int, spec: RuleSpec, plan: _Plan) -> Diagnosis | None:
        """The verdict on the rule's traced match over the target, or None when it has none."""
        ts, te = self.target
        best = None
        for m, label, kept in self.found.get(index, ()):
            for action in _actions(spec, label):
                extent = action_extent(action, m)
                if extent is None:
                    continue
                s, e = extent
                if s < te and e > ts:
                    key = ((s, e) == (ts, te), self.fit(s, e), kept)
                    if best is None or key > best[0]:
                        best = (key, m, action, kept, s, e)
        if best is None:
            return None
        _, m, action, kept, s, e = best
        if not kept:
            verdict = "overlap"
        elif (index, action.label, s, e) not in self.produced:
            verdict = "empty_field"
        else:
            verdict = "produced" if (s, e) == (ts, te) else "extent"
        d = self.base(spec, plan, verdict)
        d.matched, d.fit, d.elements_matched = self.span(s, e), self.fit(s, e), len(plan.elements)
        if verdict == "overlap":
            d.winner = self._winner(index, m, action.label)
        elif verdict == "empty_field":
            d.fields = _empty_fields(action, m)
        return d

    def _winner(self, index: int, lost: Match, label: str) -> Winner | None:
        """The kept match of the same phase and label that overlaps `lost` the most."""
        best = None
        for i, entries in self.found.items():
            if self.phase_of[i] != self.phase_of[index]:
                continue
            for m, lab, kept in entries:
                inter = min(m.end, lost.end) - max(m.start, lost.start)
                if kept and lab == label and inter > 0 and (best is None or inter > best[0]):
                    best = (inter, i, m)
        if best is None:
            return None
        _, i, m = best
        rule = self.rules[i]
        return Winner(rule.name, rule.origin, rule.priority, self.span(m.start, m.end))

    # -- verdicts from a replay

    def replay(self, index: int, spec: RuleSpec, plan: _Plan) -> Diagnosis:
        """The verdict from replaying the rule's elements around the target."""
        ts, te = self.target
        spans = self.span_index(self.phase_of[index])
        starts = {s for by_start in spans.values() for s in by_start}
        replay = _Replay(plan, self.text, spans)
        best: tuple | None = None
        for attempt in replay.attempts(ts, te):
            if attempt.failed is None and not (attempt.start < te and attempt.end > ts):
                continue  # a match elsewhere: the trace has it
            # Preferred: attempts that did not die in an earlier sentence, that got furthest, that
            # started nearest the target, and (a missing <Label>) where another span starts.
            died_before = attempt.end < ts and _SENTENCE_END.search(self.text, attempt.end, ts) is not None
            other_span = attempt.failed is not None and plan.parts_ref(attempt.failed) and _gap_end(self.text, attempt.pos) in starts
            key = (attempt.failed is None, not died_before, attempt.matched, -abs(attempt.start - ts), attempt.start <= ts,
                   other_span, attempt.end)
            if best is None or key > best[0]:
                best = (key, attempt)
        if best is None:  # nothing started near the target: the first required element is missing there
            anchor = plan.left_anchor
            attempt = _Attempt(0, ts, anchor.first if anchor is not None else 0, ts)
        else:
            attempt = best[1]
        if attempt.failed is None:
            d = self.base(spec, plan, "extent")
            s, e = trim(self.text, attempt.start, attempt.end)
            d.matched, d.fit, d.elements_matched = self.span(s, e), self.fit(s, e), len(plan.elements)
            return d
        item = plan.items[attempt.failed]
        ref = ast.as_span_ref(item)
        verdict = "ref" if ref is not None else "lookaround" if isinstance(item, ast.Look) else "element"
        d = self.base(spec, plan, verdict)
        d.element, d.elements_matched, d.backward = plan.elements[attempt.failed], attempt.matched, attempt.backward
        pos = attempt.pos
        if verdict == "ref" and attempt.failed > 0 and plan.joins[attempt.failed] and not attempt.backward:
            pos = _gap_end(self.text, pos)  # where a span of the label had to start
        s, e = trim(self.text, attempt.start, attempt.end)
        if attempt.matched and e > s:
            d.matched, d.fit = self.span(s, e), self.fit(s, e)
        d.position = self.original(pos, pos)[0]
        original = self.norm.original
        d.excerpt = original[max(0, d.position - 40) : d.position] if attempt.backward else original[d.position : d.position + 40]
        if verdict == "ref":
            d.nearby = self._nearby(pos, self.phase_of[index])
        return d

    def _nearby(self, pos: int, phase: int) -> tuple[LabelledSpan, ...]:
        """Spans of earlier phases starting around `pos` or over it, those starting closest to it first."""
        near = {
            (abs(s - pos), s, -e, label, rule)
            for label, s, e, p, rule in self.spans
            if p < phase and (abs(s - pos) <= NEARBY or s <= pos < e)
        }
        return tuple(LabelledSpan(label, self.span(s, -neg_e), rule) for _, s, neg_e, label, rule in sorted(near)[:6])


class _Replay:
    """Replays one rule's elements over a text, following the matcher's semantics."""

    def __init__(self, plan: _Plan, text: str, spans: dict[str, dict[int, list[int]]]):
        self.plan = plan
        self.text = text
        self.spans = spans
        self.n = len(plan.items)
        self._memo: dict[tuple[int, int], _Attempt] = {}

    def attempts(self, ts: int, te: int) -> Iterable[_Attempt]:
        """Attempts of the rule that could cover [ts, te): from every start the matcher could use."""
        plan = self.plan
        anchor = plan.left_anchor
        if anchor is not None:
            assert anchor.ref is not None
            by_start = self.spans.get(anchor.ref[0].label, {})
            for st in sorted(s for s in by_start if ts - LEFT_WINDOW <= s <= te + LEFT_WINDOW):
                yield self.anchored(anchor, st)
            # Where no span of the anchor's label starts: does the part before it fit there?
            for q in range(ts, min(te, ts + 2000) + 1):
                if q not in by_start and _token_start(self.text, q) and not (not anchor.glued and touching(self.text, q)):
                    m = self._left_match(0, anchor.first, q)
                    if m is not None:
                        yield _Attempt(anchor.first, q, anchor.first, m.start())
            return
        first = plan.parts[0]
        if first.ref is not None:
            starts: Iterable[int] = sorted(s for s in self.spans.get(first.ref[0].label, {}) if ts - LEFT_WINDOW <= s < te)
        else:
            starts = range(max(0, ts - LEFT_WINDOW), te)
        for p in starts:
            attempt = self.run(0, p)
            yield _Attempt(attempt.matched, attempt.pos, attempt.failed, p, attempt.end)

    def run(self, i: int, pos: int) -> _Attempt:
        """The furthest attempt from element `i` at `pos` onwards (a complete one when there is one)."""
        key = (i, pos)
        if key not in self._memo:
            self._memo[key] = self._run(i, pos)
        return self._memo[key]

    def _run(self, i: int, pos: int) -> _Attempt:
        if i == self.n:
            return _Attempt(self.n, pos)
        part = self.plan.part_at[i]
        if part.ref is not None:
            return self._ref(part, pos)
        m = self.plan.regex(part.first, part.stop).match(self.text, pos)
        if m is not None:
            return self.run(part.stop, m.end())
        return self._failed_in(part, pos)

    def _failed_in(self, part: _Part, pos: int) -> _Attempt:
        """The first element of a regex part that fails at `pos`, after the longest prefix that matches."""
        end = pos
        for stop in range(part.first + 1, part.stop + 1):
            m = self.plan.regex(part.first, stop).match(self.text, pos)
            if m is None:
                return _Attempt(stop - 1, end, stop - 1)
            end = m.end()
        return _Attempt(part.stop - 1, end, part.stop - 1)  # only the whole part fails (a lookbehind)

    def _ref(self, part: _Part, pos: int, exact: bool = False) -> _Attempt:
        """A `<Label>` element at `pos`: the spans starting there, longest first, or none if optional."""
        assert part.ref is not None
        ref, _, optional = part.ref
        if exact or part.first == 0 or part.glued:
            start: int | None = pos
        else:
            gap = _GAP.match(self.text, pos)
            start = gap.end() if gap is not None else None
        best = None
        if start is not None:
            for end in self.spans.get(ref.label, {}).get(start, ()):
                attempt = self.run(part.stop, end)
                if attempt.failed is None:
                    return attempt
                best = _better(best, attempt)
        if optional:
            attempt = self.run(part.stop, pos)
            if attempt.failed is None:
                return attempt
            best = _better(best, attempt)
        return best or _Attempt(part.first, pos, part.first)

    def anchored(self, anchor: _Part, st: int) -> _Attempt:
        """The rule around a span of its anchor starting at `st`: the rest after it, the part before
        it matched backwards from `st` (the first failure in reading order is reported)."""
        right = self._ref(anchor, st, exact=True)
        a = anchor.first
        if not anchor.glued and touching(self.text, st):  # the matcher skips such a span
            return _Attempt(right.matched - a, st, a - 1, st, right.end, backward=True)
        m = self._left_match(0, a, st)
        if m is not None:
            return _Attempt(right.matched, right.pos, right.failed, m.start(), right.end)
        # The longest tail of the part before the anchor that ends at `st`; the element before it failed.
        begin = st
        for k in range(a - 1, -1, -1):
            tail = self._left_match(k, a, st)
            if tail is None:
                return _Attempt(right.matched - k - 1, begin, k, begin, right.end, backward=True)
            begin = tail.start()
        return _Attempt(right.matched, begin, 0, begin, right.end, backward=True)  # only as a whole

    def _left_match(self, first: int, stop: int, st: int):
        """Elements [first, stop) before the anchor, ending where a span of it starts at `st`, as the
        matcher searches them (backwards when the pattern is compiled in reverse mode)."""
        return search_left(self.plan.left_regex(first, stop), self.plan.left_ahead(first, stop), self.text, st)


# ------------------------------------------------------------------ helpers


def _actions(spec: RuleSpec, label: str) -> list[ActionSpec]:
    return [a for a in spec.actions if a.label == label]


def _empty_fields(action: ActionSpec, m: Match) -> tuple[str, ...]:
    """Required fields of an emit whose capture did not match (else those computed by a function)."""
    required = {name for name, (_, _, req) in field_shapes(action.label).items() if req and name != "span"}
    given = [f for f in action.fields if f.name in required]
    missing = tuple(f"{f.name} (capture '{f.value if f.kind == 'capture' else f.argument}' did not match)"
                    for f in given if f.kind != "const" and (f.value if f.kind == "capture" else f.argument) not in m.captures)
    if missing:
        return missing
    return tuple(f"{f.name} ({f.value}({f.argument}) gave no value)" for f in given if f.kind == "call")


def _gap_end(text: str, pos: int) -> int:
    """Where the next item starts after the gap at `pos` (`pos` itself when words touch there)."""
    gap = _GAP.match(text, pos)
    return gap.end() if gap is not None else pos


def _token_start(text: str, pos: int) -> bool:
    """True when a token can start at `pos`: not a space, and not inside a word."""
    return pos < len(text) and not text[pos].isspace() and not (pos > 0 and _WORD.match(text, pos - 1) and _WORD.match(text, pos))


def _to_normalised(norm: NormalizedText, offset: int) -> int:
    """The first normalised position that maps to `offset` of the original text or after it."""
    lo, hi = 0, len(norm.text)
    while lo < hi:
        mid = (lo + hi) // 2
        if norm.to_original(mid, mid)[0] < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _short(text: str, width: int = 60) -> str:
    """One line of at most `width` characters."""
    flat = " ".join(text.split()) if "\n" in text or "\t" in text else text
    return flat if len(flat) <= width else flat[: width - 1] + "…"
