"""Run a compiled rule set over one document and build its records.

Phases run in order over the normalised text. Within a phase every rule finds its matches, then
matches are grouped by the label their action produces (`mark Speaker`, `emit Quote`) and each
group is resolved by the phase's overlap policy. Kept spans become visible to later phases as
`<Label>`; kept `emit`s become records whose offsets are mapped back to the original text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from time import monotonic, perf_counter

from ruleie.compile.ruleset import ActionSpec, RuleSetSpec, RuleSpec
from ruleie.normalize import NormalizedText, normalize
from ruleie.records import RECORD_TYPES, Record, Span, field_shapes
from ruleie.compile.lexicons import normalize_key
from ruleie.runtime.fields import ANTECEDENT_LABEL, DATE_FIELDS, PRONOUNS, FieldFunctions
from ruleie.runtime.matcher import RuleMatcher, SpanIndex, compiled_count, install_programs, outcomes_of
from ruleie.runtime.programs import ProgramCache
from ruleie.runtime.overlap import Match, resolve


@dataclass
class Trace:
    """What happened in one run, for `explain`: every match found and whether it was kept."""

    found: list[tuple[RuleSpec, Match, str, bool]] = field(default_factory=list)
    marks: list[tuple[str, int, int, RuleSpec]] = field(default_factory=list)


class MatchTimeout(Exception):
    """A document used up its matching time budget; names the rule that was running."""

    def __init__(self, rule: RuleSpec, budget: float):
        self.rule = rule
        self.budget = budget
        super().__init__(f"time budget of {budget:g} s used up in rule {rule.name} ({rule.origin})")


@dataclass
class Profile:
    """Per-rule counts and times summed over the documents of one or more runs (`ruleie profile`).

    Lists are indexed like `Engine.rules`. `found` counts matches before overlap resolution, `kept`
    the ones it kept (a match kept by several actions counts once); `seconds` is matching time, and
    `resolve_seconds` per phase the time of overlap resolution and record building.
    """

    found: list[int]
    kept: list[int]
    seconds: list[float]
    resolve_seconds: dict[str, float] = field(default_factory=dict)
    documents: int = 0
    chars: int = 0

    @classmethod
    def empty(cls, n_rules: int) -> "Profile":
        """A profile with every count at zero, for a rule set of `n_rules` rules."""
        return cls([0] * n_rules, [0] * n_rules, [0.0] * n_rules)


@dataclass
class DocumentResult:
    """Records of one document, plus the trace when asked for."""

    records: list[Record]
    trace: Trace | None = None


class Engine:
    """Executes a `RuleSetSpec`; thread-compatible (no state between documents)."""

    def __init__(self, spec: RuleSetSpec, programs: ProgramCache | None = None):
        self.spec = spec
        self.programs = programs
        self.rules: list[RuleSpec] = [r for p in spec.phases for r in p.rules]
        self._matchers: list[RuleMatcher] | None = None
        self._known: dict = {}  # program table read from, or written to, `programs`
        self.priority = {i: r.priority for i, r in enumerate(self.rules)}
        self.functions = FieldFunctions(spec.lemmas)
        self.required = {
            name: [f for f, (_, _, required) in field_shapes(name).items() if required and f != "span"]
            for name in RECORD_TYPES
        }
        offsets = []
        start = 0
        for phase in spec.phases:
            offsets.append((phase, start, start + len(phase.rules)))
            start += len(phase.rules)
        self.phase_ranges = offsets

    @property
    def matchers(self) -> list[RuleMatcher]:
        """The rules' matchers, made on first use so that loading a rule set stays instant.

        Their regexes compile when a rule first runs (or all at once: `compile_all`). With a
        `ProgramCache`, the outcomes of an earlier process are installed first, so that most
        regexes are rebuilt without being compiled.
        """
        if self._matchers is None:
            self._known = self.programs.read() if self.programs is not None else {}
            install_programs(self._known)
            self._matchers = [RuleMatcher.build(i, r.segments) for i, r in enumerate(self.rules)]
        return self._matchers

    def compile_all(self) -> None:
        """Compile every rule's regexes now (before forking workers, or to time matching alone)."""
        for matcher in self.matchers:
            matcher.compile()
        self._save_programs()

    def _save_programs(self) -> None:
        """Write the program table back when this engine compiled regexes the table did not hold."""
        if self.programs is None or self._matchers is None:
            return
        sources = [src for m in self._matchers if m.compiled for src in m.all_sources]
        made = outcomes_of(sources)
        if made.keys() - self._known.keys():
            self._known = {**self._known, **made}
            self.programs.write(self._known)

    def run(
        self,
        original: str,
        doc: str = "",
        doc_date: str | None = None,
        trace: bool = False,
        timeout: float | None = None,
        profile: Profile | None = None,
    ) -> DocumentResult:
        """Records of one document in text order (by start, longer first, then type).

        `timeout` is the document's matching time budget in seconds: past it, `MatchTimeout` names
        the rule that was running. `profile`, when given, accumulates per-rule counts and times.
        """
        matchers = self.matchers
        compiled_before = compiled_count()
        deadline = None if timeout is None else monotonic() + timeout
        norm = normalize(original)
        text = norm.text
        spans: SpanIndex = {}
        memo: dict[int, tuple[list[tuple[int, int, str]], list[int]]] = {}
        records: list[tuple[int, int, int, Record]] = []
        tr = Trace() if trace else None
        shared: dict = {}  # results of compiled parts by position, shared by the rules (see RuleMatcher.find)
        for phase, lo, hi in self.phase_ranges:
            groups: dict[tuple[str, str], list[tuple[Match, ActionSpec]]] = {}
            for i in range(lo, hi):
                needed = matchers[i].needed
                if needed is not None and not spans.get(needed):
                    continue  # anchored on a label this text does not have: nothing to find
                rule = self.rules[i]
                started = perf_counter() if profile is not None else 0.0
                try:
                    found = matchers[i].find(text, spans, deadline, shared)
                except TimeoutError:
                    raise MatchTimeout(rule, timeout or 0.0) from None
                if deadline is not None and monotonic() > deadline:
                    raise MatchTimeout(rule, timeout or 0.0)
                if profile is not None:
                    profile.seconds[i] += perf_counter() - started
                    profile.found[i] += len(found)
                for m in found:
                    for action in rule.actions:
                        groups.setdefault((action.kind, action.label), []).append((m, action))
            started = perf_counter() if profile is not None else 0.0
            counted: set[int] = set()  # matches already counted as kept (profile)
            new_spans: list[tuple[str, int, int]] = []
            for (kind, label), items in groups.items():
                actions_of: dict[int, list[ActionSpec]] = {}  # one match may carry several actions
                for m, a in items:
                    actions_of.setdefault(id(m), []).append(a)
                unique = list({id(m): m for m, _ in items}.values())
                kept = resolve(unique, phase.overlap, self.priority)
                kept_ids = {id(m) for m in kept}
                if profile is not None:
                    for m in kept:
                        if id(m) not in counted:
                            counted.add(id(m))
                            profile.kept[m.rule] += 1
                if tr is not None:
                    tr.found.extend((self.rules[m.rule], m, label, id(m) in kept_ids) for m in unique)
                for m in kept:
                    rule = self.rules[m.rule]
                    for action in actions_of[id(m)]:
                        extent = action_extent(action, m)
                        if extent is None:
                            continue  # `mark L(span=x)` where the optional capture `x` did not match
                        if kind == "emit":
                            record = self._record(rule, action, m, norm, doc, spans, doc_date, memo)
                            if record is None:
                                continue
                            records.append((record.span.start, -record.span.end, m.rule, record))
                        elif tr is not None:
                            tr.marks.append((label, *extent, rule))
                        new_spans.append((label, *extent))
            for label, start, end in new_spans:
                ends = spans.setdefault(label, {}).setdefault(start, [])
                if end not in ends:
                    ends.append(end)
                    ends.sort(reverse=True)
            if profile is not None:
                profile.resolve_seconds[phase.name] = profile.resolve_seconds.get(phase.name, 0.0) + perf_counter() - started
        if compiled_count() != compiled_before:
            self._save_programs()
        if profile is not None:
            profile.documents += 1
            profile.chars += len(original)
        records.sort(key=lambda r: (r[0], r[1], r[3].type, r[2]))
        result = DocumentResult([r[3] for r in records], tr)
        if tr is not None:
            result.normalized = norm  # type: ignore[attr-defined]
        return result

    def _span(self, norm: NormalizedText, start: int, end: int) -> Span:
        s, e = norm.to_original(start, end)
        return Span(start=s, end=e, text=norm.original[s:e])

    def _record(
        self,
        rule: RuleSpec,
        action: ActionSpec,
        m: Match,
        norm: NormalizedText,
        doc: str,
        spans: SpanIndex,
        doc_date: str | None,
        memo: dict[int, tuple[list[tuple[int, int, str]], list[int]]],
    ) -> Record | None:
        """The record an `emit` makes of a match, or None when a required field stays empty."""
        captures = {name: self._span(norm, s, e) for name, (s, e) in m.captures.items()}
        values: dict[str, object] = {}
        dated: tuple | None = None  # (location, DateValue) of the last date field computed
        for f in action.fields:
            if f.kind == "const":
                values[f.name] = f.value
            elif f.kind == "capture":
                values[f.name] = captures.get(f.value)
            else:
                loc = m.captures.get(f.argument or "")
                if loc is None:
                    values[f.name] = None
                elif f.value == "antecedent":
                    pronoun = norm.text[loc[0] : loc[1]]
                    values[f.name] = (
                        self.functions.antecedent(pronoun, loc[0], _antecedents(spans, norm, memo, loc[0]))
                        if normalize_key(pronoun) in PRONOUNS
                        else None
                    )
                elif f.value in DATE_FIELDS:
                    if dated is None or dated[0] != loc:  # one interpretation for a record's date fields
                        dated = (loc, self.functions.date_of(norm.text, loc, doc_date))
                    values[f.name] = DATE_FIELDS[f.value](dated[1])
                else:
                    span = captures[f.argument or ""]
                    values[f.name] = self.functions.call(f.value, norm.text[loc[0] : loc[1]], span.text)
        if any(values.get(name) is None for name in self.required[action.label]):
            return None  # e.g. an optional capture bound to a required field did not match
        if values.get("span") is None:
            values["span"] = self._span(norm, m.start, m.end)
        values = {k: v for k, v in values.items() if v is not None}  # empty optional fields keep their defaults
        model = RECORD_TYPES[action.label]
        return model(doc=doc, rule=rule.name, origin=rule.origin, captures=captures, **values)


