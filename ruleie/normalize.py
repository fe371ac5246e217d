"""Text normalisation for rule matching, with an exact map back to original offsets.

This module owns the one step that runs before any rule sees a document: it folds the
typographic variants found in French news text onto one canonical form, so that a rule
is written once (``l'`` rather than ``l['’ʼ]``, ``-`` rather than every hyphen, one
space rather than NBSP / narrow NBSP / thin space ...), and it records how every
position of the normalised text maps back to the original.  Rules match against
:attr:`NormalizedText.text`; every offset the engine reports is translated with
:meth:`NormalizedText.to_original` and therefore always points into the original
document, never into the normalised copy.

What changes (see ``_REPLACEMENTS`` and ``_REMOVED``):

* apostrophes ’ ‘ ʼ ′ -> ``'``; ´ and ` -> ``'`` only when between two letters;
* double quotes “ ” „ ‟ ″ -> ``"``; guillemets « » ‹ › are kept (rules need direction);
* every Unicode space separator (Zs: NBSP, narrow NBSP, thin space, figure space, ...)
  -> ``' '``; U+2028 / U+2029 -> ``'\\n'``; tab, CR and LF are kept;
* hyphens U+2010 U+2011 and minus U+2212 -> ``-``; dashes U+2012 U+2014 U+2015 -> ``–``;
* soft hyphen and zero-width characters (U+00AD U+200B U+200C U+200D U+2060 U+FEFF)
  are removed;
* Unicode NFC (``e`` + U+0301 -> ``é``); compatibility forms such as ``œ`` are kept.

Every replacement except removal and NFC maps one character to one character, so the
offset map only has to describe removal and NFC.

Fast path.  The text is cut into chunks of about ``_CHUNK`` characters, each ending
just before a space (a space is a normalisation boundary: nothing composes across it).
A chunk is *clean* when it is ASCII, or contains no removed character and
``unicodedata.is_normalized("NFC", chunk)`` holds.  When all chunks are clean
(equivalent to ``is_normalized("NFC", text)`` plus "no removed character", but a dirty
spot costs only its own chunk), the normalised text is produced by C-level
``str.replace`` calls (one per replaced character present, chunk by chunk so the data
stays in cache) and the offset map is the identity: no array is allocated and
:attr:`NormalizedText.is_identity` is true.  ``str.replace`` is used instead of one
``str.translate``: on non-ASCII text CPython's ``translate`` does a Python-level
mapping lookup per character and was ~30x slower on a 4 MB French corpus (336 ms
against 10 ms).  ´ and ` use one ``regex`` substitution, only when present.

Slow path.  Only dirty chunks are scanned, with one compiled ``re`` character class
(the "unstable" characters: canonical combining class != 0, changed by NFC on their
own, second element of a canonical decomposition, conjoining Hangul vowels/trailing
consonants, removed characters; all astral characters are candidates and are refined
with the exact class).  Each maximal run of such characters, together with the stable
character before it, is an independent *region*: NFC cannot cross the boundary before
a stable character.  A region is normalised on its own (results are cached, since
natural text repeats the same few regions) and split into the finest *units* that
still normalise independently.  Nothing outside regions is touched by Python code.

Offset map.  The normalised text is tiled by *pieces*, stored in three parallel
``array('q')`` (8 bytes per entry each, one entry per piece, so O(number of changed
regions) memory) and searched with :func:`bisect.bisect_right`:

* ``_t[k]``: first normalised position of piece k (strictly increasing, ``_t[0] == 0``);
* ``_o[k]``: first original position of piece k;
* ``_u[k]``: ``-1`` for an identity run (normalised ``_t[k] + d`` is original
  ``_o[k] + d``), else the original length of an atomic unit (an NFC unit such as
  ``e`` + U+0301 -> ``é``): every normalised character of the unit maps to the whole
  original unit.

Removed characters are gaps between pieces: they belong to no range unless strictly
inside it.  ``to_original(s, e)`` is ``(original start of char s, original end of char
e - 1)`` and ``to_original(s, s)`` is the empty range at the original start of char s
(``len(original)`` at the end), so a range starting right after a soft hyphen starts
after it in the original.  Single-character ranges are increasing and non-overlapping,
except that the characters of one atomic unit all map to the whole unit (only when NFC
expands or reorders, e.g. U+0958 -> U+0915 U+093C; not in French text).  Units are
found by trying every split of a region (regions are a few characters long); a region
longer than ``_MAX_SPLIT`` characters after removal (pathological stacks of marks)
becomes a single unit.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from typing import Iterable

import regex

__all__ = ["NormalizedText", "normalize"]

# --------------------------------------------------------------------------- tables

_REMOVED = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
"""Soft hyphen and zero-width characters: dropped from the normalised text."""

_APOSTROPHES = "\u2019\u2018\u02bc\u2032"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033"
# Every Zs (space separator) except U+0020 itself, Unicode 14/15 (checked by a test).
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_LINE_SEPARATORS = "\u2028\u2029"
_HYPHENS = "\u2010\u2011\u2212"
_DASHES = "\u2012\u2014\u2015"  # U+2013 itself is the target

_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    tuple((c, "'") for c in _APOSTROPHES)
    + tuple((c, '"') for c in _DOUBLE_QUOTES)
    + tuple((c, " ") for c in _SPACES)
    + tuple((c, "\n") for c in _LINE_SEPARATORS)
    + tuple((c, "-") for c in _HYPHENS)
    + tuple((c, "\u2013") for c in _DASHES)
)
"""One-to-one, context-free replacements, applied after NFC (length preserving)."""

# U+00B4 ACUTE ACCENT and U+0060 GRAVE ACCENT are apostrophes only between letters.
_CONTEXT_APOSTROPHE = regex.compile(r"(?<=\p{L})[\u00b4`](?=\p{L})")

_CHUNK = 1 << 15
"""Approximate chunk length (characters) for the clean/dirty pre-check."""

_MAX_SPLIT = 32
"""Regions longer than this (after removal) are not split into finer NFC units."""

_TEMPLATE_CACHE_MAX_LEN = 64
"""Regions up to this length are memoised."""

# Ranges of "unstable" code points (see ``_compute_unstable_ranges``), precomputed for
# the Unicode version below; recomputed at first use under any other version.
_UNSTABLE_VERSION = "14.0.0"
_UNSTABLE_HEX = (
    "00AD 0300-034E 0350-036F 0374 037E 0387 0483-0487 0591-05BD 05BF 05C1-05C2 "
    "05C4-05C5 05C7 0610-061A 064B-065F 0670 06D6-06DC 06DF-06E4 06E7-06E8 "
    "06EA-06ED 0711 0730-074A 07EB-07F3 07FD 0816-0819 081B-0823 0825-0827 "
    "0829-082D 0859-085B 0898-089F 08CA-08E1 08E3-08FF 093C 094D 0951-0954 "
    "0958-095F 09BC 09BE 09CD 09D7 09DC-09DD 09DF 09FE 0A33 0A36 0A3C 0A4D "
    "0A59-0A5B 0A5E 0ABC 0ACD 0B3C 0B3E 0B4D 0B56-0B57 0B5C-0B5D 0BBE 0BCD 0BD7 "
    "0C3C 0C4D 0C55-0C56 0CBC 0CC2 0CCD 0CD5-0CD6 0D3B-0D3C 0D3E 0D4D 0D57 0DCA "
    "0DCF 0DDF 0E38-0E3A 0E48-0E4B 0EB8-0EBA 0EC8-0ECB 0F18-0F19 0F35 0F37 0F39 "
    "0F43 0F4D 0F52 0F57 0F5C 0F69 0F71-0F76 0F78 0F7A-0F7D 0F80-0F84 0F86-0F87 "
    "0F93 0F9D 0FA2 0FA7 0FAC 0FB5 0FB7 0FB9 0FC6 102E 1037 1039-103A 108D "
    "1161-1175 11A8-11C2 135D-135F 1714-1715 1734 17D2 17DD 18A9 1939-193B "
    "1A17-1A18 1A60 1A75-1A7C 1A7F 1AB0-1ABD 1ABF-1ACE 1B34-1B35 1B44 1B6B-1B73 "
    "1BAA-1BAB 1BE6 1BF2-1BF3 1C37 1CD0-1CD2 1CD4-1CE0 1CE2-1CE8 1CED 1CF4 "
    "1CF8-1CF9 1DC0-1DFF 1F71 1F73 1F75 1F77 1F79 1F7B 1F7D 1FBB 1FBE 1FC9 1FCB "
    "1FD3 1FDB 1FE3 1FEB 1FEE-1FEF 1FF9 1FFB 1FFD 2000-2001 200B-200D 2060 "
    "20D0-20DC 20E1 20E5-20F0 2126 212A-212B 2329-232A 2ADC 2CEF-2CF1 2D7F "
    "2DE0-2DFF 302A-302F 3099-309A A66F A674-A67D A69E-A69F A6F0-A6F1 A806 A82C "
    "A8C4 A8E0-A8F1 A92B-A92D A953 A9B3 A9C0 AAB0 AAB2-AAB4 AAB7-AAB8 AABE-AABF "
    "AAC1 AAF6 ABED F900-FA0D FA10 FA12 FA15-FA1E FA20 FA22 FA25-FA26 FA2A-FA6D "
    "FA70-FAD9 FB1D-FB1F FB2A-FB36 FB38-FB3C FB3E FB40-FB41 FB43-FB44 FB46-FB4E "
    "FE20-FE2F FEFF 101FD 102E0 10376-1037A 10A0D 10A0F 10A38-10A3A 10A3F "
    "10AE5-10AE6 10D24-10D27 10EAB-10EAC 10F46-10F50 10F82-10F85 11046 11070 "
    "1107F 110B9-110BA 11100-11102 11127 11133-11134 11173 111C0 111CA "
    "11235-11236 112E9-112EA 1133B-1133C 1133E 1134D 11357 11366-1136C "
    "11370-11374 11442 11446 1145E 114B0 114BA 114BD 114C2-114C3 115AF "
    "115BF-115C0 1163F 116B6-116B7 1172B 11839-1183A 11930 1193D-1193E 11943 "
    "119E0 11A34 11A47 11A99 11C3F 11D42 11D44-11D45 11D97 16AF0-16AF4 "
    "16B30-16B36 16FF0-16FF1 1BC9E 1D15E-1D169 1D16D-1D172 1D17B-1D182 "
    "1D185-1D18B 1D1AA-1D1AD 1D1BB-1D1C0 1D242-1D244 1E000-1E006 1E008-1E018 "
    "1E01B-1E021 1E023-1E024 1E026-1E02A 1E130-1E136 1E2AE 1E2EC-1E2EF "
    "1E8D0-1E8D6 1E944-1E94A 2F800-2FA1D "
)


def _compute_unstable_ranges() -> list[tuple[int, int]]:
    """Return the code-point ranges that may change under removal + NFC, from unicodedata."""
    n = sys.maxunicode + 1
    combining = unicodedata.combining
    decomposition = unicodedata.decomposition
    unstable = set(compress(range(n), map(combining, map(chr, range(n)))))
    unstable.update(map(ord, _REMOVED))
    unstable.update(range(0x1161, 0x1176))  # conjoining Hangul vowels (V)
    unstable.update(range(0x11A8, 0x11C3))  # conjoining Hangul trailing consonants (T)
    for cp in compress(range(n), map(decomposition, map(chr, range(n)))):
        decomp = decomposition(chr(cp))
        if decomp.startswith("<"):
            continue  # compatibility decomposition: NFC ignores it
        unstable.update(int(part, 16) for part in decomp.split()[1:])
        if unicodedata.normalize("NFC", chr(cp)) != chr(cp):
            unstable.add(cp)  # singleton, composition exclusion, non-starter decomposition
    ranges: list[tuple[int, int]] = []
    for cp in sorted(unstable):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


def _parse_ranges(table: str) -> list[tuple[int, int]]:
    """Parse the compact ``"0300-036F 0483 ..."`` form of a range table."""
    ranges = []
    for item in table.split():
        lo, _, hi = item.partition("-")
        ranges.append((int(lo, 16), int(hi or lo, 16)))
    return ranges


def _format_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    """Format ranges in the compact form read by ``_parse_ranges``."""
    return " ".join(f"{lo:04X}" if lo == hi else f"{lo:04X}-{hi:04X}" for lo, hi in ranges)


def _class(ranges: Iterable[tuple[int, int]]) -> str:
    """Return the body of a regex character class for the given code-point ranges."""
    return "".join(
        f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges
    )


@lru_cache(maxsize=1)
def _scanners() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compile (candidate-run, exact-run) patterns; done once, on first slow-path call."""
    if unicodedata.unidata_version == _UNSTABLE_VERSION:
        ranges = _parse_ranges(_UNSTABLE_HEX)
    else:
        ranges = _compute_unstable_ranges()
    bmp = [(lo, hi) for lo, hi in ranges if hi <= 0xFFFF]
    # stdlib re compiles a BMP-only class to a bitmap (fast); astral ranges would make
    # it a linear range list, so every astral character is a candidate instead.
    candidate = re.compile("[" + _class(bmp) + "\\U00010000-\\U0010ffff]+")
    exact = re.compile("[" + _class(ranges) + "]+")
    return candidate, exact


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True, repr=False)
class NormalizedText:
    """A document's original text, its normalised text, and the offset map between them."""

    original: str
    text: str  # normalised text that rules are matched against
    # Piece arrays of the offset map (module docstring); all None for the identity map.
    _t: array | None = field(default=None, compare=False)
    _o: array | None = field(default=None, compare=False)
    _u: array | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        """Reject an identity map between texts of different lengths."""
        if self._t is None and len(self.text) != len(self.original):
            raise ValueError("identity offset map needs texts of equal length")

    def __repr__(self) -> str:
        """Short representation (documents can be 100 MB)."""
        head = self.text[:40] + ("…" if len(self.text) > 40 else "")
        pieces = "identity" if self._t is None else f"{len(self._t)} pieces"
        return (
            f"NormalizedText(len(original)={len(self.original)}, "
            f"len(text)={len(self.text)}, text={head!r}, map={pieces})"
        )

    @property
    def is_identity(self) -> bool:
        """True when every position of `text` is the same position of `original`."""
        return self._t is None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) range of `text` to the range of `original` it came from."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(
                f"range [{start}, {end}) is not inside the normalised text (length {len(self.text)})"
            )
        t = self._t
        if t is None:
            return start, end
        o, u = self._o, self._u
        if start == end:
            if start == len(self.text):
                return len(self.original), len(self.original)
            k = bisect_right(t, start) - 1
            pos = o[k] + (start - t[k]) if u[k] < 0 else o[k]
            return pos, pos
        k = bisect_right(t, start) - 1
        ostart = o[k] + (start - t[k]) if u[k] < 0 else o[k]
        last = end - 1
        k = bisect_right(t, last, k) - 1
        oend = o[k] + (last - t[k]) + 1 if u[k] < 0 else o[k] + u[k]
        return ostart, oend


