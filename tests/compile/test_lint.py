"""Compile-time lint: runaway repetition (E310), warnings W503-W507, and the engine never
handing a runaway pattern to the uninterruptible `re` engine."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ruleie.api import compile_rules
from ruleie.compile.backtrack import analyse, quantifier_offsets, runaway_risk
from ruleie.dsl.errors import RuleErrors
from ruleie.runtime.matcher import compile_fast

M = 'emit Mention(label="x")'

# (id, source, code, line, col): the first finding of that code
FINDINGS = [
    ("E310-alternation", "phase p { rule r match /(a|aa)+b/ " + M + " }\n", "E310", 1, 31),
    ("E310-nested-plus", "phase p {\n  rule r match x:/(\\w+\\s?)+$/ " + M + "\n}\n", "E310", 2, 27),
    ("E310-same-branch", "phase p { rule r match /(?:a|a)*b/ " + M + " }\n", "E310", 1, 32),
    ("E310-escaped-slash", "phase p { rule r match /(?:\\/|a\\/?)+x/ " + M + " }\n", "E310", 1, 36),
    ("E310-dsl-repeat", 'phase p { rule r match "a" /[^»]+/* ' + M + " }\n", "E310", 1, 35),
    ("E310-in-macro", 'macro WORDS = /(\\p{L}+\\s?)+/\nphase p { rule r match WORDS "." ' + M + " }\n", "E310", 1, 27),
    ("W503-adjacent", "phase p { rule r match /\\w+\\w+x/ " + M + " }\n", "W503", 1, 27),
    ("W503-dot-star", "phase p { rule r match /.*,.*,/ " + M + " }\n", "W503", 1, 26),
    ("W504-identical", 'phase p {\n  rule a match "x" ' + M + '\n  rule b match "x" ' + M + "\n}\n", "W504", 3, 8),
    ("W504-priority", 'phase p {\n  rule b match "x" ' + M + '\n  rule a [priority=1] match "x" ' + M + "\n}\n", "W504", 2, 8),
    ("W504-alternative", 'phase p {\n  rule a [priority=1] match "x" | "y" ' + M + '\n  rule b match "y" ' + M + "\n}\n", "W504", 3, 8),
    ("W504-alternative-inside", 'phase p {\n  rule a [priority=1] match c:/\\d+/ ("a" "dit" | "a" "mis" "en" "garde") "sur" ' + M
     + '\n  rule b match k:/\\d+/ "a" "mis" "en" "garde" "sur" ' + M + "\n}\n", "W504", 3, 8),
    ("W504-optional", 'phase p {\n  rule a [priority=1] match "le"? "maire" ' + M + '\n  rule b match "maire" ' + M + "\n}\n", "W504", 3, 8),
    ("W505-mark", 'phase p { rule r match who:"x" "y" mark Name }\n', "W505", 1, 24),
    ("W506-twice", 'lexicon L = {"a", "b", "a"}\nphase p { rule r match @L ' + M + " }\n", "W506", 1, 24),
    ("W506-case-any", 'lexicon L [case=any] = {"Paris", "paris"}\nphase p { rule r match @L ' + M + " }\n", "W506", 1, 34),
    ("W506-accents", 'lexicon L [accents=insensitive] = {"été", "ete"}\nphase p { rule r match @L ' + M + " }\n", "W506", 1, 43),
    ("W506-case-first", 'lexicon L = {"Paris", "paris"}\nphase p { rule r match @L ' + M + " }\n", "W506", 1, 14),
    ("W507-never-filled", 'phase p { rule r match c:"x" emit Quote(content=c, kind="direct") }\n'
     'test "t"\n  text "x"\n  expect Quote(content="x", cue="x")\n', "W507", 4, 10),
]

# sources that must compile with no error and no warning
CLEAN = [
    ("other-alternative-inside", 'phase p {\n  rule a [priority=1] match "a" ("dit" | "déclaré") "que" ' + M
     + '\n  rule b match "a" "affirmé" "que" ' + M + "\n}\n"),
    ("longer-than-optional", 'phase p {\n  rule a [priority=1] match "le"? "maire" ' + M + '\n  rule b match "le" "maire" "de" ' + M + "\n}\n"),
    ("possessive", "phase p { rule r match /(?:\\w++\\s?)+$/ " + M + " }\n"),
    ("atomic", "phase p { rule r match /(?>\\w+\\s?)+$/ " + M + " }\n"),
    ("bounded", "phase p { rule r match /(?:a|aa){1,20}b/ " + M + " }\n"),
    ("disjoint-classes", "phase p { rule r match /(?:[a-z]+\\s)+x/ " + M + " }\n"),
    ("trie-like", "phase p { rule r match /(?:ab|ac)+/ " + M + " }\n"),
    ("dsl-repeat-of-words", "phase p { rule r match /\\w+/+ " + M + " }\n"),
    ("dsl-repeat-of-commas", 'phase p { rule r match "a" ","+ "b" ' + M + " }\n"),
    ("class-then-other", "phase p { rule r match /[^.]+\\./ " + M + " }\n"),
    ("abbreviations", "phase p { rule r match /(?:[^.!?]++|(?:(?<=\\bM)|(?<=\\bMM)|(?<=\\bMme))\\.)+/ " + M + " }\n"),
    ("different-labels", 'phase p {\n  rule a match "x" ' + M + '\n  rule b match "x" mark Other\n}\n'),
    ("overlap-all", 'phase p [overlap=all] {\n  rule a match "x" ' + M + '\n  rule b match "x" ' + M + "\n}\n"),
    ("alternative-not-highest", 'phase p {\n  rule a match "x" | "y" ' + M + '\n  rule b match "y" ' + M + "\n}\n"),
    ("capture-read", 'phase p { rule r match who:"x" emit Mention(label="x", span=who) }\n'),
    ("capture-exported", 'phase p { rule r match who:"x" ' + M + " }\n"),
    ("field-not-expected", 'phase p { rule r match c:"x" emit Quote(content=c, kind="direct") }\n'
     'test "t"\n  text "x"\n  expect Quote(content="x", cue=null)\n'),
    ("distinct-entries", 'lexicon L [case=exact] = {"Paris", "paris"}\nphase p { rule r match @L ' + M + " }\n"),
]


def _compile(tmp_path: Path, source: str):
    path = tmp_path / "r.rules"
    path.write_text(source, encoding="utf-8")
    return compile_rules(path, thorough=True)


def _findings(tmp_path: Path, source: str) -> list[tuple[str, int, int, str]]:
    """(code, line, col, rendered) of every error or warning of `source`."""
    try:
        spec = _compile(tmp_path, source)
    except RuleErrors as errors:
        return [(e.code, e.loc.line, e.loc.col, e.render()) for e in errors.errors]
    out = []
    for rendered in spec.warnings:
        m = re.match(r"\S+?:(\d+):(\d+): warning (W\d+):", rendered)
        assert m, rendered
        out.append((m.group(3), int(m.group(1)), int(m.group(2)), rendered))
    return out


@pytest.mark.parametrize("source, code, line, col", [pytest.param(*c[1:], id=c[0]) for c in FINDINGS])
def test_finding_position(tmp_path: Path, source: str, code: str, line: int, col: int) -> None:
    found = _findings(tmp_path, source)
    mine = [f for f in found if f[0] == code]
    assert mine, found
    got_code, got_line, got_col, rendered = mine[0]
    assert (got_line, got_col) == (line, col), rendered
    severity = "error" if code.startswith("E") else "warning"
    assert f":{line}:{col}: {severity} {code}: " in rendered
    shown = rendered.splitlines()
    assert shown[1] == "    " + source.splitlines()[line - 1]
    assert shown[2].startswith("    " + " " * (col - 1) + "^")


@pytest.mark.parametrize("source", [pytest.param(c[1], id=c[0]) for c in CLEAN])
def test_no_finding(tmp_path: Path, source: str) -> None:
    assert _findings(tmp_path, source) == []


def test_runaway_hint_names_the_fixes(tmp_path: Path) -> None:
    (_, _, _, rendered), *_ = _findings(tmp_path, FINDINGS[0][1])
    assert "possessive" in rendered and "(?>" in rendered and "{1,200}" in rendered


@pytest.mark.parametrize(
    "source, risky",
    [
        (r"(a|aa)+b", True), (r"(\w+\s?)+$", True), (r"(x+x+)+y", True), (r"(?:a|a)*b", True),
        (r"(.*?,){11}P", True), (r"(a{1,3})+", True), (r"(?:\d+[.,]?)+", True),
        (r"a+", False), (r"(?:\w++\s?)+", False), (r"(?>a+)+", False), (r"(?:ab|ac)+", False),
        (r"\w+(?:(?:\s+|(?<!\w)|(?<=\w)(?!\w))\w+)*", False), (r"(?:a|aa){1,5}b", False),
    ],
)
def test_runaway_risk(source: str, risky: bool) -> None:
    assert runaway_risk(source) is risky


def test_engine_choice() -> None:
    assert isinstance(compile_fast(r"(?:\w++\s?)+x"), re.Pattern)
    assert not isinstance(compile_fast(r"(a|aa)+b"), re.Pattern)
    assert not isinstance(compile_fast(r"(?:,(?:\s+|(?<!\w)|(?!\w)),)*!"), re.Pattern)  # empty branches twice


def test_quantifier_offsets_follow_the_source() -> None:
    source = r"[+*](?:a+|\{)(?#x+)b{2,}c{,3}d{}e*?"
    assert [source[i] for i in quantifier_offsets(source)] == ["+", "{", "{", "*"]
    assert len(quantifier_offsets(source)) == len(re.findall(r"MAX_REPEAT|MIN_REPEAT", str(re._parser.parse(source))))


def test_polynomial_is_reported_only_on_request() -> None:
    assert analyse(r"\w+\w+") == []
    assert [f.kind for f in analyse(r"\w+\w+", polynomial=True)] == ["polynomial"]


HOSTILE = textwrap.dedent(
    """
    import time
    from pathlib import Path
    import ruleie
    from ruleie.runtime.engine import MatchTimeout
    path = Path({folder!r}) / "slow.rules"
    path.write_text('phase p {{ rule slow match x:/(?:a|aa)+b/ emit Mention(label="x", span=x) }}\\n')
    try:
        ruleie.load(path, use_cache=False)
    except ruleie.RuleErrors as errors:
        assert "E310" in str(errors), str(errors)
    from ruleie.runtime.matcher import compile_fast
    from ruleie.compile.patterns import Segment
    from ruleie.compile.ruleset import ActionSpec, FieldSpec, PhaseSpec, RuleSetSpec, RuleSpec
    rule = RuleSpec("slow", "p", 0, "slow.rules:1", None, [Segment("regex", "(?P<c_x>(?:a|aa)+b)")],
                    [ActionSpec("emit", "Mention", [FieldSpec("label", "const", "x"), FieldSpec("span", "capture", "x")])], ["x"])
    rules = ruleie.api.RuleSet(RuleSetSpec([PhaseSpec("p", "longest", [rule])], {{}}, [], "."))
    started = time.monotonic()
    try:
        rules.extract("a" * 60, timeout=0.5)
    except MatchTimeout as err:
        assert "slow" in str(err)
        print("timeout", round(time.monotonic() - started, 2))
    else:
        print("finished")
    """
)


def test_runaway_pattern_times_out_instead_of_hanging(tmp_path: Path) -> None:
    """A rule set built without the compiler's check still cannot hang: the pattern goes to the
    engine that honours the deadline (run in a subprocess, so that a regression fails, not hangs)."""
    done = subprocess.run([sys.executable, "-c", HOSTILE.format(folder=str(tmp_path))], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("timeout"), done.stdout
    assert float(done.stdout.split()[1]) < 10


def test_french_pack_is_lint_clean() -> None:
    spec = compile_rules(Path(__file__).resolve().parents[2] / "rules" / "fr")
    assert spec.warnings == []
