"""The library API: load, extract, extract_many (ordered, streaming, parallel, robust)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

import ruleie
from ruleie import Document

RULES = '''
lexicon CITY = { "Paris", "Lyon", "Marseille" }
phase places {
  rule city
    match city:@CITY
    emit Mention(label="city", span=city)
}
'''


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> ruleie.RuleSet:
    folder = tmp_path_factory.mktemp("api")
    (folder / "cities.rules").write_text(RULES, encoding="utf-8")
    return ruleie.load(folder, use_cache=False)


def test_extract_returns_typed_records_with_offsets(rules: ruleie.RuleSet) -> None:
    text = "De Paris à\u00a0Lyon, puis Marseille."
    records = rules.extract(text, doc="d1")
    assert [r.span.text for r in records] == ["Paris", "Lyon", "Marseille"]
    for r in records:
        assert isinstance(r, ruleie.Mention)
        assert r.doc == "d1" and r.label == "city" and r.rule == "city"
        assert r.origin.endswith("cities.rules:4")
        assert text[r.span.start : r.span.end] == r.span.text


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_extract_many_keeps_input_order(rules: ruleie.RuleSet, n_jobs: int) -> None:
    texts = [f"document {i} : {'Paris ' * (i % 4)}Lyon" for i in range(40)]
    outcomes = list(rules.extract_many(texts, n_jobs=n_jobs, chunksize=3))
    assert [o.doc for o in outcomes] == [str(i) for i in range(40)]
    assert [len(o.records) for o in outcomes] == [(i % 4) + 1 for i in range(40)]
    assert all(o.error is None for o in outcomes)


def test_extract_many_accepts_documents_and_mappings(rules: ruleie.RuleSet) -> None:
    docs = [Document("a", "Lyon"), {"id": "b", "text": "Paris", "date": "2024-01-02"}, "Marseille"]
    assert [(o.doc, [r.span.text for r in o.records]) for o in rules.extract_many(docs)] == [
        ("a", ["Lyon"]), ("b", ["Paris"]), ("2", ["Marseille"])
    ]


def test_extract_many_streams(rules: ruleie.RuleSet) -> None:
    pulled = []

    def source() -> Iterator[str]:
        for i in range(1_000_000):
            pulled.append(i)
            yield "Paris"

    stream = rules.extract_many(source())
    first = [next(stream) for _ in range(3)]
    assert [o.doc for o in first] == ["0", "1", "2"]
    assert len(pulled) < 10


def test_a_failing_document_does_not_stop_the_batch(rules: ruleie.RuleSet) -> None:
    docs = [{"id": "ok", "text": "Paris"}, {"id": "bad", "text": None}, {"id": "ok2", "text": "Lyon"}]
    outcomes = list(rules.extract_many(docs))
    assert [o.doc for o in outcomes] == ["ok", "bad", "ok2"]
    assert [len(o.records) for o in outcomes] == [1, 0, 1]


def test_builtin_pack_loads() -> None:
    pack = ruleie.load()
    assert pack.path == ruleie.builtin_rules_path()
    assert sum(len(p.rules) for p in pack.spec.phases) > 0


def test_unknown_path_is_a_rule_error(tmp_path: Path) -> None:
    with pytest.raises(ruleie.RuleErrors) as info:
        ruleie.load(tmp_path / "missing")
    assert info.value.errors[0].code == "E205"


#: Polynomial backtracking (a warning, not an error): far past any budget on a few thousand letters.
RUNAWAY = r'''
phase p {
  rule slow
    match x:/\p{L}*\p{L}*\p{L}*\d/
    emit Mention(label="x", span=x)
}
'''


@pytest.fixture(scope="module")
def runaway(tmp_path_factory: pytest.TempPathFactory) -> ruleie.RuleSet:
    folder = tmp_path_factory.mktemp("runaway")
    (folder / "slow.rules").write_text(RUNAWAY, encoding="utf-8")
    return ruleie.load(folder, use_cache=False)


def test_extract_past_its_budget_names_the_rule(runaway: ruleie.RuleSet) -> None:
    with pytest.raises(ruleie.runtime.engine.MatchTimeout, match=r"time budget of 0.2 s used up in rule slow \(.*slow.rules:3\)"):
        runaway.extract("a" * 3000, timeout=0.2)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_extract_many_time_budget(runaway: ruleie.RuleSet, n_jobs: int) -> None:
    outcomes = list(runaway.extract_many(["ab1", "a" * 3000, "cd2"], n_jobs=n_jobs, timeout=0.2))
    assert [(o.doc, len(o.records)) for o in outcomes] == [("0", 1), ("1", 0), ("2", 1)]
    assert [o.error for o in outcomes][0::2] == [None, None]
    assert outcomes[1].error is not None and outcomes[1].error.startswith("time budget of 0.2 s used up in rule slow (")


def test_time_budget_grows_with_the_document() -> None:
    from ruleie.api import RunOptions

    assert RunOptions(10.0, 60.0).budget("x" * 500_000) == 40.0
    assert RunOptions(None, 60.0).budget("x") is None


def test_a_split_document_shares_one_budget(runaway: ruleie.RuleSet) -> None:
    with pytest.raises(ruleie.runtime.engine.MatchTimeout, match="time budget of 0.2 s"):
        runaway.extract(("ab1 " + "a" * 400 + " ") * 20, timeout=0.2, split_chars=500)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_extract_many_by_piece(rules: ruleie.RuleSet, n_jobs: int) -> None:
    long = "Paris et Lyon. " * 20  # 300 characters: 3 pieces of at most 120
    outcomes = list(rules.extract_many(["Lyon", long, "Paris"], n_jobs=n_jobs, split_chars=120, by_piece=True))
    assert [(o.doc, o.part, o.last) for o in outcomes] == [("0", 0, True), ("1", 0, False), ("1", 1, False), ("1", 2, True), ("2", 0, True)]
    pieces = [r for o in outcomes if o.doc == "1" for r in o.records]
    assert pieces == rules.extract(long, doc="1", split_chars=None)
    assert all(long[r.span.start : r.span.end] == r.span.text for r in pieces)


def test_by_piece_skips_the_rest_of_a_failed_document(runaway: ruleie.RuleSet) -> None:
    long = ("a" * 300 + " ") * 3
    outcomes = list(runaway.extract_many([long, "ab1"], split_chars=400, by_piece=True, timeout=0.1))
    assert [(o.doc, o.part, o.last, o.error is None) for o in outcomes] == [
        ("0", 0, False, False), ("0", 1, False, False), ("0", 2, True, False), ("1", 0, True, True)
    ]
    assert outcomes[1].error == "skipped: an earlier piece of this document failed"
