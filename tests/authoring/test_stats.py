"""`corpus_stats`, `compare` and `ruleie stats`: exact counts of records and marks per type and
per rule, the JSON shape read back, and the deltas after a change of rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruleie.api import Document, RuleSet, compile_rules
from ruleie.authoring.stats import Stats, compare, corpus_stats
from ruleie.cli import app

NAMES = r'''lexicon FIRST = {"Jean", "Marie", "Paul"}
phase names {
  rule first match @FIRST mark Name
  rule full match @FIRST /\p{Lu}\w+/ mark Name
}
'''
OUTPUT = r'''phase quotes {
  rule said match s:<Name> "a" "dit" ":" q:/[^.]+/
    emit Quote(content=q, speaker=s, kind="direct")
  rule present match <Name> "est" emit Mention(label="present")
}
'''
OLD_RULES = NAMES + OUTPUT
# `full` removed (so "Jean Dupont" and "Paul Martin" are no longer names), `never` added.
NEW_RULES = NAMES.replace("  rule full match @FIRST /\\p{Lu}\\w+/ mark Name\n", "") + OUTPUT.replace(
    "}\n", '  rule never match "zzz" emit Mention(label="z")\n}\n')
DOCS = ["Jean Dupont a dit : oui. Marie a dit : non. Paul Martin est là.", "Paul a dit : bien."]


def ruleset(tmp_path: Path, source: str, name: str) -> RuleSet:
    path = tmp_path / f"{name}.rules"
    path.write_text(source, encoding="utf-8")
    return RuleSet(compile_rules(path), path)


@pytest.fixture
def old(tmp_path: Path) -> Stats:
    return corpus_stats(ruleset(tmp_path, OLD_RULES, "old"), DOCS)


@pytest.fixture
def new(tmp_path: Path) -> Stats:
    return corpus_stats(ruleset(tmp_path, NEW_RULES, "new"), DOCS)


def test_counts_per_type_label_rule_and_document(old: Stats) -> None:
    assert (old.documents, old.chars, old.records) == (2, sum(map(len, DOCS)), 4)
    assert old.types == {"Quote": 3, "Mention": 1}
    assert old.marks == {"Name": 4}
    assert {n: (r.records, r.marks) for n, r in old.rules.items()} == {
        "first": ({}, {"Name": 2}),  # Marie, and Paul in the second document; Jean and Paul lost to `full`
        "full": ({}, {"Name": 2}),
        "said": ({"Quote": 3}, {}),
        "present": ({"Mention": 1}, {}),
    }
    assert old.rules["said"].phase == "quotes" and old.rules["said"].origin.endswith("old.rules:7")
    assert old.per_document == {"0": {"Quote": 2, "Mention": 1}, "1": {"Quote": 1}}
    assert old.failed == []


def test_documents_with_the_same_id_add_up_and_failures_are_listed(tmp_path: Path) -> None:
    rules = ruleset(tmp_path, OLD_RULES, "old")
    stats = corpus_stats(rules, [Document("a", DOCS[1]), Document("a", DOCS[1])])
    assert stats.per_document == {"a": {"Quote": 2}} and stats.documents == 2
    stats = corpus_stats(rules, [Document("slow", DOCS[0]), Document("b", DOCS[1])], timeout=1e-9)
    assert [d for d, _ in stats.failed] == ["slow", "b"] and stats.documents == 0 and stats.per_document == {}


def test_json_round_trip(old: Stats, tmp_path: Path) -> None:
    data = json.loads(json.dumps(old.as_json()))
    assert data["format"] == "ruleie-stats/1"
    assert data["rules_path"] == str(tmp_path / "old.rules")
    assert (data["documents"], data["chars"], data["records"]) == (2, sum(map(len, DOCS)), 4)
    assert data["types"] == {"Mention": 1, "Quote": 3}
    assert list(data["rules"]) == ["first", "full", "said", "present"]  # rule order
    assert data["rules"]["said"]["records"] == {"Quote": 3}
    assert data["documents_records"] == {"0": {"Mention": 1, "Quote": 2}, "1": {"Quote": 1}}
    assert Stats.from_json(data).as_json() == data


@pytest.mark.parametrize("data", [{}, {"format": "other"}, {"format": "ruleie-stats/1"}, []])
def test_from_json_rejects_other_shapes(data: object) -> None:
    with pytest.raises(ValueError):
        Stats.from_json(data)  # type: ignore[arg-type]


def test_compare_deltas(old: Stats, new: Stats) -> None:
    cmp = compare(old, new)
    assert [(d.key, d.old, d.new, d.delta) for d in cmp.types] == [("Mention", 1, 0, -1), ("Quote", 3, 2, -1)]
    assert cmp.types[0].percent == -100.0 and cmp.types[1].percent == pytest.approx(-100 / 3)
    assert [(d.key, d.old, d.new, d.delta) for d in cmp.marks] == [("Name", 4, 4, 0)]
    assert [(d.key, d.old, d.new, d.delta) for d in cmp.rules] == [
        ("first", 2, 4, 2), ("said", 3, 2, -1), ("present", 1, 0, -1)]
    assert (cmp.added, cmp.removed) == (["never"], ["full"])
    assert [(d.key, d.old, d.new) for d in cmp.documents] == [("0", 3, 1)]
    assert [d.key for d in cmp.lost] == ["0"] and cmp.gained == []
    assert cmp.same_documents
    data = cmp.as_json()
    assert data["types"][1] == {"key": "Quote", "old": 3, "new": 2, "delta": -1, "percent": -33.33}
    assert data["added"] == ["never"] and data["old"]["records"] == 4 and data["new"]["records"] == 2


def test_compare_with_itself_changes_nothing(old: Stats) -> None:
    cmp = compare(old, old)
    assert all(d.delta == 0 for d in cmp.types + cmp.marks + cmp.rules)
    assert cmp.added == cmp.removed == cmp.documents == []


def test_compare_other_documents(old: Stats, tmp_path: Path) -> None:
    other = corpus_stats(ruleset(tmp_path, OLD_RULES, "old"), [Document("x", DOCS[1])])
    cmp = compare(old, other)
    assert not cmp.same_documents and cmp.documents == []
    assert [d.percent for d in compare(other, old).types] == [None, 200.0]  # Mention: none before


# ------------------------------------------------------------------ ruleie stats


runner = CliRunner()


def test_cli_stats_then_compare(tmp_path: Path) -> None:
    for name, source in (("old", OLD_RULES), ("new", NEW_RULES)):
        (tmp_path / f"{name}.rules").write_text(source, encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(DOCS)), encoding="utf-8")
    saved = tmp_path / "old.json"
    result = runner.invoke(app, ["stats", str(tmp_path / "old.rules"), str(corpus), "--json", str(saved)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith(f"over 2 documents ({sum(map(len, DOCS))} chars): 4 records, 4 marked spans")
    rows = [line.split() for line in lines]
    assert ["Quote", "3", "75.0%"] in rows and ["Name", "4"] in rows
    said = next(r for r in rows if r and r[0] == "said")
    assert said[:6] == ["said", "quotes", "3", "0", "Quote", "3"]
    assert json.loads(saved.read_text(encoding="utf-8"))["records"] == 4

    result = runner.invoke(app, ["stats", str(tmp_path / "new.rules"), str(corpus), "--compare", str(saved)])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["Quote", "3", "2", "-1", "-33.3%"] in rows
    assert ["Mention", "1", "0", "-1", "-100.0%"] in rows
    assert ["first", "2", "4", "+2", "+100.0%"] in rows
    assert "rules: 3 changed, 0 unchanged, 1 added, 1 removed" in result.stdout
    assert "added: never (0)" in result.stdout and "removed: full (2)" in result.stdout
    assert "documents whose records changed: 0 gained, 1 lost, 0 changed only in types" in result.stdout
    assert "labels of marked spans: 0 changed, 1 unchanged" in result.stdout
    assert "marked spans whose count changed" not in result.stdout
    assert "  0: 3 -> 1 (-2)" in result.stdout


def test_cli_stats_bad_compare_file(tmp_path: Path) -> None:
    (tmp_path / "old.rules").write_text(OLD_RULES, encoding="utf-8")
    (tmp_path / "doc.txt").write_text(DOCS[0], encoding="utf-8")
    (tmp_path / "bad.json").write_text('{"format": "something else"}', encoding="utf-8")
    for target in ("bad.json", "missing.json"):
        result = runner.invoke(app, ["stats", str(tmp_path / "old.rules"), str(tmp_path / "doc.txt"),
                                     "--compare", str(tmp_path / target)])
        assert result.exit_code == 2 and f"cannot read {tmp_path / target}" in result.output