def action_extent(action: ActionSpec, m: Match) -> tuple[int, int] | None:
    """Normalised extent of what an action makes of a match: its `span=` capture, else the match.

    When the `span=` capture did not take part, a record spans the whole match and a mark makes
    nothing (None).
    """
    for f in action.fields:
        if f.name == "span" and f.kind == "capture":
            if f.value in m.captures:
                return m.captures[f.value]
            return None if action.kind == "mark" else (m.start, m.end)
    return m.start, m.end


def _antecedents(
    spans: SpanIndex, norm: NormalizedText, memo: dict[int, tuple[list[tuple[int, int, str]], list[int]]], start: int
) -> list[tuple[int, int, str]]:
    """The spans marked `Antecedent` so far that decide the antecedent of a pronoun at `start`.

    `FieldFunctions.antecedent` walks the candidates sorted by start and keeps the last one before
    the first that ends after `start`. With the running maximum of their ends (memoised per run with
    the sorted candidates and their original text) that candidate is found by bisection, and it alone
    is passed: the same answer, without walking every earlier mention for every pronoun (which made
    long documents quadratic).
    """
    marks = spans.get(ANTECEDENT_LABEL, {})
    if len(marks) not in memo:  # marks only grow during a run
        out = []
        reach: list[int] = []
        furthest = -1
        for first, ends in sorted(marks.items()):
            s, e = norm.to_original(first, ends[0])
            out.append((first, ends[0], norm.original[s:e]))
            furthest = max(furthest, ends[0])
            reach.append(furthest)
        memo.clear()
        memo[len(marks)] = (out, reach)
    out, reach = memo[len(marks)]
    k = bisect_right(reach, start)  # out[k] is the first candidate ending after `start`
    return out[k - 1 : k]
