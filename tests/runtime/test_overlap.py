"""Overlap resolution: each policy, priorities, and results independent of input order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruleie.runtime.overlap import Match, resolve


def run(matches: list[tuple[int, int, int]], policy: str, priority: dict[int, int] | None = None) -> list[tuple[int, int, int]]:
    rules = {r for r, _, _ in matches}
    prio = {r: 0 for r in rules} | (priority or {})
    kept = resolve([Match(r, s, e) for r, s, e in matches], policy, prio)
    return [(m.rule, m.start, m.end) for m in kept]


# (id, matches as (rule, start, end), priorities, policy, expected kept in text order)
CASES = [
    # ---- longest (the default)
    ("longest-disjoint-all-kept", [(0, 0, 3), (0, 5, 8), (1, 10, 12)], {}, "longest", [(0, 0, 3), (0, 5, 8), (1, 10, 12)]),
    ("longest-adjacent-do-not-overlap", [(0, 0, 3), (1, 3, 6)], {}, "longest", [(0, 0, 3), (1, 3, 6)]),
    ("longest-longer-wins", [(0, 0, 3), (1, 1, 8)], {}, "longest", [(1, 1, 8)]),
    ("longest-longer-wins-whatever-the-rule", [(1, 0, 3), (0, 1, 8)], {}, "longest", [(0, 1, 8)]),
    ("longest-contained", [(0, 2, 4), (1, 0, 10)], {}, "longest", [(1, 0, 10)]),
    ("longest-tie-earlier-start", [(0, 2, 6), (1, 0, 4)], {}, "longest", [(1, 0, 4)]),
    ("longest-tie-same-span-first-rule", [(3, 0, 4), (1, 0, 4), (2, 0, 4)], {}, "longest", [(1, 0, 4)]),
    ("longest-priority-beats-length", [(0, 0, 10), (1, 2, 4)], {1: 5}, "longest", [(1, 2, 4)]),
    ("longest-priority-then-neighbours", [(0, 0, 10), (1, 4, 6), (2, 0, 3), (3, 7, 12)], {1: 1}, "longest",
     [(2, 0, 3), (1, 4, 6), (3, 7, 12)]),
    ("longest-negative-priority-loses", [(0, 0, 3), (1, 0, 10)], {1: -1}, "longest", [(0, 0, 3)]),
    ("longest-chain", [(0, 0, 4), (1, 3, 9), (2, 8, 12)], {}, "longest", [(1, 3, 9)]),
    ("longest-chain-ends-win", [(0, 0, 5), (1, 4, 8), (2, 7, 12)], {}, "longest", [(0, 0, 5), (2, 7, 12)]),
    ("longest-duplicate-collapses", [(0, 0, 4), (0, 0, 4)], {}, "longest", [(0, 0, 4)]),
    ("longest-empty-input", [], {}, "longest", []),
    # ---- first
    ("first-earliest-start-wins", [(0, 0, 3), (1, 1, 10)], {}, "first", [(0, 0, 3)]),
    ("first-then-next-free", [(0, 0, 3), (1, 1, 10), (2, 3, 5)], {}, "first", [(0, 0, 3), (2, 3, 5)]),
    ("first-tie-priority", [(0, 0, 10), (1, 0, 2)], {1: 2}, "first", [(1, 0, 2)]),
    ("first-tie-longer", [(0, 0, 2), (1, 0, 10)], {}, "first", [(1, 0, 10)]),
    ("first-tie-first-rule", [(2, 0, 5), (1, 0, 5)], {}, "first", [(1, 0, 5)]),
    ("first-priority-does-not-beat-start", [(0, 0, 5), (1, 2, 8)], {1: 9}, "first", [(0, 0, 5)]),
    ("first-disjoint", [(1, 6, 9), (0, 0, 3)], {}, "first", [(0, 0, 3), (1, 6, 9)]),
    # ---- all
    ("all-keeps-overlaps", [(0, 0, 3), (1, 1, 8), (2, 2, 4)], {}, "all", [(0, 0, 3), (1, 1, 8), (2, 2, 4)]),
    ("all-same-start-longer-first", [(0, 0, 3), (1, 0, 8)], {}, "all", [(1, 0, 8), (0, 0, 3)]),
    ("all-same-span-rule-order", [(2, 0, 3), (1, 0, 3)], {}, "all", [(1, 0, 3), (2, 0, 3)]),
    ("all-duplicates-of-one-rule-collapse", [(0, 0, 3), (0, 0, 3), (1, 0, 3)], {}, "all", [(0, 0, 3), (1, 0, 3)]),
    ("all-ignores-priority", [(0, 0, 3), (1, 1, 8)], {0: 9}, "all", [(0, 0, 3), (1, 1, 8)]),
]


@pytest.mark.parametrize("matches, priority, policy, expected", [pytest.param(m, p, pol, e, id=i) for i, m, p, pol, e in CASES])
def test_policy(matches: list, priority: dict, policy: str, expected: list) -> None:
    assert run(matches, policy, priority) == expected


@pytest.mark.parametrize("policy", ["longest", "first", "all"])
def test_captures_travel_with_the_kept_match(policy: str) -> None:
    a = Match(0, 0, 5, {"x": (0, 2)})
    b = Match(1, 6, 9, {"y": (6, 9)})
    kept = resolve([b, a], policy, {0: 0, 1: 0})
    assert kept == [a, b]
    assert kept[0] is a and kept[0].captures == {"x": (0, 2)}


# ------------------------------------------------------------------ properties

spans = st.tuples(st.integers(0, 30), st.integers(1, 8)).map(lambda t: (t[0], t[0] + t[1]))
match_lists = st.lists(st.tuples(st.integers(0, 5), spans), max_size=25, unique=True).map(
    lambda items: [(rule, s, e) for rule, (s, e) in items]
)
priorities = st.dictionaries(st.integers(0, 5), st.integers(-2, 2))


def _overlap(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return a[1] < b[2] and b[1] < a[2]


@settings(max_examples=300, deadline=None)
@given(match_lists, priorities, st.sampled_from(["longest", "first", "all"]), st.randoms(use_true_random=False))
def test_shuffled_input_gives_the_same_result(matches: list, prio: dict, policy: str, rnd: random.Random) -> None:
    priority = {r: prio.get(r, 0) for r in range(6)}
    objs = [Match(r, s, e, {"c": (s, e)}) for r, s, e in matches]
    expected = resolve(list(objs), policy, priority)
    for _ in range(3):
        shuffled = list(objs)
        rnd.shuffle(shuffled)
        got = resolve(shuffled, policy, priority)
        assert [id(m) for m in got] == [id(m) for m in expected]


@settings(max_examples=300, deadline=None)
@given(match_lists, priorities, st.sampled_from(["longest", "first"]))
def test_exclusive_policies(matches: list, prio: dict, policy: str) -> None:
    priority = {r: prio.get(r, 0) for r in range(6)}
    kept = run(matches, policy, priority)
    assert set(kept) <= set(matches)
    assert kept == sorted(kept, key=lambda m: (m[1], m[2]))
    for i, a in enumerate(kept):
        for b in kept[i + 1 :]:
            assert not _overlap(a, b)
    for m in set(matches) - set(kept):
        assert any(_overlap(m, k) for k in kept), (m, kept)
    if policy == "longest":
        # a kept match is never beaten by an overlapping match it pushed out
        for m in set(matches) - set(kept):
            rank = lambda x: (-priority[x[0]], x[1] - x[2], x[1], x[0])  # noqa: E731
            assert any(_overlap(m, k) and rank(k) < rank(m) for k in kept)
        if matches:
            best = min(matches, key=lambda x: (-priority[x[0]], x[1] - x[2], x[1], x[0]))
            assert best in kept
    else:
        for m in set(matches) - set(kept):
            rank = lambda x: (x[1], -priority[x[0]], x[1] - x[2], x[0])  # noqa: E731
            assert any(_overlap(m, k) and rank(k) < rank(m) for k in kept)
        if matches:
            assert min(m[1] for m in matches) == kept[0][1]


@settings(max_examples=200, deadline=None)
@given(match_lists)
def test_all_keeps_everything_in_text_order(matches: list) -> None:
    kept = run(matches, "all")
    assert sorted(kept) == sorted(set(matches))
    assert kept == sorted(kept, key=lambda m: (m[1], -m[2], m[0]))
