"""Tests for ruleie.normalize: the normalised text and its offset map."""

from __future__ import annotations

import unicodedata

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import ruleie.normalize as normalize_module
from ruleie.normalize import NormalizedText, normalize

# --------------------------------------------------------------------------- mappings

MAPPING_TABLE = [
    # apostrophes
    ("l\u2019OMS", "l'OMS"),
    ("\u2018oui\u2019", "'oui'"),
    ("l\u02bcarm\u00e9e", "l'arm\u00e9e"),
    ("l\u2032Etat", "l'Etat"),
    ("aujourd\u00b4hui", "aujourd'hui"),
    ("aujourd`hui", "aujourd'hui"),
    ("\u00b4a", "\u00b4a"),  # acute accent not between letters: kept
    ("a\u00b4", "a\u00b4"),
    ("a \u00b4 b", "a \u00b4 b"),
    ("`code`", "`code`"),  # grave accent not between letters: kept
    ("1`2", "1`2"),
    # double quotes; guillemets kept
    ("\u201cnon\u201d", '"non"'),
    ("\u201enein\u201f", '"nein"'),
    ("6\u2033", '6"'),
    ("\u00ab\u00a0oui\u00a0\u00bb", "\u00ab oui \u00bb"),
    ("\u2039non\u203a", "\u2039non\u203a"),
    # spaces and line separators
    ("10\u00a0000", "10 000"),
    ("oui\u202f!", "oui !"),
    ("a\u2009b\u2007c", "a b c"),
    ("a\u2000b\u2001c\u2002d\u2003e\u2004f\u2005g\u2006h\u2008i\u200aj", "a b c d e f g h i j"),
    ("a\u1680b\u205fc\u3000d", "a b c d"),
    ("a\tb", "a\tb"),
    ("a\u2028b\u2029c", "a\nb\nc"),
    ("a\r\nb\rc\n", "a\r\nb\rc\n"),
    # hyphens, minus, dashes
    ("porte\u2010parole", "porte-parole"),
    ("porte\u2011parole", "porte-parole"),
    ("\u22125\u00a0\u00b0C", "-5 \u00b0C"),
    ("a \u2013 b", "a \u2013 b"),
    ("a \u2014 b \u2012 c \u2015 d", "a \u2013 b \u2013 c \u2013 d"),
    # removed characters
    ("pre\u00admier", "premier"),
    ("\ufeffLe", "Le"),
    ("a\u200bb\u200cc\u200dd\u2060e", "abcde"),
    ("\u00ad\u200b", ""),
    # NFC; compatibility forms and ligatures kept
    ("de\u0301clare", "d\u00e9clare"),
    ("E\u0301tat", "\u00c9tat"),
    ("c\u0327a", "\u00e7a"),
    ("e\u00ad\u0301", "\u00e9"),  # composition across a removed character
    ("\u0153uvre \ufb01n \u00bd", "\u0153uvre \ufb01n \u00bd"),
    ("\u212b", "\u00c5"),  # singleton decomposition (ANGSTROM SIGN)
    ("q\u0302\u0323", "q\u0323\u0302"),  # canonical reordering
    ("\u1100\u1161\u11a8", "\uac01"),  # conjoining Hangul jamo
    # astral characters stay single characters
    ("\U0001f600 \U0001f600\u0301", "\U0001f600 \U0001f600\u0301"),
    ("", ""),
    ("plain ASCII text", "plain ASCII text"),
]


@pytest.mark.parametrize(("original", "expected"), MAPPING_TABLE)
def test_mapping_table(original: str, expected: str) -> None:
    result = normalize(original)
    assert result.text == expected
    assert result.original is original


