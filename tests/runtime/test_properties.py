"""Properties of extraction on arbitrary text: never raises, exact offsets, deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
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


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> ruleie.RuleSet:
    folder = tmp_path_factory.mktemp("props")
    (folder / "p.rules").write_text(RULES, encoding="utf-8")
    return ruleie.load(folder, use_cache=False)


def _spans(record: ruleie.Record) -> list[Span]:
    out = [record.span, *record.captures.values()]
    out.extend(v for v in record.__dict__.values() if isinstance(v, Span))
    return out


@settings(max_examples=300, deadline=None)
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


def test_builtin_pack_on_random_text() -> None:
    pack = ruleie.load()

    @settings(max_examples=150, deadline=None)
    @given(TEXTS)
    def check(text: str) -> None:
        for record in pack.extract(text):
            for span in _spans(record):
                assert text[span.start : span.end] == span.text

    check()
