"""Every error code of the catalogue that a rule file can trigger: code, position, rendering.

Each case is a malformed rule file and the code, 1-based line and column of the *first* error
reported (errors are sorted by file, line, column).  The rendering must read like a compiler's:
`file:line:col: error CODE: message`, the source line, then a caret under the column.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruleie.api import compile_rules
from ruleie.dsl.errors import CATALOGUE, RuleError, RuleErrors

EMIT = 'emit Mention(label="x")'


def _errors_of(path: Path) -> RuleErrors:
    with pytest.raises(RuleErrors) as info:
        compile_rules(path)
    return info.value


def compile_error(tmp_path: Path, source: str, name: str = "r.rules") -> RuleErrors:
    """Write `source` as a rule file and compile it; it must fail with RuleErrors."""
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return _errors_of(path)


def caret_line(col: int) -> str:
    return "    " + " " * (col - 1) + "^"


def assert_rendered(err: RuleError, rendered: str, source_line: str | None = None) -> None:
    """`rendered` shows `err` with its position, code, source line and a caret under it."""
    loc = err.loc
    assert f"{loc.file}:{loc.line}:{loc.col}: error {err.code}:" in rendered
    if source_line is not None:
        assert err.source_line == source_line
        lines = rendered.splitlines()
        i = lines.index(f"{loc.file}:{loc.line}:{loc.col}: error {err.code}: {err.message}" + (f" ({err.hint})" if err.hint else ""))
        assert lines[i + 1] == "    " + source_line.expandtabs(1)
        assert lines[i + 2].startswith(caret_line(loc.col))
        assert set(lines[i + 2].strip()) <= {"^", "~"}


# (id, source, code, line, col, hint fragment or None)
CASES = [
    # ---- E001 syntax errors
    ("E001-missing-match", 'phase p {\n  rule r "doc" ' + EMIT + "\n}\n", "E001", 2, 16, "expected 'match'"),
    ("E001-missing-match-no-doc", "phase p {\n  rule r " + EMIT + "\n}\n", "E001", 2, 10, "'match'"),
    ("E001-stray-paren", 'phase p {\n  rule r match "a" ) ' + EMIT + "\n}\n", "E001", 2, 20, "expected"),
    ("E001-stray-brace-top-level", 'phase p { rule r match "a" ' + EMIT + " } }\n", "E001", 1, 54, "'phase'"),
    ("E001-unclosed-brace", 'phase p {\n  rule r match "a" ' + EMIT + "\n", "E001", 2, 42, "'}'"),
    ("E001-unclosed-emit-paren", 'phase p {\n  rule r match "a" emit Mention(label="x"\n}\n', "E001", 3, 1, "')'"),
    ("E001-quantifier-first", 'phase p {\n  rule r match + "a" ' + EMIT + "\n}\n", "E001", 2, 16, "a string"),
    ("E001-double-quantifier", 'phase p { rule r match "a"*+ ' + EMIT + " }\n", "E001", 1, 28, None),
    ("E001-quantifier-after-colon", "phase p { rule r match x:+ " + EMIT + " }\n", "E001", 1, 26, None),
    ("E001-quantifier-on-nothing-in-group", 'phase p { rule r match "a" (? "b") ' + EMIT + " }\n", "E001", 1, 29, None),
    ("E001-glue-at-start", 'phase p { rule r match ~ "a" ' + EMIT + " }\n", "E001", 1, 24, None),
    ("E001-glue-twice", 'phase p { rule r match "a" ~ ~ "b" ' + EMIT + " }\n", "E001", 1, 30, None),
    ("E001-glue-alone", "phase p { rule r match ~ " + EMIT + " }\n", "E001", 1, 24, None),
    ("E001-empty-alternative", 'phase p { rule r match "a" | | "b" ' + EMIT + " }\n", "E001", 1, 30, None),
    ("E001-rule-name-capitalised", 'phase p { rule Said match "a" ' + EMIT + " }\n", "E001", 1, 16, "lowercase"),
    ("E001-lexicon-name-lowercase", 'lexicon names = {"a"}\n', "E001", 1, 9, "UPPER_CASE"),
    ("E001-no-action", 'phase p {\n  rule r match "a"\n}\n', "E001", 3, 1, "'emit'"),
    ("E001-expect-unquoted-value", 'phase p { rule r match "a" ' + EMIT + ' }\ntest "t" text "a" expect Mention(label=x)\n', "E001", 2, 40, None),
    ("E001-expect-no-without-label", 'phase p { rule r match "a" ' + EMIT + ' }\ntest "t" text "a" expect no\n', "E001", 2, 26, None),
    ("E001-test-without-items", 'phase p { rule r match "a" ' + EMIT + ' }\ntest "t"\n', "E001", 2, 6, "'text'"),
    ("E001-unknown-character", 'phase p { rule r match "a" $ ' + EMIT + " }\n", "E001", 1, 28, None),
    # ---- E002 unterminated string / regex
    ("E002-string-at-end-of-line", 'phase p {\n  rule r match "abc\n  ' + EMIT + "\n}\n", "E002", 2, 16, 'close it with "'),
    ("E002-string-at-eof", 'phase p { rule r match "abc', "E002", 1, 24, None),
    ("E002-regex", "phase p {\n  rule r match /ab(c\n  " + EMIT + "\n}\n", "E002", 2, 16, "one line"),
    ("E002-empty-regex", "phase p { rule r match // " + EMIT + " }\n", "E002", 1, 24, None),
    ("E002-lexicon-entry", 'lexicon L = {"a", "b}\n', "E002", 1, 19, None),
    # ---- E003 bad escapes: the caret points at the backslash
    ("E003-literal", 'phase p { rule r match "a\\qb" ' + EMIT + " }\n", "E003", 1, 26, "backslash"),
    ("E003-field-value", 'phase p { rule r match "a" emit Mention(label="\\u00e9\\x") }\n', "E003", 1, 54, None),
    ("E003-long-string-second-line", 'phase p { rule r """first\nsecond \\q""" match "a" ' + EMIT + " }\n", "E003", 2, 8, None),
    ("E003-test-text", 'phase p { rule r match "a" ' + EMIT + ' }\ntest "t" text "x\\y"\n', "E003", 2, 17, None),
    ("E003-surrogate", 'phase p { rule r match "a\\uD800" ' + EMIT + " }\n", "E003", 1, 26, "surrogates"),
    ("E003-past-unicode", 'phase p { rule r match "\\U00110000" ' + EMIT + " }\n", "E003", 1, 25, "10FFFF"),
    # ---- E004 nesting refused before parsing
    ("E004-parentheses", "phase p {\n  rule r match " + "(" * 40 + '"a"' + ")" * 40 + " " + EMIT + "\n}\n", "E004", 2, 48, None),
    ("E004-lookarounds", 'macro M = "b"\n' + "ahead(\n" * 33 + '"a"' + ")" * 33 + "\n", "E004", 34, 6, None),
    # ---- E1xx names
    ("E101-did-you-mean", 'lexicon NAMES = {"a"}\nphase p {\n  rule r match @NAMS ' + EMIT + "\n}\n", "E101", 3, 16, "did you mean 'NAMES'?"),
    ("E101-no-lexicons", "phase p { rule r match @NOPE " + EMIT + " }\n", "E101", 1, 24, None),
    ("E101-in-macro", 'lexicon NAMES = {"a"}\nmacro PERSON = @NAME\nphase p { rule r match PERSON ' + EMIT + " }\n", "E101", 2, 16, "did you mean 'NAMES'?"),
    ("E102-did-you-mean", 'macro PERSON = "a"\nphase p {\n  rule r match PERSN ' + EMIT + "\n}\n", "E102", 3, 16, "did you mean 'PERSON'?"),
    ("E102-in-group", 'macro SPEAKER = "a"\nphase p { rule r match ("b" | SPEKER) ' + EMIT + " }\n", "E102", 2, 31, "did you mean 'SPEAKER'?"),
    ("E103-capture-field", 'phase p {\n  rule r match x:"a" emit Mention(label="x", span=y)\n}\n', "E103", 2, 51, "captures here: x"),
    ("E103-did-you-mean", 'phase p { rule r match speaker:"a" emit Mention(label=text(speakr)) }\n', "E103", 1, 55, "did you mean 'speaker'?"),
    ("E103-no-captures", 'phase p { rule r match "a" emit Mention(label=lower(x)) }\n', "E103", 1, 47, "defines no capture"),
    ("E104-no-label-at-all", 'phase p {\n  rule r match <Speaker> "a" ' + EMIT + "\n}\n", "E104", 2, 16, None),
    ("E104-did-you-mean", 'phase a { rule m match "a" mark Speaker }\nphase p {\n  rule r match <Speakr> "a" ' + EMIT + "\n}\n", "E104", 3, 16, "did you mean 'Speaker'?"),
    ("E104-same-phase", 'phase p {\n  rule m match "a" mark Speaker\n  rule r match <Speaker> "b" ' + EMIT + "\n}\n", "E104", 3, 16, None),
    ("E104-later-phase", 'phase p { rule r match <Speaker> "b" ' + EMIT + ' }\nphase q { rule m match "a" mark Speaker }\n', "E104", 1, 24, None),
    ("E105-did-you-mean", 'phase p {\n  rule r match "a" emit Mentoin(label="x")\n}\n', "E105", 2, 25, "did you mean 'Mention'?"),
    ("E105-list-types", 'phase p { rule r match "a" emit Zzz(label="x") }\n', "E105", 1, 33, "record types: Quote"),
    ("E106-did-you-mean", 'phase p { rule r match x:"a" emit Mention(label="x", lable="y") }\n', "E106", 1, 60, "did you mean 'label'?"),
    ("E106-base-field", 'phase p { rule r match x:"a" emit Mention(label="x", rule="y") }\n', "E106", 1, 59, None),
    ("E106-mark-field", 'phase p { rule r match x:"a" mark P(label="x") }\n', "E106", 1, 43, "a mark has only span=<capture>"),
    ("E107-mark-span-text", 'phase p { rule r match x:"a" mark P(span="x") }\n', "E107", 1, 42, "write span=<capture name>"),
    ("E103-mark-span-capture", 'phase p { rule r match x:"a" mark P(span=y) }\n', "E103", 1, 42, None),
    ("E107-capture-for-text", 'phase p { rule r match x:"a" emit Mention(label=x) }\n', "E107", 1, 49, "write label=text(x)"),
    ("E107-text-for-span", 'phase p { rule r match x:"a" emit Quote(content="x", kind="direct") }\n', "E107", 1, 49, "bind it to a capture"),
    ("E107-function-for-span", 'phase p { rule r match x:"a" emit Quote(content=lower(x), kind="direct") }\n', "E107", 1, 49, "write content=x"),
    ("E107-text-for-record-span", 'phase p { rule r match x:"a" emit Mention(label="x", span="a") }\n', "E107", 1, 59, None),
    ("E108-did-you-mean", 'phase p { rule r match x:"a" emit Mention(label=lowr(x)) }\n', "E108", 1, 49, "did you mean 'lower'?"),
    ("E108-list-functions", 'phase p { rule r match x:"a" emit Mention(label=shout(x)) }\n', "E108", 1, 49, "functions: lemma, tense, text, lower"),
    ("E109-quote-content", 'phase p {\n  rule r match x:"a" emit Quote(kind="direct")\n}\n', "E109", 2, 27, "add content=..."),
    ("E109-mention-label", 'phase p { rule r match x:"a" emit Mention(span=x) }\n', "E109", 1, 35, "add label=..."),
    ("E110-quote-kind", 'phase p { rule r match x:"a" emit Quote(content=x, kind="directt") }\n', "E110", 1, 57, "one of: direct, indirect, partial"),
    ("E110-accusation-voice", 'phase p { rule r match x:"a" emit Accusation(cue=x, voice="middle") }\n', "E110", 1, 59, "one of: active, passive, nominal"),
    ("E111-plain-lexicon", 'lexicon L = {"a"}\nphase p {\n  rule r match @L[past] ' + EMIT + "\n}\n", "E111", 3, 16, "only verb lexicons have tags"),
    # ---- E2xx declarations
    ("E201-rule", 'phase p {\n  rule r match "a" ' + EMIT + '\n  rule r match "b" ' + EMIT + "\n}\n", "E201", 3, 8, None),
    ("E201-rule-across-phases", 'phase p { rule r match "a" ' + EMIT + ' }\nphase q { rule r match "b" ' + EMIT + " }\n", "E201", 2, 16, None),
    ("E201-macro", 'macro M1 = "a"\nmacro M1 = "b"\nphase p { rule r match M1 ' + EMIT + " }\n", "E201", 2, 7, None),
    ("E201-lexicon", 'lexicon L = {"a"}\nlexicon L = {"b"}\nphase p { rule r match @L ' + EMIT + " }\n", "E201", 2, 9, None),
    ("E202-two-macros", 'macro AA = "x" BB\nmacro BB = "y" AA\nphase p { rule r match AA ' + EMIT + " }\n", "E202", 1, 7, None),
    ("E202-self", 'macro AA = "x" AA?\nphase p { rule r match AA ' + EMIT + " }\n", "E202", 1, 7, None),
    ("E202-three-macros-unused", 'macro AA = BB\nmacro BB = CC\nmacro CC = "c" AA\nphase p { rule r match "z" ' + EMIT + " }\n", "E202", 1, 7, None),
    ("E204-parent-include", 'include "../outside.rules"\nphase p { rule r match "a" ' + EMIT + " }\n", "E204", 1, 1, "inside their own folder"),
    ("E204-absolute-include", 'include "/etc/passwd"\nphase p { rule r match "a" ' + EMIT + " }\n", "E204", 1, 1, None),
    ("E204-lexicon-file-parent", 'lexicon L = file "../words.txt"\nphase p { rule r match @L ' + EMIT + " }\n", "E204", 1, 9, None),
    ("E205-include", 'include "missing.rules"\nphase p { rule r match "a" ' + EMIT + " }\n", "E205", 1, 1, None),
    ("E205-lexicon-file", 'lexicon L = file "missing.txt"\nphase p { rule r match @L ' + EMIT + " }\n", "E205", 1, 9, None),
    # ---- E3xx options and patterns
    ("E301-phase-option", 'phase p [overlapp=first] { rule r match "a" ' + EMIT + " }\n", "E301", 1, 10, "did you mean 'overlap'?"),
    ("E301-rule-option", 'phase p { rule r [prio=1] match "a" ' + EMIT + " }\n", "E301", 1, 19, "did you mean 'priority'?"),
    ("E301-lexicon-option", 'lexicon L [cas=any] = {"a"}\nphase p { rule r match @L ' + EMIT + " }\n", "E301", 1, 12, "case="),
    ("E302-overlap-value", 'phase p [overlap=shortest] { rule r match "a" ' + EMIT + " }\n", "E302", 1, 10, "one of: longest, first, all"),
    ("E302-priority-not-int", 'phase p { rule r [priority=high] match "a" ' + EMIT + " }\n", "E302", 1, 19, None),
    ("E302-priority-missing-value", 'phase p { rule r [priority] match "a" ' + EMIT + " }\n", "E302", 1, 19, None),
    ("E302-lexicon-case", 'lexicon L [case=upper] = {"a"}\nphase p { rule r match @L ' + EMIT + " }\n", "E302", 1, 12, "one of: first, exact, any"),
    ("E302-lexicon-accents", 'lexicon L [accents="no"] = {"a"}\nphase p { rule r match @L ' + EMIT + " }\n", "E302", 1, 12, None),
    ("E302-priority-too-large", 'phase p { rule r [priority=12345678901234567890] match "a" ' + EMIT + " }\n", "E302", 1, 28, "at most"),
    ("E302-phase-options-conflict", 'phase p [overlap=all] { rule r match "a" ' + EMIT + ' }\nphase p [overlap=first] { rule s match "b" ' + EMIT + " }\n", "E302", 2, 7, None),
    ("E303-unbalanced", "phase p { rule r match /a(b/ " + EMIT + " }\n", "E303", 1, 24, None),
    ("E002-regex-starting-with-star", "phase p {\n  rule r match /*a/ " + EMIT + "\n}\n", "E002", 2, 16, None),
    ("E303-nothing-to-repeat", "phase p {\n  rule r match /a**+/ " + EMIT + "\n}\n", "E303", 2, 16, None),
    ("E303-in-macro", "macro BAD = /[a/\nphase p { rule r match BAD " + EMIT + " }\n", "E303", 1, 13, None),
    ("E303-unrolls-too-far", "phase p { rule r match /a{999999999}/ " + EMIT + " }\n", "E303", 1, 24, None),
    ("E303-nested-repeats", "phase p { rule r match /(?:(?:a{1000}){1000}){1000}/ " + EMIT + " }\n", "E303", 1, 24, None),
    ("E303-too-deep", "phase p { rule r match /" + "(" * 61 + "a" + ")" * 61 + "/ " + EMIT + " }\n", "E303", 1, 24, "nested 61 levels"),
    ("E304-alternation", 'phase a { rule m match "a" mark Speaker }\nphase p { rule r match ("x" | <Speaker>) "a" ' + EMIT + " }\n", "E304", 2, 31, "separate rule"),
    ("E304-group", 'phase a { rule m match "a" mark Speaker }\nphase p { rule r match "x" (<Speaker> "y") ' + EMIT + " }\n", "E304", 2, 29, None),
    ("E304-repeated", 'phase a { rule m match "a" mark Speaker }\nphase p { rule r match "x" <Speaker>+ ' + EMIT + " }\n", "E304", 2, 28, None),
    ("E304-lookaround", 'phase a { rule m match "a" mark Speaker }\nphase p { rule r match "x" ahead(<Speaker>) ' + EMIT + " }\n", "E304", 2, 34, None),
    ("E304-macro", 'phase a { rule m match "a" mark Speaker }\nmacro MM = <Speaker> "y"\nphase p { rule r match "x" MM ' + EMIT + " }\n", "E304", 2, 12, "top level"),
    ("E305-optional", 'phase p { rule r match "a"? ' + EMIT + " }\n", "E305", 1, 27, "at least one item"),
    ("E305-all-optional", 'phase p { rule r match "a"* "b"? ' + EMIT + " }\n", "E305", 1, 24, None),
    ("E305-regex", "phase p { rule r match /a*/ " + EMIT + " }\n", "E305", 1, 24, None),
    ("E305-lookahead-only", 'phase p { rule r match ahead("a") ' + EMIT + " }\n", "E305", 1, 24, None),
    ("E305-nullable-macro", 'macro OPT = "a"?\nphase p { rule r match OPT ' + EMIT + " }\n", "E305", 2, 24, None),
    ("E305-empty-literal", 'phase p { rule r match "" ' + EMIT + " }\n", "E305", 1, 24, None),
    ("E305-alternative", 'phase p { rule r match ("a" | "b"?) ' + EMIT + " }\n", "E305", 1, 25, None),
    ("E306-bounds", 'phase p { rule r match "a"{3,1} ' + EMIT + " }\n", "E306", 1, 27, None),
    ("E306-bounds-lazy", 'phase p { rule r match "a"{5,2}? ' + EMIT + " }\n", "E306", 1, 27, None),
    ("E306-too-large", 'phase p { rule r match "a"{1,999999999} ' + EMIT + " }\n", "E306", 1, 27, "at most 10000"),
    ("E306-past-int-limit", 'phase p { rule r match "a"{' + "9" * 120 + "} " + EMIT + " }\n", "E306", 1, 27, None),
    ("E307-blank-entry", 'lexicon L = {"a", " "}\nphase p { rule r match @L ' + EMIT + " }\n", "E307", 1, 19, None),
    ("E308-inline", "lexicon L = {}\nphase p { rule r match @L " + EMIT + " }\n", "E308", 1, 9, None),
    ("E309-macro-chain", 'macro M0 = "a"\n' + "".join(f"macro M{i} = M{i - 1}\n" for i in range(1, 400)) + "phase p { rule r match M399 " + EMIT + " }\n", "E309", 161, 7, "flatten"),
    ("E309-doubling-macros", 'macro M0 = x:"a" | "b"\n' + "".join(f"macro M{i} = M{i - 1} M{i - 1}\n" for i in range(1, 30)) + "phase p { rule r match M29 " + EMIT + " }\n", "E309", 20, 7, "captures"),
    ("E309-nested-repeats", 'phase p { rule r match "b" (("a"{100}){100}){100} ' + EMIT + " }\n", "E309", 1, 24, "several rules"),
    ("E401-test-without-text", 'phase p { rule r match "a" ' + EMIT + ' }\ntest "no text"\n  expect Mention(label="x")\n', "E401", 2, 1, 'add: text "..."'),
    ("E401-date-only", 'phase p { rule r match "a" ' + EMIT + ' }\n\ntest "dated" date "2024-01-01" expect no Quote\n', "E401", 3, 1, None),
    # ---- E310 runaway repetition: the caret is on the quantifier
    ("E310-regex-atom", "phase p { rule r match /(a|aa)+b/ " + EMIT + " }\n", "E310", 1, 31, "possessive"),
    ("E310-repeat", 'phase p { rule r match "a" /[^»]+/* ' + EMIT + " }\n", "E310", 1, 35, "atomic group"),
]

# Warnings: (id, source, code, line, col); the file compiles and its first warning is this one.
WARNING_CASES = [
    ("W501-macro", 'macro UNUSED = "u"\nphase p { rule r match "a" ' + EMIT + " }\n", "W501", 1, 7),
    ("W502-lexicon", 'lexicon NEVER = {"n"}\nphase p { rule r match "a" ' + EMIT + " }\n", "W502", 1, 9),
    ("W503-polynomial", "phase p { rule r match /\\w+\\w+x/ " + EMIT + " }\n", "W503", 1, 27),
    ("W504-shadowed", 'phase p {\n  rule r match "a" ' + EMIT + '\n  rule s match "a" ' + EMIT + "\n}\n", "W504", 3, 8),
    ("W505-capture", 'phase p { rule r match who:"a" "b" mark Name }\n', "W505", 1, 24),
    ("W506-entry", 'lexicon L = {"a", "a"}\nphase p { rule r match @L ' + EMIT + " }\n", "W506", 1, 19),
    ("W507-field", 'phase p { rule r match c:"a" emit Quote(content=c, kind="direct") }\ntest "t" text "a" expect Quote(cue="a")\n', "W507", 2, 26),
]


@pytest.mark.parametrize("source, code, line, col", [pytest.param(*c[1:], id=c[0]) for c in WARNING_CASES])
def test_first_warning(tmp_path: Path, source: str, code: str, line: int, col: int) -> None:
    path = tmp_path / "r.rules"
    path.write_text(source, encoding="utf-8")
    spec = compile_rules(path, thorough=True)
    assert code in CATALOGUE
    first = spec.warnings[0]
    assert first.split(": warning ")[0].endswith(f"r.rules:{line}:{col}"), first
    assert f": warning {code}: " in first
    lines = first.splitlines()
    assert lines[1] == "    " + source.splitlines()[line - 1]
    assert lines[2].startswith(caret_line(col))


@pytest.mark.parametrize("source, code, line, col, hint", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_first_error(tmp_path: Path, source: str, code: str, line: int, col: int, hint: str | None) -> None:
    errors = compile_error(tmp_path, source)
    first = errors.errors[0]
    assert (first.code, first.loc.line, first.loc.col) == (code, line, col), str(errors)
    assert first.loc.file.endswith("r.rules")
    assert first.message
    assert code in CATALOGUE
    source_line = source.splitlines()[line - 1]
    assert_rendered(first, str(errors), source_line)
    if hint is not None:
        assert hint in (first.hint or "") + " " + first.message
        assert hint in str(errors)
    assert "Traceback" not in str(errors)
    count = len(errors.errors)
    assert str(errors).endswith(f"\n{count} error{'s' if count != 1 else ''}")


def test_every_triggerable_code_has_a_case() -> None:
    codes = {c[2] for c in CASES} | {c[2] for c in WARNING_CASES}
    # E203-E206 need several files and have their own tests below
    assert set(CATALOGUE) - codes <= {"E203", "E204", "E205", "E206"}


def test_error_positions_are_one_based(tmp_path: Path) -> None:
    errors = compile_error(tmp_path, "@")
    first = errors.errors[0]
    assert (first.code, first.loc.line, first.loc.col) == ("E001", 1, 1)


def test_as_dict_is_structured(tmp_path: Path) -> None:
    errors = compile_error(tmp_path, 'macro PERSON = "a"\nphase p { rule r match PERSN ' + EMIT + " }\n")
    data = errors.errors[0].as_dict()
    assert data["code"] == "E102"
    assert data["severity"] == "error"
    assert (data["line"], data["col"]) == (2, 24)
    assert data["hint"] == "did you mean 'PERSON'?"
    assert str(data["file"]).endswith("r.rules")


# ------------------------------------------------------------------ files: includes and lexicons


def test_cyclic_include(tmp_path: Path) -> None:
    (tmp_path / "a.rules").write_text('include "b.rules"\nphase p { rule r match "a" ' + EMIT + " }\n")
    (tmp_path / "b.rules").write_text('# b\n\ninclude "a.rules"\n')
    errors = _errors_of(tmp_path / "a.rules")
    first = errors.errors[0]
    assert (first.code, first.loc.line, first.loc.col) == ("E203", 3, 1)
    assert first.loc.file.endswith("b.rules")
    assert "a.rules -> " in first.message and "b.rules -> " in first.message
    assert_rendered(first, str(errors), 'include "a.rules"')


def test_cyclic_include_from_folder(tmp_path: Path) -> None:
    (tmp_path / "a.rules").write_text('include "b.rules"\nphase p { rule r match "a" ' + EMIT + " }\n")
    (tmp_path / "b.rules").write_text('include "a.rules"\n')
    errors = _errors_of(tmp_path)
    assert [e.code for e in errors.errors] == ["E203"]


def test_self_include(tmp_path: Path) -> None:
    errors = compile_error(tmp_path, 'include "r.rules"\nphase p { rule r match "a" ' + EMIT + " }\n")
    assert [(e.code, e.loc.line, e.loc.col) for e in errors.errors] == [("E203", 1, 1)]


def test_diamond_include_is_not_a_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.rules").write_text('include "b.rules"\ninclude "c.rules"\nphase p { rule r match @L ' + EMIT + " }\n")
    (tmp_path / "b.rules").write_text('include "d.rules"\n')
    (tmp_path / "c.rules").write_text('include "d.rules"\n')
    (tmp_path / "d.rules").write_text('lexicon L = {"a"}\n')
    spec = compile_rules(tmp_path / "a.rules")
    assert [r.name for p in spec.phases for r in p.rules] == ["r"]


@pytest.fixture
def rule_folder(tmp_path: Path) -> Path:
    """`tmp_path/rules` as the rule folder, with `tmp_path/outside` beside it."""
    root = tmp_path / "rules"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.rules").write_text('phase q { rule stolen match "s" ' + EMIT + " }\n")
    (outside / "words.txt").write_text("secret\n")
    return root


def test_include_outside_folder(rule_folder: Path) -> None:
    (rule_folder / "r.rules").write_text('include "../outside/o.rules"\nphase p { rule r match "a" ' + EMIT + " }\n")
    errors = _errors_of(rule_folder / "r.rules")
    assert [(e.code, e.loc.line, e.loc.col) for e in errors.errors] == [("E204", 1, 1)]
    assert_rendered(errors.errors[0], str(errors), 'include "../outside/o.rules"')


def test_include_outside_folder_via_symlink(rule_folder: Path) -> None:
    (rule_folder / "link.rules").symlink_to(rule_folder.parent / "outside" / "o.rules")
    (rule_folder / "r.rules").write_text('include "link.rules"\nphase p { rule r match "a" ' + EMIT + " }\n")
    errors = _errors_of(rule_folder / "r.rules")
    assert [(e.code, e.loc.line, e.loc.col) for e in errors.errors] == [("E204", 1, 1)]


def test_include_through_symlinked_folder(rule_folder: Path) -> None:
    (rule_folder / "sub").symlink_to(rule_folder.parent / "outside", target_is_directory=True)
    (rule_folder / "r.rules").write_text('include "sub/o.rules"\nphase p { rule r match "a" ' + EMIT + " }\n")
    errors = _errors_of(rule_folder / "r.rules")
    assert [(e.code, e.loc.line, e.loc.col) for e in errors.errors] == [("E204", 1, 1)]


def test_symlinked_rule_file_in_folder_is_refused(rule_folder: Path) -> None:
    """Loading a folder must not read a `*.rules` symlink that leads out of it."""
    (rule_folder / "link.rules").symlink_to(rule_folder.parent / "outside" / "o.rules")
    (rule_folder / "r.rules").write_text('phase p { rule r match "a" ' + EMIT + " }\n")
    errors = _errors_of(rule_folder)
    assert [e.code for e in errors.errors] == ["E204"]
    assert "stolen" not in str(errors)


def test_lexicon_file_outside_folder_via_symlink(rule_folder: Path) -> None:
    (rule_folder / "words.txt").symlink_to(rule_folder.parent / "outside" / "words.txt")
    (rule_folder / "r.rules").write_text('lexicon L = file "words.txt"\nphase p { rule r match @L ' + EMIT + " }\n")
    errors = _errors_of(rule_folder / "r.rules")
    assert [(e.code, e.loc.line, e.loc.col) for e in errors.errors] == [("E204", 1, 9)]


def test_symlink_inside_folder_is_fine(rule_folder: Path) -> None:
    (rule_folder / "real.rules").write_text('lexicon L = {"a"}\n')
    (rule_folder / "alias.rules").symlink_to(rule_folder / "real.rules")
    (rule_folder / "r.rules").write_text('include "alias.rules"\nphase p { rule r match @L ' + EMIT + " }\n")
    spec = compile_rules(rule_folder / "r.rules")
    assert spec.phases[0].rules[0].name == "r"


def test_missing_include_names_the_file(tmp_path: Path) -> None:
    errors = compile_error(tmp_path, 'include "nope.rules"\n')
    assert errors.errors[0].code == "E205"
    assert "nope.rules" in errors.errors[0].message


def test_missing_rule_path(tmp_path: Path) -> None:
    errors = _errors_of(tmp_path / "absent.rules")
    assert [e.code for e in errors.errors] == ["E205"]


def test_folder_without_rule_files(tmp_path: Path) -> None:
    errors = _errors_of(tmp_path)
    assert [e.code for e in errors.errors] == ["E205"]


def test_include_of_a_directory_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    errors = compile_error(tmp_path, 'include "sub"\nphase p { rule r match "a" ' + EMIT + " }\n")
    assert [(e.code, e.loc.line, e.loc.col) for e in errors.errors] == [("E206", 1, 1)]


def test_include_chain_a_thousand_files_deep(tmp_path: Path) -> None:
    """Includes are followed without recursion: a chain of 1000 files loads, and a cycle closing
    it is reported at the include that closes it."""
    for i in range(1000):
        (tmp_path / f"f{i}.rules").write_text(f'include "f{i + 1}.rules"\n')
    (tmp_path / "f1000.rules").write_text('phase p { rule r match "a" ' + EMIT + " }\n")
    spec = compile_rules(tmp_path / "f0.rules")
    assert [r.name for p in spec.phases for r in p.rules] == ["r"]
    (tmp_path / "f1000.rules").write_text('include "f0.rules"\n')
    errors = _errors_of(tmp_path / "f0.rules")
    assert [(e.code, Path(e.loc.file).name) for e in errors.errors] == [("E203", "f1000.rules")]


def test_include_path_with_nul(tmp_path: Path) -> None:
    errors = compile_error(tmp_path, 'include "a\\u0000b.rules"\nphase p { rule r match "a" ' + EMIT + " }\n")
    assert [(e.code, e.loc.line) for e in errors.errors] == [("E206", 1)]
    assert "NUL" in str(errors)
    errors = compile_error(tmp_path, 'lexicon L = file "w\\u0000.txt"\nphase p { rule r match @L ' + EMIT + " }\n")
    assert [(e.code, e.loc.line) for e in errors.errors] == [("E206", 1)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_include_of_a_fifo_does_not_block(tmp_path: Path) -> None:
    """A named pipe would block a reader forever: it is refused as unreadable."""
    os.mkfifo(tmp_path / "pipe.rules")
    os.mkfifo(tmp_path / "pipe.txt")
    errors = compile_error(tmp_path, 'include "pipe.rules"\nphase p { rule r match "a" ' + EMIT + " }\n")
    assert [(e.code, e.loc.line) for e in errors.errors] == [("E206", 1)]
    assert "not a regular file" in str(errors)
    errors = compile_error(tmp_path, 'lexicon L = file "pipe.txt"\nphase p { rule r match @L ' + EMIT + " }\n")
    assert [(e.code, e.loc.line) for e in errors.errors] == [("E206", 1)]


def test_macro_cycle_through_hundreds_of_macros(tmp_path: Path) -> None:
    """A cycle longer than the depth limit is reported as a cycle and as too deep, without recursion."""
    source = "".join(f'macro M{i} = "a" M{(i + 1) % 300}\n' for i in range(300)) + "phase p { rule r match M0 " + EMIT + " }\n"
    errors = compile_error(tmp_path, source)
    assert [e.code for e in errors.errors] == ["E202", "E309"]


def test_nesting_far_past_the_limit_is_refused_quickly(tmp_path: Path) -> None:
    """100 000 nested parentheses: E004 at the 33rd, found before parsing, line shown as a window."""
    import time

    start = time.perf_counter()
    errors = compile_error(tmp_path, "phase p { rule r match " + "(" * 100_000 + '"a"' + ")" * 100_000 + " " + EMIT + " }\n")
    assert time.perf_counter() - start < 5
    [error] = errors.errors
    assert (error.code, error.loc.line, error.loc.col) == ("E004", 1, 24 + 32)
    rendered = str(errors).splitlines()
    assert len(rendered[1]) < 220 and rendered[2].strip() == "^"
    assert rendered[1][rendered[2].index("^")] == "("


def test_lexicon_file_with_invalid_utf8(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_bytes(b"caf\xe9\n")
    errors = compile_error(tmp_path, 'lexicon L = file "words.txt"\nphase p { rule r match @L ' + EMIT + " }\n")
    assert [(e.code, e.loc.line, e.loc.col) for e in errors.errors] == [("E206", 1, 9)]


def test_rule_file_with_invalid_utf8(tmp_path: Path) -> None:
    (tmp_path / "r.rules").write_bytes(b'phase p { rule r match "caf\xe9" emit Mention(label="x") }\n')
    errors = _errors_of(tmp_path / "r.rules")
    assert [e.code for e in errors.errors] == ["E206"]
    assert "Traceback" not in str(errors)


def test_empty_lexicon_file(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_text("# only a comment\n\n   \n")
    errors = compile_error(tmp_path, 'lexicon L = file "words.txt"\nphase p { rule r match @L ' + EMIT + " }\n")
    assert [(e.code, e.loc.line, e.loc.col) for e in errors.errors] == [("E308", 1, 9)]


def test_error_in_included_file_points_into_it(tmp_path: Path) -> None:
    (tmp_path / "sub.rules").write_text('\nmacro M1 = | "a"\n')
    (tmp_path / "r.rules").write_text('include "sub.rules"\nphase p { rule r match "a" ' + EMIT + " }\n")
    errors = _errors_of(tmp_path / "r.rules")
    first = errors.errors[0]
    assert first.loc.file.endswith("sub.rules")
    assert (first.code, first.loc.line, first.loc.col) == ("E001", 2, 12)


# ------------------------------------------------------------------ several errors at once


def test_several_name_errors_are_all_reported(tmp_path: Path) -> None:
    source = (
        'lexicon NAMES = {"a"}\n'
        'macro PERSON = "p"\n'
        "phase p {\n"
        "  rule r match @NAMS PERSN " + EMIT + "\n"
        '  rule s match x:"b" emit Mention(label="x", span=y)\n'
        '  rule t match <Nope> "c" ' + EMIT + "\n"
        "}\n"
    )
    errors = compile_error(tmp_path, source)
    got = [(e.code, e.loc.line, e.loc.col) for e in errors.errors]
    assert got == [("E101", 4, 16), ("E102", 4, 22), ("E103", 5, 51), ("E104", 6, 16)]
    rendered = str(errors)
    assert rendered.endswith("\n4 errors")
    assert rendered.count(": error E") == 4
    assert "did you mean 'NAMES'?" in rendered and "did you mean 'PERSON'?" in rendered


def test_several_compile_errors_are_all_reported(tmp_path: Path) -> None:
    source = (
        "phase p [overlap=shortest] {\n"
        '  rule r [prio=1] match x:"a" emit Mentoin(label="x")\n'
        '  rule s match y:"b" emit Quote(content="y", kind="other")\n'
        '  rule t match "c" /(/ ' + EMIT + "\n"
        '  rule u match z:"d" emit Quote(content=z, kind="other")\n'
        "}\n"
        'test "empty"\n  expect no Quote\n'
    )
    errors = compile_error(tmp_path, source)
    got = [(e.code, e.loc.line) for e in errors.errors]
    assert got == [("E302", 1), ("E301", 2), ("E105", 2), ("E107", 3), ("E110", 3), ("E303", 4), ("E110", 5), ("E401", 7)]
    assert str(errors).endswith("\n8 errors")


def test_parse_stage_errors_of_one_file_are_reported_together(tmp_path: Path) -> None:
    """Errors found while parsing (bad escapes, bad bounds) are collected for the whole file."""
    source = 'phase p {\n  rule r match "a\\q" "b"{4,2} ' + EMIT + '\n  rule s match "c"{9,1} ' + EMIT + "\n}\n"
    errors = compile_error(tmp_path, source)
    assert [(e.code, e.loc.line, e.loc.col) for e in errors.errors] == [("E003", 2, 18), ("E306", 2, 25), ("E306", 3, 19)]


def test_errors_in_two_files_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "a.rules").write_text('phase p { rule r match @NOPE ' + EMIT + " }\n")
    (tmp_path / "b.rules").write_text('phase q { rule s match NOPE ' + EMIT + " }\n")
    errors = _errors_of(tmp_path)
    assert [(e.code, Path(e.loc.file).name) for e in errors.errors] == [("E101", "a.rules"), ("E102", "b.rules")]


def test_syntax_errors_in_two_files_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "a.rules").write_text('phase p { rule r "a" }\n')
    (tmp_path / "b.rules").write_text('phase q { rule s match "b\n')
    errors = _errors_of(tmp_path)
    assert [e.code for e in errors.errors] == ["E001", "E002"]


def test_unused_declarations_are_warnings_not_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.rules"
    path.write_text('macro UNUSED = "u"\nlexicon NEVER = {"n"}\nphase p { rule r match "a" ' + EMIT + " }\n")
    spec = compile_rules(path)
    assert any("W501" in w and "UNUSED" in w for w in spec.warnings)
    assert any("W502" in w and "NEVER" in w for w in spec.warnings)


# ------------------------------------------------------------------ robustness


VALID = '''# a small but complete rule file
lexicon NAMES [case=first] = {"marie", "paul", "jean-pierre"}
macro PERSON = @NAMES ("de" /\\p{Lu}\\w+/)?
phase people [overlap=all] {
  rule person "finds people" match who:PERSON mark Speaker
}
phase quotes {
  rule said [priority=2] """Says
  something.""" match s:<Speaker> "a" "dit" ":" q:/[^.]+/ not ahead("!") emit Quote(content=q, speaker=s, kind="direct", cue_lemma=lower(s))
  rule named match behind("M.") n:PERSON+? | "x" ~ "-" ~ "y"{2,} emit Mention(label="n", span=n)
}
test "basic"
  text "Marie a dit : bonjour."
  date "2024-03-15"
  expect Quote(content="bonjour", speaker="Marie", speaker_resolved=null)
  expect no Accusation
'''

TOKENS = [
    "phase", "rule", "match", "emit", "mark", "macro", "lexicon", "include", "test", "text", "expect", "no",
    "ahead", "behind", "not", "file", "{", "}", "(", ")", "[", "]", "<", ">", "|", "~", "?", "*", "+", ":",
    "=", ",", '"', '"""', "/", "\\", "{2,1}", "@", "@NAMES", "PERSON", "<Speaker>", "<Nope>", "x:", "null",
    "Quote", "Mention(", "label=", "\n", " ", "#", "/(/", '"\\q"', "priority=", "overlap=", "0", "é",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(VALID)), st.integers(0, 12), st.lists(st.sampled_from(TOKENS), max_size=3)),
        min_size=1,
        max_size=3,
    )
)
def test_mutated_files_only_raise_rule_errors(edits: list[tuple[int, int, list[str]]]) -> None:
    """Whatever is done to a valid file, compiling it succeeds or raises RuleErrors, never else."""
    source = VALID
    for pos, delete, insert in edits:
        pos = min(pos, len(source))
        source = source[:pos] + " ".join(insert) + source[pos + delete :]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.rules"
        path.write_text(source, encoding="utf-8")
        try:
            spec = compile_rules(path)
        except RuleErrors as errors:
            assert errors.errors
            for e in errors.errors:
                assert e.code in CATALOGUE
                assert e.loc.line >= 1 and e.loc.col >= 1
                assert f"{e.loc}: error {e.code}:" in str(errors)
            return
    # a file that compiles must also run
    from ruleie.api import RuleSet

    RuleSet(spec).extract("Marie a dit : bonjour. M. Paul de Rivière et Jean-Pierre xx x")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('phaseruliEmtcx{}()[]<>|~?*+:=,"/\\@ \n#ABCSpeak0') + ["é", "\t"]), max_size=60))