def test_every_space_separator_is_mapped() -> None:
    zs = {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Zs"} - {" "}
    for ch in zs:
        assert normalize(f"a{ch}b").text == "a b", hex(ord(ch))


def test_embedded_unstable_table_matches_unicodedata() -> None:
    if unicodedata.unidata_version != normalize_module._UNSTABLE_VERSION:
        pytest.skip("embedded table is for another Unicode version (recomputed at runtime)")
    embedded = normalize_module._parse_ranges(normalize_module._UNSTABLE_HEX)
    assert embedded == normalize_module._compute_unstable_ranges()


# --------------------------------------------------------------------------- offsets

OFFSET_CASES = [
    # (original, word to find in the normalised text, expected original substring)
    ("Le\u00a0ministre\u00a0a\u00a0dit", "ministre a", "ministre\u00a0a"),
    ("il a dit\u202f: \u00ab\u202fnon\u202f\u00bb", "dit :", "dit\u202f:"),
    ("il a dit\u202f: \u00ab\u202fnon\u202f\u00bb", "\u00ab non \u00bb", "\u00ab\u202fnon\u202f\u00bb"),
    ("selon l\u2019OMS, \u201cc\u2019est grave\u201d", "l'OMS", "l\u2019OMS"),
    ("selon l\u2019OMS, \u201cc\u2019est grave\u201d", '"c\'est grave"', "\u201cc\u2019est grave\u201d"),
    ("\U0001f600\U0001f600 Macron a dit \U0001f44d", "Macron", "Macron"),
    ("\U0001f600\U0001f600 Macron a dit \U0001f44d", "dit \U0001f44d", "dit \U0001f44d"),
    ("Le ministre de\u0301clare que", "déclare", "de\u0301clare"),
    ("Le ministre de\u0301clare que", "que", "que"),
    ("Le ministre de\u0301clare que", "é", "e\u0301"),
    ("le pre\u00admier ministre", "premier", "pre\u00admier"),
    ("le pre\u00admier ministre", "mier", "mier"),  # starts after the soft hyphen
    ("le pre\u00admier ministre", "pre", "pre"),  # ends before the soft hyphen
    ("le pre\u00admier ministre", "ministre", "ministre"),
    ("\ufeffLe ministre", "Le", "Le"),
    ("\ufeffLe ministre", "ministre", "ministre"),
    ("Ligne 1\r\nLigne 2\r\n", "Ligne 2", "Ligne 2"),
    ("\ufeffLigne\u00a01\r\nLe\u00administre de\u0301clare\r\n", "déclare", "de\u0301clare"),
    ("\ufeffLigne\u00a01\r\nLe\u00administre de\u0301clare\r\n", "Leministre", "Le\u00administre"),
    ("\ufeffLigne\u00a01\r\nLe\u00administre de\u0301clare\r\n", "1\r\n", "1\r\n"),
]


@pytest.mark.parametrize(("original", "needle", "expected"), OFFSET_CASES)
def test_offsets_of_found_words(original: str, needle: str, expected: str) -> None:
    result = normalize(original)
    start = result.text.find(needle)
    assert start >= 0, (result.text, needle)
    os_, oe = result.to_original(start, start + len(needle))
    assert original[os_:oe] == expected


def test_zero_length_ranges_and_removed_characters() -> None:
    result = normalize("pre\u00admier\u00ad")
    assert result.text == "premier"
    assert result.to_original(3, 3) == (4, 4)  # after the soft hyphen
    assert result.to_original(0, 3) == (0, 3)  # soft hyphen not included at the end
    assert result.to_original(3, 7) == (4, 8)  # nor at the start
    assert result.to_original(2, 4) == (2, 5)  # included strictly inside
    assert result.to_original(7, 7) == (9, 9)
    assert normalize("\u00ad").to_original(0, 0) == (1, 1)


def test_composed_character_maps_to_all_its_original_characters() -> None:
    result = normalize("de\u0301clare")
    assert result.text == "d\u00e9clare"
    assert result.to_original(1, 2) == (1, 3)
    assert result.to_original(2, 3) == (3, 4)
    assert result.to_original(0, 2) == (0, 3)


def test_out_of_range_is_rejected() -> None:
    result = normalize("abc")
    for start, end in [(-1, 1), (2, 1), (0, 4)]:
        with pytest.raises(ValueError):
            result.to_original(start, end)


# --------------------------------------------------------------------------- fast path


def test_fast_path_is_identity() -> None:
    original = "Le ministre a d\u00e9clar\u00e9\u00a0: \u00ab\u202fl\u2019OMS \u2014 \U0001f600\u202f\u00bb\n" * 50
    result = normalize(original)
    assert result.is_identity
    assert result._t is None  # no array allocated
    assert len(result.text) == len(original)
    assert result.to_original(3, 11) == (3, 11)
    ascii_result = normalize("plain text")
    assert ascii_result.is_identity and ascii_result.text is ascii_result.original


def test_slow_path_is_not_identity_and_compact() -> None:
    filler = "Le ministre a d\u00e9clar\u00e9 que la r\u00e9forme est n\u00e9cessaire. " * 20_000
    original = filler + "pre\u00admier " + filler
    result = normalize(original)
    assert not result.is_identity
    assert result.text == filler + "premier " + filler
    assert result._t is not None and len(result._t) <= 3  # map size ~ changed regions
    start = result.text.find("premier")
    assert result.to_original(start, start + 7) == (len(filler), len(filler) + 8)
    after = start + 8
    assert result.to_original(after, after + 2) == (len(filler) + 9, len(filler) + 11)


def test_combining_mark_that_does_not_compose_keeps_identity() -> None:
    result = normalize("\u0431\u0443\u0301\u0434\u0435\u0442 q\u0301")  # Cyrillic stress mark
    assert result.is_identity
    assert result.text == result.original


def test_equality_and_repr() -> None:
    a, b = normalize("pre\u00admier"), normalize("pre\u00admier")
    assert a == b and hash(a) == hash(b)
    assert "identity" not in repr(a)
    assert len(repr(normalize("x" * 10_000))) < 200
    with pytest.raises(ValueError):
        NormalizedText("ab", "a")


# --------------------------------------------------------------------------- properties

SPECIAL = (
    list(normalize_module._APOSTROPHES)
    + list(normalize_module._DOUBLE_QUOTES)
    + list(normalize_module._SPACES)
    + list(normalize_module._LINE_SEPARATORS)
    + list(normalize_module._HYPHENS)
    + list(normalize_module._DASHES)
    + list(normalize_module._REMOVED)
    + list("\u00b4`\u2013\u00ab\u00bb\u2039\u203a\t\r\n '\"-")
    + list("aeiouAEcqz\u00e9\u00e8\u0153")
    + list("\u0300\u0301\u0302\u0308\u0323\u0327\u0344\u0340\u0345")  # combining marks
    + ["\u0958", "\u0f73", "\u212b", "\u2126", "\u0387", "\u1fef", "\u1ffd", "\u0374"]
    + ["\u1100", "\u1161", "\u11a8", "\uac00", "\u0b47", "\u0b3e"]  # jamo, Oriya vowel signs
    + ["\U0001f600", "\U0001d15e", "\U0001d165", "\U0001d16d", "\U00011099", "\U000110ba", "\U0002f800"]
)

texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(SPECIAL), st.characters()), max_size=60).map("".join),
    st.lists(st.sampled_from(SPECIAL), max_size=60).map("".join),
)