# --------------------------------------------------------------------------- normalise


def normalize(original: str) -> NormalizedText:
    """Normalise `original` for rule matching and keep the map back to its offsets."""
    if original.isascii():
        return NormalizedText(original, _typography(original))
    dirty = _dirty_chunks(original)
    if dirty:
        rebuilt = _rebuild(original, dirty)
        if rebuilt is not None:
            nfc_text, t, o, u = rebuilt
            return NormalizedText(original, _typography(nfc_text), t, o, u)
    return NormalizedText(original, _typography(original))


def _typography(text: str) -> str:
    """Apply the one-to-one replacements (length preserving) to NFC text, chunk by chunk."""
    if text.isascii():
        return _CONTEXT_APOSTROPHE.sub("'", text) if "`" in text else text
    present = [(src, dst) for src, dst in _REPLACEMENTS if src in text]
    contextual = "`" in text or "\u00b4" in text
    if not present and not contextual:
        return text
    # Chunks keep each str.replace in cache (one replace over 100 MB is several times
    # slower); no replacement looks across a chunk boundary, which is a space.
    parts = []
    for start, end in _chunks(text):
        chunk = text[start:end]
        for src, dst in present:
            if src in chunk:
                chunk = chunk.replace(src, dst)
        if contextual and ("`" in chunk or "\u00b4" in chunk):
            chunk = _CONTEXT_APOSTROPHE.sub("'", chunk)
        parts.append(chunk)
    return parts[0] if len(parts) == 1 else "".join(parts)


