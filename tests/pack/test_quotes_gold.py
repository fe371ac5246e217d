"""Gold tests of the reporting-speech part of the French pack (Quote records).

Data (sentences written for this pack, none copied from a corpus): `quotes_gold.jsonl` (written with
the rules), `quotes_holdout_gold.jsonl` (written after a first version of the rules; its five
errors were then fixed) and `quotes_blind_gold.jsonl` (written at the end, scored once, not used to
change the rules). One JSON object per line: the text and its expected
Quote records (see `ruleie.eval` for the format and how records are paired).

Every item is checked on its own (all expected records found with the right kind, content, speaker,
cue and, where given, speaker_resolved; no other Quote); items the pack cannot get right yet carry
an `xfail` reason. The overall thresholds are asserted too, xfail items included.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ruleie
from ruleie.eval import evaluate, load_gold, match, pair_errors

HERE = Path(__file__).parent
GOLD_FILES = [HERE / "quotes_gold.jsonl", HERE / "quotes_holdout_gold.jsonl", HERE / "quotes_blind_gold.jsonl"]
ITEMS = load_gold(GOLD_FILES)


@pytest.fixture(scope="module")
def pack() -> ruleie.RuleSet:
    return ruleie.load()


def _param(item):
    marks = [pytest.mark.xfail(reason=item.xfail, strict=True)] if item.xfail else []
    return pytest.param(item, id=item.id, marks=marks)


@pytest.mark.parametrize("item", [_param(i) for i in ITEMS])
def test_item(pack: ruleie.RuleSet, item) -> None:
    predicted = [r for r in pack.extract(item.text) if r.type == "Quote"]
    gold = [r for r in item.records if r["type"] == "Quote"]
    problems = [p for pair in match(item, "Quote", gold, predicted) for p in pair_errors(pair)]
    assert not problems, f"{item.text}\n  " + "\n  ".join(problems)


def test_gold_is_large_and_varied() -> None:
    items = load_gold([GOLD_FILES[0]])
    negatives = [i for i in items if not i.records]
    kinds = {r["kind"] for i in items for r in i.records}
    assert len(items) >= 200
    assert 0.2 <= len(negatives) / len(items) <= 0.35
    assert kinds == {"direct", "indirect", "partial"}
    assert len({t for i in items for t in i.tags}) >= 8  # politics, sport, science, justice, ...
    assert sum(1 for i in items if any("speaker_resolved" in r and r["speaker_resolved"] for r in i.records)) >= 5


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name)
def test_thresholds(pack: ruleie.RuleSet, path: Path) -> None:
    report = evaluate(pack, load_gold([path]), ["Quote"])
    content = report.score("Quote", "content")
    assert content.f1 >= 0.90, report.table()
    assert report.score("Quote", "speaker").accuracy >= 0.85, report.table()
    assert report.score("Quote", "cue").accuracy >= 0.90, report.table()
    assert report.score("Quote", "kind").accuracy >= 0.90, report.table()


def test_eval_command_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    from ruleie.eval import main

    assert main([str(GOLD_FILES[1]), "--type", "Quote"]) == 0
    out = capsys.readouterr().out
    assert "Quote" in out and "content" in out and "speaker" in out
