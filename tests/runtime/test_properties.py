"""Properties of extraction on arbitrary text: never raises, exact offsets, deterministic.

Two rule sets: a small file of quote rules, and the built-in French pack (loaded once for the
module). Texts mix French news material with every Unicode category: combining marks, right-to-
left scripts, zero-width and format characters, CR, NUL, and lone surrogates, which Python strings
can hold: the API takes them as ordinary code points (no error, offsets still index the text).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ruleie
from ruleie.records import Span

RULES = '''
lexicon SAY [verbs] = { "dire", "déclarer", "affirmer" }
phase names {
  rule name
    match CAPWORD{1,3}
    mark Name
}
phase speech {
  rule quote
    match "«" ~ content:/[^«»]{1,200}/ ~ "»" ","? cue:@SAY speaker:<Name>?
    emit Quote(content=content, cue=cue, kind="direct", cue_lemma=lemma(cue))
  rule colon
    match speaker:<Name> cue:@SAY ":" OPEN_QUOTE ~ content:/[^«»"]{1,200}/ ~ CLOSE_QUOTE
    emit Quote(content=content, cue=cue, speaker=speaker, kind="direct", cue_lemma=lemma(cue), speaker_resolved=antecedent(speaker))
}
'''

# Text mixing French news material with every awkward character class.
PIECES = st.sampled_from([
    "« ", " »", "«\u00a0", "\u202f»", "“", "”", '"', "’", "'", "\u00ad", "e\u0301", "\u200b", "\ufeff",
    "😀", "–", "—", "\u2011", "\r\n", "\n", " ", "Jeanne Dupont", "a déclaré", "a-t-il dit", "affirme-t-elle",
    " : ", ", ", ".", "Oui", "non", "\u0301", "\x00", "\U0001F1EB\U0001F1F7",
])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)

#: Every Unicode category, surrogates included, plus awkward characters and French material.
ANY_CHAR = st.characters(codec=None, categories=None)
AWKWARD = st.sampled_from([
    "\u05d0\u05de\u05e8", "\u0627\u0644\u0648\u0632\u064a\u0631", "\u200f", "\u200e", "\u202e", "\u2066", "\u2069",
    "\u200d", "\u200c", "\u2060", "\r", "\x00", "\ud800", "\udfff", "\U000e0001", "\u0301\u0301\u0327", "\ufffe",
    "\u2028", "\u2029", "\x85", "\x0c", "I\u0307", "\u1e9e", "\ufb01", "\u0130",
])
WILD_TEXTS = st.lists(st.one_of(PIECES, AWKWARD, st.text(ANY_CHAR, max_size=6)), max_size=30).map("".join)


def props(examples: int) -> settings:
    """Bounded examples, no deadline, no example database written into the repository."""
    return settings(max_examples=examples, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> ruleie.RuleSet:
    folder = tmp_path_factory.mktemp("props")
    (folder / "p.rules").write_text(RULES, encoding="utf-8")
    return ruleie.load(folder, use_cache=False)


def _spans(record: ruleie.Record) -> list[Span]:
    out = [record.span, *record.captures.values()]
    out.extend(v for v in record.__dict__.values() if isinstance(v, Span))
    return out


@props(300)
@given(TEXTS)
def test_offsets_are_exact_and_output_deterministic(rules: ruleie.RuleSet, text: str) -> None:
    records = rules.extract(text)
    for record in records:
        for span in _spans(record):
            assert 0 <= span.start <= span.end <= len(text)
            assert text[span.start : span.end] == span.text
    assert [r.model_dump() for r in rules.extract(text)] == [r.model_dump() for r in records]


def test_known_text_with_typography(rules: ruleie.RuleSet) -> None:
    text = "😀 Jeanne Dupont a déclare\u0301 :\u00a0«\u202fOui, c’est fini\u202f»."
    [quote] = rules.extract(text)
    assert quote.content.text == "Oui, c’est fini"
    assert quote.cue.text == "a déclare\u0301" and quote.cue_lemma == "déclarer"
    assert quote.speaker.text == "Jeanne Dupont"


@pytest.fixture(scope="module")
def pack() -> ruleie.RuleSet:
    """The built-in French pack, compiled once for the module (no cache: nothing written)."""
    return ruleie.load(use_cache=False)


@props(60)
@given(st.one_of(TEXTS, WILD_TEXTS))
def test_builtin_pack_on_any_unicode(pack: ruleie.RuleSet, text: str) -> None:
    """The pack never raises, every span indexes the text, and two runs and `extract_many` agree."""
    records = pack.extract(text, doc_date="2024-03-15")
    for record in records:
        for span in _spans(record):
            assert 0 <= span.start <= span.end <= len(text)
            assert text[span.start : span.end] == span.text
    dumped = [r.model_dump() for r in records]
    assert [r.model_dump() for r in pack.extract(text, doc_date="2024-03-15")] == dumped
    [outcome] = pack.extract_many([{"id": "d", "text": text}], n_jobs=1, doc_date="2024-03-15")
    assert outcome.error is None
    assert [r.model_dump() for r in outcome.records] == [{**r, "doc": "d"} for r in dumped]


def test_lone_surrogates_are_ordinary_code_points(pack: ruleie.RuleSet) -> None:
    """A surrogate inside a quote neither raises nor shifts offsets: the quote is still found."""
    text = "Le ministre a déclaré : « Oui \ud800 non. » \udfff"
    records = pack.extract(text)
    quote = next(r for r in records if r.type == "Quote")
    assert quote.span.text == text[quote.span.start : quote.span.end]
    assert "\ud800" in quote.content.text