def _chunks(s: str) -> Iterable[tuple[int, int]]:
    """Yield consecutive (start, end) chunks of about _CHUNK characters, each cut before a space."""
    n = len(s)
    start = 0
    while start < n:
        end = start + _CHUNK
        if end < n:
            # Cut just before a space (or newline): a stable character, so nothing
            # composes, reorders or looks across the cut.
            cut = s.find(" ", end)
            if cut < 0:
                cut = s.find("\n", end)
            end = n if cut < 0 else cut
        else:
            end = n
        yield start, end
        start = end


def _dirty_chunks(s: str) -> list[tuple[int, int]]:
    """Return the chunks of `s` that are not NFC or contain a removed character."""
    dirty: list[tuple[int, int]] = []
    is_normalized = unicodedata.is_normalized
    for start, end in _chunks(s):
        chunk = s[start:end]
        if not chunk.isascii() and (
            "\u00ad" in chunk
            or "\u200b" in chunk
            or "\u200c" in chunk
            or "\u200d" in chunk
            or "\u2060" in chunk
            or "\ufeff" in chunk
            or not is_normalized("NFC", chunk)
        ):
            dirty.append((start, end))
    return dirty


_Piece = tuple[int, int, int]  # (text offset, original offset, original unit length or -1)
_Template = tuple[str, tuple[_Piece, ...], bool]  # (normalised region, pieces, lead piece is identity at 0)


