"""Trie patterns match exactly their words: no more, no fewer, longest first."""

from __future__ import annotations

import regex
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ruleie.compile.trie import ACCENT_CLASSES, fold_accents, trie_pattern

# letters that fold, letters that don't, and characters that are special in regexes
ALPHABET = list("abcdeéèêëÉEàâçiîoôuùü") + list(".-'[]^\\*?+(){}|$")
word = st.text(st.sampled_from(ALPHABET), min_size=1, max_size=6)
words = st.lists(word, min_size=1, max_size=12)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def near_misses(ws: list[str]) -> set[str]:
    """Prefixes, suffixes, one-character deletions and extensions of the words."""
    out: set[str] = set()
    for w in ws:
        for i in range(len(w) + 1):
            out.update({w[:i], w[i:], w[:i] + w[i + 1 :], w[:i] + "x" + w[i:]})
        for other in ws:
            out.add(w + other)
    return out


@SETTINGS
@given(words, st.lists(st.text(st.sampled_from(ALPHABET), max_size=6), max_size=10))
@example(["x", "xe]"], ["xe"])
@example(["a", "ab", "ac"], ["abc", "b"])
@example(["a.", "a"], ["a\\", "ab"])
def test_exact_words(ws: list[str], others: list[str]) -> None:
    pattern = regex.compile(trie_pattern(ws))
    for w in ws:
        assert pattern.fullmatch(w), (ws, w, pattern.pattern)
    for probe in near_misses(ws) | set(others):
        assert bool(pattern.fullmatch(probe)) == (probe in ws), (ws, probe, pattern.pattern)


@SETTINGS
@given(words, st.lists(st.text(st.sampled_from(ALPHABET), max_size=6), max_size=10))
@example(["x", "xe]"], ["xe"])  # an optional tail of an accent class and ']' must stay grouped
@example(["pré", "pres"], ["pre", "prè", "PRE"])
@example(["É"], ["e", "E", "È"])
def test_accent_insensitive_words(ws: list[str], others: list[str]) -> None:
    pattern = regex.compile(trie_pattern(ws, accents_insensitive=True))
    folded = {fold_accents(w) for w in ws}
    for w in ws:
        assert pattern.fullmatch(w), (ws, w, pattern.pattern)
        assert pattern.fullmatch(fold_accents(w)), (ws, w, pattern.pattern)
    for probe in near_misses(ws) | set(others):
        assert bool(pattern.fullmatch(probe)) == (fold_accents(probe) in folded), (ws, probe, pattern.pattern)


@SETTINGS
@given(st.lists(st.text(st.sampled_from("abcé"), min_size=1, max_size=5), min_size=1, max_size=10),
       st.text(st.sampled_from("abcé"), max_size=8))
def test_longest_word_first(ws: list[str], text: str) -> None:
    """At a position the pattern takes the longest word that starts there."""
    pattern = regex.compile(trie_pattern(ws))
    m = pattern.match(text)
    candidates = [w for w in ws if text.startswith(w)]
    if not candidates:
        assert m is None
    else:
        assert m is not None and m.group() == max(candidates, key=len)


@SETTINGS
@given(st.lists(st.lists(st.text(st.sampled_from("abé"), min_size=1, max_size=4), min_size=1, max_size=3), min_size=1, max_size=6),
       st.lists(st.sampled_from([" ", "  ", "\t", "\n", " \n "]), min_size=3, max_size=3))
def test_spaces_inside_entries_match_any_whitespace(parts: list[list[str]], spaces: list[str]) -> None:
    ws = [" ".join(p) for p in parts]
    pattern = regex.compile(trie_pattern(ws))
    for p in parts:
        glued = p[0] + "".join(spaces[i % 3] + x for i, x in enumerate(p[1:]))
        assert pattern.fullmatch(glued), (ws, glued, pattern.pattern)


