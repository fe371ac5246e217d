"""The engine end to end: phases and span references, offsets into the original text, record
order, `span=` captures, the Mention record and field functions."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest

from ruleie.api import RuleSet, compile_rules
from ruleie.records import Mention, Quote, Record, Span

_TMP = Path(tempfile.mkdtemp(prefix="ruleie-engine-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


@lru_cache(maxsize=None)
def rules(source: str) -> RuleSet:
    folder = Path(tempfile.mkdtemp(dir=_TMP))
    (folder / "r.rules").write_text(source, encoding="utf-8")
    return RuleSet(compile_rules(folder / "r.rules"))


def all_spans(record: Record) -> list[Span]:
    out = [record.span, *record.captures.values()]
    out.extend(getattr(record, name) for name in type(record).model_fields if isinstance(getattr(record, name), Span))
    return out


def check_offsets(text: str, records: list[Record]) -> None:
    """Every span of every record indexes the original text."""
    for rec in records:
        for span in all_spans(rec):
            assert 0 <= span.start <= span.end <= len(text)
            assert text[span.start : span.end] == span.text, (rec.rule, span)


def extract(source: str, text: str) -> list[Record]:
    records = rules(source).extract(text)
    check_offsets(text, records)
    return records


# ------------------------------------------------------------------ phases and span references

NAMES = '''
lexicon FIRST = {"Jean", "Marie", "Paul"}
phase names [overlap=all] {
  rule first match @FIRST mark Name
  rule full match @FIRST /\\p{Lu}\\w+/ mark Name
}
'''


def _ref_rule(pattern: str) -> str:
    return NAMES + f'phase use [overlap=all] {{\n  rule use match {pattern}\n    emit Mention(label="m")\n}}\n'


# (id, pattern, text, expected (span text, {capture: text}) for each record)
REF_CASES = [
    ("start-longest", 's:<Name> "a" "dit"', "Jean Dupont a dit", [("Jean Dupont a dit", {"s": "Jean Dupont"})]),
    ("start-shorter-lets-rest-match", 's:<Name> "Dupont" "dit"', "Jean Dupont dit", [("Jean Dupont dit", {"s": "Jean"})]),
    ("start-alone", "s:<Name>", "Jean Dupont", [("Jean Dupont", {"s": "Jean Dupont"})]),
    ("middle-longest", '"selon" s:<Name> ","', "selon Jean Dupont, oui", [("selon Jean Dupont,", {"s": "Jean Dupont"})]),
    ("middle-shorter", '"selon" s:<Name> "Dupont" ","', "selon Jean Dupont, oui", [("selon Jean Dupont,", {"s": "Jean"})]),
    ("end-longest", '"selon" s:<Name>', "selon Jean Dupont", [("selon Jean Dupont", {"s": "Jean Dupont"})]),
    ("end-with-regex-before", r'w:/\w+/ "selon" s:<Name>', "dit selon Marie", [("dit selon Marie", {"w": "dit", "s": "Marie"})]),
    ("two-refs", 'a:<Name> "et" b:<Name> "ont" "dit"', "Jean Dupont et Marie Curie ont dit",
     [("Jean Dupont et Marie Curie ont dit", {"a": "Jean Dupont", "b": "Marie Curie"})]),
    ("two-refs-adjacent", "a:<Name> b:<Name>", "Jean Marie", [("Jean Marie", {"a": "Jean", "b": "Marie"})]),
    ("ref-every-occurrence", 's:<Name> "dit"', "Paul dit. Marie dit.", [("Paul dit", {"s": "Paul"}), ("Marie dit", {"s": "Marie"})]),
    ("ref-uncaptured", '<Name> "dit"', "Paul dit", [("Paul dit", {})]),
    ("ref-needs-gap-after", 's:<Name> "dit"', "Pauldit", []),
    ("ref-no-match-without-span", 's:<Name> "dit"', "Pierre dit", []),
    ("ref-with-optional-after", 's:<Name> "a"? "dit"', "Paul dit, Marie a dit", [("Paul dit", {"s": "Paul"}), ("Marie a dit", {"s": "Marie"})]),
    ("ref-glued-before", '"(" ~ s:<Name> ~ ")"', "(Paul) ( Marie )", [("(Paul)", {"s": "Paul"})]),
    ("ref-text-before-across-newline", '"selon" s:<Name>', "selon\n  Marie", [("selon\n  Marie", {"s": "Marie"})]),
]


@pytest.mark.parametrize("pattern, text, expected", [pytest.param(p, t, e, id=i) for i, p, t, e in REF_CASES])
def test_span_references(pattern: str, text: str, expected: list) -> None:
    records = extract(_ref_rule(pattern), text)
    got = [(r.span.text, {k: v.text for k, v in r.captures.items()}) for r in records]
    assert got == expected


TOUCH = '''
phase marks [overlap=all] {
  rule cap match /\\p{Lu}\\w*/ mark Cap
  rule ab match /ab/ mark AB
  rule cd match /cd/ mark CD
}
phase use [overlap=all] {
  rule spaced match "x" c:<Cap> emit Mention(label="spaced")
  rule glued match "x" ~ c:<Cap> emit Mention(label="glued")
  rule pair match a:<AB> c:<CD> emit Mention(label="pair")
  rule pair_glued match a:<AB> ~ c:<CD> emit Mention(label="pair_glued")
}
'''


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("xJean", [("glued", "xJean")], id="word-before-ref-needs-glue"),
        pytest.param("x Jean", [("spaced", "x Jean")], id="space-before-ref"),
        pytest.param("abcd", [("pair_glued", "abcd")], id="touching-refs-need-glue"),
        pytest.param("ab cd", [("pair", "ab cd")], id="spaced-refs"),
        pytest.param("ab, cd", [], id="refs-with-text-between"),
    ],
)
def test_words_never_touch_across_span_references(text: str, expected: list) -> None:
    records = extract(TOUCH, text)
    assert [(r.label, r.span.text) for r in records] == expected


def test_ahead_just_before_a_span_reference() -> None:
    """The part before the first reference is read with the text cut at the span; its trailing
    look-aheads are checked on the whole text."""
    source = NAMES + 'phase use { rule use match "selon" ahead(/\\p{Lu}/) s:<Name> emit Mention(label="m", span=s) }\n'
    assert [r.span.text for r in extract(source, "selon Marie")] == ["Marie"]
    assert extract(source, "selon marie") == []
    source = NAMES + 'phase use { rule use match "selon" ahead(/Marie Curie/) s:<Name> emit Mention(label="m", span=s) }\n'
    assert [r.span.text for r in extract(source, "selon Marie Curie, selon Marie Dupont")] == ["Marie Curie"]


def test_not_ahead_just_before_a_span_reference() -> None:
    source = NAMES + 'phase use { rule use match "selon" not ahead(/Jean/) s:<Name> emit Mention(label="m", span=s) }\n'
    assert [r.span.text for r in extract(source, "selon Jean, selon Paul")] == ["Paul"]


def test_a_look_ahead_alone_before_a_span_reference() -> None:
    source = NAMES + 'phase use { rule use match ahead(/Paul Durand/) s:<Name> emit Mention(label="m", span=s) }\n'
    assert [r.span.text for r in extract(source, "Paul Martin et Paul Durand")] == ["Paul Durand"]
    assert extract(source, "Paul Martin") == []


def test_rules_sharing_a_left_part_keep_their_own_look_aheads() -> None:
    source = NAMES + '''phase use [overlap=all] {
  rule capital match "selon" ahead(/\\p{Lu}\\w+ D/) s:<Name> emit Mention(label="d", span=s)
  rule any match "selon" ahead(/\\p{Lu}\\w+ C/) s:<Name> emit Mention(label="c", span=s)
}
'''
    found = {(r.label, r.span.text) for r in extract(source, "selon Marie Curie")}
    assert found == {("c", "Marie Curie")}


def test_a_mark_can_cover_a_capture_alone() -> None:
    source = '''
phase names {
  rule titled match "M." n:/\\p{Lu}\\w+/ mark Person(span=n)
  rule maybe match "Mme" n:/\\p{Lu}\\w+/? "!" mark Person(span=n)
}
phase use { rule person match p:<Person> emit Mention(label="m", span=p) }
'''
    assert [r.span.text for r in extract(source, "M. Dupont a dit oui.")] == ["Dupont"]
    assert [(r.span.start, r.span.text) for r in extract(source, "Mme Durand !")] == [(4, "Durand")]
    assert extract(source, "Mme ! Durand.") == []  # the optional capture did not match: no mark


def test_emitted_records_are_spans_for_later_phases() -> None:
    source = '''
phase one { rule who match n:"Paul" emit Mention(label="person", span=n) }
phase two { rule said match p:<Mention> "dit" emit Quote(content=p, speaker=p, kind="indirect") }
'''
    records = extract(source, "Paul dit")
    assert [(r.type, r.span.text) for r in records] == [("Quote", "Paul dit"), ("Mention", "Paul")]


def test_later_phase_sees_only_kept_spans() -> None:
    source = NAMES.replace("[overlap=all]", "") + 'phase use { rule use match s:<Name> "Dupont" emit Mention(label="m", span=s) }\n'
    # with the default policy only "Jean Dupont" is kept as a Name: "Jean" alone is gone
    assert [r.span.text for r in extract(source, "Jean Dupont Dupont")] == ["Jean Dupont"]
    assert extract(source, "Jean Dupont") == []


# ------------------------------------------------------------------ offsets on difficult text

UNICODE_RULES = '''
phase p [overlap=all] {
  rule said match who:/\\p{Lu}\\w+/ "a" "dit" ":" q:/[^.!«»]+/
    emit Quote(content=q, speaker=who, kind="direct", cue_lemma=lower(who))
  rule quoted match "\\"" ~ c:/[^"]+/ ~ "\\"" emit Mention(label="dq", span=c)
  rule apostrophe match x:("l" ~ "'" ~ "homme") emit Mention(label=text(x))
  rule summer match x:"été" emit Mention(label="été", span=x)
}
'''

# (id, text, expected (rule, span text, captures as {name: (start, end)}) in order)
UNICODE_CASES = [
    pytest.param("😀 Paul a\u00a0dit\u202f: bonjour.", [("said", "Paul a\u00a0dit\u202f: bonjour", {"who": (2, 6), "q": (15, 22)})], id="emoji-nbsp-narrow-nbsp"),
    pytest.param("😀😀 l’homme", [("apostrophe", "l’homme", {"x": (3, 10)})], id="emoji-curly-apostrophe"),
    pytest.param("Il a “salut” 😀 puis “bye”", [("quoted", "salut", {"c": (6, 11)}), ("quoted", "bye", {"c": (21, 24)})], id="curly-quotes"),
    pytest.param("\U0001F1EB\U0001F1F7 Marie a dit : l’été", [("said", "Marie a dit : l’été", {"who": (3, 8), "q": (17, 22)}),
                                                        ("summer", "été", {"x": (19, 22)})], id="flag-emoji"),
    pytest.param("«\u00a0Paul a dit\u00a0: oui\u00a0»", [("said", "Paul a dit\u00a0: oui", {"who": (2, 6), "q": (15, 18)})], id="guillemets-nbsp"),
    pytest.param("e\u0301te\u0301", [("summer", "e\u0301te\u0301", {"x": (0, 5)})], id="combining-accents"),
    pytest.param("😀 l’e\u0301te\u0301 : Paul a dit : e\u0301te\u0301 !",
                 [("summer", "e\u0301te\u0301", {"x": (4, 9)}), ("said", "Paul a dit : e\u0301te\u0301", {"who": (12, 16), "q": (25, 30)}),
                  ("summer", "e\u0301te\u0301", {"x": (25, 30)})], id="combining-accents-shift-later-offsets"),
    pytest.param("Pa\u00adul a dit : oui", [("said", "Pa\u00adul a dit : oui", {"who": (0, 5), "q": (14, 17)})], id="soft-hyphen"),
    pytest.param("Paul a dit : oui\u00ad.", [("said", "Paul a dit : oui", {"who": (0, 4), "q": (13, 16)})], id="soft-hyphen-at-edge-excluded"),
    pytest.param("Ma\u200brie a dit : x", [("said", "Ma\u200brie a dit : x", {"who": (0, 6), "q": (15, 16)})], id="zero-width-space"),
    pytest.param("\ufeffPaul a dit\u2009: oui", [("said", "Paul a dit\u2009: oui", {"who": (1, 5), "q": (14, 17)})], id="bom-thin-space"),
    pytest.param("l\u2019e\u0301te\u0301\u2028Paul a dit : e\u0301te\u0301",
                 [("summer", "e\u0301te\u0301", {"x": (2, 7)}), ("said", "Paul a dit : e\u0301te\u0301", {"who": (8, 12), "q": (21, 26)}),
                  ("summer", "e\u0301te\u0301", {"x": (21, 26)})], id="line-separator-combining"),
]


@pytest.mark.parametrize("text, expected", UNICODE_CASES)
def test_offsets_index_the_original_text(text: str, expected: list) -> None:
    records = extract(UNICODE_RULES, text)
    got = [(r.rule, r.span.text, {k: (v.start, v.end) for k, v in r.captures.items()}) for r in records]
    assert got == expected


def test_field_span_equals_capture_span() -> None:
    text = "😀 Paul a\u00a0dit\u202f: bonjour."
    (quote,) = extract(UNICODE_RULES, text)
    assert isinstance(quote, Quote)
    assert quote.speaker == quote.captures["who"] == Span(start=2, end=6, text="Paul")
    assert quote.content == quote.captures["q"] == Span(start=15, end=22, text="bonjour")
    assert quote.cue_lemma == "paul"


def test_text_function_gives_original_characters() -> None:
    (rec,) = extract(UNICODE_RULES, "😀😀 l’homme")
    assert isinstance(rec, Mention)
    assert rec.label == "l’homme"  # as written, not the normalised "l'homme"


# ------------------------------------------------------------------ records

ORDER_RULES = '''
phase one { rule word match w:/\\w+/ emit Mention(label="word", span=w) }
phase two [overlap=all] {
  rule pair match a:/\\w+/ b:/\\w+/ emit Mention(label="pair")
  rule quote match q:("b" "c") emit Quote(content=q, kind="partial")
}
'''


def test_records_are_in_text_order() -> None:
    records = extract(ORDER_RULES, "a b c d")
    keys = [(r.span.start, -r.span.end) for r in records]
    assert keys == sorted(keys)
    assert [(r.type, r.span.text) for r in records] == [
        ("Mention", "a b"), ("Mention", "a"), ("Quote", "b c"), ("Mention", "b"),
        ("Mention", "c d"), ("Mention", "c"), ("Mention", "d"),
    ]


def test_same_span_records_are_ordered_by_type() -> None:
    source = 'phase p [overlap=all] {\n  rule q match x:"a" emit Quote(content=x, kind="direct")\n  rule m match x:"a" emit Mention(label="a")\n}\n'
    records = extract(source, "a")
    assert [r.type for r in records] == ["Mention", "Quote"]


def test_span_capture_sets_the_record_span() -> None:
    source = 'phase p { rule r match "«" c:/[^»]+/ "»" emit Mention(label="inside", span=c) }'
    (rec,) = extract(source, "dit « oui » !")
    assert rec.span == Span(start=6, end=9, text="oui")
    assert rec.captures["c"] == rec.span


def test_span_capture_decides_overlap_and_later_spans() -> None:
    source = '''
phase p { rule r match "«" c:/[^»]+/ "»" emit Mention(label="inside", span=c) }
phase q { rule s match m:<Mention> emit Quote(content=m, kind="direct") }
'''
    records = extract(source, "« oui »")
    assert [(r.type, r.span.text) for r in records] == [("Mention", "oui"), ("Quote", "oui")]


def test_span_capture_absent_falls_back_to_the_whole_match() -> None:
    source = 'phase p { rule r match "dit" c:("«" /[^»]+/ "»")? emit Mention(label="m", span=c) }'
    records = extract(source, "il dit « oui » puis dit.")
    assert [r.span.text for r in records] == ["« oui »", "dit"]


def test_overlap_is_decided_on_the_whole_match() -> None:
    source = """
