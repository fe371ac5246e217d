"""`why_not`: one verdict per rule, each kind with its element, location and position, from Python
and from `ruleie explain --why-not`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ruleie.api import RuleSet, load
from ruleie.authoring.why_not import Diagnosis, LabelledSpan, Winner, locate, why_not
from ruleie.records import Span

REPO = Path(__file__).resolve().parents[2]

RULES = r'''lexicon NAMES = {"Marie", "Pierre"}
lexicon SAY [verbs] = {"dire", "penser"}
phase people {
  rule person match @NAMES mark Speaker
}
phase cues {
  rule cue match @SAY mark Cue
}
phase quotes {
  rule said match "Marie" "a" "dit" ":" /\w+/ emit Mention(label="said")
  rule no_que match "Marie" "a" "dit" not ahead("que") /\w+/ emit Mention(label="plain")
  rule said_to match <Speaker> <Cue> "à" <Speaker> emit Mention(label="to")
  rule colon match "Marie" <Cue> ":" q:/\w+/ emit Quote(content=q, kind="direct")
  rule titled match "La" "maire" <Cue> ":" q:/\w+/ emit Quote(content=q, kind="direct")
  rule long [priority=1] match "Marie" "a" "dit" emit Mention(label="long")
  rule short match "Marie" "a" emit Mention(label="short")
  rule empty match "dit" ":" c:/\w+/? "!" emit Quote(content=c, kind="direct")
  rule grouped match "Marie" ("a" "dit" | "dit") # a group is one element
    ~ "!" emit Mention(label="grouped")
}
'''


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    folder = tmp_path_factory.mktemp("why-not")
    (folder / "r.rules").write_text(RULES, encoding="utf-8")
    return load(folder / "r.rules", use_cache=False)


def diagnose(ruleset: RuleSet, text: str, target: str, rule: str) -> Diagnosis:
    (found,) = why_not(ruleset, text, target, rules=[rule])
    return found


def where(d: Diagnosis) -> tuple[str, int, int]:
    assert d.element is not None
    return Path(d.element.loc.file).name, d.element.loc.line, d.element.loc.col


def test_first_failed_element_after_the_longest_prefix(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Marie a dit oui.", "Marie a dit oui", "said")
    assert d.verdict == "element"
    assert d.element is not None and d.element.text == '":"' and d.element.index == 3
    assert where(d) == ("r.rules", 10, 37)
    assert (d.position, d.excerpt, d.backward) == (11, " oui.", False)
    assert d.matched == Span(start=0, end=11, text="Marie a dit")
    assert (d.elements_matched, d.elements) == (3, 5)


def test_first_element_failing_at_the_target(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Le maire a dit : oui.", "Le maire a dit : oui", "said")
    assert d.verdict == "element" and d.element is not None and d.element.text == '"Marie"'
    assert where(d) == ("r.rules", 10, 19)
    assert (d.position, d.matched, d.elements_matched) == (0, None, 0)


def test_group_is_reported_as_one_element(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Marie a dit ?", "Marie a dit ?", "grouped")
    assert d.verdict == "element" and d.element is not None
    assert d.element.text == '"!"' and where(d) == ("r.rules", 19, 7)
    assert (d.position, d.elements_matched) == (11, 2)
    d = diagnose(ruleset, "Marie pense !", "Marie pense !", "grouped")
    assert d.element is not None and d.element.text == '("a" "dit" | "dit")'
    assert where(d) == ("r.rules", 18, 30) and d.position == 5


def test_lookaround_veto(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Marie a dit que oui.", "Marie a dit que oui", "no_que")
    assert d.verdict == "lookaround"
    assert d.element is not None and d.element.text == 'not ahead("que")'
    assert where(d) == ("r.rules", 11, 39)
    assert (d.position, d.excerpt) == (11, " que oui.")


def test_missing_span_names_the_spans_nearby(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Marie a dit à Paul : oui.", "Marie a dit à Paul", "said_to")
    assert d.verdict == "ref"
    assert d.element is not None and d.element.text == "<Speaker>" and d.element.index == 3
    assert where(d) == ("r.rules", 12, 42)
    assert (d.position, d.excerpt) == (14, "Paul : oui.")
    assert d.nearby == (
        LabelledSpan("Cue", Span(start=6, end=11, text="a dit"), "cue"),
        LabelledSpan("Speaker", Span(start=0, end=5, text="Marie"), "person"),
    )


def test_missing_anchor_span_where_the_part_before_it_ends(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Marie sait : oui.", "Marie sait : oui", "colon")
    assert d.verdict == "ref" and d.element is not None and d.element.text == "<Cue>"
    assert where(d) == ("r.rules", 13, 28)
    assert (d.position, d.matched) == (6, Span(start=0, end=5, text="Marie"))


def test_part_before_the_anchor_fails_backwards(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Le maire a dit : oui.", "Le maire a dit : oui", "titled")
    assert d.verdict == "element" and d.backward
    assert d.element is not None and d.element.text == '"La"'
    assert where(d) == ("r.rules", 14, 21)
    assert (d.position, d.excerpt) == (3, "Le ")
    assert d.matched == Span(start=3, end=20, text="maire a dit : oui")
    assert (d.elements_matched, d.elements) == (4, 5)


def test_lost_overlap_names_the_winner(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Marie a dit !", "Marie a", "short")
    assert d.verdict == "overlap"
    assert d.matched == Span(start=0, end=7, text="Marie a")
    assert d.winner is not None and d.winner.rule == "long" and d.winner.priority == 1
    assert d.winner == Winner("long", d.winner.origin, 1, Span(start=0, end=11, text="Marie a dit"))
    assert d.winner.origin.endswith("r.rules:15")


def test_required_field_left_empty(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Elle dit : !", "dit : !", "empty")
    assert d.verdict == "empty_field"
    assert d.fields == ("content (capture 'c' did not match)",)
    assert d.matched == Span(start=5, end=12, text="dit : !")


def test_match_of_another_extent(ruleset: RuleSet) -> None:
    d = diagnose(ruleset, "Marie a dit !", "Marie a", "long")
    assert d.verdict == "extent"
    assert d.matched == Span(start=0, end=11, text="Marie a dit")


def test_produced_record_and_ranking(ruleset: RuleSet) -> None:
    found = why_not(ruleset, "Marie pense : oui.", "Marie pense : oui")
    assert (found[0].rule, found[0].verdict) == ("colon", "produced")
    assert found[0].matched == Span(start=0, end=17, text="Marie pense : oui")
    progress = [d.elements_matched for d in found if d.verdict in ("element", "ref", "lookaround")]
    assert progress[-1] == 0 and found[-1].elements_matched == 0


def test_offsets_are_original_after_normalisation(ruleset: RuleSet) -> None:
    text = "Marie\u00a0a dit\u00ad oui."  # no-break space, soft hyphen (removed by normalisation)
    d = diagnose(ruleset, text, "Marie a dit oui", "said")
    assert d.matched == Span(start=0, end=11, text="Marie\u00a0a dit")
    assert (d.position, d.excerpt) == (12, " oui.")


def test_locate() -> None:
    text = "Il a dit oui, puis il a dit non."
    assert locate(text, "a dit") == (3, 8)
    assert locate(text, "a dit", at=4) == (22, 27)
    assert locate(text, (9, 12)) == (9, 12)
    assert locate("l’Élysée dit", "l'Élysée") == (0, 8)
    with pytest.raises(ValueError, match="does not occur"):
        locate(text, "jamais")
    with pytest.raises(ValueError):
        locate(text, (5, 5))


def test_ruleset_method(ruleset: RuleSet) -> None:
    found = ruleset.why_not("Marie a dit oui.", "Marie a dit oui", rules=["said"])
    assert [d.verdict for d in found] == ["element"]


def test_label_filter(ruleset: RuleSet) -> None:
    found = why_not(ruleset, "Marie a dit oui.", "Marie a dit oui", labels=["Quote"])
    assert {d.rule for d in found} == {"colon", "titled", "empty"}


# ------------------------------------------------------------------ command line


def run(args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RULEIE_CACHE_DIR")}
    env.update(PYTHONPATH=str(REPO), RULEIE_CACHE_DIR=str(cache), PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-m", "ruleie.cli", *args], cwd=cwd, env=env, capture_output=True, timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def test_cli_small_rules(tmp_path: Path) -> None:
    (tmp_path / "r.rules").write_text(RULES, encoding="utf-8")
    text = "Marie a dit oui. Marie a dit que oui."
    proc = run(["explain", "r.rules", text, "--why-not", "Marie a dit", "--why-not-at", "5", "--rule", "no_*"],
               tmp_path, tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        'why no record over 17-28 "Marie a dit": 1 of 1 rules, furthest first',
        "",
        "rule no_que  r.rules:11  -> Mention",
        '  matched   17-28 "Marie a dit"  (3 of 5 elements)',
        '  vetoed by not ahead("que")  r.rules:11:39',
        '            tried at 28: " que oui."',
    ]
    proc = run(["explain", "r.rules", text, "--why-not-at", "0:11", "--limit", "1"], tmp_path, tmp_path / "cache")
    assert proc.returncode == 0 and "1 of 11 rules" in proc.stdout and "10 more rules" in proc.stdout
    proc = run(["explain", "r.rules", text, "--why-not", "Paul"], tmp_path, tmp_path / "cache")
    assert proc.returncode == 2 and 'error: "Paul" does not occur in the text' in proc.stderr


def test_cli_french_pack_missing_cue(tmp_path: Path) -> None:
    text = "Le maire de Lyon pense le budget est bon."
    proc = run(["explain", str(REPO / "rules" / "fr"), text, "--why-not", text[:-1], "--rule", "indirect_que"],
               REPO, tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[2] == "rule indirect_que  rules/fr/30_quotes.rules:82  -> Quote"
    assert lines[3] == '  matched   0-16 "Le maire de Lyon"  (1 of 6 elements)'
    assert lines[4] == "  no span   cue:<CueQue>  rules/fr/30_quotes.rules:84:19"
    assert lines[5] == '            tried at 17: "pense le budget est bon."'
    assert lines[6].startswith('            spans there: ReportingVerb 17-22 "pense"')


def test_look_ahead_before_the_anchor_is_replayed_on_the_whole_text(tmp_path: Path) -> None:
    (tmp_path / "r.rules").write_text(
        'lexicon NAMES = {"Marie"}\n'
        "phase people { rule person match @NAMES mark Speaker }\n"
        'phase use { rule curie match "selon" ahead(/\\p{Lu}\\w+ C/) s:<Speaker> emit Mention(label="m", span=s) }\n',
        encoding="utf-8",
    )
    rules = load(tmp_path / "r.rules", use_cache=False)
    assert diagnose(rules, "selon Marie Curie", "Marie", "curie").verdict == "produced"
    d = diagnose(rules, "selon Marie Dupont", "Marie", "curie")
    assert d.verdict != "produced" and d.element is not None and d.element.text.startswith("ahead(")


def test_a_mark_of_a_capture_that_did_not_match_makes_no_span(tmp_path: Path) -> None:
    (tmp_path / "r.rules").write_text(
        'phase names { rule maybe match "Mme" n:/\\p{Lu}\\w+/? "!" mark Person(span=n) }\n'
        'phase use { rule person match p:<Person> emit Mention(label="m", span=p) }\n',
        encoding="utf-8",
    )
    rules = load(tmp_path / "r.rules", use_cache=False)
    assert rules.extract("Mme !") == []
    d = diagnose(rules, "Mme !", "Mme !", "person")
    assert d.verdict == "ref" and d.element is not None and d.element.text == "p:<Person>"
