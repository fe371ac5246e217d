"""Static analysis of regex sources for runaway backtracking.

A backtracking engine runs away when a loop can match one stretch of text in many ways: if the
rest of the pattern then fails, every way is tried. The analysis parses a source with the stdlib
parser (`re._parser`) and builds, per loop, a position automaton (Glushkov): every character
atom is a position labelled with the class of characters it accepts, and `follow` edges say which
position can come next. Zero-width items (lookarounds, `\\b`) become conditions on the
characters either side of an edge, so that `(?<!\\w)` between two word characters is known to
fail. Then, in the product of the automaton with itself (two runs reading the same text):

- **exponential**: a cycle through a state `(p, p)` also passes through some `(p, q)`, `p != q`,
  or an edge lying on a cycle can be taken in two ways (two empty alternatives). Each turn of the
  loop doubles the ways to match: `(a+)+`, `(a|aa)+`, `(?:a|a)*`, `(\\w+\\s?)+`.
- **polynomial**: two different looping positions can read the same text one after the other
  (`\\w+\\w+`, `.*,.*,`): the work grows as a power of the text length.

Possessive repeats and atomic groups never give back what they matched: each is one opaque
position (its inside is analysed on its own). Bounded repeats `{m,n}` with `n >= 2` count as loops
of ten or more when `bounded=True` (how the matcher decides: `(a|aa){1,30}` is as bad as unbounded), and as
a single pass otherwise (how the compiler reports, where a bound is an accepted fix).

Character classes are compared exactly on a sample of Unicode (ASCII, Latin-1, Latin Extended,
French typography) and on the characters a class names explicitly; classes only defined by
categories are assumed disjoint when no sampled character is in both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ruleie.dsl.limits import class_end

try:  # Python 3.11+
    from re import _constants as C, _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

# ------------------------------------------------------------------ character classes

_POOL = "".join(chr(c) for c in range(0x250)) + (
    "\u00a0\u2009\u202f\u2000\u2028\u3000\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026\u2013\u2014"
    "\u20ac\u0660\u0663\u03b1\u0391\u044f\u042f\u4e2d\u00b2\u2153\ue000\U0001f600"
)
_POOL_INDEX = {ch: i for i, ch in enumerate(_POOL)}
_FULL = (1 << len(_POOL)) - 1
_MAX_ENUM = 4096  # ranges up to this size are enumerated exactly


class CharSet:
    """A set of characters: a bit mask over the sample pool plus the named characters outside it.

    Instances are interned (one per distinct set), so that results of `&` and `overlaps` can be
    memoised by identity.
    """

    __slots__ = ("mask", "extra", "test")

    def __init__(self, mask: int, extra: frozenset[str], test):
        self.mask = mask
        self.extra = extra  # characters outside the pool that belong to the set
        self.test = test  # exact membership: ch -> bool

    def __and__(self, other: "CharSet") -> "CharSet":
        key = (id(self), id(other))
        found = _AND.get(key)
        if found is None:
            extra = frozenset(c for c in self.extra | other.extra if self.test(c) and other.test(c))
            a, b = self.test, other.test
            found = _AND[key] = _intern(self.mask & other.mask, extra, lambda ch: a(ch) and b(ch))
        return found

    def __bool__(self) -> bool:
        return bool(self.mask) or bool(self.extra)

    def overlaps(self, other: "CharSet") -> bool:
        """True when some character belongs to both sets."""
        if self.mask & other.mask:
            return True
        if not self.extra and not other.extra:
            return False
        return any(other.test(c) for c in self.extra) or any(self.test(c) for c in other.extra)


_INTERNED: dict[tuple[int, frozenset[str]], CharSet] = {}
_AND: dict[tuple[int, int], CharSet] = {}


def _intern(mask: int, extra: frozenset[str], test) -> CharSet:
    key = (mask, extra)
    found = _INTERNED.get(key)
    if found is None:
        found = _INTERNED[key] = CharSet(mask, extra, test)
    return found


def _charset(test, named: frozenset[str] = frozenset()) -> CharSet:
    mask = 0
    for i, ch in enumerate(_POOL):
        if test(ch):
            mask |= 1 << i
    return _intern(mask, frozenset(c for c in named if c not in _POOL_INDEX and test(c)), test)


ANY = _intern(_FULL, frozenset(), lambda ch: True)
_WORD_TEST = lambda ch: ch.isalnum() or ch == "_"  # noqa: E731
WORD = _charset(_WORD_TEST)
NOT_WORD = _charset(lambda ch: not _WORD_TEST(ch))
_CATEGORIES = {
    C.CATEGORY_DIGIT: lambda ch: ch.isdecimal(),
    C.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
    C.CATEGORY_SPACE: lambda ch: ch.isspace(),
    C.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
    C.CATEGORY_WORD: _WORD_TEST,
    C.CATEGORY_NOT_WORD: lambda ch: not _WORD_TEST(ch),
    C.CATEGORY_LINEBREAK: lambda ch: ch == "\n",
    C.CATEGORY_NOT_LINEBREAK: lambda ch: ch != "\n",
}

_CATEGORY_SETS = {code: _charset(test) for code, test in _CATEGORIES.items()}

#: `regex`-only `\p{...}` classes are replaced by private-use characters before parsing.
_PLACEHOLDER_BASE = 0xF0000
_PROPERTY = re.compile(r"\\([pP])(?:\{\^?([\w:=&. -]+)\}|([A-Za-z]))")
_GENERAL = {
    "l": "L", "letter": "L", "lu": "Lu", "uppercaseletter": "Lu", "ll": "Ll", "lowercaseletter": "Ll",
    "n": "N", "number": "N", "nd": "Nd", "p": "P", "punct": "P", "punctuation": "P", "s": "S",
    "symbol": "S", "z": "Z", "separator": "Z", "m": "M", "mark": "M", "lt": "Lt", "lm": "Lm", "lo": "Lo",
}


def _property_test(name: str, negated: bool):
    """Membership test of a `\\p{name}` class; None when the property is not known here."""
    key = name.lower().replace(" ", "").replace("_", "").split("=")[-1]
    cat = _GENERAL.get(key)
    if cat is None and key in ("alpha", "alphabetic"):
        base = str.isalpha
    elif cat is None:
        return None
    else:
        base = lambda ch, c=cat: unicodedata.category(ch).startswith(c)  # noqa: E731
    return (lambda ch: not base(ch)) if negated else base


def _substitute_properties(source: str) -> tuple[str, dict[int, object]] | None:
    """`source` with each `\\p{..}` replaced by a placeholder escape; None when one is unknown."""
    table: dict[int, object] = {}
    out: list[str] = []
    last = 0
    for m in _PROPERTY.finditer(source):
        backslashes = len(source[: m.start()]) - len(source[: m.start()].rstrip("\\"))
        if backslashes % 2:
            continue  # `\\p{` is a backslash then `p{`
        name = m.group(2) or m.group(3)
        test = _property_test(name, (m.group(1) == "P") != bool(m.group(2) and m.group(0)[3] == "^"))
        if test is None:
            return None
        code = _PLACEHOLDER_BASE + len(table)
        table[code] = test
        out.append(source[last : m.start()] + f"\\U{code:08x}")
        last = m.end()
    out.append(source[last:])
    return "".join(out), table


class _Classes:
    """Turns parsed character items into `CharSet`s (memoised per pattern)."""

    def __init__(self, placeholders: dict[int, object]):
        self.placeholders = placeholders
        self.memo: dict[tuple, CharSet] = {}

    def literal(self, code: int, ignore_case: bool) -> CharSet:
        key = ("lit", code, ignore_case)
        if key not in self.memo:
            if code in self.placeholders:
                self.memo[key] = _charset(self.placeholders[code])
            else:
                ch = chr(code)
                chars = {ch, ch.lower(), ch.upper(), ch.casefold()} if ignore_case else {ch}
                chars = frozenset(c for c in chars if len(c) == 1)
                mask = 0
                for c in chars:
                    if c in _POOL_INDEX:
                        mask |= 1 << _POOL_INDEX[c]
                self.memo[key] = _intern(mask, frozenset(c for c in chars if c not in _POOL_INDEX), lambda c, s=chars: c in s)
        return self.memo[key]

    def of_item(self, op, av, ignore_case: bool, dotall: bool) -> CharSet:
        """The class of one character atom (LITERAL, NOT_LITERAL, ANY, IN)."""
        if op is C.LITERAL:
            return self.literal(av, ignore_case)
        if op is C.NOT_LITERAL:
            inner = self.literal(av, ignore_case)
            return _charset(lambda ch: not inner.test(ch))  # type: ignore[operator]
        if op is C.ANY:
            return ANY if dotall else _charset(lambda ch: ch != "\n")
        key = ("in", repr(av), ignore_case)
        if key not in self.memo:
            self.memo[key] = self._set(av, ignore_case)
        return self.memo[key]

    def _set(self, items, ignore_case: bool) -> CharSet:
        negate = False
        tests = []
        named: set[str] = set()
        mask = 0
        exact = True  # the mask is computed from the items (no test over the pool needed)
        for op, av in items:
            if op is C.NEGATE:
                negate = True
            elif op is C.LITERAL:
                cs = self.literal(av, ignore_case)
                tests.append(cs.test)
                mask |= cs.mask
                named |= cs.extra
            elif (op is C.RANGE or op is C.RANGE_UNI_IGNORE) and not ignore_case:
                lo, hi = av
                tests.append(lambda ch, lo=lo, hi=hi: lo <= ord(ch) <= hi)
                for c in range(lo, min(hi, len(_POOL) - 1) + 1) if lo < 0x250 else ():
                    mask |= 1 << c
                if hi >= 0x250:
                    exact = False
                    span = range(lo, hi + 1) if hi - lo < _MAX_ENUM else (lo, hi)
                    named |= {chr(c) for c in span}
            elif op is C.RANGE or op is C.RANGE_UNI_IGNORE:
                lo, hi = av
                tests.append(lambda ch, lo=lo, hi=hi: any(lo <= ord(c) <= hi for c in {ch, ch.lower(), ch.upper()} if len(c) == 1))
                span = range(lo, hi + 1) if hi - lo < _MAX_ENUM else (lo, hi)
                named |= {chr(c) for c in span}
                exact = False
            elif op is C.CATEGORY:
                cat = _CATEGORY_SETS.get(av)
                if cat is None:
                    tests.append(lambda ch: True)
                    mask = _FULL
                else:
                    tests.append(cat.test)
                    mask |= cat.mask
            else:  # unknown item: anything
                tests.append(lambda ch: True)
                mask = _FULL
        union = tests[0] if len(tests) == 1 else (lambda ch: any(t(ch) for t in tests))  # noqa: E731
        if not exact:
            return _complement(_charset(union, frozenset(named))) if negate else _charset(union, frozenset(named))
        extra = frozenset(c for c in named if c not in _POOL_INDEX)
        if negate:
            return _intern(_FULL & ~mask, frozenset(), lambda ch: not union(ch))
        return _intern(mask, extra, union)


# ------------------------------------------------------------------ position automaton

#: Conditions of one empty path: classes the characters before (nearest first) and after must be in.
Cond = tuple[tuple[CharSet, ...], tuple[CharSet, ...]]
EMPTY: Cond = ((), ())
#: With `bounded=True`, a repeat `{m,n}` with `n` at least this large is tested like a loop.
BOUNDED_LOOP = 10
_MAX_PATHS = 6  # empty paths kept per node (two are enough to be ambiguous)
_MAX_PRODUCT = 200_000  # product states explored per loop before giving up (counted as risky)
_MAX_CYCLIC = 60  # looping positions beyond which the polynomial test is not run
_MAX_TRIPLE = 5_000  # states of one polynomial search before giving up (no finding)


def _merge_seq(a: tuple[CharSet, ...], b: tuple[CharSet, ...]) -> tuple[CharSet, ...] | None:
    out = []
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        z = x & y if x is not None and y is not None else (x or y)
        if not z:
            return None
        out.append(z)
    return tuple(out)


_CONDS: dict[tuple, Cond] = {((), ()): EMPTY}
_MERGED: dict[tuple[int, int], Cond | None] = {}


def _cond(before: tuple[CharSet, ...], after: tuple[CharSet, ...]) -> Cond:
    """The interned condition with these classes (conditions are compared by identity)."""
    key = (tuple(map(id, before)), tuple(map(id, after)))
    found = _CONDS.get(key)
    if found is None:
        found = _CONDS[key] = (before, after)
    return found


def _merge(a: Cond, b: Cond) -> Cond | None:
    """Both conditions at once, or None when they contradict each other."""
    if a is EMPTY:
        return b
    if b is EMPTY or a is b:
        return a
    key = (id(a), id(b))
    if key in _MERGED:
        return _MERGED[key]
    before = _merge_seq(a[0], b[0])
    after = _merge_seq(a[1], b[1])
    out = _MERGED[key] = None if before is None or after is None else _cond(before, after)
    return out


def _compatible(a: Cond, b: Cond) -> bool:
    return _merge(a, b) is not None


@dataclass
class Frag:
    """Glushkov summary of a sub-pattern: entry and exit positions, empty paths."""

    first: list[tuple[int, Cond]]
    last: list[tuple[int, Cond]]
    null: list[Cond]


@dataclass
class Loop:
    """One repeat node of the source, in the order its quantifier appears."""

    index: int  # post-order number of the repeat among all repeats of the source
    looping: bool  # counted as a loop (unbounded, or bounded when `bounded=True`)
    unbounded: bool
    positions: set[int]
    children: list[int]  # loops directly inside
    exponential: bool = False
    reported: bool = False


@dataclass(frozen=True)
class Finding:
    """A loop with runaway risk: `kind` is "exponential" or "polynomial"."""

    kind: str
    repeat: int  # post-order index of the repeat (see `quantifier_offsets`)
    unbounded: bool


class _Builder:
    """Builds the automaton of one parsed pattern."""

    def __init__(self, classes: _Classes, bounded: bool, everywhere: bool = False):
        self.classes = classes
        self.bounded = bounded
        self.everywhere = everywhere  # positions outside loops too (needed by the polynomial test)
        self.succ: dict[int, list[int]] = {}
        self.labels: list[CharSet] = []
        self.edges: dict[tuple[int, int], list[Cond]] = {}
        self.loops: list[Loop] = []
        self.owner: list[int] = []  # innermost loop (index into self.loops) of each position, -1
        self.stack: list[Loop] = []
        self.repeat_count = 0
        self.separate: list[object] = []  # sub-patterns analysed on their own (lookarounds, atomic)
        self.findings: list[Finding] = []

    def position(self, label: CharSet) -> int | None:
        if not self.stack and not self.everywhere:
            return None  # outside every loop a position takes part in no cycle
        self.labels.append(label)
        self.owner.append(self.stack[-1].index if self.stack else -1)
        pid = len(self.labels) - 1
        for loop in self.stack:
            loop.positions.add(pid)
        return pid

    def link(self, last: list[tuple[int, Cond]], first: list[tuple[int, Cond]], extra: Cond = EMPTY) -> None:
        for p, c1 in last:
            for q, c2 in first:
                cond = _merge(c1, c2)
                cond = None if cond is None else _merge(cond, extra)
                if cond is None or not self._valid(p, q, cond):
                    continue
                paths = self.edges.get((p, q))
                if paths is None:
                    paths = self.edges[(p, q)] = []
                    self.succ.setdefault(p, []).append(q)
                if len(paths) < _MAX_PATHS:
                    paths.append(cond)

    def _valid(self, p: int, q: int, cond: Cond) -> bool:
        before, after = cond
        if before and not self.labels[p].overlaps(before[0]):
            return False
        if after and not self.labels[q].overlaps(after[0]):
            return False
        return True

    # -- nodes

    def seq(self, items, flags: int) -> Frag:
        if not self.stack and not self.everywhere and not _has_loop(items):
            self.repeat_count += _count_repeats(items)  # nothing here can take part in a cycle
            return Frag([], [], [EMPTY] if _nullable_guess(items) else [])
        frag = Frag([], [], [EMPTY])
        for op, av in getattr(items, "data", items):
            frag = self.concat(frag, self.node(op, av, flags))
        return frag

    def concat(self, a: Frag, b: Frag) -> Frag:
        self.link(a.last, b.first)
        first = list(a.first)
        for n in a.null:
            first.extend((q, m) for q, c in b.first if (m := _merge(n, c)) is not None)
        last = list(b.last)
        for n in b.null:
            last.extend((p, m) for p, c in a.last if (m := _merge(c, n)) is not None and self._valid(p, p, (m[0], ())))
        null = [m for x in a.null for y in b.null if (m := _merge(x, y)) is not None][:_MAX_PATHS]
        return Frag(_thin(first), _thin(last), null)

    def node(self, op, av, flags: int) -> Frag:
        ic = bool(flags & C.SRE_FLAG_IGNORECASE)
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            if not self.stack and not self.everywhere:
                return Frag([], [], [])
            pid = self.position(self.classes.of_item(op, av, ic, bool(flags & C.SRE_FLAG_DOTALL)))
            return Frag([(pid, EMPTY)], [(pid, EMPTY)], [])
        if op is C.SUBPATTERN:
            _, add, delete, sub = av
            return self.seq(sub, (flags | add) & ~delete)
        if op is C.BRANCH:
            out = Frag([], [], [])
            for branch in av[1]:
                f = self.seq(branch, flags)
                out.first += f.first
                out.last += f.last
                out.null += f.null
            out.null = out.null[:_MAX_PATHS]
            return out
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            if not self.stack and not self.everywhere:
                return self.outer_repeat(op, av, flags)
            return self.repeat(av, flags)
        if op is C.POSSESSIVE_REPEAT or op is C.ATOMIC_GROUP:
            return self.opaque(op, av, flags)
        if op is C.AT:
            return Frag([], [], self.anchor(av))
        if op in (C.ASSERT, C.ASSERT_NOT):
            return Frag([], [], [self.look(op, av, flags)])
        if op is C.GROUPREF_EXISTS:
            _, yes, no = av
            out = Frag([], [], [])
            for sub in (yes, no):
                f = self.seq(sub, flags) if sub is not None else Frag([], [], [EMPTY])
                out.first += f.first
                out.last += f.last
                out.null += f.null
            return out
        if op is C.GROUPREF or op is C.GROUPREF_IGNORE:
            pid = self.position(ANY)
            return Frag([], [], [EMPTY]) if pid is None else Frag([(pid, EMPTY)], [(pid, EMPTY)], [EMPTY])
        return Frag([], [], [EMPTY])  # FAILURE, unknown: treated as empty

    def repeat(self, av, flags: int) -> Frag:
        lo, hi, sub = av
        unbounded = hi == C.MAXREPEAT
        loop = Loop(-1, unbounded or (self.bounded and hi >= BOUNDED_LOOP), unbounded, set(), [])
        if self.stack:
            self.stack[-1].children.append(len(self.loops))
        self.stack.append(loop)
        body = self.seq(sub, flags)
        self.stack.pop()
        loop.index = self.repeat_count
        self.repeat_count += 1
        self.loops.append(loop)
        if hi >= 2:  # every repeat of two or more is a loop of the automaton
            self.link(body.last, body.first)
            self.check(len(self.loops) - 1)
        null = list(body.null)
        if lo == 0:
            null = [EMPTY] + [n for n in null if n is not EMPTY]
        return Frag(body.first, body.last, null[:_MAX_PATHS])

    def outer_repeat(self, op, av, flags: int) -> Frag:
        """A repeat inside no other loop: analysed on its own, the verdict memoised by its text."""
        key = (op, repr(av), flags, self.bounded, id(self.classes.placeholders) if self.classes.placeholders else 0)
        known = _OUTER.get(key)
        if known is None:
            sub = _Builder(self.classes, self.bounded)
            sub.repeat(av, flags)
            known = (_findings(sub, False), sub.repeat_count, av[0] == 0 or _nullable_guess(av[2]))
            if len(_OUTER) > 4096:
                _OUTER.clear()
            _OUTER[key] = known
        found, count, nullable = known
        self.findings.extend(Finding(f.kind, f.repeat + self.repeat_count, f.unbounded) for f in found)
        self.repeat_count += count
        return Frag([], [], [EMPTY] if nullable else [])

    def check(self, i: int) -> None:
        """Test a loop as soon as it is closed, on the edges known then (its own and inner ones)."""
        loop = self.loops[i]
        if not loop.positions:
            return
        analysis = _Analysis(self)
        if analysis.exponential(loop.positions):
            loop.exponential = True
            if loop.looping and not any(self.loops[c].reported for c in _descendants(self, i)):
                loop.reported = True
                self.findings.append(Finding("exponential", loop.index, loop.unbounded))

    def opaque(self, op, av, flags: int) -> Frag:
        """A possessive repeat or an atomic group: one position, its inside analysed apart."""
        sub = av[2] if op is C.POSSESSIVE_REPEAT else av
        null = [EMPTY] if (op is C.POSSESSIVE_REPEAT and av[0] == 0) else []
        inside = bool(self.stack) or self.everywhere
        if not inside and not _has_loop(sub):
            self.repeat_count += _count_repeats(sub) + (op is C.POSSESSIVE_REPEAT)
            return Frag([], [], null if op is C.POSSESSIVE_REPEAT else [EMPTY] if _nullable_guess(sub) else [])
        inner = _Builder(self.classes, self.bounded, everywhere=inside)
        inner.repeat_count = self.repeat_count
        f = inner.seq(sub, flags)
        if op is C.POSSESSIVE_REPEAT:
            inner.repeat_count += 1
        else:
            null = f.null[:1]
        self.repeat_count = inner.repeat_count
        self.separate.append(inner)
        label = None
        for q, _ in f.first:
            label = inner.labels[q] if label is None else _union(label, inner.labels[q])
        if label is None or not inside:
            return Frag([], [], null)
        pid = self.position(label)
        after = EMPTY
        single = sub[0] if len(sub) == 1 else None
        if op is C.POSSESSIVE_REPEAT and av[1] == C.MAXREPEAT and single and single[0] in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            after = _cond((), (_complement(label),))  # `[K]*+` stops only before a character not in K
            null = [after] if null else []
        return Frag([(pid, EMPTY)], [(pid, after)], null)

    def anchor(self, code) -> list[Cond]:
        if code is C.AT_BOUNDARY:
            return [_cond((WORD,), (NOT_WORD,)), _cond((NOT_WORD,), (WORD,))]
        if code is C.AT_NON_BOUNDARY:
            return [_cond((WORD,), (WORD,)), _cond((NOT_WORD,), (NOT_WORD,))]
        return [EMPTY]

    def look(self, op, av, flags: int) -> Cond:
        direction, sub = av
        if _has_loop(sub):
            inner = _Builder(self.classes, self.bounded, self.everywhere)
            inner.repeat_count = self.repeat_count
            inner.seq(sub, flags)
            self.repeat_count = inner.repeat_count
            self.separate.append(inner)
        else:
            self.repeat_count += _count_repeats(sub)
        ic = bool(flags & C.SRE_FLAG_IGNORECASE)
        dotall = bool(flags & C.SRE_FLAG_DOTALL)
        seq = self._fixed(sub, ic, dotall)
        if op is C.ASSERT_NOT:
            if seq is None or len(seq) != 1:
                return EMPTY
            (only,) = seq
            return self._side(direction, (_complement(only),))
        if seq is None:
            return EMPTY
        return self._side(direction, tuple(reversed(seq)) if direction < 0 else tuple(seq))

    @staticmethod
    def _side(direction: int, seq: tuple[CharSet, ...]) -> Cond:
        return _cond(seq, ()) if direction < 0 else _cond((), seq)

    def _fixed(self, items, ic: bool, dotall: bool) -> list[CharSet] | None:
        """Classes of a fixed sequence of character atoms (`\\b` narrows a neighbour); else None."""
        out: list[CharSet] = []
        boundary_at: list[int] = []
        for op, av in items:
            if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
                out.append(self.classes.of_item(op, av, ic, dotall))
            elif op is C.AT and av is C.AT_BOUNDARY:
                boundary_at.append(len(out))
            elif op is C.SUBPATTERN and not av[1] and not av[2]:
                inner = self._fixed(av[3], ic, dotall)
                if inner is None:
                    return None
                out.extend(inner)
            else:
                return None
        for i in boundary_at:  # `\bX` with X a word character: the character before is not one
            if 0 < i < len(out) + 1 and i < len(out) and not out[i].overlaps(NOT_WORD):
                if i > 0:
                    out[i - 1] = out[i - 1] & NOT_WORD
            elif i == 0 and out and not out[0].overlaps(NOT_WORD):
                out.insert(0, NOT_WORD)
                boundary_at = [b + 1 for b in boundary_at]
        return out if out and all(out) else None


def _thin(entries: list[tuple[int, Cond]]) -> list[tuple[int, Cond]]:
    """Entries with at most two copies of each (two paths are enough to be ambiguous)."""
    seen: dict[tuple[int, int], int] = {}
    out = []
    for pos, cond in entries:
        key = (pos, id(cond))
        n = seen.get(key, 0)
        if n < 2:
            seen[key] = n + 1
            out.append((pos, cond))
    return out


#: Verdicts on repeats inside no other loop, by their parsed text (macros recur in many patterns).
_OUTER: dict[tuple, tuple[list[Finding], int, bool]] = {}
#: (has a loop, number of repeats) of the sub-patterns of the pattern being analysed, by identity.
_SUMMARY: dict[int, tuple[object, tuple[bool, int]]] = {}


def _summary(items) -> tuple[bool, int]:
    """Whether a parsed sub-pattern holds a repeat of two or more, and how many repeats it holds."""
    known = _SUMMARY.get(id(items))
    if known is not None and known[0] is items:
        return known[1]
    has, count = False, 0
    for op, av in getattr(items, "data", items):  # a SubPattern's list: its item access is slow
        subs: tuple = ()
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            count += 1
            has = has or (op is not C.POSSESSIVE_REPEAT and av[1] >= 2)
            subs = (av[2],)
        elif op is C.SUBPATTERN:
            subs = (av[3],)
        elif op is C.BRANCH:
            subs = tuple(av[1])
        elif op is C.ATOMIC_GROUP:
            subs = (av,)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            subs = (av[1],)
        elif op is C.GROUPREF_EXISTS:
            subs = tuple(x for x in av[1:] if x is not None)
        for sub in subs:
            h, n = _summary(sub)
            has, count = has or h, count + n
    _SUMMARY[id(items)] = (items, (has, count))
    return has, count


def _has_loop(items) -> bool:
    return _summary(items)[0]


def _count_repeats(items) -> int:
    return _summary(items)[1]


def _nullable_guess(items) -> bool:
    """Whether a sub-pattern may match the empty string (over-approximated)."""
    sub = items if isinstance(items, P.SubPattern) else P.SubPattern(P.State(), list(items))
    return sub.getwidth()[0] == 0


def _union(a: CharSet, b: CharSet) -> CharSet:
    ta, tb = a.test, b.test
    return _intern(a.mask | b.mask, a.extra | b.extra, lambda ch: ta(ch) or tb(ch))


def _complement(a: CharSet) -> CharSet:
    ta = a.test
    return _intern(_FULL & ~a.mask, frozenset(), lambda ch: not ta(ch))


# ------------------------------------------------------------------ ambiguity


def _sccs(nodes, succ) -> dict:
    """Strongly connected component id of every node (iterative Tarjan)."""
    index: dict = {}
    low: dict = {}
    comp: dict = {}
    stack: list = []
    on: set = set()
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ(root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(succ(w))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp[w] = v
                    if w == v:
                        break
    return comp


class _Analysis:
    """Runs the ambiguity tests on one automaton."""

    def __init__(self, b: _Builder):
        self.b = b
        self.succ = b.succ
        self.witness = -1  # the first looping position of a polynomial finding
        self.entry: dict[tuple[int, int], CharSet] = {}

    def _edges_within(self, nodes: set[int]):
        return lambda p: [q for q in self.succ.get(p, ()) if q in nodes]

    def _double(self, p: int, q: int) -> bool:
        """Whether the edge p -> q can be taken in two different ways at once."""
        paths = self.b.edges[(p, q)]
        for i in range(len(paths)):
            for j in range(i + 1, len(paths)):
                m = _merge(paths[i], paths[j])
                if m is not None and self.b._valid(p, q, m):
                    return True
        return False

    def _step(self, pair, nodes: set[int]):
        p1, p2 = pair
        labels, edges = self.b.labels, self.b.edges
        out = []
        for q1 in self.succ.get(p1, ()):
            if q1 not in nodes:
                continue
            for q2 in self.succ.get(p2, ()):
                if q2 not in nodes or not labels[q1].overlaps(labels[q2]):
                    continue
                if any(_compatible(a, c) for a in edges[(p1, q1)] for c in edges[(p2, q2)]):
                    out.append((q1, q2))
        return out

    def exponential(self, nodes: set[int]) -> bool:
        """EDA test on the sub-automaton of `nodes` (True also when it is too large to decide)."""
        within = self._edges_within(nodes)
        comp = _sccs(sorted(nodes), within)
        for p in nodes:
            for q in within(p):
                if comp[p] == comp[q] and self._double(p, q):  # an edge on a cycle, taken two ways
                    return True
        members: dict = {}
        for p in nodes:
            members.setdefault(comp[p], set()).add(p)
        explored: set = set()
        budget = _MAX_PRODUCT
        for p in sorted(nodes):
            group = members[comp[p]]
            if len(group) < 2 and p not in within(p):
                continue  # p is on no cycle
            # Two runs leave p together, part ways, and must meet again without leaving p's
            # component (a pair that leaves it can never come back to p).
            todo = [t for t in self._step((p, p), group) if t[0] != t[1] and t not in explored]
            explored.update(todo)
            while todo:
                pair = todo.pop()
                for t in self._step(pair, group):
                    if t[0] == t[1]:
                        return True
                    if t not in explored:
                        explored.add(t)
                        todo.append(t)
                        budget -= 1
                        if budget < 0:
                            return True
        return False

    def polynomial(self, nodes: set[int]) -> bool:
        """IDA test: looping positions p != q and a text w with p -w-> p, p -w-> q, q -w-> q.

        The three runs read the same text (a product of the automaton with itself three times),
        from (p, p, q) to (p, q, q); a search that grows too large counts as no finding.
        """
        within = self._edges_within(nodes)
        comp = _sccs(sorted(nodes), within)
        cyclic = sorted(p for p in nodes if any(comp[q] == comp[p] for q in within(p)))
        reach: dict[int, set[int]] = {}
        for p in cyclic:
            seen, todo = {p}, [p]
            while todo:
                for q in within(todo.pop()):
                    if q not in seen:
                        seen.add(q)
                        todo.append(q)
            reach[p] = seen
        if len(cyclic) > _MAX_CYCLIC:
            return False  # too large to decide quickly: no warning rather than a slow check
        for p in cyclic:
            for q in cyclic:
                if comp[q] != comp[p] and q in reach[p] and self._triple((p, p, q), (p, q, q), nodes):
                    self.witness = p
                    return True
        return False

    def _entry(self, p: int, q: int) -> CharSet:
        """Characters with which a run at p can move to q (q's class, narrowed by the conditions)."""
        key = (p, q)
        found = self.entry.get(key)
        if found is None:
            label = self.b.labels[q]
            found = None
            for before, after in self.b.edges[key]:
                part = label & after[0] if after else label
                found = part if found is None else _union(found, part)
            self.entry[key] = found = found if found is not None else label
        return found

    def _triple(self, start, goal, nodes: set[int]) -> bool:
        succ = self.succ
        seen, todo = {start}, [start]
        while todo:
            a, b, c = todo.pop()
            for x in succ.get(a, ()):
                if x not in nodes:
                    continue
                ex = self._entry(a, x)
                for y in succ.get(b, ()):
                    if y not in nodes:
                        continue
                    xy = ex & self._entry(b, y)
                    if not xy:
                        continue
                    for z in succ.get(c, ()):
                        if z not in nodes or not xy.overlaps(self._entry(c, z)):
                            continue
                        t = (x, y, z)
                        if t == goal:
                            return True
                        if t not in seen:
                            seen.add(t)
                            todo.append(t)
                            if len(seen) > _MAX_TRIPLE:
                                return False
        return False


def _findings(b: _Builder, polynomial: bool) -> list[Finding]:
    out: list[Finding] = list(b.findings)
    if polynomial and not out and any(l.looping for l in b.loops):
        analysis = _Analysis(b)
        if analysis.polynomial(set(range(len(b.labels)))):
            inner = [l for l in b.loops if analysis.witness in l.positions]  # innermost first
            loop = inner[0] if inner else b.loops[0]
            out.append(Finding("polynomial", loop.index, loop.unbounded))
    for inner in b.separate:
        out.extend(_findings(inner, polynomial))  # type: ignore[arg-type]
    return out


def _descendants(b: _Builder, i: int) -> list[int]:
    out, todo = [], list(b.loops[i].children)
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(b.loops[c].children)
    return out


def parse(source: str):
    """The stdlib parse tree of `source` (with `\\p{..}` placeholders) and its placeholders, or None."""
    substituted = _substitute_properties(source)
    if substituted is None:
        return None
    text, table = substituted
    try:
        return P.parse(text), table
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return None


def findings_of(tree, placeholders: dict[int, object], bounded: bool = False, polynomial: bool = False) -> list[Finding] | None:
    """Loops with runaway risk in a parse tree from `parse`; None when it cannot be analysed."""
    builder = _Builder(_Classes(placeholders), bounded, everywhere=polynomial)
    try:
        builder.seq(tree, tree.state.flags)
        return _findings(builder, polynomial)
    except RecursionError:
        return None
    finally:
        _SUMMARY.clear()


def analyse(source: str, bounded: bool = False, polynomial: bool = False) -> list[Finding] | None:
    """Loops of `source` with runaway risk; None when the source cannot be analysed here."""
    parsed = parse(source)
    if parsed is None:
        return None
    return findings_of(parsed[0], parsed[1], bounded, polynomial)


#: `regex`-only syntax that does not change how a pattern backtracks: the reverse flag, `\K`, and
#: group names (which `regex` lets several groups share).
_NEUTRAL_REGEX_ONLY = re.compile(r"(?<!\\)((?:\\\\)*)(\(\?r\)|\\K|\(\?P<\w+>)")


def analysable(source: str) -> str:
    """`source` without the `regex`-only syntax that is neutral for backtracking (see above).

    Reversing a pattern does not change whether a loop can split one text in several ways, nor
    does resetting the match start or naming a group; with them out, the stdlib parser reads most
    `regex`-only patterns of a rule set.
    """
    def neutral(m: re.Match[str]) -> str:
        return m.group(1) + ("(?:" if m.group(2).startswith("(?P<") else "")

    return _NEUTRAL_REGEX_ONLY.sub(neutral, source)


def runaway_risk(source: str) -> bool:
    """True when a backtracking engine could run away on `source` (or it cannot be analysed)."""
    found = analyse(source, bounded=True)
    return found is None or any(f.kind == "exponential" for f in found)


def safe_tree(source: str):
    """The stdlib parse tree of `source` when it has no runaway risk, else None.

    Raises what `re` raises for a source it rejects. The tree returned is the one analysed, so a
    caller compiling it (`ruleie.runtime.programs`) compiles exactly what was cleared.
    """
    tree = P.parse(source)
    found = findings_of(tree, {}, bounded=True)
    if found is None or any(f.kind == "exponential" for f in found):
        return None
    return tree


_QUANT = re.compile(r"\*|\+|\?|\{(\d*),?(\d*)\}")


def quantifier_offsets(source: str) -> list[int]:
    """Offsets of the quantifiers of a regex source in post-order (the order of `Finding.repeat`)."""
    out: list[int] = []
    i, n = 0, len(source)
    after_open = False
    while i < n:
        ch = source[i]
        if ch == "\\":
            if source.startswith(("p{", "P{", "N{"), i + 1):
                i = source.find("}", i) + 1 or n
            else:
                i += 2
            after_open = False
            continue
        if ch == "[":
            i = class_end(source, i)
            after_open = False
            continue
        if ch == "(":
            i += 1
            if source.startswith("?#", i):
                i = source.find(")", i) + 1 or n
            after_open = True
            continue
        if after_open and ch == "?":  # group syntax `(?:`, `(?P<`, ...
            i += 1
            after_open = False
            continue
        after_open = False
        m = _QUANT.match(source, i)
        if m and (ch != "{" or m.group(0) != "{,}" or True) and (ch != "{" or m.group(1) or m.group(2) or m.group(0) == "{,}"):
            if ch == "{" and not (m.group(1) or "," in m.group(0)):
                i += 1
                continue
            out.append(i)
            i = m.end()
            if i < n and source[i] in "?+":
                i += 1
            continue
        i += 1
    return out