phase p {
  rule wide match "le" "grand" c:"chat" emit Mention(label="wide", span=c)
  rule narrow match "grand" emit Mention(label="narrow")
}
"""
    # "le grand chat" (the whole match of `wide`) is longer than "grand" and wins,
    # although the record it makes only covers "chat"
    records = extract(source, "le grand chat")
    assert [(r.label, r.span.text) for r in records] == [("wide", "chat")]


def test_record_metadata() -> None:
    rs = rules('phase p {\n  rule hello match "bonjour"\n    emit Mention(label="greeting")\n}\n')
    (rec,) = rs.extract("Il dit bonjour.", doc="doc-7")
    assert isinstance(rec, Mention)
    assert (rec.type, rec.rule, rec.doc, rec.label) == ("Mention", "hello", "doc-7", "greeting")
    assert rec.origin.endswith("r.rules:2")
    assert rec.span == Span(start=7, end=14, text="bonjour")
    assert rec.captures == {}


FIELD_RULES = '''
lexicon L = {"L’Homme"}
phase p [overlap=all] {
  rule f match x:@L
    emit Mention(label=text(x))
    emit Quote(content=x, kind="direct", cue_lemma=lower(x), speaker_resolved=lemma(x))
}
'''


def test_field_functions() -> None:
    records = extract(FIELD_RULES, "Voici L’Homme.")
    mention = next(r for r in records if isinstance(r, Mention))
    quote = next(r for r in records if isinstance(r, Quote))
    assert mention.label == "L’Homme"
    assert quote.cue_lemma == "l’homme"
    assert quote.speaker_resolved == "l'homme"  # lemma of a non-verb: the normalised lookup key
    assert quote.content.text == "L’Homme"


def test_optional_capture_absent_leaves_field_empty() -> None:
    source = 'phase p { rule r match s:"Paul"? "dit" ":" q:/\\w+/ emit Quote(content=q, speaker=s, kind="direct") }'
    records = extract(source, "il dit : oui. Paul dit : non")
    assert [(r.speaker.text if r.speaker else None, r.content.text) for r in records] == [(None, "oui"), ("Paul", "non")]
    assert "s" not in records[0].captures


def test_priority_across_rules() -> None:
    source = '''
phase p {
  rule long match x:("a" "b" "c") emit Mention(label="long", span=x)
  rule short [priority=1] match x:"b" emit Mention(label="short", span=x)
}
'''
    assert [r.label for r in extract(source, "a b c")] == ["short"]


def test_marks_and_emits_do_not_compete() -> None:
    source = '''
phase p {
  rule m match "a" "b" mark Thing
  rule e match x:"b" emit Mention(label="b", span=x)
}
phase q { rule t match t:<Thing> emit Mention(label="thing") }
'''
    assert [(r.label, r.span.text) for r in extract(source, "a b")] == [("thing", "a b"), ("b", "b")]


def test_first_policy_in_engine() -> None:
    source = '''
phase p [overlap=first] {
  rule short match x:"a" "b" emit Mention(label="ab", span=x)
  rule long match "b" "c" "d" emit Mention(label="bcd")
}
'''
    # "a b" starts first; "b c d" overlaps it and loses although longer
    assert [r.label for r in extract(source, "a b c d")] == ["ab"]


def test_explain_reports_kept_and_lost_matches() -> None:
    source = '''
phase p {
  rule long match "a" "b" emit Mention(label="long")
  rule short match "b" emit Mention(label="short")
}
'''
    result = rules(source).explain("a b")
    assert result.trace is not None
    found = sorted((rule.name, match.start, match.end, label, kept) for rule, match, label, kept in result.trace.found)
    assert found == [("long", 0, 3, "Mention", True), ("short", 2, 3, "Mention", False)]
    assert [r.rule for r in result.records] == ["long"]


def test_empty_and_whitespace_texts() -> None:
    for text in ("", " ", "\n\n", "\u00a0"):
        assert extract(UNICODE_RULES, text) == []


def test_extract_many_in_input_order() -> None:
    rs = rules(UNICODE_RULES)
    outcomes = list(rs.extract_many(["Paul a dit : a.", {"id": "x", "text": "rien"}, "l'homme"]))
    assert [(o.doc, [r.rule for r in o.records], o.error) for o in outcomes] == [
        ("0", ["said"], None), ("x", [], None), ("2", ["apostrophe"], None)
    ]
    assert outcomes[0].records[0].doc == "0"


def test_one_match_can_emit_several_records_of_one_type(tmp_path):
    """Each `emit` of a rule makes its own record, even with the same record type."""
    import ruleie

    path = tmp_path / "two.rules"
    path.write_text(
        'phase p {\n  rule r\n    match "oui"\n    emit Mention(label="first")\n    emit Mention(label="second")\n}\n',
        encoding="utf-8",
    )
    records = ruleie.load(path, use_cache=False).extract("oui, oui")
    assert [(r.label, r.span.start) for r in records] == [("first", 0), ("second", 0), ("first", 5), ("second", 5)]
