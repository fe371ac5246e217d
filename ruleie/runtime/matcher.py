"""Find every match of one compiled rule in a normalised text.

A rule without span references is one regex run with `finditer`. A rule with references is
anchored on its first reference: for each span of that label the part before it is matched so that
it ends where the span starts (searching at most `LEFT_WINDOW` characters back), and the parts after
it are matched left to right at the exact position where the previous part ended; when several
spans of a later label start at that position, the longest that lets the rest match wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from time import monotonic

import re
import warnings

import regex

from ruleie.compile.backtrack import analysable, runaway_risk, safe_tree
from ruleie.compile.patterns import CAPTURE_PREFIX, GAP, Segment
from ruleie.runtime.overlap import Match
from ruleie.runtime.programs import Outcome, SreProgram, digest, program_of

@lru_cache(maxsize=512)
def compile_fast(source: str):
    """Compile with the stdlib `re` engine when the pattern is valid there, else with `regex`.

    Both engines give the same meaning to the syntax they share (Unicode `\\w`, `\\b`, `\\s`), but `re`
    scans large trie-shaped alternations several times faster; `regex` takes what `re` cannot
    express (`\\p{..}` classes, variable-length lookbehind, one name on several groups) and supports
    a matching time budget.

    `re` cannot be interrupted, so a pattern that could backtrack without end (nested loops that
    can split one text in many ways, see `ruleie.compile.backtrack`) always goes to `regex`, which
    honours the matching deadline. Shared macros (`(?(DEFINE)...)`, `regex` syntax) are written out
    first (`inline_shared`) so that such a pattern can still go to `re`.

    The outcome (an `re` program, or `regex` with or without a time budget) is recorded under the
    source's digest; outcomes read from the rule-set cache (`install_programs`) skip the parse,
    the analysis and code generation.

    Memoised (like the engines' own caches, but past their 500-pattern limit): rules that share a
    part share one compiled pattern, which `RuleMatcher.find` uses to share work between rules.
    """
    key = digest(source)
    known = _KNOWN.get(key)
    if known is not None:
        try:
            compiled = _rebuild(source, known)
        except Exception:  # noqa: BLE001 - a program this engine rejects: compile it afresh
            compiled = None
        if compiled is not None:
            _MADE[key] = known
            return compiled
    outcome, compiled = _compile_new(source)
    if outcome is not None:
        _MADE[key] = outcome
    return compiled


def _compile_new(source: str) -> tuple[Outcome | None, Any]:
    """Compile `source` from scratch: the outcome to record (None: nothing to record), and the pattern."""
    inlined = inline_shared(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. `[[:alpha:]]` means something else to `re`
            tree = safe_tree(inlined) if inlined is not None else None
            if tree is not None:
                program = program_of(tree)
                if program is not None:
                    try:
                        return program, program.compile(inlined)
                    except (TypeError, ValueError, RuntimeError):  # the private compiler API changed
                        pass
                return None, re.compile(inlined)
    except (re.error, RecursionError, OverflowError, FutureWarning, DeprecationWarning):
        pass
    pattern = regex.compile(source)
    risky = runaway_risk(analysable(source))
    if risky:
        _NEEDS_TIMEOUT.add(pattern)
    return risky, pattern


def _rebuild(source: str, outcome: Outcome):
    """The pattern a recorded outcome stands for; None when it cannot be rebuilt here."""
    if isinstance(outcome, SreProgram):
        inlined = inline_shared(source)
        return None if inlined is None else outcome.compile(inlined)
    pattern = regex.compile(source)
    if outcome:
        _NEEDS_TIMEOUT.add(pattern)
    return pattern


#: Outcomes read from the rule-set cache, and the outcomes of the sources compiled in this process.
_KNOWN: dict[str, Outcome] = {}
_MADE: dict[str, Outcome] = {}


def install_programs(table: dict[str, Outcome]) -> None:
    """Make recorded outcomes (`ProgramCache.read`) available to `compile_fast`."""
    _KNOWN.update(table)


def compiled_count() -> int:
    """How many distinct sources this process has compiled or rebuilt (grows when a rule first runs)."""
    return len(_MADE)


def outcomes_of(sources: list[str]) -> dict[str, Outcome]:
    """The recorded outcome of each source compiled in this process (to store them)."""
    out = {}
    for source in sources:
        key = digest(source)
        if key in _MADE:
            out[key] = _MADE[key]
    return out


#: `regex` patterns the backtracking analysis cannot clear: each of their calls gets a `timeout`.
#: A timeout costs `regex` about 2.5 µs a call, several times a short anchored match, so the
#: patterns it clears are only checked against the deadline before each call.
_NEEDS_TIMEOUT: set = set()
_NO_BUDGET: dict[str, float] = {}


def _budget(pattern, deadline: float | None) -> dict[str, float]:
    """Keyword arguments that bound one call of `pattern` by `deadline`; TimeoutError once it has passed."""
    if deadline is None:
        return _NO_BUDGET
    left = deadline - monotonic()
    if left <= 0:
        raise TimeoutError("matching deadline passed")
    return {"timeout": left} if pattern in _NEEDS_TIMEOUT else _NO_BUDGET


#: Largest source `inline_shared` writes out; past it the `regex` subroutine form is kept.
INLINE_LIMIT = 200_000
_DEFINE = "(?(DEFINE)"
_SHARED_DEF = re.compile(r"\(\?P<(\w+)>")
_SHARED_CALL = re.compile(r"\(\?&(\w+)\)")
_NUMBERED_REF = re.compile(r"(?<!\\)(?:\\\\)*\\(?:[1-9]|g<[0-9])")


def _group_end(source: str, i: int) -> int:
    """Index just past the group opening at `source[i]` (escapes and character classes skipped)."""
    depth = 0
    n = len(source)
    in_class = False
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if source.startswith("^", i + 1):
                i += 1
            if source.startswith("]", i + 1):  # a leading `]` is a literal
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced group")


def inline_shared(source: str) -> str | None:
    """`source` with its shared macros (`(?(DEFINE)...)` + `(?&m_X)` calls) written out in place.

    The compiler writes a big macro used several times once per pattern, which only `regex`
    understands; written out, the pattern is usually valid for the faster stdlib `re`. A shared
    macro carries no capture and its calls match what the body matches, so the pattern finds the
    same matches. None when the written-out source would exceed `INLINE_LIMIT`, is malformed, or
    has a numbered back-reference (the definition groups it drops would renumber the others);
    a source without shared macros is returned unchanged.
    """
    if not source.startswith(_DEFINE):
        return source
    if _NUMBERED_REF.search(source):
        return None
    try:
        end = _group_end(source, 0)
        bodies: dict[str, str] = {}
        i = len(_DEFINE)
        while i < end - 1:
            close = _group_end(source, i)
            m = _SHARED_DEF.match(source, i)
            if m is None:
                return None
            bodies[m.group(1)] = source[m.end() : close - 1]
            i = close
    except ValueError:
        return None
    out = source[end:]
    for _ in range(len(bodies) + 1):  # shared macros may call each other, never themselves
        if "(?&" not in out:
            return out
        out = _SHARED_CALL.sub(lambda c: f"(?:{bodies[c.group(1)]})" if c.group(1) in bodies else c.group(0), out)
        if len(out) > INLINE_LIMIT:
            return None
    return out if "(?&" not in out else None


def _left(deadline: float) -> float:
    """Seconds left before `deadline` (a `time.monotonic()` value), never zero (`regex` reads 0 as "none")."""
    return max(deadline - monotonic(), 1e-6)


def _iter(pattern, text: str, deadline: float | None):
    """`finditer` stopped at `deadline` where the engine supports it (`regex` raises TimeoutError)."""
    if deadline is not None and isinstance(pattern, regex.Pattern):
        return pattern.finditer(text, timeout=_left(deadline))
    return pattern.finditer(text)


#: Marks a position the memo of `RuleMatcher.find` has not seen yet.
_UNKNOWN = object()

#: How far before an anchor span the part of a pattern preceding it may start.
LEFT_WINDOW = 400
_GAP_RE = regex.compile(GAP)

SpanIndex = dict[str, dict[int, list[int]]]  # label -> start -> ends (longest first)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The range without the whitespace at its edges (spans never start or end with a space)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def touching(text: str, pos: int) -> bool:
    """True when word characters meet at `pos`, so that no gap can separate items there.

    The part of a pattern before an anchor span is matched with `endpos` at the span's start,
    where the regex sees an end of text; this restores what `GAP` would see in the full text.
    """
    return 0 < pos < len(text) and _is_word(text[pos - 1]) and _is_word(text[pos])


_WORD = regex.compile(r"\w")
_WORD_CHARS: dict[str, bool] = {}


def _is_word(ch: str) -> bool:
    """Whether `ch` is a word character for `regex` (memoised: `\\w` needs no context)."""
    known = _WORD_CHARS.get(ch)
    if known is None:
        known = _WORD.match(ch) is not None
        if len(_WORD_CHARS) < 65536:
            _WORD_CHARS[ch] = known
    return known


def capture_groups(pattern) -> tuple[tuple[str, str], ...]:
    """(group name, capture name) of every capture group of a compiled pattern, in group order."""
    if pattern is None:
        return ()
    return tuple((g, g[len(CAPTURE_PREFIX):]) for g in pattern.groupindex if g.startswith(CAPTURE_PREFIX))


def _captures(m, groups: tuple[tuple[str, str], ...] | None = None) -> dict[str, tuple[int, int]]:
    """Named captures of a regex match that took part in it, trimmed (`groups`: of `m.re`)."""
    out = {}
    if groups is None:
        groups = capture_groups(m.re)
    if not groups:
        return out
    text = m.string
    for group, name in groups:
        start, end = m.span(group)
        if start >= 0:
            out[name] = trim(text, start, end)
    return out


def _match(index: int, text: str, start: int, end: int, captures: dict[str, tuple[int, int]]) -> Match | None:
    """A trimmed match, or None when nothing but whitespace was matched."""
    start, end = trim(text, start, end)
    return Match(index, start, end, captures) if end > start else None


def regex_sources(segments: list[Segment]) -> tuple[int, list[str | None]]:
    """The anchor of a rule (see `RuleMatcher`) and the regex source compiled for each segment.

    -1 and the whole rule's source when it has no reference. A reference segment has no source.
    """
    anchor = anchor_of(segments)
    if anchor < 0:
        return -1, [segments[0].source]
    sources: list[str | None] = []
    for i, seg in enumerate(segments):
        if seg.kind == "ref":
            sources.append(None)
        elif i == 0 and anchor == 0:  # scanned, then chained
            sources.append(seg.source + seg.ahead)
        elif i < anchor:  # must end where the anchor span starts; its look-aheads are checked apart
            glue = "" if segments[anchor].glued else GAP
            at = f"(?P<{AHEAD_AT}>)" if seg.ahead else ""
            sources.append(f"(?:{seg.source}){at}{glue}\\Z")
        else:
            glue = "" if seg.glued else GAP
            sources.append(f"{glue}(?:{seg.source}{seg.ahead})")
    return anchor, sources


#: Group marking where the look-aheads that end the part before the anchor are checked.
AHEAD_AT = "ruleie_ahead"


def search_left(left, ahead, text: str, start: int, deadline: float | None = None):
    """The part before an anchor span starting at `start`: the match that starts furthest left,
    at most `LEFT_WINDOW` characters back, and ends at `start`.

    `left` is read with the text cut at `start`; `ahead` (the look-aheads ending that part, or
    None) is then matched on the whole text where they stand, and a match they reject gives way
    to the next one to its right (a part matched backwards, `(?r)`, has only one).
    """
    lo = max(0, start - LEFT_WINDOW)
    while True:
        m = left.search(text, lo, start, **_budget(left, deadline))
        if m is None or ahead is None or ahead.match(text, m.end(AHEAD_AT), **_budget(ahead, deadline)):
            return m
        if backwards(left):
            return None
        lo = m.start() + 1


def backwards(pattern) -> bool:
    """Whether a compiled pattern matches backwards (the `regex` module's `(?r)`)."""
    return isinstance(pattern, regex.Pattern) and bool(pattern.flags & regex.REVERSE)


def anchor_of(segments: list[Segment]) -> int:
    """The segment a rule is matched from: its first reference, 0 when that reference is optional
    (the leading regex is scanned, then chained), -1 without references."""
    anchor = next((i for i, s in enumerate(segments) if s.kind == "ref"), -1)
    return 0 if anchor >= 0 and segments[anchor].optional else anchor


def anchor_label(segments: list[Segment]) -> str | None:
    """The label a rule cannot match without (its anchor reference), or None when it scans the text."""
    anchor = anchor_of(segments)
    first = segments[anchor] if anchor >= 0 else None
    return first.label if first is not None and first.kind == "ref" else None


@dataclass
class RuleMatcher:
    """The regexes of one rule, compiled on first use (`compile`), and how to run them.

    Compiling is deferred because a rule anchored on a label that a document never produced does
    not need its regexes: a short document then pays only for the rules it reaches.
    """

    index: int
    segments: list[Segment]
    anchor: int  # index of the first reference segment, or -1
    sources: list[str | None]  # per segment, as `regex_sources` gives them
    needed: str | None = None  # the label it cannot match without (`anchor_label`)
    ahead_source: str = ""  # the look-aheads ending the part before the anchor (`Segment.ahead`)
    scan: "re.Pattern[str] | regex.Pattern[str] | None" = None  # the whole rule when it has no references
    parts: "list[re.Pattern[str] | regex.Pattern[str] | None]" = field(default_factory=list)  # per segment
    ahead: "re.Pattern[str] | regex.Pattern[str] | None" = None  # `ahead_source` compiled
    scan_groups: tuple[tuple[str, str], ...] = ()  # capture groups of `scan`
    part_groups: list[tuple[tuple[str, str], ...]] = field(default_factory=list)  # of each part
    compiled: bool = False

    @classmethod
    def build(cls, index: int, segments: list[Segment]) -> "RuleMatcher":
        """A matcher for a rule; its regexes are compiled by `compile`, at the latest on first use."""
        anchor, sources = regex_sources(segments)
        return cls(index, segments, anchor, sources, anchor_label(segments), segments[0].ahead if anchor > 0 else "")

    @property
    def all_sources(self) -> list[str]:
        """Every regex source the matcher compiles."""
        return [s for s in (*self.sources, self.ahead_source) if s]

    def compile(self) -> "RuleMatcher":
        """Compile the rule's regexes now (once)."""
        if not self.compiled:
            if self.anchor < 0:
                self.scan = compile_fast(self.sources[0] or "")
                self.scan_groups = capture_groups(self.scan)
            else:
                self.parts = [None if source is None else compile_fast(source) for source in self.sources]
                self.part_groups = [capture_groups(p) for p in self.parts]
                self.ahead = compile_fast(self.ahead_source) if self.ahead_source else None
            self.compiled = True
        return self

    def find(self, text: str, spans: SpanIndex, deadline: float | None = None, memo: dict | None = None) -> list[Match]:
        """Every match of the rule in `text` given the spans of earlier phases.

        `deadline` (a `time.monotonic()` value) bounds the time of `regex`-compiled patterns, which
        raise `TimeoutError` past it; `re`-compiled ones cannot be interrupted (the compiler gives
        `re` only patterns without runaway backtracking) and are checked by the caller afterwards.

        `memo` (one dict per text, shared by the rules run over it) remembers the result of each
        compiled part at each position, so that rules sharing a part (the same subject before the
        same verb) match it once.
        """
        if not self.compiled:
            if self.needed is not None and not spans.get(self.needed):
                return []  # anchored on a label this text does not have: no need to compile yet
            self.compile()
        if self.anchor < 0:
            groups = self.scan_groups
            found = (_match(self.index, text, m.start(), m.end(), _captures(m, groups)) for m in _iter(self.scan, text, deadline))
            return [m for m in found if m is not None]
        if memo is None:
            memo = {}
        out: list[Match] = []
        if self.anchor == 0 and self.segments[0].kind == "regex":
            first = self.parts[0]
            assert first is not None
            groups = self.part_groups[0]
            for m in _iter(first, text, deadline):
                done = self._chain(text, spans, 1, m.end(), _captures(m, groups), deadline, memo)
                if done is not None:
                    match = _match(self.index, text, m.start(), done[0], done[1])
                    if match is not None:
                        out.append(match)
            return out
        anchor_seg = self.segments[self.anchor]
        by_start = spans.get(anchor_seg.label, {})
        left = self.parts[0] if self.anchor > 0 else None
        left_groups = self.part_groups[0] if left is not None else ()
        check_touching = left is not None and not anchor_seg.glued
        chain_from = self.anchor + 1
        capture = anchor_seg.capture
        for start in sorted(by_start):
            if check_touching and touching(text, start):
                continue
            # The part after the anchor is matched first: it is anchored at the span's end and
            # usually fails at once, while the part before it is a search over LEFT_WINDOW
            # characters. The two are independent (the left part only adds its captures), so
            # the result is the same as matching left to right.
            for end in by_start[start]:
                done = self._chain(text, spans, chain_from, end, {capture: (start, end)} if capture else {}, deadline, memo)
                if done is not None:
                    break
            else:
                continue
            final_end, final_caps = done
            left_start = start
            if left is not None:
                key = (id(left), start, 0 if self.ahead is None else id(self.ahead))  # same part, same look-aheads
                hit = memo.get(key, _UNKNOWN)
                if hit is _UNKNOWN:
                    m = search_left(left, self.ahead, text, start, deadline)
                    hit = memo[key] = None if m is None else (m.start(), _captures(m, left_groups))
                if hit is None:
                    continue
                left_start = hit[0]
                final_caps = {**hit[1], **final_caps}
            match = _match(self.index, text, left_start, final_end, final_caps)
            if match is not None:
                out.append(match)
        return out

    def _chain(
        self,
        text: str,
        spans: SpanIndex,
        i: int,
        pos: int,
        caps: dict[str, tuple[int, int]],
        deadline: float | None,
        memo: dict | None = None,
    ) -> tuple[int, dict[str, tuple[int, int]]] | None:
        """Match segments i.. from `pos`; the end and captures of the first complete match."""
        if i == len(self.segments):
            return pos, caps
        seg = self.segments[i]
        if seg.kind == "regex":
            part = self.parts[i]
            assert part is not None
            key = (id(part), pos, 1)
            hit = memo.get(key, _UNKNOWN) if memo is not None else _UNKNOWN
            if hit is _UNKNOWN:
                m = part.match(text, pos, **_budget(part, deadline))
                hit = None if m is None else (m.end(), _captures(m, self.part_groups[i]))
                if memo is not None:
                    memo[key] = hit
            if hit is None:
                return None
            return self._chain(text, spans, i + 1, hit[0], {**caps, **hit[1]}, deadline, memo)
        if seg.glued:
            start: int | None = pos
        else:
            gap = _GAP_RE.match(text, pos)
            start = gap.end() if gap is not None else None  # None: two word characters touch
        if start is not None:
            for end in spans.get(seg.label, {}).get(start, ()):
                nested = {**caps, seg.capture: (start, end)} if seg.capture else caps
                done = self._chain(text, spans, i + 1, end, nested, deadline, memo)
                if done is not None:
                    return done
        if seg.optional:  # `<Label>?`: go on without it
            return self._chain(text, spans, i + 1, pos, caps, deadline, memo)
        return None
