"""Compile a checked `Program` into a `RuleSetSpec`: plain data, regex sources and tables.

The spec is what the runtime executes and what the cache stores (as JSON: nothing in it is code).
This stage owns the checks that need compiled knowledge: options, record types and their fields,
field functions, regex validity and patterns that could match the empty string.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ruleie.compile.lexicons import CompiledLexicon, compile_lexicon
from ruleie.compile.lint import lint_program
from ruleie.compile.patterns import PatternCompiler, Segment, nullable
from ruleie.dsl import ast
from ruleie.dsl.errors import ErrorSink, did_you_mean
from ruleie.dsl.resolve import Program, captures_of
from ruleie.records import RECORD_TYPES, field_shapes

#: Field functions usable in `emit`: name -> shape of their result.
FIELD_FUNCTIONS: dict[str, str] = {
    "lemma": "str", "tense": "str", "text": "str", "lower": "str", "antecedent": "str",
    "date_value": "str", "date_kind": "str", "date_modifier": "str",
}
OVERLAP_POLICIES = ("longest", "first", "all")
SPEC_VERSION = 1


@dataclass
class FieldSpec:
    """How one record field is filled: a constant, a capture's span, or function(capture)."""

    name: str
    kind: str  # "const" | "capture" | "call"
    value: str
    argument: str | None = None


@dataclass
class ActionSpec:
    """`mark Label` or `emit Type(...)` of a compiled rule."""

    kind: str
    label: str
    fields: list[FieldSpec] = field(default_factory=list)


@dataclass
class RuleSpec:
    """A compiled rule: its segments, actions and provenance."""

    name: str
    phase: str
    priority: int
    origin: str
    doc: str | None
    segments: list[Segment]
    actions: list[ActionSpec]
    captures: list[str]


@dataclass
class PhaseSpec:
    """Rules run together, and how their overlapping matches are resolved."""

    name: str
    overlap: str
    rules: list[RuleSpec]


@dataclass
class TestSpec:
    """An in-file test block, as data."""

    name: str
    origin: str
    text: str | None
    doc_date: str | None
    expectations: list[dict[str, Any]]

    __test__ = False


@dataclass
class RuleSetSpec:
    """Everything the runtime needs to run a rule set; JSON-serialisable."""

    phases: list[PhaseSpec]
    lemmas: dict[str, tuple[str, str]]
    tests: list[TestSpec]
    source: str
    warnings: list[str] = field(default_factory=list)
    version: int = SPEC_VERSION

    def as_json(self) -> dict[str, Any]:
        """Plain JSON data for the cache."""
        data = asdict(self)
        for phase in data["phases"]:
            for rule in phase["rules"]:
                rule["segments"] = [Segment(**s).as_json() for s in rule["segments"]]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RuleSetSpec":
        """Rebuild a spec from `as_json` output; raises KeyError/TypeError/ValueError when malformed."""
        if data.get("version") != SPEC_VERSION:
            raise ValueError("spec version mismatch")
        phases = []
        for p in data["phases"]:
            rules = []
            for r in p["rules"]:
                rules.append(
                    RuleSpec(
                        name=str(r["name"]),
                        phase=str(r["phase"]),
                        priority=int(r["priority"]),
                        origin=str(r["origin"]),
                        doc=r["doc"],
                        segments=[Segment.from_json(s) for s in r["segments"]],
                        actions=[
                            ActionSpec(a["kind"], a["label"], [FieldSpec(**f) for f in a["fields"]])
                            for a in r["actions"]
                        ],
                        captures=[str(c) for c in r["captures"]],
                    )
                )
            phases.append(PhaseSpec(str(p["name"]), str(p["overlap"]), rules))
        lemmas = {str(k): (str(v[0]), str(v[1])) for k, v in data["lemmas"].items()}
        tests = [TestSpec(**t) for t in data["tests"]]
        return cls(phases, lemmas, tests, str(data["source"]), list(data.get("warnings", [])))


def compile_program(program: Program, thorough: bool = False) -> RuleSetSpec:
    """Compile a loaded program; raise `RuleErrors` with every problem found.

    `thorough` adds the lint checks too slow for every load (polynomial backtracking, W503), which
    `ruleie check` runs.
    """
    sink = ErrorSink(sources=program.sources)
    sink.warnings.extend(program.warnings)
    sink.errors.extend(program.errors)  # name errors from loading, reported with the compiler's
    lexicons: dict[str, CompiledLexicon] = {}
    lemmas: dict[str, tuple[str, str]] = {}
    for name, lex in program.lexicons.items():
        if lex.file is not None and name not in program.lexicon_files:
            lexicons[name] = CompiledLexicon(name)  # its file could not be read: already reported
            continue
        file_text = program.lexicon_files.get(name, (None, None))[1]
        compiled = compile_lexicon(lex, file_text, sink)
        lexicons[name] = compiled
        for key, value in compiled.lemmas.items():
            lemmas.setdefault(key, value)
    patterns = PatternCompiler(program.macros, lexicons, sink)
    for macro in program.macros.values():
        patterns.compile(ast.MacroRef(macro.name, macro.loc))  # report errors inside unused macros too

    phases: list[PhaseSpec] = []
    for phase in program.phases:
        options = _options(phase.options, {"overlap": OVERLAP_POLICIES}, sink)
        rules = [_compile_rule(rule, phase.name, program, patterns, sink) for rule in phase.rules]
        phases.append(PhaseSpec(phase.name, str(options.get("overlap", "longest")), rules))
    lint_program(program, patterns, phases, sink, thorough)  # E310 runaway repetition, W503-W507

    tests = [
        TestSpec(
            name=t.name,
            origin=str(t.loc),
            text=t.text,
            doc_date=t.doc_date,
            expectations=[
                {"label": e.label, "fields": dict(e.fields), "absent": e.absent, "origin": str(e.loc)}
                for e in t.expectations
            ],
        )
        for t in program.tests
    ]
    produced = {a.label for p in program.phases for r in p.rules for a in r.actions}
    for t in program.tests:
        for e in t.expectations:
            if e.label not in produced and e.label not in RECORD_TYPES:
                sink.error("E104", f"test expects <{e.label}>, which no rule marks or emits", e.loc,
                           did_you_mean(e.label, produced | set(RECORD_TYPES)), len(e.label))
        if t.text is None:
            sink.error("E401", f"test '{t.name}' has no text", t.loc, 'add: text "..."')
    sink.raise_if_any()
    return RuleSetSpec(phases, lemmas, tests, str(program.root), [w.render() for w in sink.warnings])