def _rebuild(
    s: str, dirty: list[tuple[int, int]]
) -> tuple[str, array, array, array] | None:
    """Normalise the regions of the dirty chunks; return (NFC text, map arrays) or None if unchanged."""
    candidate, exact = _scanners()
    t_arr, o_arr, u_arr = array("q"), array("q"), array("q")
    parts: list[str] = []
    pos = 0  # original offset consumed so far
    tpos = 0  # length of the normalised text built so far
    changed = False
    for chunk_start, chunk_end in dirty:
        for m in candidate.finditer(s, chunk_start, chunk_end):
            a, b = m.span()
            if max(m.group()) > "\uffff":
                runs: Iterable[tuple[int, int]] = [x.span() for x in exact.finditer(s, a, b)]
            else:
                runs = ((a, b),)
            for a, b in runs:
                # The character before a run is stable (or there is none): a region
                # is that character plus the run; it normalises independently.
                r0 = a - 1 if a > 0 else 0
                region = s[r0:b]
                template = (
                    _region_template(region)
                    if len(region) <= _TEMPLATE_CACHE_MAX_LEN
                    else _build_template(region)
                )
                if template is None:
                    continue
                changed = True
                out, pieces, lead_identity = template
                if r0 > pos:
                    t_arr.append(tpos)
                    o_arr.append(pos)
                    u_arr.append(-1)
                    parts.append(s[pos:r0])
                    tpos += r0 - pos
                    if lead_identity:
                        pieces = pieces[1:]  # continues the identity run just added
                for t_rel, o_rel, unit in pieces:
                    t_arr.append(tpos + t_rel)
                    o_arr.append(r0 + o_rel)
                    u_arr.append(unit)
                parts.append(out)
                tpos += len(out)
                pos = b
    if not changed:
        return None
    if pos < len(s):
        t_arr.append(tpos)
        o_arr.append(pos)
        u_arr.append(-1)
        parts.append(s[pos:])
    return "".join(parts), t_arr, o_arr, u_arr


