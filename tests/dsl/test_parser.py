"""Every construct of the rule language parses into the right `ruleie.dsl.ast` node."""

from __future__ import annotations

import pytest

from ruleie.dsl import ast
from ruleie.dsl.errors import RuleErrors
from ruleie.dsl.parser import parse


def shape(node: ast.Pattern) -> tuple:
    """A pattern node as nested tuples, without source locations."""
    if isinstance(node, ast.Literal):
        return ("lit", node.text)
    if isinstance(node, ast.RegexAtom):
        return ("re", node.source, node.flags)
    if isinstance(node, ast.LexiconRef):
        return ("lex", node.name, node.tags)
    if isinstance(node, ast.MacroRef):
        return ("macro", node.name)
    if isinstance(node, ast.SpanRef):
        return ("span", node.label)
    if isinstance(node, ast.Repeat):
        return ("rep", shape(node.item), node.min, node.max, node.lazy)
    if isinstance(node, ast.Capture):
        return ("cap", node.name, shape(node.item))
    if isinstance(node, ast.Look):
        return ("look", "ahead" if node.ahead else "behind", "not" if node.negated else "", shape(node.item))
    if isinstance(node, ast.Sequence):
        return ("seq", tuple(shape(i) for i in node.items), node.joins)
    if isinstance(node, ast.Alternation):
        return ("alt", tuple(shape(o) for o in node.options))
    raise AssertionError(f"not a pattern node: {node!r}")


def pattern_of(source: str) -> ast.Pattern:
    """The pattern of `macro MM = <source>`."""
    rule_file = parse(f"macro MM = {source}\n")
    assert len(rule_file.macros) == 1
    return rule_file.macros[0].pattern


A, B, C = ("lit", "a"), ("lit", "b"), ("lit", "c")