@pytest.mark.parametrize(
    "ws, matches, rejects",
    [
        pytest.param(["dit", "dire", "déclaré"], ["dit", "dire", "déclaré"], ["di", "dir", "déclare", "Dit"], id="plain"),
        pytest.param(["a", "ab", "abc"], ["a", "ab", "abc"], ["", "b", "abcd", "ac"], id="prefixes"),
        pytest.param(["M.", "Mme"], ["M.", "Mme"], ["Mx", "M", "Mm"], id="dot-is-literal"),
        pytest.param(["c++", "c#", "(a)", "a|b", "[x]", "^", "$"], ["c++", "c#", "(a)", "a|b", "[x]", "^", "$"],
                     ["c", "c+", "a", "b", "x", "ccc"], id="regex-specials"),
        pytest.param(["aujourd'hui", "l’homme"], ["aujourd'hui", "l’homme"], ["aujourd’hui", "l'homme"], id="apostrophes-as-written"),
        pytest.param(["a b"], ["a b", "a  b", "a\tb", "a\nb"], ["ab", "a", "a b c"], id="inner-space"),
        pytest.param(["", "x"], ["x"], [""], id="empty-entry-ignored"),
    ],
)
def test_examples(ws: list[str], matches: list[str], rejects: list[str]) -> None:
    pattern = regex.compile(trie_pattern(ws))
    for m in matches:
        assert pattern.fullmatch(m), (m, pattern.pattern)
    for r in rejects:
        assert not pattern.fullmatch(r), (r, pattern.pattern)


@pytest.mark.parametrize(
    "ws, matches, rejects",
    [
        pytest.param(["élève"], ["élève", "eleve", "élevé", "èlêve"], ["Eleve", "elev", "eleves"], id="lower"),
        pytest.param(["École"], ["École", "Ecole", "Écolé", "Ècole"], ["école", "ecole"], id="capital-stays-capital"),
        pytest.param(["ça", "où", "naïf", "cœur", "ÿ"], ["ca", "ou", "naif", "cœur", "y"], ["coeur", "ñaif"], id="classes"),
        pytest.param(["a", "à"], ["a", "à", "â", "ä"], ["á", "b"], id="folded-duplicates"),
    ],
)
def test_accent_examples(ws: list[str], matches: list[str], rejects: list[str]) -> None:
    pattern = regex.compile(trie_pattern(ws, accents_insensitive=True))
    for m in matches:
        assert pattern.fullmatch(m), (m, pattern.pattern)
    for r in rejects:
        assert not pattern.fullmatch(r), (r, pattern.pattern)


def test_empty_list_matches_nothing() -> None:
    for ws in ([], [""], set()):
        pattern = regex.compile(trie_pattern(ws))
        assert pattern.search("anything at all") is None
        assert pattern.fullmatch("") is None


def test_prefix_sharing_keeps_pattern_small() -> None:
    ws = [f"déclar{end}" for end in ("e", "es", "ent", "ait", "aient", "é", "ée", "és", "ées", "er", "ons", "ez")]
    pattern = trie_pattern(ws)
    assert pattern.count("déclar") == 1
    compiled = regex.compile(pattern)
    assert all(compiled.fullmatch(w) for w in ws)


def test_large_list() -> None:
    ws = [f"mot{i}" for i in range(3000)] + ["mo", "m"]
    compiled = regex.compile(trie_pattern(ws))
    assert all(compiled.fullmatch(w) for w in ws[::97])
    assert not compiled.fullmatch("mot3000") and not compiled.fullmatch("mot")


@pytest.mark.parametrize(
    "text, folded",
    [
        ("élève", "eleve"),
        ("ÉCOLE", "ECOLE"),
        ("ça où naïf", "ca ou naif"),
        ("Œuvre cœur", "Œuvre cœur"),
        ("àâä çÇ îï ôö ùûü ÿŸ", "aaa cC ii oo uuu yY"),
        ("ñ á", "ñ á"),
    ],
)
def test_fold_accents(text: str, folded: str) -> None:
    assert fold_accents(text) == folded


def test_accent_classes_are_consistent() -> None:
    for base, group in ACCENT_CLASSES.items():
        assert group[0] == base
        assert all(fold_accents(ch) == base for ch in group)
        assert all(fold_accents(ch.upper()) == base.upper() for ch in group if ch.upper() != ch)
