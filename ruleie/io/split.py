"""Cut a long document into pieces of bounded size, and move records found in a piece back into it.

Matching a document works on the whole text at once, so its memory grows with the text; a
document longer than `SPLIT_CHARS` characters is therefore extracted piece by piece. Each cut is
made in the second half of the piece being cut, at the last place of the first kind found there:

1. a blank line (a paragraph boundary), cut after it and the whitespace that follows;
2. a sentence end (`.`, `!`, `?`, `…`, an optional closing quote mark or bracket, whitespace, then an
   upper-case letter, a digit, an opening quote mark or a dash), cut after the whitespace; a period
   after an initial or a title (`J.`, `M.`, `Mme`, `Dr`) is not a sentence end;
3. a line break;
4. whitespace;
5. otherwise at the size limit, moved back so that no combining mark starts a piece.

Pieces are consecutive, cover the text exactly and are never longer than the limit. A record
whose words straddle a cut (a quote that runs over it) is not found: cutting at paragraphs first
makes that rare. Everything a rule reads around a match (lookarounds, earlier spans, pronoun
antecedents) stops at the cut too.
"""

from __future__ import annotations

import unicodedata
from typing import Iterator, TypeVar

import regex

from ruleie.records import Record, Span

#: Longest piece of a document matched at once, in characters (about 1 MB of French text).
SPLIT_CHARS = 1_000_000

_BREAK = r"(?:\r\n|\r|\n|\u2028|\u2029)"
# Searched from the right end of the window (REVERSE): the first match found is the last one.
_CUTS = [
    regex.compile(_BREAK + r"[^\S\r\n\u2028\u2029]*" + _BREAK + r"\s*", regex.REVERSE),
    regex.compile(
        r"(?<!\b(?:\p{Lu}|Mme|Mmes|Mlle|Mlles|Mgr|Dr|Pr|Me|St|Ste|cf|p))"
        r"[.!?…]+(?:[\s\u00a0\u202f]*[»”\"’)\]])?\s+(?=[\p{Lu}\p{N}«\"“—–-])",
        regex.REVERSE,
    ),
    regex.compile(_BREAK + r"\s*", regex.REVERSE),
    regex.compile(r"\s+", regex.REVERSE),
]


def cut_points(text: str, size: int = SPLIT_CHARS) -> list[int]:
    """Offsets `[0, c1, ..., len(text)]` cutting `text` into pieces of at most `size` characters."""
    if size < 2:
        raise ValueError("the piece size must be at least 2 characters")
    points = [0]
    start = 0
    while len(text) - start > size:
        low, high = start + size // 2, start + size
        points.append(_cut(text, low, high))
        start = points[-1]
    points.append(len(text))
    return points


def _cut(text: str, low: int, high: int) -> int:
    """The best place to cut `text` in `(low, high]`."""
    for pattern in _CUTS:
        m = pattern.search(text, low, high)
        if m is not None:
            return m.end()
    cut = high
    while cut > low + 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return cut


def pieces(text: str, size: int = SPLIT_CHARS) -> Iterator[tuple[int, str]]:
    """`(offset, piece)` for each piece of `text` (the text itself when it is short enough)."""
    if len(text) <= size:
        yield 0, text
        return
    points = cut_points(text, size)
    for start, end in zip(points, points[1:]):
        yield start, text[start:end]


R = TypeVar("R", bound=Record)


def shift(record: R, offset: int) -> R:
    """`record` with every span (its fields and its captures) moved `offset` characters right."""
    if offset == 0:
        return record

    def moved(span: Span) -> Span:
        return Span.model_construct(start=span.start + offset, end=span.end + offset, text=span.text)

    update: dict[str, object] = {
        name: moved(value) for name in type(record).model_fields if isinstance(value := getattr(record, name), Span)
    }
    update["captures"] = {name: moved(span) for name, span in record.captures.items()}
    return record.model_copy(update=update)