def _options(options: tuple[ast.Option, ...], allowed: dict[str, tuple[str, ...] | type], sink: ErrorSink) -> dict[str, object]:
    """Validate `[name=value]` options against the allowed names and values."""
    out: dict[str, object] = {}
    for opt in options:
        spec = allowed.get(opt.name)
        if spec is None:
            sink.error("E301", f"unknown option '{opt.name}'", opt.loc, did_you_mean(opt.name, allowed) or f"options here: {', '.join(allowed)}")
        elif spec is int:
            if not isinstance(opt.value, int):
                sink.error("E302", f"option '{opt.name}' needs a whole number", opt.loc)
            else:
                out[opt.name] = opt.value
        elif opt.value not in spec:  # type: ignore[operator]
            sink.error("E302", f"invalid value {opt.value!r} for '{opt.name}'", opt.loc, f"one of: {', '.join(spec)}")  # type: ignore[arg-type]
        else:
            out[opt.name] = opt.value
    return out


def _compile_rule(rule: ast.Rule, phase: str, program: Program, patterns: PatternCompiler, sink: ErrorSink) -> RuleSpec:
    options = _options(rule.options, {"priority": int}, sink)
    if nullable(rule.pattern, program.macros):
        sink.error("E305", f"the pattern of rule '{rule.name}' can match the empty string", rule.pattern.loc,
                   "make at least one item required")
    segments = patterns.rule_segments(rule.pattern)
    captures = captures_of(rule.pattern, program.macros)
    actions = [_compile_action(a, captures, sink) for a in rule.actions]
    return RuleSpec(
        name=rule.name,
        phase=phase,
        priority=int(options.get("priority", 0)),  # type: ignore[arg-type]
        origin=f"{rule.loc.file}:{rule.loc.line}",
        doc=rule.doc,
        segments=segments,
        actions=actions,
        captures=sorted(captures),
    )


def _compile_mark(action: ast.Action, sink: ErrorSink) -> ActionSpec:
    """`mark Label` marks the whole match; `mark Label(span=x)` the text of capture `x` (when it matched)."""
    fields = []
    for name, value in action.fields:
        if name != "span":
            sink.error("E106", f"mark takes no field '{name}'", value.loc, "a mark has only span=<capture>")
        elif value.kind != "capture":
            sink.error("E107", "the span of a mark is a capture", value.loc, "write span=<capture name>")
        else:
            fields.append(FieldSpec(name, value.kind, value.value, None))
    return ActionSpec("mark", action.label, fields)


def _compile_action(action: ast.Action, captures: set[str], sink: ErrorSink) -> ActionSpec:
    if action.kind == "mark":
        return _compile_mark(action, sink)
    if action.label not in RECORD_TYPES:
        sink.error("E105", f"unknown record type '{action.label}'", action.loc,
                   did_you_mean(action.label, RECORD_TYPES) or f"record types: {', '.join(RECORD_TYPES)}", len(action.label))
        return ActionSpec("emit", action.label)
    shapes = field_shapes(action.label)
    given = set()
    fields = []
    for name, value in action.fields:
        given.add(name)
        if name not in shapes:
            sink.error("E106", f"{action.label} has no field '{name}'", value.loc,
                       did_you_mean(name, shapes) or f"fields: {', '.join(shapes)}")
            continue
        shape, allowed, _ = shapes[name]
        if value.kind == "capture" and shape != "span":
            sink.error("E107", f"field '{name}' of {action.label} holds text, not a span", value.loc, f"write {name}=text({value.value})")
        elif value.kind == "const" and shape != "str":
            sink.error("E107", f"field '{name}' of {action.label} holds a span, not text", value.loc, "bind it to a capture")
        elif value.kind == "const" and allowed and value.value not in allowed:
            sink.error("E110", f"invalid value {value.value!r} for {action.label}.{name}", value.loc, f"one of: {', '.join(allowed)}")
        elif value.kind == "call":
            if value.value not in FIELD_FUNCTIONS:
                sink.error("E108", f"unknown field function '{value.value}'", value.loc,
                           did_you_mean(value.value, FIELD_FUNCTIONS) or f"functions: {', '.join(FIELD_FUNCTIONS)}")
            elif shape != FIELD_FUNCTIONS[value.value]:
                sink.error("E107", f"field '{name}' of {action.label} holds a span; {value.value}() gives text", value.loc,
                           f"write {name}={value.argument}")
        fields.append(FieldSpec(name, value.kind, value.value, value.argument))
    for name, (_, _, required) in shapes.items():
        if required and name not in given and name != "span":
            sink.error("E109", f"{action.label} needs a value for '{name}'", action.loc, f"add {name}=...")
    return ActionSpec("emit", action.label, fields)
