"""Compiled patterns: gaps between items, `~` glue, word boundaries, optional items, repetition,
laziness and lookarounds, checked end to end (rule file -> compiled rule set -> matches)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
import regex

from ruleie.api import RuleSet, compile_rules
from ruleie.compile.patterns import GAP, PatternCompiler, Segment
from ruleie.dsl import ast
from ruleie.dsl.errors import ErrorSink
from ruleie.dsl.parser import parse

_TMP = Path(tempfile.mkdtemp(prefix="ruleie-patterns-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


@lru_cache(maxsize=None)
def ruleset(pattern: str, header: str = "") -> RuleSet:
    """A rule set with one rule `match <pattern>` that emits a Mention for every match."""
    folder = Path(tempfile.mkdtemp(dir=_TMP))
    (folder / "r.rules").write_text(
        f'{header}\nphase p [overlap=all] {{\n  rule r match {pattern}\n    emit Mention(label="m")\n}}\n',
        encoding="utf-8",
    )
    return RuleSet(compile_rules(folder / "r.rules"))


def matches(pattern: str, text: str, header: str = "") -> list[str]:
    """Texts of the spans the pattern matches in `text`, checked against the original text."""
    out = []
    for rec in ruleset(pattern, header).extract(text):
        assert text[rec.span.start : rec.span.end] == rec.span.text
        out.append(rec.span.text)
    return out


def captures(pattern: str, text: str, header: str = "") -> list[dict[str, str]]:
    out = []
    for rec in ruleset(pattern, header).extract(text):
        for span in rec.captures.values():
            assert text[span.start : span.end] == span.text
        out.append({name: span.text for name, span in rec.captures.items()})
    return out


CASES = [
    # ---- gaps: whitespace of any length, or nothing where one side is not a word character
    ("gap-space", '"a" "dit"', "a dit", ["a dit"]),
    ("gap-spaces", '"a" "dit"', "a  dit", ["a  dit"]),
    ("gap-newline", '"a" "dit"', "a\ndit", ["a\ndit"]),
    ("gap-mixed-whitespace", '"a" "dit"', "a \t\n dit", ["a \t\n dit"]),
    ("gap-nbsp", '"a" "dit"', "a\u00a0dit", ["a\u00a0dit"]),
    ("gap-narrow-nbsp", '"a" "dit"', "a\u202fdit", ["a\u202fdit"]),
    ("gap-words-never-touch", '"a" "dit"', "adit", []),
    ("gap-not-across-letters", '"a" "dit"', "a xdit", []),
    ("gap-empty-before-punctuation", '"dit" ":"', "dit:", ["dit:"]),
    ("gap-space-before-punctuation", '"dit" ":"', "dit :", ["dit :"]),
    ("gap-empty-after-punctuation", '"(" "a"', "(a", ["(a"]),
    ("gap-between-regex-words", r"/\d+/ /h/", "14h", []),
    ("gap-between-regex-words-spaced", r"/\d+/ /h/", "14 h", ["14 h"]),
    ("gap-inside-literal", '"a dit"', "a \n dit", ["a \n dit"]),
    ("gap-inside-literal-needs-space", '"a dit"', "adit", []),
    # ---- ~ glue: nothing between the items, not even a word boundary
    ("glue-words", '"a" ~ "dit"', "adit", ["adit"]),
    ("glue-rejects-space", '"a" ~ "dit"', "a dit", []),
    ("glue-regex-literal", r'/\d+/ ~ "h"', "à 14h pile", ["14h"]),
    ("glue-regex-literal-regex", r'/\d+/ ~ "h" ~ /\d\d/', "14h30", ["14h30"]),
    ("glue-apostrophe", '"l" ~ "\'" ~ "homme"', "l'homme", ["l'homme"]),
    ("glue-curly-apostrophe", '"l" ~ "\'" ~ "homme"', "l’homme", ["l’homme"]),
    ("glue-apostrophe-rejects-space", '"l" ~ "\'" ~ "homme"', "l' homme", []),
    ("glue-keeps-outer-boundaries", '"a" ~ "dit"', "xadit aditx", []),
    ("glue-punctuation", '"«" ~ /\\w+/ ~ "»"', "«oui» « non »", ["«oui»"]),
    # ---- literal word boundaries
    ("boundary-accented-letter-before", '"dit"', "édit", []),
    ("boundary-letter-before", '"dit"', "redit", []),
    ("boundary-letter-after", '"dit"', "dites", []),
    ("boundary-accented-letter-after", '"dit"', "ditè", []),
    ("boundary-digit", '"dit"', "2dit", []),
    ("boundary-underscore", '"dit"', "_dit", []),
    ("boundary-ok", '"dit"', "il dit. Dit-il ? (dit)", ["dit", "dit"]),
    ("boundary-hyphen", '"dit"', "a-dit", ["dit"]),
    ("boundary-apostrophe", '"hui"', "aujourd'hui", ["hui"]),
    ("boundary-literal-with-dot", '"M."', "M. Dupont, AM. X", ["M."]),
    ("boundary-punctuation-only", '"."', "a.b", ["."]),
    ("boundary-case-sensitive", '"dit"', "DIT Dit", []),
    ("boundary-accent-exact", '"été"', "ete été", ["été"]),
    ("regex-flag-i", "/dit/i", "DIT Dit", ["DIT", "Dit"]),
    ("regex-no-implicit-boundary", "/dit/", "édit", ["dit"]),
    # ---- optional items leave no whitespace in spans
    ("optional-first-absent", '"le"? "chat"', "un chat", ["chat"]),
    ("optional-first-present", '"le"? "chat"', "le  chat", ["le  chat"]),
    ("optional-last-absent", '"chat" "noir"?', "chat  blanc", ["chat"]),
    ("optional-last-absent-end-of-text", '"chat" "noir"?', "un chat ", ["chat"]),
    ("optional-middle-absent", '"a" "b"? "c"', "a  c", ["a  c"]),
    ("optional-middle-present", '"a" "b"? "c"', "a b c", ["a b c"]),
    ("optional-does-not-glue-words", '"a" "b"? "c"', "ac", []),
    ("optional-group", '"un" ("très" "grand")? "chat"', "un très grand chat, un chat", ["un très grand chat", "un chat"]),
    ("star-absent", '"x" "a"*', "x b", ["x"]),
    ("star-present", '"x" "a"*', "x a a  a b", ["x a a  a"]),
    # ---- repetition bounds
    ("bounds-too-few", '"ha"{2,3}', "ha", []),
    ("bounds-min", '"ha"{2,3}', "ha ha", ["ha ha"]),
    ("bounds-max", '"ha"{2,3}', "ha ha ha ha", ["ha ha ha"]),
    ("bounds-exact", '"ha"{2}', "ha ha ha", ["ha ha"]),
    ("bounds-exact-twice", '"ha"{2}', "ha ha ha ha", ["ha ha", "ha ha"]),
    ("bounds-open", '"ha"{2,}', "ha ha ha ha ha", ["ha ha ha ha ha"]),
    ("bounds-one", '"ha"{1}', "ha ha", ["ha", "ha"]),
    ("plus-gaps", '"a"+', "a a\n a", ["a a\n a"]),
    ("repeat-gap-between-words", r"/\w/{3}", "abc", []),
    ("repeat-gap-spaced", r"/\w/{3}", "a b c d", ["a b c"]),
    ("repeat-gap-punctuation", '"!"{3}', "!!! ! ! !", ["!!!", "! ! !"]),
    ("repeat-group", '("a" "b"){2}', "a b a b a b", ["a b a b"]),
    # ---- lazy quantifiers
    ("greedy-plus", r'/\w+/+ "fin"', "un deux fin trois fin", ["un deux fin trois fin"]),
    ("lazy-plus", r'/\w+/+? "fin"', "un deux fin trois fin", ["un deux fin", "trois fin"]),
    ("greedy-optional", '"a" "b"?', "a b", ["a b"]),
    ("lazy-optional", '"a" "b"??', "a b", ["a"]),
    ("lazy-range", r'/\w+/{1,3}? "x"', "o p q r x", ["p q r x"]),  # at most 3 items: "o" cannot start it
    ("lazy-at-least", r'"a"{2,}? "b"', "a a a b", ["a a a b"]),
    ("lazy-star", r'"<" /\w+/*? ">"', "< a b > c >", ["< a b >"]),
    # ---- lookarounds consume nothing
    ("ahead", '"dit" ahead(":")', "dit : x", ["dit"]),
    ("ahead-fails", '"dit" ahead(":")', "dit.", []),
    ("not-ahead", '"dit" not ahead("que")', "dit que; dit :", ["dit"]),
    ("ahead-then-same-item", '"a" ahead("b") "b"', "a b", ["a b"]),
    ("behind", r'behind("M.") /\p{Lu}\w+/', "M. Dupont et Durand", ["Dupont"]),
    ("not-behind", r'not behind("M.") /\p{Lu}\w+/', "M. Dupont et Durand", ["Durand"]),
    ("behind-in-middle", '"a" behind("a") "b"', "a b", ["a b"]),
    ("behind-then-ahead", 'behind("(") "x" ahead(")")', "(x) x (x", ["x"]),
    ("ahead-alternation", '"dit" ahead("que" | ":")', "dit que dit : dit.", ["dit", "dit"]),
    # ---- alternation, macros, lexicons
    ("alternation", '"dit" | "déclare"', "il dit, elle déclare", ["dit", "déclare"]),
    ("alternation-longer-first-wins-order", '("a" | "a" "b") "c"', "a b c", ["a b c"]),
]


@pytest.mark.parametrize("pattern, text, expected", [pytest.param(p, t, e, id=i) for i, p, t, e in CASES])
def test_matches(pattern: str, text: str, expected: list[str]) -> None:
    assert matches(pattern, text) == expected


CAPTURE_CASES = [
    ("optional-capture-absent", 'd:"le"? n:"chat"', "un chat", [{"n": "chat"}]),
    ("optional-capture-present", 'd:"le"? n:"chat"', "le chat", [{"d": "le", "n": "chat"}]),
    ("optional-capture-middle-absent", '"a" x:"b"? "c"', "a c", [{}]),
    ("optional-capture-middle-present", '"a" x:"b"? "c"', "a b c", [{"x": "b"}]),
    ("optional-capture-last-absent", 'n:"chat" x:"noir"?', "chat blanc", [{"n": "chat"}]),
    ("lazy-optional-capture-first", 'd:"le"?? n:"chat"', "le chat", [{"d": "le", "n": "chat"}]),
    ("capture-trimmed", r'x:("a" "b"?) "c"', "a  c", [{"x": "a"}]),
    ("capture-in-alternatives", 'x:"a" "1" | x:"b" "2"', "a 1 b 2", [{"x": "a"}, {"x": "b"}]),
    ("capture-of-repetition", r'x:/\w+/{2} "!"', "un deux trois !", [{"x": "deux trois"}]),
    ("capture-regex-whitespace-trimmed", r'"«" x:/[^»]+/ "»"', "«  oui  »", [{"x": "oui"}]),
    ("capture-in-macro", "PAIR", "a b", [{"left": "a", "right": "b"}]),
    ("glued-capture", r'h:/\d+/ ~ "h" ~ m:/\d\d/', "14h30", [{"h": "14", "m": "30"}]),
]


@pytest.mark.parametrize("pattern, text, expected", [pytest.param(p, t, e, id=i) for i, p, t, e in CAPTURE_CASES])
def test_captures(pattern: str, text: str, expected: list[dict[str, str]]) -> None:
    assert captures(pattern, text, 'macro PAIR = left:"a" right:"b"') == expected


LEXICON_CASES = [
    ("plain", '{"dit", "a dit"}', "", "il a dit, dit-il, édit", ["a dit", "dit"]),
    ("case-first-default", '{"dit"}', "", "dit Dit DIT", ["dit", "Dit"]),
    ("case-exact", '{"dit"}', "[case=exact]", "dit Dit DIT", ["dit"]),
    ("case-any", '{"dit"}', "[case=any]", "dit Dit DIT", ["dit", "Dit", "DIT"]),
    ("accents-exact", '{"été"}', "", "été ete", ["été"]),
    ("accents-insensitive", '{"été"}', "[accents=insensitive]", "été ete étè eté", ["été", "ete", "étè", "eté"]),
    ("entry-boundaries", '{"M.", "Mme"}', "", "M. X, Mme Y, AM. Z, Mmes", ["M.", "Mme"]),
    ("longest-entry", '{"a", "a dit", "a dit que"}', "", "a dit que", ["a dit que"]),
    ("curly-apostrophe-entry", '{"l’homme"}', "", "l'homme et l’homme", ["l'homme", "l’homme"]),
    ("inner-space", '{"a dit"}', "", "a\n dit", ["a\n dit"]),
]


@pytest.mark.parametrize("entries, options, text, expected", [pytest.param(e, o, t, x, id=i) for i, e, o, t, x in LEXICON_CASES])
def test_lexicons(entries: str, options: str, text: str, expected: list[str]) -> None:
    assert matches("@L", text, f"lexicon L {options} = {entries}") == expected


def test_lexicon_entries_keep_their_word_edges_when_glued() -> None:
    """Documented (docs/language.md 7.5): only literals lose their word edge on a glued side."""
    assert matches('@L ~ "s"', "chats chat", 'lexicon L = {"chat"}') == []
    assert matches('@L ~ "-" ~ "il"', "dit-il", 'lexicon L = {"dit"}') == ["dit-il"]
    assert matches('"re" ~ @L', "redit", 'lexicon L = {"dit"}') == []


# ------------------------------------------------------------------ regex level


def compile_pattern(source: str) -> str:
    pattern = parse(f"macro MM = {source}").macros[0].pattern
    sink = ErrorSink()
    out = PatternCompiler({}, {}, sink).compile(pattern)
    assert not sink.errors
    return out


@pytest.mark.parametrize(
    "source",
    ['"a" "b"', '"a" ~ "b"', 'x:"a"? y:"b"*? z:"c"{2,}', 'ahead("a") behind("b") not ahead("c") not behind("d")',
     r'"«" /[^»]+/ "»"', '("a" | "b" "c")+?', '"(" "[" "*" "+" "?" "\\\\" "|" "^" "$" "."'],
)
def test_compiled_sources_are_valid_regexes(source: str) -> None:
    regex.compile(compile_pattern(source))


def test_gap_regex() -> None:
    gap = regex.compile(GAP)
    assert gap.match("  x").end() == 2
    assert gap.match("a:", 1).end() == 1  # word then punctuation: empty gap
    assert gap.match("ab", 1) is None  # two word characters never touch


def test_capture_names_are_prefixed() -> None:
    compiled = regex.compile(compile_pattern('who:"a" what:"b"'))
    assert set(compiled.groupindex) == {"c_who", "c_what"}


def test_literal_special_characters_are_escaped() -> None:
    compiled = regex.compile(compile_pattern('"a.b*(c)"'))
    assert compiled.fullmatch("a.b*(c)")
    assert not compiled.fullmatch("axbb(c)")


def test_lookaround_is_zero_width_in_regex() -> None:
    compiled = regex.compile(compile_pattern('"a" ahead("b")'))
    m = compiled.search("a b")
    assert m is not None and m.span() == (0, 1)


# ------------------------------------------------------------------ segments of rules with span references


def segments_of(pattern: str) -> list[Segment]:
    rule_file = parse(f"phase p {{ rule r match {pattern} mark X }}")
    sink = ErrorSink()
    segs = PatternCompiler({}, {}, sink).rule_segments(rule_file.phases[0].rules[0].pattern)
    assert not sink.errors
    return segs


@pytest.mark.parametrize(
    "pattern, layout",
    [
        ("<A>", [("ref", "A", None, False)]),
        ('s:<A> "b"', [("ref", "A", "s", False), ("regex", "", None, False)]),
        ('"a" <A>', [("regex", "", None, False), ("ref", "A", None, False)]),
        ('"a" ~ <A> ~ "b"', [("regex", "", None, False), ("ref", "A", None, True), ("regex", "", None, True)]),
        ('"a" x:<A> "b" "c" <B> <C>', [("regex", "", None, False), ("ref", "A", "x", False), ("regex", "", None, False),
                                        ("ref", "B", None, False), ("ref", "C", None, False)]),
    ],
)
def test_rule_segments(pattern: str, layout: list[tuple]) -> None:
    segs = segments_of(pattern)
    assert [(s.kind, s.label, s.capture, s.glued) for s in segs] == layout
    for s in segs:
        if s.kind == "regex":
            regex.compile(s.source)
        assert Segment.from_json(s.as_json()) == s


def test_glued_literal_next_to_a_span_reference_drops_its_boundary() -> None:
    segs = segments_of('<A> ~ "h" "x"')
    assert regex.compile(segs[1].source).match("h x")
    assert regex.compile(segs[1].source).match("hx") is None


def test_macro_expansion_matches_like_inline() -> None:
    header = 'macro TITLE = "M." | "Mme"'
    assert matches("TITLE /\\p{Lu}\\w+/", "M. Dupont et Mme Durand", header) == ["M. Dupont", "Mme Durand"]
    assert matches("TITLE{2}", "M. Mme M.", header) == ["M. Mme"]
    assert isinstance(parse(header).macros[0].pattern, ast.Alternation)


# ------------------------------------------------------------------ random patterns

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ruleie.dsl.errors import RuleErrors  # noqa: E402

_ATOMS = st.sampled_from(['"a"', '"b c"', '"."', '"«"', '"»"', "/\\w+/", "/[^»]+/", "/\\s/", '"l\'"', "@L", "PAIR"])
_QUANTS = st.sampled_from(["", "", "", "?", "*", "+", "{2}", "{1,2}", "??", "+?"])


def _item(depth: int) -> st.SearchStrategy[str]:
    base = st.tuples(_ATOMS, _QUANTS).map("".join)
    if depth == 0:
        return base
    group = st.lists(_item(depth - 1), min_size=1, max_size=3).map(lambda xs: "(" + " ".join(xs) + ")")
    alt = st.lists(_item(depth - 1), min_size=2, max_size=3).map(lambda xs: "(" + " | ".join(xs) + ")")
    look = st.tuples(st.sampled_from(["ahead", "behind", "not ahead", "not behind"]), _item(depth - 1)).map(lambda t: f"{t[0]}({t[1]})")
    return st.one_of(base, base, group, alt, look)


_PATTERNS = st.lists(
    st.tuples(st.sampled_from(["", "", "x:", "y:"]), _item(2), st.sampled_from([" ", " ", " ~ "])), min_size=1, max_size=4
).map(lambda items: "".join(cap + it + sep for cap, it, sep in items).rstrip(" ~"))
_TEXTS = st.lists(st.sampled_from(["a", "b", "c", " ", "  ", "\n", ".", "«", "»", "l’", "\u00a0", "é", "x"]), max_size=25).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PATTERNS, st.lists(_TEXTS, min_size=1, max_size=3))
def test_random_patterns_give_trimmed_exact_spans(pattern: str, texts: list[str]) -> None:
    header = 'lexicon L = {"a", "b"}\nmacro PAIR = left:"a" right:"b"'
    try:
        rs = ruleset(pattern, header)
    except RuleErrors as errors:
        assert {e.code for e in errors.errors} <= {"E305", "E103", "E201", "E310"}, str(errors)  # E310: a repeat that runs away
        return
    for text in texts:
        for rec in rs.extract(text):
            span = rec.span
            assert text[span.start : span.end] == span.text
            assert span.text and span.text == span.text.strip()
            for cap in rec.captures.values():
                assert text[cap.start : cap.end] == cap.text
                assert cap.text == cap.text.strip()