PATTERNS = [
    # literals and escapes
    ("literal", '"a"', A),
    ("literal-with-space", '"a dit"', ("lit", "a dit")),
    ("literal-accents", '"déclaré"', ("lit", "déclaré")),
    ("literal-escapes", r'"\"q\" \\ \/ x\ty\n"', ("lit", '"q" \\ / x\ty\n')),
    ("literal-unicode-escapes", r'"\u00e9\U0001F600"', ("lit", "é😀")),
    ("literal-empty", '""', ("lit", "")),
    ("literal-apostrophe", "\"l'homme\"", ("lit", "l'homme")),
    # regexes
    ("regex", r"/a+b/", ("re", "a+b", "")),
    ("regex-escaped-slash", r"/a\/b/", ("re", "a/b", "")),
    ("regex-flag", r"/abc/i", ("re", "abc", "i")),
    ("regex-all-flags", r"/a.c/imsx", ("re", "a.c", "imsx")),
    ("regex-class-with-escapes", r"/[«\"]\s*\p{Lu}/", ("re", r"[«\"]\s*\p{Lu}", "")),
    # names
    ("lexicon-ref", "@NAMES", ("lex", "NAMES", ())),
    ("lexicon-ref-filter", "@VERBS[past]", ("lex", "VERBS", ("past",))),
    ("lexicon-ref-filters", "@VERBS[compound, finite,inverted]", ("lex", "VERBS", ("compound", "finite", "inverted"))),
    ("macro-ref", "PERSON_2", ("macro", "PERSON_2")),
    ("span-ref", "<Speaker>", ("span", "Speaker")),
    ("span-ref-camel", "<QuoteStart2>", ("span", "QuoteStart2")),
    # grouping and alternation
    ("group", '("a")', A),
    ("nested-groups", '((("a")))', A),
    ("alternation", '"a" | "b" | "c"', ("alt", (A, B, C))),
    ("sequence-binds-tighter", '"a" "b" | "c"', ("alt", (("seq", (A, B), (True,)), C))),
    ("group-in-sequence", '("a" | "b") "c"', ("seq", (("alt", (A, B)), C), (True,))),
    ("alternation-of-groups", '("a" "b") | ("c")', ("alt", (("seq", (A, B), (True,)), C))),
    # quantifiers
    ("optional", '"a"?', ("rep", A, 0, 1, False)),
    ("star", '"a"*', ("rep", A, 0, None, False)),
    ("plus", '"a"+', ("rep", A, 1, None, False)),
    ("exact", '"a"{3}', ("rep", A, 3, 3, False)),
    ("range", '"a"{2,5}', ("rep", A, 2, 5, False)),
    ("at-least", '"a"{2,}', ("rep", A, 2, None, False)),
    ("zero-to-one", '"a"{0,1}', ("rep", A, 0, 1, False)),
    ("lazy-optional", '"a"??', ("rep", A, 0, 1, True)),
    ("lazy-star", '"a"*?', ("rep", A, 0, None, True)),
    ("lazy-plus", '"a"+?', ("rep", A, 1, None, True)),
    ("lazy-range", '"a"{2,5}?', ("rep", A, 2, 5, True)),
    ("lazy-at-least", '"a"{2,}?', ("rep", A, 2, None, True)),
    ("quantified-group", '("a" "b")+', ("rep", ("seq", (A, B), (True,)), 1, None, False)),
    ("quantified-regex", r"/\w+/{1,3}", ("rep", ("re", r"\w+", ""), 1, 3, False)),
    ("quantified-lexicon", "@L[x]?", ("rep", ("lex", "L", ("x",)), 0, 1, False)),
    ("quantified-macro", "WORD{2}", ("rep", ("macro", "WORD"), 2, 2, False)),
    ("quantifier-after-space", '"a" +', ("rep", A, 1, None, False)),
    # captures
    ("capture", 'x:"a"', ("cap", "x", A)),
    ("capture-quantified", 'who:"a"+', ("cap", "who", ("rep", A, 1, None, False))),
    ("capture-group", 'q:("a" "b")', ("cap", "q", ("seq", (A, B), (True,)))),
    ("capture-span-ref", "s:<Speaker>", ("cap", "s", ("span", "Speaker"))),
    ("capture-spaced", 'x : "a"', ("cap", "x", A)),
    ("capture-in-alternation", 'x:"a" | x:"b"', ("alt", (("cap", "x", A), ("cap", "x", B)))),
    # sequences and glue
    ("sequence", '"a" "b" "c"', ("seq", (A, B, C), (True, True))),
    ("glue", '"a" ~ "b"', ("seq", (A, B), (False,))),
    ("glue-tight", '"a"~"b"~"c"', ("seq", (A, B, C), (False, False))),
    ("glue-mixed", '"a" ~ "b" "c"', ("seq", (A, B, C), (False, True))),
    ("glue-after-quantifier", '"a"+ ~ "b"', ("seq", (("rep", A, 1, None, False), B), (False,))),
    ("glue-capture", 'h:/\\d+/ ~ "h"', ("seq", (("cap", "h", ("re", r"\d+", "")), ("lit", "h")), (False,))),
    # lookarounds
    ("ahead", 'ahead("a")', ("look", "ahead", "", A)),
    ("behind", 'behind("a")', ("look", "behind", "", A)),
    ("not-ahead", 'not ahead("a")', ("look", "ahead", "not", A)),
    ("not-behind", 'not behind("a")', ("look", "behind", "not", A)),
    ("look-spaces", 'not   ahead  ( "a" )', ("look", "ahead", "not", A)),
    ("look-with-alternation", 'ahead("a" | "b")', ("look", "ahead", "", ("alt", (A, B)))),
    ("look-in-sequence", 'behind("a") "b" not ahead("c")', ("seq", (("look", "behind", "", A), B, ("look", "ahead", "not", C)), (True, True))),
    # comments
    ("comment-inside", '"a" # first\n  "b" # second', ("seq", (A, B), (True,))),
    ("hash-in-string-is-text", '"#a"', ("lit", "#a")),
    ("hash-in-regex-is-text", r"/#\d/", ("re", r"#\d", "")),
]


@pytest.mark.parametrize("source, expected", [pytest.param(s, e, id=i) for i, s, e in PATTERNS])
def test_pattern(source: str, expected: tuple) -> None:
    assert shape(pattern_of(source)) == expected


def test_names_that_look_like_keywords() -> None:
    """`not`, `ahead` and friends are only keywords before `(`; as captures they are names."""
    assert shape(pattern_of('ahead:"a" behind:"b"')) == ("seq", (("cap", "ahead", A), ("cap", "behind", B)), (True,))


