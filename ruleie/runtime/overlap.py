"""Deterministic overlap resolution among the matches of one phase and one label.

Policies (a phase option, `[overlap=...]`):

- `longest` (default): higher rule priority wins; among equal priorities the longer match, then
  the earlier start, then the rule declared first.
- `first`: the earliest start wins; ties go to higher priority, then the longer match, then the
  rule declared first.
- `all`: every match is kept (exact duplicates of one rule collapse).

Ordering is total, so the result never depends on the order matches were found in.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field


@dataclass(slots=True)
class Match:
    """One match of one rule, in normalised-text offsets."""

    rule: int  # index of the rule in the rule set
    start: int
    end: int
    captures: dict[str, tuple[int, int]] = field(default_factory=dict)


def _overlaps(starts: list[int], ends: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the kept, sorted, disjoint intervals."""
    i = bisect_left(starts, end)
    return i > 0 and ends[i - 1] > start


def resolve(matches: list[Match], policy: str, priority: dict[int, int]) -> list[Match]:
    """Matches kept under `policy`, in text order; `priority` maps rule index -> priority."""
    if policy == "all":
        seen: set[tuple[int, int, int]] = set()
        kept = []
        for m in sorted(matches, key=lambda m: (m.start, -m.end, m.rule)):
            key = (m.rule, m.start, m.end)
            if key not in seen:
                seen.add(key)
                kept.append(m)
        return kept
    if policy == "first":
        order = sorted(matches, key=lambda m: (m.start, -priority[m.rule], m.start - m.end, m.rule))
    else:
        order = sorted(matches, key=lambda m: (-priority[m.rule], m.start - m.end, m.start, m.rule))
    starts: list[int] = []
    ends: list[int] = []
    kept = []
    for m in order:
        if _overlaps(starts, ends, m.start, m.end):
            continue
        i = bisect_left(starts, m.start)
        starts.insert(i, m.start)
        ends.insert(i, m.end)
        kept.append(m)
    kept.sort(key=lambda m: (m.start, m.end, m.rule))
    return kept