_LETTER_APOSTROPHE = regex.compile(r"(?<=\p{L})[\u00b4`](?=\p{L})")


def reference_text(original: str) -> str:
    """Naive whole-string reference for the normalised text."""
    s = "".join(c for c in original if c not in normalize_module._REMOVED)
    s = unicodedata.normalize("NFC", s)
    s = "".join(dict(normalize_module._REPLACEMENTS).get(c, c) for c in s)
    return _LETTER_APOSTROPHE.sub("'", s)


def char_ranges(result: NormalizedText) -> list[tuple[int, int]]:
    return [result.to_original(i, i + 1) for i in range(len(result.text))]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_text_matches_reference(original: str) -> None:
    result = normalize(original)
    assert result.text == reference_text(original)
    assert unicodedata.is_normalized("NFC", result.text)
    assert normalize(result.text).text == result.text  # idempotent
    if result.is_identity:
        assert len(result.text) == len(original)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_map_in_bounds_and_monotonic(original: str) -> None:
    result = normalize(original)
    n, size = len(result.text), len(original)
    points = [result.to_original(i, i) for i in range(n + 1)]
    for os_, oe in points:
        assert 0 <= os_ == oe <= size
    assert [p[0] for p in points] == sorted(p[0] for p in points)
    starts = [result.to_original(i, n)[0] for i in range(n)]
    ends = [result.to_original(0, j)[1] for j in range(1, n + 1)]
    assert starts == sorted(starts) and ends == sorted(ends)
    for i in range(n):
        for j in range(i + 1, n + 1):
            os_, oe = result.to_original(i, j)
            assert (os_, oe) == (starts[i], ends[j - 1])  # start and end map independently
            assert 0 <= os_ < oe <= size


@settings(max_examples=400, deadline=None)
@given(texts)
def test_full_range_and_single_characters(original: str) -> None:
    result = normalize(original)
    n = len(result.text)
    os_, oe = result.to_original(0, n)
    assert normalize(original[os_:oe]).text == result.text
    removed = set(normalize_module._REMOVED)
    assert set(original[:os_]) <= removed and set(original[oe:]) <= removed
    ranges = char_ranges(result)
    covered: set[int] = set()
    for (s1, e1), (s2, e2) in zip(ranges, ranges[1:]):
        # consecutive characters: increasing and non-overlapping, except several
        # characters of one atomic NFC unit (expansion or reordering), which share it
        assert (s1, e1) == (s2, e2) or e1 <= s2
    for s, e in ranges:
        assert s < e
        covered.update(range(s, e))
    assert all(original[i] in removed for i in range(len(original)) if i not in covered)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_words_map_to_their_original(original: str) -> None:
    result = normalize(original)
    for word in regex.finditer(r"[^ ]+", result.text):
        os_, oe = result.to_original(*word.span())
        assert normalize(original[os_:oe]).text == word.group()


@settings(max_examples=200, deadline=None)
@given(texts)
def test_chunking_does_not_change_result(original: str) -> None:
    whole = normalize(original)
    saved = normalize_module._CHUNK
    normalize_module._CHUNK = 3
    try:
        chunked = normalize(original)
    finally:
        normalize_module._CHUNK = saved
    assert chunked.text == whole.text
    assert chunked.is_identity == whole.is_identity
    n = len(whole.text)
    assert [chunked.to_original(i, i) for i in range(n + 1)] == [whole.to_original(i, i) for i in range(n + 1)]
    assert char_ranges(chunked) == char_ranges(whole)