def test_pattern_locations() -> None:
    rule_file = parse('phase p {\n  rule r match who:PERSON "a"+ @L /x/\n    mark Speaker\n}\n', "f.rules")
    rule = rule_file.phases[0].rules[0]
    seq = rule.pattern
    assert isinstance(seq, ast.Sequence)
    cap, rep, lex, rx = seq.items
    assert (cap.loc.file, cap.loc.line, cap.loc.col) == ("f.rules", 2, 16)
    assert (cap.item.loc.line, cap.item.loc.col) == (2, 20)
    assert (rep.item.loc.line, rep.item.loc.col) == (2, 27)
    assert (rep.loc.line, rep.loc.col) == (2, 30)  # a repetition points at its quantifier
    assert (lex.loc.line, lex.loc.col) == (2, 32)
    assert (rx.loc.line, rx.loc.col) == (2, 35)
    assert (rule.loc.line, rule.loc.col) == (2, 8)
    assert (rule.actions[0].loc.line, rule.actions[0].loc.col) == (3, 10)


# ------------------------------------------------------------------ declarations

OPTIONS = [
    ("name-value", "[overlap=all]", (("overlap", "all"),)),
    ("int-value", "[priority=3]", (("priority", 3),)),
    ("negative-int-value", "[priority=-2]", (("priority", -2),)),
    ("string-value", '[note="a b"]', (("note", "a b"),)),
    ("bare", "[verbs]", (("verbs", None),)),
    ("several", '[case=any, accents=insensitive,verbs, n=10, s="x"]',
     (("case", "any"), ("accents", "insensitive"), ("verbs", None), ("n", 10), ("s", "x"))),
]


@pytest.mark.parametrize("text, expected", [pytest.param(t, e, id=i) for i, t, e in OPTIONS])
@pytest.mark.parametrize("where", ["phase", "rule", "lexicon"])
def test_options(where: str, text: str, expected: tuple) -> None:
    if where == "phase":
        node = parse(f'phase p {text} {{ rule r match "a" mark A }}').phases[0]
    elif where == "rule":
        node = parse(f'phase p {{ rule r {text} match "a" mark A }}').phases[0].rules[0]
    else:
        node = parse(f'lexicon L {text} = {{"a"}}').lexicons[0]
    assert tuple((o.name, o.value) for o in node.options) == expected
    assert all(o.loc.line == 1 for o in node.options)


def test_no_options() -> None:
    rule_file = parse('lexicon L = {"a"}\nphase p { rule r match "a" mark A }')
    assert rule_file.lexicons[0].options == ()
    assert rule_file.phases[0].options == ()
    assert rule_file.phases[0].rules[0].options == ()


DOCS = [
    ("none", 'rule r match "a" mark A', None),
    ("plain", 'rule r "Finds an a." match "a" mark A', "Finds an a."),
    ("plain-whitespace-collapsed", 'rule r "  Finds   an a. " match "a" mark A', "Finds an a."),
    ("triple-quoted", 'rule r """Finds\n      an "a",\n   twice.""" match "a" mark A', 'Finds an "a", twice.'),
    ("triple-quoted-with-options", 'rule r [priority=1] """One\nline.""" match "a" mark A', "One line."),
    ("escape-in-doc", r'rule r "tab\there" match "a" mark A', "tab here"),
]


@pytest.mark.parametrize("rule_text, doc", [pytest.param(t, d, id=i) for i, t, d in DOCS])
def test_rule_docstrings(rule_text: str, doc: str | None) -> None:
    rule = parse(f"phase p {{\n  {rule_text}\n}}").phases[0].rules[0]
    assert rule.doc == doc
    assert rule.name == "r"
    assert shape(rule.pattern) == A


def _field(kind: str, value: str, argument: str | None = None) -> tuple:
    return (kind, value, argument)


