"""Translate rule patterns into `regex` source.

Items of a sequence are tokens: between two of them the text may hold whitespace, and two word
characters never touch (`GAP`); `~` glues items with nothing between. Literals get word boundaries
on their word-character edges. Captures become named groups (`c_<name>`; the `regex` module allows
one name on several groups, so a capture may appear in several alternatives).

A rule whose pattern refers to earlier phases' spans (`<Speaker>`) is split at each reference into
`Segment`s: regexes between references, matched by the runtime around the known spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from ruleie.compile.lexicons import CompiledLexicon
from ruleie.dsl import ast
from ruleie.dsl.limits import MAX_PATTERN_CHARS, regex_atom_problem, regex_problem
from ruleie.dsl.resolve import walk
from ruleie.normalize import normalize
from ruleie.dsl.errors import ErrorSink, did_you_mean

#: Between two items: whitespace, or nothing where at least one side is not a word character.
#: The two empty branches exclude each other (`(?<=\w)`), so that a repeat over items that are not
#: word characters (`","+`) cannot split one text in two ways at each gap and backtrack without end.
GAP = r"(?:\s+|(?<!\w)|(?<=\w)(?!\w))"
CAPTURE_PREFIX = "c_"
#: A macro whose regex is longer than this, used without captures, is written once per pattern
#: (a `regex` DEFINE group) and called by name, instead of being copied at every use: nested
#: macros would otherwise multiply into patterns of megabytes.
SHARED_MACRO_SIZE = 2000
_SHARED_PREFIX = "m_"


@dataclass(frozen=True)
class Segment:
    """One element of a compiled rule: a regex, or a reference to an earlier phase's spans."""

    kind: str  # "regex" | "ref"
    source: str = ""  # regex source (kind == "regex")
    label: str = ""  # span label (kind == "ref")
    capture: str | None = None  # capture name bound to the referenced span
    glued: bool = False  # no gap between this element and the previous one
    optional: bool = False  # `<Label>?`: the reference may be absent
    #: Look-aheads (`ahead(...)`, `not ahead(...)`) that end a regex before a reference, kept apart
    #: from `source`: before the first reference the matcher reads `source` with the text cut at the
    #: span's start, and these must see the text after it (`"selon" ahead(/\p{Lu}/) <Name>`).
    ahead: str = ""

    def as_json(self) -> list[object]:
        """Compact JSON form for the rule-set cache."""
        return [self.kind, self.source, self.label, self.capture, self.glued, self.optional, self.ahead]

    @classmethod
    def from_json(cls, data: list[object]) -> "Segment":
        """Inverse of `as_json`."""
        kind, source, label, capture, glued, optional, ahead = data
        return cls(str(kind), str(source), str(label), capture if capture is None else str(capture), bool(glued),
                   bool(optional), str(ahead))


