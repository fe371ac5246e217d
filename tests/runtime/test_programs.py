"""Compiled programs in the rule-set cache: reused by the next process, same matches, never trusted blindly.

The second process of each test runs with the compilers booby-trapped (`safe_tree`, which parses
for `re`, and `runaway_risk`, which decides the time budget of `regex` patterns): it can only
succeed by rebuilding every pattern from the stored table.
"""

from __future__ import annotations

import json
import os
from array import array
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ruleie
from ruleie.compile import cache
from ruleie.runtime import matcher
from ruleie.runtime.programs import ENGINE_FORMAT, ProgramCache, SreProgram, outcome_from_json

ROOT = Path(__file__).resolve().parents[2]

RULES = r'''
phase one {
  rule greet
    match w:"bonjour"
    emit Mention(label="greeting", span=w)
  rule place
    match w:/(?<=\bau\s{1,3})\p{Lu}\w+/
    emit Mention(label="place", span=w)
  rule start
    match "go"
    mark Start
  rule guillemets
    match /«[^«»]*»/
    mark Quote
}
phase two {
  rule slow
    match <Start> x:/\p{Ll}(?:a|aa){1,60}!/
    emit Mention(label="slow", span=x)
  rule quoted
    match <Quote> w:/\w+/
    emit Mention(label="after", span=w)
}
'''

TEXT = "Bonjour et bonjour, rendez-vous au  Mans. go baa!"

RUN = '''
import json, sys, ruleie
from ruleie.runtime import matcher
if sys.argv[2] == "trapped":
    def trap(*args, **kwargs):
        raise AssertionError("compiled instead of rebuilt")
    matcher.safe_tree = trap
    matcher.runaway_risk = trap
rules = ruleie.load(sys.argv[1])
text = sys.stdin.read()
print(json.dumps([r.model_dump(mode="json") for r in rules.extract(text)], ensure_ascii=False))
if sys.argv[3:] == ["timeout"]:
    from ruleie.runtime.engine import MatchTimeout
    try:
        rules.extract("go b" + "a" * 60, timeout=0.3)
    except MatchTimeout as err:
        print("timeout:", err)
'''


def _run(rules: Path, text: str, mode: str, *extra: str) -> str:
    done = subprocess.run([sys.executable, "-c", RUN, str(rules), mode, *extra], input=text, capture_output=True,
                          text=True, timeout=300, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def rule_file(tmp_path: Path) -> Path:
    path = tmp_path / "r.rules"
    path.write_text(RULES, encoding="utf-8")
    return path


def _program_entries(rules: Path) -> tuple[ProgramCache, dict]:
    programs = ruleie.load(rules).engine.programs
    assert programs is not None
    data = cache.load(programs.key)
    assert data is not None and data["format"] == ENGINE_FORMAT
    return programs, data


def test_the_next_process_rebuilds_every_pattern_from_the_table(rule_file: Path) -> None:
    first = _run(rule_file, TEXT, "fresh")
    labels = [(r["label"], r["span"]["text"]) for r in json.loads(first)]
    assert labels == [("greeting", "bonjour"), ("place", "Mans"), ("slow", "baa!")]
    _, data = _program_entries(rule_file)
    kinds = sorted(entry[0] for entry in data["programs"].values())
    assert "re" in kinds and "regex" in kinds  # both engines are recorded
    second = _run(rule_file, TEXT, "trapped", "timeout")
    assert second.splitlines()[0] == first.strip()
    # the runaway part is still a `regex` pattern with a budget on every call
    assert "timeout: time budget of 0.3 s used up in rule slow" in second


def test_a_damaged_program_is_compiled_again(rule_file: Path) -> None:
    first = _run(rule_file, TEXT, "fresh")
    programs, data = _program_entries(rule_file)
    for key, entry in data["programs"].items():
        if entry[0] == "re":
            broken = SreProgram.from_json(entry)
            data["programs"][key] = SreProgram(broken.flags, array("I", [1, 2, 3]), broken.groups, broken.groupindex,
                                               broken.indexgroup).as_json()
    cache.store(programs.key, data)
    assert _run(rule_file, TEXT, "fresh") == first


def test_a_table_from_another_engine_format_is_ignored(rule_file: Path) -> None:
    _run(rule_file, TEXT, "fresh")
    programs, data = _program_entries(rule_file)
    assert programs.read()
    cache.store(programs.key, {**data, "format": "cpython-2.7-sre0"})
    assert programs.read() == {}
    with pytest.raises(ValueError):
        outcome_from_json(["perl", 1])


def test_rules_compile_when_they_first_run(rule_file: Path) -> None:
    rules = ruleie.load(rule_file)
    rules.extract("bonjour, go baa!")
    compiled = {rule.name: m.compiled for rule, m in zip(rules.engine.rules, rules.engine.matchers)}
    # `quoted` is anchored on a label no rule produced here: its regexes are not needed
    assert compiled == {"greet": True, "place": True, "start": True, "guillemets": True, "slow": True,
                        "quoted": False}
    rules.engine.compile_all()
    assert all(m.compiled for m in rules.engine.matchers)


def test_the_french_pack_gives_the_same_records_from_the_table() -> None:
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    pack = str(ROOT / "rules" / "fr")
    first = _run(Path(pack), text, "fresh")
    assert len(json.loads(first)) > 10
    assert _run(Path(pack), text, "trapped") == first


def test_outcomes_are_recorded_per_source() -> None:
    source = r"\bpremier\s+(?P<c_x>\w+)"
    compiled = matcher.compile_fast(source)
    recorded = matcher.outcomes_of([source])
    program = next(iter(recorded.values()))
    assert isinstance(program, SreProgram)
    assert SreProgram.from_json(json.loads(json.dumps(program.as_json()))) == program
    rebuilt = program.compile(source)
    assert rebuilt.groupindex == compiled.groupindex
    assert rebuilt.search("le premier ministre").group("c_x") == "ministre"
