"""The Pygments lexer for rule files, its registration, and where a rule's source ends."""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Operator, String

from ruleie.pygments_lexer import RulesLexer, rule_extent

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "tests" / "io" / "data" / "news.rules"

SAMPLE = r'''# un commentaire "pas une chaîne"
include "lib/names.rules"
lexicon SAY [verbs, accents=insensitive] = { "dire", "déclarer\u00a0", "l\"x" }
macro PERSON = ("le" | "la")? @TITLE? CAPWORD{1,3}

phase speech [overlap=longest] {
  rule quote_then_speaker [priority=2]
    """« … », a déclaré X."""
    match "«" ~ content:/[^«»\/]+/ ~ "»" "," cue:@SAY[compound] speaker:<Person> not ahead(/x/)
    emit Quote(content=content, speaker=speaker, cue=cue, cue_lemma=lemma(cue), kind="direct")
  rule other match x:/a#b/ mark Person
}

test "a quote"
  date "2024-03-15"
  text "« Oui », a déclaré la maire Claire Ronsard."
  expect Quote(content="Oui", speaker=null)
  expect no Accusation
'''


def tokens(source: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in RulesLexer().get_tokens(source) if v.strip()]


def kinds(source: str, value: str) -> set:
    return {t for t, v in tokens(source) if v == value}


def test_no_error_tokens_in_real_rule_files() -> None:
    sources = [SAMPLE, RULES.read_text(encoding="utf-8")]
    sources += [p.read_text(encoding="utf-8") for p in sorted((REPO / "rules").rglob("*.rules"))]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    sources += re.findall(r"```rules\n(.*?)```", readme, re.S)
    for source in sources:
        lexed = list(RulesLexer(stripnl=False).get_tokens(source))
        assert not [v for t, v in lexed if t in Error]
        assert "".join(v for _, v in lexed) == source + ("" if source.endswith("\n") else "\n")  # nothing lost


@pytest.mark.parametrize(
    "value, kind",
    [
        ('# un commentaire "pas une chaîne"', Comment.Single),
        ("include", Keyword),
        ("lexicon", Keyword),
        ("SAY", Name.Constant),
        ("verbs", Name),
        ("accents", Name.Attribute),
        ("\\u00a0", String.Escape),
        ('\\"', String.Escape),
        ("PERSON", Name.Constant),
        ("@TITLE", Name.Variable),
        ("CAPWORD", Name.Constant),
        ("{1,3}", Operator),
        ("?", Operator),
        ("speech", Name.Namespace),
        ("quote_then_speaker", Name.Function),
        ("« … », a déclaré X.", String.Doc),
        ("/[^«»\\/]+/", String.Regex),
        ("/a#b/", String.Regex),
        ("content", Name.Label),
        ("~", Operator),
        ("@SAY", Name.Variable),
        ("compound", Name.Attribute),
        ("<Person>", Name.Tag),
        ("not ahead", Keyword.Pseudo),
        ("Quote", Name.Class),
        ("lemma", Name.Builtin),
        ("kind", Name.Attribute),
        ("expect", Keyword),
        ("no", Keyword),
        ("Accusation", Name.Class),
        ("null", Keyword.Constant),
        ("date", Keyword.Pseudo),
        ("text", Keyword.Pseudo),
    ],
)
def test_token_kinds(value: str, kind: object) -> None:
    assert kind in kinds(SAMPLE, value), (value, kinds(SAMPLE, value))


def test_mark_label_and_capture_named_like_a_keyword() -> None:
    assert (Name.Class, "Person") in tokens('rule r match x:"a" mark Person')
    assert (Name.Label, "text") in tokens('rule r match text:"a" emit Mention(label=text(text))')
    assert (Name.Builtin, "text") in tokens('emit Mention(label=text(x))')


def test_registered_with_pygments() -> None:
    if not any(ep.name == "ruleie" for ep in entry_points(group="pygments.lexers")):
        pytest.skip("ruleie is not installed (pip install -e .): no pygments.lexers entry point")
    assert isinstance(get_lexer_by_name("ruleie"), RulesLexer)
    assert isinstance(get_lexer_by_name("rules"), RulesLexer)
    assert isinstance(get_lexer_for_filename("quotes.rules"), RulesLexer)


def test_highlights_to_html() -> None:
    out = highlight(SAMPLE, RulesLexer(), HtmlFormatter())
    assert '<span class="nt">&lt;Person&gt;</span>' in out and '<span class="sr">' in out


def test_rule_extent() -> None:
    lines = SAMPLE.splitlines()
    start = next(i for i, line in enumerate(lines, 1) if "rule quote_then_speaker" in line)
    assert rule_extent(SAMPLE, start) == (start, start + 3)  # doc string, match, emit; not the next rule
    other = start + 4
    assert rule_extent(SAMPLE, other) == (other, other)  # one line, before the phase's closing brace
    assert rule_extent(SAMPLE, 1) == (1, 1)  # no rule on that line
    assert rule_extent(SAMPLE, 999) == (999, 999)
    one_line = 'phase p { rule a match "x" emit Mention(label="y") }\nphase q { rule b match "z" mark Z }\n'
    assert rule_extent(one_line, 1) == (1, 1) and rule_extent(one_line, 2) == (2, 2)
    trailing = 'phase p {\n  rule a\n    match "x"\n    mark A\n\n  # next\n}\n'
    assert rule_extent(trailing, 2) == (2, 4)  # blank lines and comments after a rule are not part of it
