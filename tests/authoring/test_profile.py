"""`profile_corpus` and `ruleie profile`: exact match counts before and after overlap resolution,
compile time kept out of rule times, failed documents, sorting, JSON and the command's output."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruleie.api import Document, RuleSet, compile_rules
from ruleie.authoring.profile import profile_corpus
from ruleie.cli import app
from ruleie.runtime.matcher import RuleMatcher

# `first` and `full` both find "Jean" and "Paul" at the start of "Jean Dupont" and "Paul Martin";
# the phase keeps the longest, so `first` loses two of its matches.
RULES = r'''lexicon FIRST = {"Jean", "Marie", "Paul"}
phase names {
  rule first match @FIRST mark Name
  rule full match @FIRST /\p{Lu}\w+/ mark Name
}
phase quotes {
  rule said match s:<Name> "a" "dit" ":" q:/[^.]+/
    emit Quote(content=q, speaker=s, kind="direct")
}
'''
DOC_1 = "Jean Dupont a dit : oui. Marie a dit : non. Paul Martin est là."
DOC_2 = "Paul a dit : bien."


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "names.rules"
    path.write_text(RULES, encoding="utf-8")
    return path


def fresh(path: Path) -> RuleSet:
    return RuleSet(compile_rules(path), path)


def by_name(report) -> dict:
    return {r.name: r for r in report.rules}


def test_found_and_kept_per_rule_and_phase(rules_file: Path) -> None:
    report = profile_corpus(fresh(rules_file), [DOC_1, Document("d2", DOC_2)])
    rules = by_name(report)
    assert (rules["first"].found, rules["first"].kept) == (4, 2)  # Jean, Marie, Paul, Paul; Jean and Paul lost
    assert (rules["full"].found, rules["full"].kept) == (2, 2)
    assert (rules["said"].found, rules["said"].kept) == (3, 3)
    assert [(p.name, p.rules, p.found, p.kept) for p in report.phases] == [("names", 2, 6, 4), ("quotes", 1, 3, 3)]
    assert report.documents == 2 and report.chars == len(DOC_1) + len(DOC_2)
    assert [r.phase for r in report.rules] == ["names", "names", "quotes"]
    assert rules["said"].origin.endswith("names.rules:7")
    assert report.failed == []


def test_profile_accumulates_like_the_engine_extracts(rules_file: Path) -> None:
    ruleset = fresh(rules_file)
    report = profile_corpus(ruleset, [DOC_1, DOC_2])
    emitted = len(ruleset.extract(DOC_1)) + len(ruleset.extract(DOC_2))
    assert by_name(report)["said"].kept == emitted == 3


def test_times_add_up(rules_file: Path) -> None:
    report = profile_corpus(fresh(rules_file), [DOC_1 * 50] * 4)
    assert all(r.seconds > 0 for r in report.rules)
    assert report.run_seconds >= report.match_seconds + report.resolve_seconds
    assert report.other_seconds == pytest.approx(report.run_seconds - report.match_seconds - report.resolve_seconds)
    assert sum(report.share(p.seconds) for p in report.phases) <= 1.0
    assert report.chars_per_second == pytest.approx(report.chars / report.run_seconds)


def test_compile_time_is_reported_apart_from_rule_times(rules_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = RuleMatcher.build.__func__  # type: ignore[attr-defined]

    def slow_build(cls, index, segments):
        time.sleep(0.05)
        return build(cls, index, segments)

    monkeypatch.setattr(RuleMatcher, "build", classmethod(slow_build))
    report = profile_corpus(fresh(rules_file), [DOC_1])
    assert report.compile_seconds >= 3 * 0.05
    assert all(r.seconds < 0.05 for r in report.rules)


def test_failed_documents_are_listed_and_the_rest_profiled(rules_file: Path) -> None:
    ruleset = fresh(rules_file)
    report = profile_corpus(ruleset, [Document("slow", DOC_1)], timeout=1e-9)
    assert [doc for doc, _ in report.failed] == ["slow"]
    assert "MatchTimeout" in report.failed[0][1]
    assert report.documents == 0


def test_empty_corpus(rules_file: Path) -> None:
    report = profile_corpus(fresh(rules_file), [])
    assert report.documents == report.chars == 0
    assert report.chars_per_second == 0.0 and report.share(1.0) == 0.0
    assert [r.found for r in report.rules] == [0, 0, 0]


def test_sorting_and_top(rules_file: Path) -> None:
    report = profile_corpus(fresh(rules_file), [DOC_1, DOC_2])
    assert [r.name for r in report.sorted_rules("found")] == ["first", "said", "full"]
    assert [r.name for r in report.sorted_rules("kept")][0] == "said"
    assert [r.name for r in report.sorted_rules("name")] == ["first", "full", "said"]
    times = [r.seconds for r in report.sorted_rules("time")]
    assert times == sorted(times, reverse=True)
    assert len(report.sorted_rules("time", top=1)) == 1
    with pytest.raises(ValueError):
        report.sorted_rules("speed")


def test_as_json_shape(rules_file: Path) -> None:
    data = json.loads(json.dumps(profile_corpus(fresh(rules_file), [DOC_1, DOC_2]).as_json()))
    assert data["format"] == "ruleie-profile/1"
    assert data["rules_path"] == str(rules_file)
    assert (data["documents"], data["chars"], data["failed"]) == (2, len(DOC_1) + len(DOC_2), [])
    assert set(data["seconds"]) == {"compile", "warmup", "run", "match", "resolve", "other"}
    assert [(r["name"], r["found"], r["kept"]) for r in data["rules"]] == [("first", 4, 2), ("full", 2, 2), ("said", 3, 3)]
    assert [(p["name"], p["found"], p["kept"]) for p in data["phases"]] == [("names", 6, 4), ("quotes", 3, 3)]
    assert set(data["rules"][0]) == {"name", "origin", "phase", "found", "kept", "seconds", "share"}


# ------------------------------------------------------------------ ruleie profile


runner = CliRunner()


def test_cli_profile_table(rules_file: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate([DOC_1, DOC_2])) + "\n",
                      encoding="utf-8")
    out = tmp_path / "profile.json"
    result = runner.invoke(app, ["profile", str(rules_file), str(corpus), "--sort", "name", "--json", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"profile of {rules_file} over 2 documents ({len(DOC_1) + len(DOC_2)} chars)"
    assert lines[1].startswith("compile: ") and "warm-up" in lines[1]
    assert lines[2].startswith("run: ") and "chars/s" in lines[2]
    rows = [line.split() for line in lines]
    assert ["names", "2", "6", "4"] == next(r for r in rows if r and r[0] == "names")[:4]
    assert ["total", "3", "9", "7"] == next(r for r in rows if r and r[0] == "total")[:4]
    rule_rows = [r for r in rows if r and r[0] in ("first", "full", "said")]
    assert [r[:4] for r in rule_rows] == [["first", "names", "4", "2"], ["full", "names", "2", "2"], ["said", "quotes", "3", "3"]]
    assert rule_rows[2][-1].endswith("names.rules:7")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["documents"] == 2 and [r["found"] for r in data["rules"]] == [4, 2, 3]


def test_cli_profile_limit_lines_top_and_json_to_stdout(rules_file: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(f"{DOC_1}\n\n{DOC_2}\n{DOC_2}\n", encoding="utf-8")
    result = runner.invoke(app, ["profile", str(rules_file), str(corpus), "--lines", "--limit", "2", "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["documents"] == 2 and data["chars"] == len(DOC_1) + len(DOC_2)
    result = runner.invoke(app, ["profile", str(rules_file), str(corpus), "--top", "1"])
    assert "rules by time (first 1 of 3)" in result.stdout


def test_cli_profile_errors(rules_file: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "one.txt"
    corpus.write_text(DOC_1, encoding="utf-8")
    result = runner.invoke(app, ["profile", str(rules_file), str(corpus), "--sort", "speed"])
    assert result.exit_code == 2 and "unknown sort key" in result.output
    result = runner.invoke(app, ["profile", str(rules_file), str(corpus), str(tmp_path / "missing.txt")])
    assert result.exit_code == 1
    assert "missing.txt" in result.output and "over 1 documents" in result.stdout
