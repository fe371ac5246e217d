"""Fuzz target for the engine: random text of every Unicode category through real pack rules.

The dates file of the French pack compiles on its own in a fraction of a second, so it stands in
for the pack here (tests/runtime/test_properties.py runs the whole pack). Extraction never
raises, every span indexes the text exactly, and a second run gives the same records.
`RULEIE_FUZZ_EXAMPLES` raises the number of examples (see fuzzkit.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fuzzkit import PACK, PARAGRAPH, assert_exact_spans, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

import ruleie

PIECES = st.sampled_from([
    "le 3 mars 2024", "lundi", "hier soir", "il y a deux ans", "depuis 1998", "à 14h30", "vers midi", "l'an dernier",
    "\r\n", "\x00", "\u200b", "\u2028", "\ud800", "e\u0301", "\u05e9\u05dc\u05d5\u05dd", "\u202e", "1er", "XXIe siècle",
])
TEXTS = st.lists(st.one_of(PIECES, st.text(st.characters(codec=None), max_size=10)), max_size=40).map("".join)


@pytest.fixture(scope="module")
def dates(tmp_path_factory: pytest.TempPathFactory) -> ruleie.RuleSet:
    folder = tmp_path_factory.mktemp("dates")
    shutil.copytree(PACK / "lexicons", folder / "lexicons")
    shutil.copy(PACK / "50_dates.rules", folder / "50_dates.rules")
    return ruleie.load(folder, use_cache=False)


def test_dates_rules_find_dates(dates: ruleie.RuleSet) -> None:
    """The stand-in is real: it finds the date of the reference paragraph."""
    records = dates.extract(PARAGRAPH, doc_date="2024-03-04")
    assert any(r.span.text.startswith("lundi 3 mars 2024") for r in records), [r.span.text for r in records]


@fuzz_settings(80)
@given(TEXTS, st.sampled_from([None, "2024-03-15", "1999-12-31"]))
def test_random_text_through_pack_rules(dates: ruleie.RuleSet, text: str, doc_date: str | None) -> None:
    records = dates.extract(text, doc_date=doc_date)
    assert_exact_spans(text, records)
    assert [r.model_dump() for r in dates.extract(text, doc_date=doc_date)] == [r.model_dump() for r in records]
