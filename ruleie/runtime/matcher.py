"""Find every match of one compiled rule in a normalised text.

A rule without span references is one regex run with `finditer`. A rule with references is
anchored on its first reference: for each span of that label the part before it is matched so that
it ends where the span starts (searching at most `LEFT_WINDOW` characters back), and the parts after
it are matched left to right at the exact position where the previous part ended; when several
spans of a later label start at that position, the longest that lets the rest match wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import re
import warnings

import regex

from ruleie.compile.patterns import CAPTURE_PREFIX, GAP, Segment
from ruleie.runtime.overlap import Match

def compile_fast(source: str):
    """Compile with the stdlib `re` engine when the pattern is valid there, else with `regex`.

    Both engines give the same meaning to the syntax they share (Unicode `\\w`, `\\b`, `\\s`), but `re`
    scans large trie-shaped alternations several times faster; `regex` takes what `re` cannot
    express (`\\p{..}` classes, variable-length lookbehind, one name on several groups) and supports
    a matching time budget.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. `[[:alpha:]]` means something else to `re`
            return re.compile(source)
    except (re.error, RecursionError, OverflowError, FutureWarning, DeprecationWarning):
        return regex.compile(source)


def _iter(pattern, text: str, timeout: float | None):
    """`finditer` honouring `timeout` where the engine supports it."""
    if timeout is not None and isinstance(pattern, regex.Pattern):
        return pattern.finditer(text, timeout=timeout)
    return pattern.finditer(text)


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


def _touching(text: str, pos: int) -> bool:
    """True when word characters meet at `pos`, so that no gap can separate items there.

    The part of a pattern before an anchor span is matched with `endpos` at the span's start,
    where the regex sees an end of text; this restores what `GAP` would see in the full text.
    """
    return 0 < pos < len(text) and _WORD.match(text, pos - 1) is not None and _WORD.match(text, pos) is not None


_WORD = regex.compile(r"\w")


def _captures(m) -> dict[str, tuple[int, int]]:
    """Named captures of a regex match that took part in it, trimmed."""
    out = {}
    text = m.string
    for group in m.re.groupindex:
        if group.startswith(CAPTURE_PREFIX):
            start, end = m.span(group)
            if start >= 0:
                out[group[len(CAPTURE_PREFIX):]] = trim(text, start, end)
    return out


def _match(index: int, text: str, start: int, end: int, captures: dict[str, tuple[int, int]]) -> Match | None:
    """A trimmed match, or None when nothing but whitespace was matched."""
    start, end = trim(text, start, end)
    return Match(index, start, end, captures) if end > start else None


@dataclass
class RuleMatcher:
    """Compiled regexes of one rule, ready to run."""

    index: int
    segments: list[Segment]
    scan: "re.Pattern[str] | regex.Pattern[str] | None"  # the whole rule when it has no references
    parts: "list[re.Pattern[str] | regex.Pattern[str] | None]"  # per segment, anchored for chaining
    anchor: int  # index of the first reference segment, or -1

    @classmethod
    def build(cls, index: int, segments: list[Segment]) -> "RuleMatcher":
        """Compile the regexes a rule needs."""
        anchor = next((i for i, s in enumerate(segments) if s.kind == "ref"), -1)
        if anchor < 0:
            return cls(index, segments, compile_fast(segments[0].source), [], -1)
        if segments[anchor].optional:  # no required anchor: scan the leading regex, then chain
            anchor = 0
        parts: list = []
        for i, seg in enumerate(segments):
            if seg.kind == "ref":
                parts.append(None)
            elif i == 0 and anchor == 0:  # scanned, then chained
                parts.append(compile_fast(seg.source))
            elif i < anchor:  # must end where the anchor span starts
                glue = "" if segments[anchor].glued else GAP
                parts.append(compile_fast(f"(?:{seg.source}){glue}\\Z"))
            else:
                glue = "" if seg.glued else GAP
                parts.append(compile_fast(f"{glue}(?:{seg.source})"))
        return cls(index, segments, None, parts, anchor)

    def find(self, text: str, spans: SpanIndex, timeout: float | None = None) -> list[Match]:
        """Every match of the rule in `text` given the spans of earlier phases."""
        if self.scan is not None:
            found = (_match(self.index, text, m.start(), m.end(), _captures(m)) for m in _iter(self.scan, text, timeout))
            return [m for m in found if m is not None]
        out: list[Match] = []
        if self.anchor == 0 and self.segments[0].kind == "regex":
            first = self.parts[0]
            assert first is not None
            for m in _iter(first, text, timeout):
                done = self._chain(text, spans, 1, m.end(), _captures(m), timeout)
                if done is not None:
                    match = _match(self.index, text, m.start(), done[0], done[1])
                    if match is not None:
                        out.append(match)
            return out
        anchor_seg = self.segments[self.anchor]
        by_start = spans.get(anchor_seg.label, {})
        for start in sorted(by_start):
            left_start, captures = start, {}
            if self.anchor > 0:
                left = self.parts[0]
                assert left is not None
                m = left.search(text, max(0, start - LEFT_WINDOW), start)
                if m is None or (not anchor_seg.glued and _touching(text, start)):
                    continue
                left_start, captures = m.start(), _captures(m)
            for end in by_start[start]:
                caps = dict(captures)
                if anchor_seg.capture:
                    caps[anchor_seg.capture] = (start, end)
                done = self._chain(text, spans, self.anchor + 1, end, caps, timeout)
                if done is not None:
                    final_end, final_caps = done
                    match = _match(self.index, text, left_start, final_end, final_caps)
                    if match is not None:
                        out.append(match)
                    break
        return out

    def _chain(
        self,
        text: str,
        spans: SpanIndex,
        i: int,
        pos: int,
        caps: dict[str, tuple[int, int]],
        timeout: float | None,
    ) -> tuple[int, dict[str, tuple[int, int]]] | None:
        """Match segments i.. from `pos`; the end and captures of the first complete match."""
        if i == len(self.segments):
            return pos, caps
        seg = self.segments[i]
        if seg.kind == "regex":
            part = self.parts[i]
            assert part is not None
            m = part.match(text, pos)
            if m is None:
                return None
            return self._chain(text, spans, i + 1, m.end(), {**caps, **_captures(m)}, timeout)
        if seg.glued:
            start: int | None = pos
        else:
            gap = _GAP_RE.match(text, pos)
            start = gap.end() if gap is not None else None  # None: two word characters touch
        if start is not None:
            for end in spans.get(seg.label, {}).get(start, ()):
                nested = {**caps, seg.capture: (start, end)} if seg.capture else caps
                done = self._chain(text, spans, i + 1, end, nested, timeout)
                if done is not None:
                    return done
        if seg.optional:  # `<Label>?`: go on without it
            return self._chain(text, spans, i + 1, pos, caps, timeout)
        return None