def test_random_text_only_raises_rule_errors(source: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.rules"
        path.write_text(source, encoding="utf-8")
        try:
            compile_rules(path)
        except RuleErrors as errors:
            assert all(e.code in CATALOGUE for e in errors.errors)


def test_valid_base_file_compiles_and_passes(tmp_path: Path) -> None:
    """The base of the mutation test is itself valid (or the mutation test proves nothing)."""
    from ruleie.api import RuleSet
    from ruleie.testing import run_tests

    path = tmp_path / "r.rules"
    path.write_text(VALID, encoding="utf-8")
    report = run_tests(RuleSet(compile_rules(path)))
    assert [o.failures for o in report.outcomes] == [[]]


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.rules"
    path.write_bytes("\ufeffphase p { rule r match \"a\" emit Mention(label=\"x\") }\n".encode())
    assert compile_rules(path).phases[0].rules[0].name == "r"


def test_cwd_independent_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside the working directory a file is named relative to it."""
    monkeypatch.chdir(tmp_path)
    os.makedirs("rules")
    Path("rules/r.rules").write_text("phase p { rule r match NOPE " + EMIT + " }\n")
    errors = _errors_of(Path("rules/r.rules"))
    assert errors.errors[0].loc.file == os.path.join("rules", "r.rules")
    assert str(errors).startswith("rules/r.rules:1:24: error E102:")