def _build_template(region: str) -> _Template | None:
    """Normalise one region (removal + NFC) and describe its pieces; None if unchanged."""
    kept = [i for i, c in enumerate(region) if c not in _REMOVED]
    post = region if len(kept) == len(region) else "".join([region[i] for i in kept])
    out = unicodedata.normalize("NFC", post)
    if out == post and len(kept) == len(region):
        return None
    pieces: list[_Piece] = []

    def add_identity(t_off: int, o_off: int) -> None:
        if pieces:
            pt, po, pu = pieces[-1]
            if pu < 0 and o_off - po == t_off - pt:
                return  # extends the previous identity run
        pieces.append((t_off, o_off, -1))

    for p0, p1, j0, j1 in _units(post, out):
        if post[p0:p1] == out[j0:j1]:
            for k in range(p1 - p0):  # unchanged: character by character
                add_identity(j0 + k, kept[p0 + k])
        else:
            o0 = kept[p0]
            span = kept[p1 - 1] + 1 - o0
            if span == 1 and j1 - j0 == 1:
                add_identity(j0, o0)  # one character to one character
            else:
                pieces.append((j0, o0, span))
    lead_identity = bool(pieces) and pieces[0] == (0, 0, -1)
    return out, tuple(pieces), lead_identity


_region_template = lru_cache(maxsize=8192)(_build_template)


def _units(post: str, out: str) -> list[tuple[int, int, int, int]]:
    """Split `post` -> `out` (its NFC) into the finest independently normalising units."""
    q = len(post)
    if post == out or q == 0:
        return [(0, q, 0, q)] if q else []
    nfc = unicodedata.normalize
    units = []
    last = jl = 0
    if q <= _MAX_SPLIT:
        for t in range(1, q):
            left = nfc("NFC", post[last:t])
            jr = jl + len(left)
            if out.startswith(left, jl) and nfc("NFC", post[t:]) == out[jr:]:
                units.append((last, t, jl, jr))
                last, jl = t, jr
    units.append((last, q, jl, len(out)))
    return units
