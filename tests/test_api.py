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