ACTIONS = [
    ("mark", "mark Speaker", [("mark", "Speaker", ())]),
    ("emit-empty", "emit Mention()", [("emit", "Mention", ())]),
    ("emit-const", 'emit Mention(label="x")', [("emit", "Mention", (("label", _field("const", "x")),))]),
    ("emit-capture", "emit Quote(content=q)", [("emit", "Quote", (("content", _field("capture", "q")),))]),
    ("emit-call", "emit Quote(cue_lemma=lower(c))", [("emit", "Quote", (("cue_lemma", _field("call", "lower", "c")),))]),
    ("emit-mixed-trailing-comma", 'emit Quote(content=q, kind="direct", cue_lemma=lemma(c),)', [
        ("emit", "Quote", (("content", _field("capture", "q")), ("kind", _field("const", "direct")),
                           ("cue_lemma", _field("call", "lemma", "c"))))]),
    ("emit-const-escapes", r'emit Mention(label="a\"b")', [("emit", "Mention", (("label", _field("const", 'a"b')),))]),
    ("several-actions", 'mark Speaker emit Mention(label="s") mark Other', [
        ("mark", "Speaker", ()), ("emit", "Mention", (("label", _field("const", "s")),)), ("mark", "Other", ())]),
    ("multi-line-emit", 'emit Quote(\n    content=q,\n    kind="direct"\n  )', [
        ("emit", "Quote", (("content", _field("capture", "q")), ("kind", _field("const", "direct"))))]),
]


@pytest.mark.parametrize("actions_text, expected", [pytest.param(t, e, id=i) for i, t, e in ACTIONS])
def test_actions(actions_text: str, expected: list) -> None:
    rule = parse(f'phase p {{ rule r match q:"a" {actions_text} }}').phases[0].rules[0]
    got = [
        (a.kind, a.label, tuple((name, (v.kind, v.value, v.argument)) for name, v in a.fields))
        for a in rule.actions
    ]
    assert got == expected


def test_field_value_locations() -> None:
    rule = parse('phase p { rule r match q:"a" emit Quote(content=q, kind="direct", cue_lemma=lower(q)) }').phases[0].rules[0]
    (_, content), (_, kind), (_, cue) = rule.actions[0].fields
    assert (content.loc.line, content.loc.col) == (1, 49)
    assert (kind.loc.line, kind.loc.col) == (1, 57)
    assert (cue.loc.line, cue.loc.col) == (1, 77)


def test_phase_with_several_rules_and_empty_phase() -> None:
    rule_file = parse('phase p {\n  rule a match "a" mark A\n  rule b match "b" mark B\n}\nphase q { }\nphase p { rule c match "c" mark C }\n')
    assert [(p.name, [r.name for r in p.rules]) for p in rule_file.phases] == [("p", ["a", "b"]), ("q", []), ("p", ["c"])]


LEXICONS = [
    ("inline", 'lexicon L = {"a", "b c"}', ("a", "b c"), None),
    ("inline-trailing-comma", 'lexicon L = {"a",}', ("a",), None),
    ("inline-empty", "lexicon L = {}", (), None),
    ("inline-multiline-with-comments", 'lexicon L = {\n  "a", # first\n  "b"  # second\n}', ("a", "b"), None),
    ("inline-escapes", r'lexicon L = {"l\u2019homme", "a\"b"}', ("l’homme", 'a"b'), None),
    ("file", 'lexicon L = file "lexicons/names.txt"', (), "lexicons/names.txt"),
    ("file-with-options", 'lexicon L [case=exact] = file "n.txt"', (), "n.txt"),
]


@pytest.mark.parametrize("text, entries, file", [pytest.param(t, e, f, id=i) for i, t, e, f in LEXICONS])
def test_lexicons(text: str, entries: tuple, file: str | None) -> None:
    lex = parse(text).lexicons[0]
    assert lex.name == "L"
    assert tuple(e for e, _ in lex.entries) == entries
    assert lex.file == file


def test_lexicon_entry_locations() -> None:
    lex = parse('lexicon L = {\n  "a",\n    "b"\n}').lexicons[0]
    assert [(loc.line, loc.col) for _, loc in lex.entries] == [(2, 3), (3, 5)]


def test_include() -> None:
    rule_file = parse('# header\ninclude "common.rules"\ninclude "sub/dates.rules"  # trailing\n')
    assert [(i.path, i.loc.line, i.loc.col) for i in rule_file.includes] == [("common.rules", 2, 1), ("sub/dates.rules", 3, 1)]


# ------------------------------------------------------------------ tests blocks

