"""Size and depth limits of rule files, and a cheap structural scan of regex sources.

Rule files are input: a hostile or broken one must produce a `RuleErrors`, never exhaust the
stack, the memory or the clock. These limits sit far above anything a real rule set needs (the
French pack nests parentheses 4 deep and repeats items at most 90 times) and far below what would
make the parser, the compiler or the `regex` module recurse too deep or unroll for minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

#: Parentheses (groups, `ahead(...)`, `behind(...)`) nested in one pattern (E004).
MAX_NESTING = 32
#: Levels of pattern nodes of a rule or macro once its macros are expanded (E309).
MAX_EXPANDED_DEPTH = 160
#: A bound of `{m,n}` in a pattern (E306).
MAX_REPEAT = 10_000
#: Groups nested in one regex, an inline one (E303) or a rule's compiled one (E309).
MAX_REGEX_DEPTH = 120
#: Items a regex gains when its counted repeats are unrolled (`(?:a{100}){100}`: 9 999 more).
MAX_REGEX_UNROLL = 200_000
#: Characters of one inline `/regex/` (E303): the `regex` module parses about 100 000 a second.
MAX_REGEX_ATOM_CHARS = 64 * 1024
#: Characters of one compiled macro or rule regex (E309).
MAX_PATTERN_CHARS = 16_000_000

# Tokens of the rule language that may contain parentheses which are not structure.
_OPAQUE = regex.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long string
    r'|"(?:[^"\\\n]|\\.)*"'  # string
    r"|/(?![/*])(?:[^/\\\n]|\\.)+/"  # regex
    r"|#[^\n]*"  # comment
    r"|[()]",
    regex.DOTALL,
)


def class_end(source: str, i: int) -> int:
    """The index just past the character class opening at `source[i]` (`[`), or past the end.

    A `]` right after `[` or `[^` is a member, not the end, as the regex engines read it.
    """
    n = len(source)
    j = i + 1
    if j < n and source[j] == "^":
        j += 1
    if j < n and source[j] == "]":
        j += 1
    while j < n and source[j] != "]":
        j += 2 if source[j] == "\\" else 1
    return j + 1


def deepest_parenthesis(source: str, limit: int = MAX_NESTING) -> int | None:
    """Offset of the first `(` of rule-file text nested deeper than `limit`, else None.

    Strings, regexes and comments are skipped as the grammar's terminals delimit them, so only
    parentheses of the rule language count. Runs before parsing: a million nested groups must be
    refused in linear time, not handed to a recursive tree transformer.
    """
    depth = 0
    for m in _OPAQUE.finditer(source):
        tok = m.group()
        if tok == "(":
            depth += 1
            if depth > limit:
                return m.start()
        elif tok == ")":
            depth = max(0, depth - 1)
    return None


@dataclass(frozen=True)
class RegexShape:
    """How deep a regex nests groups, how many items it has, and how many once unrolled."""

    depth: int
    items: int
    unroll: int


_COUNT = regex.compile(r"\{(\d*)(?:,(\d*))?\}")
_CAP = 10**15  # sizes are only compared with the limit: keep the numbers bounded


def regex_shape(source: str) -> RegexShape:
    """Group depth and unrolled size of a `regex` source, by a linear scan (no compilation).

    Counted repeats multiply what they apply to (`(?:ab){3}` counts 6); open-ended ones count
    their minimum. Escapes and character classes count as one item. The scan is an estimate for
    limits, not a parser: malformed sources are left to `regex.compile` to reject.
    """
    stack: list[int] = [0]  # unrolled size of each open group
    depth = deepest = 0
    last = 0  # size of the item a quantifier would apply to
    items = 0
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "\\":
            i += 2
            if i - 1 < n and source[i - 1] in "pPNxgu" and i < n and source[i] in "{<":
                close = source.find("}" if source[i] == "{" else ">", i)
                i = n if close < 0 else close + 1
            last = 1
            stack[-1] += 1
            items += 1
            continue
        if ch == "[":
            i = class_end(source, i)
            last = 1
            stack[-1] += 1
            items += 1
            continue
        if ch == "(":
            if source.startswith("(?#", i):
                close = source.find(")", i)
                i = n if close < 0 else close + 1
                continue
            depth += 1
            deepest = max(deepest, depth)
            stack.append(0)
            i += 1
            continue
        if ch == ")":
            if depth:
                depth -= 1
                last = stack.pop()
                stack[-1] = min(stack[-1] + last, _CAP)
            i += 1
            continue
        if ch == "{":
            m = _COUNT.match(source, i)
            if m and (m.group(1) or m.group(2)):
                low = int(m.group(1)[:12] or 0)
                if low > 1:
                    stack[-1] = min(stack[-1] + last * (low - 1), _CAP)
                    last = min(last * low, _CAP)
                i = m.end()
                continue
        last = 1
        stack[-1] += 1
        items += 1
        i += 1
    while len(stack) > 1:
        inner = stack.pop()
        stack[-1] += inner
    return RegexShape(deepest, items, stack[0])


_REPEAT_COUNT = regex.compile(r"\{\d*,?\d")


@lru_cache(maxsize=4096)
def regex_problem(source: str, max_depth: int = MAX_REGEX_DEPTH) -> str | None:
    """Why a regex source is too deep or unrolls too far to compile quickly, or None."""
    if source.count("(") <= max_depth and not _REPEAT_COUNT.search(source):
        return None  # cannot nest deeper than it has parentheses, and nothing unrolls
    shape = regex_shape(source)
    if shape.depth > max_depth:
        return f"groups nested {shape.depth} levels deep (at most {max_depth})"
    if shape.unroll - shape.items > MAX_REGEX_UNROLL:
        return f"its counted repeats unroll to more than {MAX_REGEX_UNROLL} items"
    return None


def regex_atom_problem(source: str) -> str | None:
    """Why an inline `/regex/` of a rule file is too long, deep or unrolling to compile, or None."""
    if len(source) > MAX_REGEX_ATOM_CHARS:
        return f"longer than {MAX_REGEX_ATOM_CHARS} characters (a lexicon holds long lists of words)"
    return regex_problem(source, MAX_REGEX_DEPTH // 2)
