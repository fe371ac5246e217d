"""Splitting long documents: where the cuts fall, exact offsets, the same records as unsplit."""

from __future__ import annotations

import pytest

import ruleie
from ruleie.io.split import cut_points, pieces, shift
from ruleie.records import Mention, Span

RULES = '''
lexicon CITY = { "Paris", "Lyon", "Marseille" }
phase places {
  rule city
    match c:@CITY
    emit Mention(label="city", span=c)
  rule trip
    match "de" a:@CITY "à" b:@CITY
    emit Mention(label="trip", span=b)
}
'''


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> ruleie.RuleSet:
    folder = tmp_path_factory.mktemp("split")
    (folder / "cities.rules").write_text(RULES, encoding="utf-8")
    return ruleie.load(folder, use_cache=False)


def parts(text: str, size: int) -> list[str]:
    points = cut_points(text, size)
    return [text[a:b] for a, b in zip(points, points[1:])]


def test_paragraphs_first_then_sentences_then_whitespace() -> None:
    text = "Un. Deux trois.\n\nQuatre cinq. Six sept huit neuf dix onze."
    assert parts(text, 30)[0] == "Un. Deux trois.\n\n"  # not after "Un. ": a cut falls in the second half
    assert parts("Aaaaaa bbbb. Cccc dddd eeee", 20) == ["Aaaaaa bbbb. ", "Cccc dddd eeee"]
    assert parts("Le maire part. M. Dupont reste ici.", 26) == ["Le maire part. ", "M. Dupont reste ici."]
    assert parts("aaaa bbbb cccc dddd", 10) == ["aaaa bbbb ", "cccc dddd"]


def test_a_hard_cut_never_starts_with_a_combining_mark() -> None:
    text = "x" * 10 + "e\u0301" * 3 + "y" * 10
    for piece in parts(text, 11)[1:]:
        assert piece[0] != "\u0301"


@pytest.mark.parametrize("size", [2, 7, 25, 100])
def test_pieces_cover_the_text_exactly(size: int) -> None:
    text = "Paris, le 3 mai. « Oui », dit-il.\r\nLyon\rMarseille\n\n" * 9 + "fin"
    found = list(pieces(text, size))
    assert "".join(p for _, p in found) == text
    assert all(0 < len(p) <= size for _, p in found)
    assert all(text[offset : offset + len(p)] == p for offset, p in found)


def test_shift_moves_every_span_and_capture() -> None:
    record = Mention(rule="r", label="x", span=Span(start=1, end=3, text="ab"), captures={"c": Span(start=2, end=3, text="b")})
    moved = shift(record, 10)
    assert (moved.span.start, moved.span.end, moved.captures["c"].start) == (11, 13, 12)
    assert moved.span.text == "ab" and record.span.start == 1


def test_split_extraction_gives_the_same_records(rules: ruleie.RuleSet) -> None:
    text = "De Paris à Lyon, puis Marseille.\n\nRetour de Lyon à Paris. " * 30
    whole = rules.extract(text, doc="d", split_chars=None)
    for size in (60, 200, 1000):
        split = rules.extract(text, doc="d", split_chars=size)
        assert split == whole
        for r in split:
            assert text[r.span.start : r.span.end] == r.span.text
            assert all(text[s.start : s.end] == s.text for s in r.captures.values())


def test_a_record_across_a_cut_is_the_accepted_loss(rules: ruleie.RuleSet) -> None:
    text = "x" * 20 + " de Paris à Lyon"
    whole = {r.label for r in rules.extract(text, split_chars=None)}
    split = {r.label for r in rules.extract(text, split_chars=30)}
    assert "trip" in whole and split == {"city"}
