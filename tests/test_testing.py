"""`run_tests`: outcomes, rule coverage, and which tests exercise which rules."""

from __future__ import annotations

from pathlib import Path

from ruleie.api import RuleSet, compile_rules
from ruleie.testing import run_tests

RULES = r'''lexicon FIRST = {"Jean", "Marie", "Paul"}
phase names {
  rule first match @FIRST mark Name
  rule full match @FIRST /\p{Lu}\w+/ mark Name
}
phase quotes {
  rule said match s:<Name> "a" "dit" ":" q:/[^.]+/
    emit Quote(content=q, speaker=s, kind="direct")
  rule never match "zzz" emit Mention(label="z")
}
test "full name quoted"
  text "Jean Dupont a dit : oui."
  expect Quote(speaker="Jean Dupont", content="oui")
test "first name"
  text "Marie."
  expect Name(span="Marie")
test "nothing"
  text "Rien."
  expect no Quote
test "wrong"
  text "Paul a dit : non."
  expect Quote(content="oui")
'''


def report_of(tmp_path: Path):
    path = tmp_path / "r.rules"
    path.write_text(RULES, encoding="utf-8")
    return run_tests(RuleSet(compile_rules(path), path))


def test_coverage_and_tests_per_rule(tmp_path: Path) -> None:
    report = report_of(tmp_path)
    assert [o.test.name for o in report.failed] == ["wrong"]
    assert (report.covered, report.total_rules) == (3, 4)
    assert [name for name, _ in report.uncovered] == ["never"]
    assert report.rule_names == ["first", "full", "said", "never"]
    assert report.tests_of == {
        "first": ["first name", "wrong"],  # a failing test still exercises its rules
        "full": ["full name quoted"],
        "said": ["full name quoted", "wrong"],
        "never": [],
    }


def test_tests_that_exercise_several_rules(tmp_path: Path) -> None:
    report = report_of(tmp_path)
    several = report.several_rules
    assert [o.test.name for o in several] == ["full name quoted", "wrong"]
    # `first` also matched "Jean" in the first test but lost to `full`: only kept matches count
    assert [report.rules_of(o) for o in several] == [["full", "said"], ["first", "said"]]
    assert [report.rules_of(o) for o in report.outcomes if o not in several] == [["first"], []]