class PatternCompiler:
    """Compiles patterns against a fixed set of macros and lexicons, reporting errors to a sink."""

    def __init__(self, macros: dict[str, ast.Macro], lexicons: dict[str, CompiledLexicon], sink: ErrorSink):
        self.macros = macros
        self.lexicons = lexicons
        self.sink = sink
        self._macro_cache: dict[str, str] = {}
        self._expanding: set[str] = set()
        self._big: dict[str, bool] = {}  # large and capture-free: worth sharing when used twice
        self._uses: dict[str, int] = {}  # how often each macro occurs in the rule being compiled
        self._expansion: dict[str, dict[str, int]] = {}
        self._macro_deps: dict[str, set[str]] = {}
        self._needed: set[str] = set()  # shared macros called by the pattern being compiled
        self._checked_regex: set[str] = set()
        self._bad_regex: set[str] = set()

    # -- public

    def rule_segments(self, pattern: ast.Pattern) -> list[Segment]:
        """Split a rule's top-level sequence at span references and compile the parts."""
        if isinstance(pattern, ast.Sequence):
            items, joins = list(pattern.items), [True, *pattern.joins]
        else:
            items, joins = [pattern], [True]
        segments: list[Segment] = []
        pending: list[tuple[ast.Pattern, bool]] = []
        self._needed = set()
        self._uses = self._occurrences(pattern)

        def flush(glued_right: bool = False, before_first_ref: bool = False) -> None:
            if not pending:
                return
            glued = not pending[0][1] and bool(segments)
            ahead = ""
            if before_first_ref:  # trailing look-aheads go apart (see `Segment.ahead`)
                kept = trailing_looks_start([p for p, _ in pending])
                if kept < len(pending):
                    looks = pending[kept:]
                    ahead = self.with_definitions("".join(self.compile(p) for p, _ in looks))
                    glued_right = not looks[0][1]
                    del pending[kept:]
                    if not pending:
                        segments.append(Segment("regex", "", glued=glued, ahead=ahead))
                        return
            sub = ast.Sequence(tuple(p for p, _ in pending), tuple(j for _, j in pending[1:]), pattern.loc)
            node: ast.Pattern = sub if len(pending) > 1 else pending[0][0]
            if isinstance(node, ast.Sequence):
                source = self._Sequence(node, glued, glued_right)
            else:
                source = self._edge_item(node, glued, glued_right)
            segments.append(Segment("regex", self.with_definitions(source), glued=glued, ahead=ahead))
            pending.clear()

        for item, join in zip(items, joins):
            found = ast.as_span_ref(item)
            if found is not None:
                flush(glued_right=not join, before_first_ref=not segments)
                ref, capture, optional = found
                segments.append(
                    Segment("ref", label=ref.label, capture=capture, glued=not join and bool(segments), optional=optional)
                )
            else:
                pending.append((item, join))
        flush()
        self._check_size(segments, pattern.loc)
        return segments

    def _check_size(self, segments: list[Segment], loc) -> None:
        """E309 when a compiled segment is too large, too deep or unrolls too far for the regex engine."""
        for seg in segments:
            if seg.kind != "regex":
                continue
            problem = (f"its regex has more than {MAX_PATTERN_CHARS} characters" if len(seg.source) > MAX_PATTERN_CHARS
                       else regex_problem(seg.source))
            if problem:
                self.sink.error("E309", f"pattern too complex: {problem}", loc, "split it into several rules")
                return

    def items_source(self, pattern: ast.Pattern, start: int, stop: int) -> str:
        """Regex source of top-level items [start, stop) of a rule's pattern (no span reference
        among them), compiled as `rule_segments` compiles them inside their segment.

        Word edges towards `~`-glued neighbours are dropped as in the whole rule; a trailing
        lookbehind is checked after the gap to the next item, where the whole rule checks it.
        """
        items, joins = sequence_items(pattern)
        self._needed = set()
        self._uses = self._occurrences(pattern)
        chosen, inner = list(items[start:stop]), list(joins[start + 1 : stop])
        glued_left = start > 0 and not joins[start]
        glued_right = stop < len(items) and not joins[stop]
        last = chosen[-1]
        if stop < len(items) and isinstance(last, ast.Look) and not last.ahead:
            chosen.append(ast.RegexAtom("", "", last.loc))  # empty item: where the next one starts
            inner.append(joins[stop])
            glued_right = False
        if len(chosen) == 1:
            source = self._edge_item(chosen[0], glued_left, glued_right)
        else:
            source = self._Sequence(ast.Sequence(tuple(chosen), tuple(inner), pattern.loc), glued_left, glued_right)
        return self.with_definitions(source)

    def compile(self, node: ast.Pattern) -> str:
        """Regex source for one pattern node."""
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    # -- nodes

    def _Literal(self, node: ast.Literal, left_bound: bool = True, right_bound: bool = True) -> str:
        text = normalize(node.text).text
        text = " ".join(text.split()) if text.strip() else text
        body = "".join(r"\s+" if ch == " " else regex.escape(ch, special_only=True) for ch in text)
        if left_bound and regex.match(r"\w", text):
            body = r"\b" + body
        if right_bound and regex.search(r"\w\Z", text):
            body += r"\b"
        return body

    def _edge_item(self, item: ast.Pattern, glued_left: bool, glued_right: bool) -> str:
        """Source of a sequence item; a literal glued with `~` has no word boundary on that side
        (`/\\d+/ ~ "h"` must match "14h", `"anti" ~ "vax"` must match "antivax")."""
        inner = item.item if isinstance(item, ast.Capture) else item
        if not (glued_left or glued_right) or not isinstance(inner, ast.Literal):
            return self.compile(item)
        source = self._Literal(inner, not glued_left, not glued_right)
        if isinstance(item, ast.Capture):
            return f"(?P<{CAPTURE_PREFIX}{item.name}>{source})"
        return source

    def _RegexAtom(self, node: ast.RegexAtom) -> str:
        if node.source not in self._checked_regex:
            self._checked_regex.add(node.source)
            problem = regex_atom_problem(node.source)
            try:
                if problem is None:
                    regex.compile(node.source)
            except regex.error as err:
                problem = str(err)
            except (RecursionError, OverflowError, MemoryError) as err:  # beyond what the scan foresees
                problem = f"too complex ({type(err).__name__})"
            if problem:
                self.sink.error("E303", f"invalid regular expression: {problem}", node.loc, width=len(node.source) + 2)
                self._bad_regex.add(node.source)
        if node.source in self._bad_regex:
            return "(?!)"  # reported once; the rule's regex must not inherit the problem
        flags = "".join(sorted(set(node.flags) & set("imsx")))
        return f"(?{flags}:{node.source})" if flags else f"(?:{node.source})"

    def _LexiconRef(self, node: ast.LexiconRef) -> str:
        lex = self.lexicons.get(node.name)
        if lex is None:
            return "(?!)"  # reported by the name checks
        unknown = [t for t in node.tags if t not in lex.tags]
        for tag in unknown:
            self.sink.error("E111", f"lexicon '@{node.name}' has no entries tagged '{tag}'", node.loc,
                            did_you_mean(tag, lex.tags) or ("only verb lexicons have tags" if not lex.verbs else None))
        return lex.pattern(node.tags)

    def _MacroRef(self, node: ast.MacroRef) -> str:
        macro = self.macros.get(node.name)
        if macro is None or node.name in self._expanding:
            return "(?!)"  # unknown or cyclic: reported by the name checks
        if node.name not in self._macro_cache:
            outer = self._needed
            self._needed = set()
            self._expanding.add(node.name)
            source = "(?:" + self.compile(macro.pattern) + ")"
            self._expanding.discard(node.name)
            if len(source) > MAX_PATTERN_CHARS:  # nested macros double at each level without sharing
                self.sink.error("E309", f"macro '{node.name}' expands to more than {MAX_PATTERN_CHARS} characters of regex",
                                macro.loc, "give it fewer levels of macros, or no captures so that it can be shared")
                source = "(?!)"
                self._needed = set()
            self._macro_deps[node.name] = self._needed
            self._needed = outer
            self._macro_cache[node.name] = source
            self._big[node.name] = len(source) > SHARED_MACRO_SIZE and not any(
                isinstance(n, ast.Capture) for n in walk(macro.pattern, self.macros)
            )
        if self._big[node.name] and self._uses.get(node.name, 0) >= 2:
            self._needed.add(node.name)
            return f"(?&{_SHARED_PREFIX}{node.name})"
        self._needed |= self._macro_deps[node.name]
        return self._macro_cache[node.name]

    def _occurrences(self, node: ast.Pattern) -> dict[str, int]:
        """How many times each macro occurs in `node` once every macro is expanded (memoised)."""
        counts: dict[str, int] = {}
        for child in walk(node):
            if isinstance(child, ast.MacroRef) and child.name in self.macros:
                counts[child.name] = counts.get(child.name, 0) + 1
                if child.name not in self._expansion:
                    self._expansion[child.name] = {}  # cycle guard (cycles are reported elsewhere)
                    self._expansion[child.name] = self._occurrences(self.macros[child.name].pattern)
                for inner, n in self._expansion[child.name].items():
                    counts[inner] = counts.get(inner, 0) + n
        return counts

    def with_definitions(self, source: str) -> str:
        """`source` preceded by the definitions of the shared macros it calls (transitively)."""
        if not self._needed:
            return source
        todo, names = list(self._needed), set()
        while todo:
            name = todo.pop()
            if name not in names:
                names.add(name)
                todo.extend(self._macro_deps.get(name, ()))
        body = "".join(f"(?P<{_SHARED_PREFIX}{n}>{self._macro_cache[n]})" for n in sorted(names))
        self._needed = set()
        return f"(?(DEFINE){body}){source}"

    def _SpanRef(self, node: ast.SpanRef) -> str:
        return "(?!)"  # nested references are reported by the name checks

    def _Capture(self, node: ast.Capture) -> str:
        inner = node.item
        if isinstance(inner, ast.Repeat) and inner.min == 0:
            # `x:item?` that matches nothing leaves `x` unset (not an empty capture)
            lazy = "?" if inner.lazy else ""
            return f"(?:(?P<{CAPTURE_PREFIX}{node.name}>{self.repeat_body(inner)}))?{lazy}"
        return f"(?P<{CAPTURE_PREFIX}{node.name}>{self.compile(node.item)})"

    def _Look(self, node: ast.Look) -> str:
        inner = self.compile(node.item)
        if node.ahead:
            return ("(?!" if node.negated else "(?=") + GAP + inner + ")"
        return ("(?<!" if node.negated else "(?<=") + inner + GAP + ")"

    def _Alternation(self, node: ast.Alternation) -> str:
        return "(?:" + "|".join(self.compile(o) for o in node.options) + ")"

    def _Repeat(self, node: ast.Repeat) -> str:
        body = self.repeat_body(node)
        lazy = "?" if node.lazy else ""
        return f"(?:{body})?{lazy}" if node.min == 0 else body

    def repeat_body(self, node: ast.Repeat) -> str:
        """The repetition with at least one occurrence (the caller makes it optional if min is 0)."""
        item = self.compile(node.item)
        lazy = "?" if node.lazy else ""
        if node.max == 1:
            return f"(?:{item})"
        rest_lo = max(node.min - 1, 0)
        rest_hi = "" if node.max is None else str(node.max - 1)
        return f"(?:{item}(?:{GAP}{item}){{{rest_lo},{rest_hi}}}{lazy})"

    def _Sequence(self, node: ast.Sequence, glued_left: bool = False, glued_right: bool = False) -> str:
        out: list[str] = []
        pending_behind: list[str] = []
        consumed = False
        joins = [not glued_left, *node.joins, not glued_right]
        for i, (item, join) in enumerate(zip(node.items, joins)):
            source = self._edge_item(item, not join, not joins[i + 1])
            if isinstance(item, ast.Look) and item.ahead:
                out.append(source)
            elif isinstance(item, ast.Look):
                pending_behind.append(source)
            else:
                inner = item.item if isinstance(item, ast.Capture) else item
                optional = isinstance(inner, ast.Repeat) and inner.min == 0
                gap = GAP if consumed and join else ""
                if optional and gap:
                    assert isinstance(inner, ast.Repeat)
                    lazy = "?" if inner.lazy else ""
                    body = self.repeat_body(inner)
                    if isinstance(item, ast.Capture):
                        body = f"(?P<{CAPTURE_PREFIX}{item.name}>{body})"
                    out.append("".join(pending_behind) + f"(?:{gap}{body})?{lazy}")
                else:
                    out.append(gap + "".join(pending_behind) + source)
                pending_behind.clear()
                consumed = True
        out.extend(pending_behind)
        return "".join(out)


