"""Typed syntax tree of rule files, as produced by `ruleie.dsl.parser`.

The tree mirrors the source one-to-one and carries a `SourceLocation` on every node that an error
can point at. It knows nothing about regexes or running: `ruleie.compile` turns it into matchers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ruleie.dsl.errors import SourceLocation

# ---------------------------------------------------------------- patterns


@dataclass(frozen=True)
class Literal:
    """Text matched as written (after normalisation); word edges get word boundaries."""

    text: str
    loc: SourceLocation


@dataclass(frozen=True)
class RegexAtom:
    """An inline regular expression `/.../flags` in `regex` module syntax."""

    source: str
    flags: str
    loc: SourceLocation


@dataclass(frozen=True)
class LexiconRef:
    """`@NAME` or `@NAME[tag, ...]`: any entry of a lexicon, optionally only entries with a tag."""

    name: str
    tags: tuple[str, ...]
    loc: SourceLocation


@dataclass(frozen=True)
class MacroRef:
    """A macro name, replaced by the macro's pattern."""

    name: str
    loc: SourceLocation


@dataclass(frozen=True)
class SpanRef:
    """`<Label>`: exactly a span that an earlier phase marked or emitted with that label."""

    label: str
    loc: SourceLocation


@dataclass(frozen=True)
class Repeat:
    """`item?`, `item*`, `item+`, `item{m,n}`, lazy with a trailing `?`; `max is None` = unbounded."""

    item: "Pattern"
    min: int
    max: int | None
    lazy: bool
    loc: SourceLocation


@dataclass(frozen=True)
class Capture:
    """`name:item`: the text matched by `item` is available under `name`."""

    name: str
    item: "Pattern"
    loc: SourceLocation


@dataclass(frozen=True)
class Look:
    """Zero-width context: `ahead(...)`, `behind(...)`, `not ahead(...)`, `not behind(...)`."""

    item: "Pattern"
    ahead: bool
    negated: bool
    loc: SourceLocation


@dataclass(frozen=True)
class Sequence:
    """Items matched one after another; `joins[i]` is False when item i+1 is glued with `~`."""

    items: tuple["Pattern", ...]
    joins: tuple[bool, ...]
    loc: SourceLocation


@dataclass(frozen=True)
class Alternation:
    """One of several patterns, tried in order."""

    options: tuple["Pattern", ...]
    loc: SourceLocation


Pattern = Union[
    Literal, RegexAtom, LexiconRef, MacroRef, SpanRef, Repeat, Capture, Look, Sequence, Alternation
]

# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Option:
    """`name` or `name=value` inside `[...]` after a declaration."""

    name: str
    value: str | int | None
    loc: SourceLocation


@dataclass(frozen=True)
class Include:
    """`include "file.rules"`, resolved relative to the including file, inside the rule folder."""

    path: str
    loc: SourceLocation


@dataclass(frozen=True)
class Lexicon:
    """A named word list, inline or from a file, with options (verbs, case, accents)."""

    name: str
    options: tuple[Option, ...]
    entries: tuple[tuple[str, SourceLocation], ...]
    file: str | None
    loc: SourceLocation


@dataclass(frozen=True)
class Macro:
    """A named, reusable sub-pattern."""

    name: str
    pattern: Pattern
    loc: SourceLocation


@dataclass(frozen=True)
class FieldValue:
    """Right-hand side of `field=...` in `emit`: a constant, a capture, or `function(capture)`."""

    kind: str  # "const" | "capture" | "call"
    value: str
    argument: str | None
    loc: SourceLocation


@dataclass(frozen=True)
class Action:
    """`mark Label` (internal span for later phases) or `emit Type(field=value, ...)` (a record)."""

    kind: str  # "mark" | "emit"
    label: str
    fields: tuple[tuple[str, FieldValue], ...]
    loc: SourceLocation


@dataclass(frozen=True)
class Rule:
    """`rule name [options] "doc" match PATTERN actions...`."""

    name: str
    options: tuple[Option, ...]
    doc: str | None
    pattern: Pattern
    actions: tuple[Action, ...]
    loc: SourceLocation


@dataclass(frozen=True)
class Phase:
    """A block of rules run together; several blocks with one name form one phase."""

    name: str
    options: tuple[Option, ...]
    rules: tuple[Rule, ...]
    loc: SourceLocation


@dataclass(frozen=True)
class Expectation:
    """`expect Type(field="text", ...)` or, with `absent`, `expect no Type`."""

    label: str
    fields: tuple[tuple[str, str | None], ...]
    absent: bool
    loc: SourceLocation


@dataclass(frozen=True)
class TestBlock:
    """An in-file example: text, optional document date, and the records it must (not) produce."""

    name: str
    text: str | None
    doc_date: str | None
    expectations: tuple[Expectation, ...]
    loc: SourceLocation

    __test__ = False  # not a pytest test class


@dataclass
class RuleFile:
    """One parsed rule file: its declarations in source order."""

    path: str
    source: str
    includes: list[Include] = field(default_factory=list)
    lexicons: list[Lexicon] = field(default_factory=list)
    macros: list[Macro] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    tests: list[TestBlock] = field(default_factory=list)
    order: list[object] = field(default_factory=list)


def as_span_ref(item: Pattern) -> tuple[SpanRef, str | None, bool] | None:
    """For a top-level pattern item that is a span reference: (reference, capture name, optional).

    Accepted shapes: `<L>`, `name:<L>`, `<L>?`, `name:<L>?` and `(name:<L>)?`.
    """
    optional = False
    if isinstance(item, Repeat) and (item.min, item.max) == (0, 1):
        item, optional = item.item, True
    capture = None
    if isinstance(item, Capture):
        capture, item = item.name, item.item
        if isinstance(item, Repeat) and (item.min, item.max) == (0, 1) and not optional:
            item, optional = item.item, True
    if isinstance(item, SpanRef):
        return item, capture, optional
    return None