TESTS = [
    ("text-only", 'test "t" text "a"', "a", None, []),
    ("date", 'test "t" text "a" date "2024-03-15"', "a", "2024-03-15", []),
    ("date-first", 'test "t" date "2024-03-15T10:30" text "a"', "a", "2024-03-15T10:30", []),
    ("triple-quoted-text-kept-verbatim", 'test "t" text """Line one,\n  line "two"."""', 'Line one,\n  line "two".', None, []),
    ("expect-fields", 'test "t" text "a" expect Quote(content="x", speaker="Marie")', "a", None,
     [("Quote", (("content", "x"), ("speaker", "Marie")), False)]),
    ("expect-null", 'test "t" text "a" expect Quote(speaker=null, cue=null,)', "a", None,
     [("Quote", (("speaker", None), ("cue", None)), False)]),
    ("expect-bare", 'test "t" text "a" expect Mention', "a", None, [("Mention", (), False)]),
    ("expect-empty-parens", 'test "t" text "a" expect Mention()', "a", None, [("Mention", (), False)]),
    ("expect-no", 'test "t" text "a" expect no Quote', "a", None, [("Quote", (), True)]),
    ("expect-span-label", 'test "t" text "a" expect Speaker(span="Marie")', "a", None, [("Speaker", (("span", "Marie"),), False)]),
    ("expect-string-null-is-text", 'test "t" text "a" expect Mention(label="null")', "a", None, [("Mention", (("label", "null"),), False)]),
    ("several", 'test "t"\n  text "a"\n  expect Quote(kind="direct")\n  expect no Accusation\n  expect Mention', "a", None,
     [("Quote", (("kind", "direct"),), False), ("Accusation", (), True), ("Mention", (), False)]),
    ("no-text", 'test "t" expect no Quote', None, None, [("Quote", (), True)]),
]


@pytest.mark.parametrize("text, body, date, expectations", [pytest.param(t, b, d, e, id=i) for i, t, b, d, e in TESTS])
def test_test_blocks(text: str, body: str | None, date: str | None, expectations: list) -> None:
    block = parse(text).tests[0]
    assert block.name == "t"
    assert block.text == body
    assert block.doc_date == date
    assert [(e.label, e.fields, e.absent) for e in block.expectations] == expectations


def test_test_block_name_escapes_and_location() -> None:
    rule_file = parse('\n\n  test "l\u2019a \\"b\\"" text "x"')
    block = rule_file.tests[0]
    assert block.name == 'l’a "b"'
    assert (block.loc.line, block.loc.col) == (3, 3)


# ------------------------------------------------------------------ whole files


def test_empty_and_comment_only_files() -> None:
    for source in ("", "\n\n", "# nothing\n  # at all", "\t\n"):
        rule_file = parse(source)
        assert rule_file.order == []


def test_file_order_and_categories() -> None:
    source = '''# comment at the top
include "a.rules" # comment after
lexicon L = {"x"}
macro MM = @L
phase one { rule r match MM mark Thing }  # comment
test "t" text "x" expect Thing
phase two { rule s match <Thing> "y" emit Mention(label="m") }
'''
    rule_file = parse(source, "path/file.rules")
    kinds = [type(item).__name__ for item in rule_file.order]
    assert kinds == ["Include", "Lexicon", "Macro", "Phase", "TestBlock", "Phase"]
    assert rule_file.path == "path/file.rules"
    assert rule_file.source == source
    assert [i.path for i in rule_file.includes] == ["a.rules"]
    assert [m.name for m in rule_file.macros] == ["MM"]
    assert [p.name for p in rule_file.phases] == ["one", "two"]
    assert len(rule_file.tests) == 1 and len(rule_file.lexicons) == 1
    assert all(loc.file == "path/file.rules" for loc in (rule_file.macros[0].loc, rule_file.phases[1].rules[0].loc))


def test_crlf_line_endings() -> None:
    rule_file = parse('macro MM = "a"\r\n  "b"\r\nphase p { rule r match MM mark A }\r\n')
    assert shape(rule_file.macros[0].pattern) == ("seq", (A, B), (True,))
    assert rule_file.phases[0].rules[0].loc.line == 3


def test_syntax_error_raises_rule_errors() -> None:
    with pytest.raises(RuleErrors) as info:
        parse('phase p { rule r match "a" }', "x.rules")
    assert info.value.errors[0].code == "E001"
    assert str(info.value).startswith("x.rules:1:28: error E001:")