def trailing_looks_start(items: Sequence[ast.Pattern], first: int = 0) -> int:
    """Where the look-aheads ending `items[first:]` begin (`len(items)` when it does not end with one).

    Before a rule's first reference they are matched apart from the items before them (`Segment.ahead`).
    """
    kept = len(items)
    while kept > first and isinstance(items[kept - 1], ast.Look) and items[kept - 1].ahead:
        kept -= 1
    return kept


def sequence_items(pattern: ast.Pattern) -> tuple[tuple[ast.Pattern, ...], tuple[bool, ...]]:
    """A rule's top-level items, and for each whether a gap (not `~`) joins it to the one before."""
    if isinstance(pattern, ast.Sequence):
        return pattern.items, (True, *pattern.joins)
    return (pattern,), (True,)


def nullable(node: ast.Pattern, macros: dict[str, ast.Macro], _seen: frozenset[str] = frozenset(),
             _memo: dict[str, bool] | None = None) -> bool:
    """True when a pattern can match the empty string (such a rule would fire everywhere)."""
    memo = {} if _memo is None else _memo  # per macro: nested nullable macros would take exponential time
    if isinstance(node, ast.Literal):
        return node.text == ""
    if isinstance(node, ast.RegexAtom):
        if regex_atom_problem(node.source):
            return False  # reported as E303
        try:
            return regex.compile(node.source).fullmatch("") is not None
        except (regex.error, RecursionError, OverflowError):
            return False
    if isinstance(node, (ast.LexiconRef, ast.SpanRef)):
        return False
    if isinstance(node, ast.MacroRef):
        macro = macros.get(node.name)
        if macro is None or node.name in _seen:
            return False
        if node.name not in memo:
            memo[node.name] = nullable(macro.pattern, macros, _seen | {node.name}, memo)
        return memo[node.name]
    if isinstance(node, ast.Repeat):
        return node.min == 0 or nullable(node.item, macros, _seen, memo)
    if isinstance(node, ast.Capture):
        return nullable(node.item, macros, _seen, memo)
    if isinstance(node, ast.Look):
        return True
    if isinstance(node, ast.Sequence):
        return all(nullable(i, macros, _seen, memo) for i in node.items)
    if isinstance(node, ast.Alternation):
        return any(nullable(o, macros, _seen, memo) for o in node.options)
    return False
