"""Mutations of the real French pack: its rule files with tokens deleted, duplicated, swapped or
cut off must compile or fail with clean `RuleErrors`, and when they compile, extract with exact
offsets.

Compiling the whole pack takes seconds, so each target mutates one file in a reduced copy of the
pack that still compiles on its own: `50_dates.rules` alone (compiled and run), and the smaller
quote files on top of the files they include (loaded and name-checked).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from fuzzkit import EDITS, PACK, PARAGRAPH, assert_clean_errors, assert_exact_spans, fuzz_settings, mutate, tokens
from hypothesis import given
from hypothesis import strategies as st

from ruleie.api import RuleSet, compile_rules
from ruleie.dsl.errors import RuleErrors
from ruleie.dsl.resolve import load_program

#: Files loaded and checked with one of them mutated (each includes 00_common.rules).
SMALL = ["10_cues.rules", "35_sources.rules", "36_incises.rules", "40_partial.rules"]
BASE = ["00_common.rules", "10_cues.rules", "20_mentions.rules"]


def _copy(files: list[str], target: Path) -> None:
    shutil.copytree(PACK / "lexicons", target / "lexicons")
    for name in files:
        shutil.copy(PACK / name, target / name)


def test_tokeniser_round_trips_every_pack_file() -> None:
    """Mutations work on real tokens: joining them gives the file back, strings and regexes whole."""
    for path in sorted(PACK.glob("*.rules")):
        source = path.read_text(encoding="utf-8")
        toks = tokens(source)
        assert "".join(toks) == source
        assert any(t.startswith("/") and t.endswith("/") and len(t) > 2 for t in toks) or path.name == "00_common.rules"


@fuzz_settings(25)
@given(EDITS)
def test_mutated_dates_file_compiles_or_fails_cleanly(edits: list[tuple[str, int, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _copy([], folder)
        source = mutate((PACK / "50_dates.rules").read_text(encoding="utf-8"), edits)
        (folder / "50_dates.rules").write_text(source, encoding="utf-8")
        try:
            spec = compile_rules(folder)
        except RuleErrors as errors:
            assert_clean_errors(errors)
            return
    records = RuleSet(spec).extract(PARAGRAPH, doc_date="2024-03-04", timeout=20)
    assert_exact_spans(PARAGRAPH, records)


@fuzz_settings(30)
@given(st.sampled_from(SMALL), EDITS)
def test_mutated_quote_files_load_or_fail_cleanly(name: str, edits: list[tuple[str, int, int]]) -> None:
    """Parsing, includes and name checks of a mutated file among the intact ones it depends on."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _copy(sorted({*BASE, name}), folder)
        (folder / name).write_text(mutate((PACK / name).read_text(encoding="utf-8"), edits), encoding="utf-8")
        try:
            program = load_program(folder, strict=False)
        except RuleErrors as errors:
            assert_clean_errors(errors)
            return
        if program.errors:
            assert_clean_errors(RuleErrors(program.errors))


@pytest.mark.parametrize("name", ["36_incises.rules", "50_dates.rules"])
def test_pack_file_cut_anywhere_inside_a_block(tmp_path: Path, name: str) -> None:
    """Cut inside a `phase` block (at every 97th token), a pack file is an E001/E002 at its end."""
    _copy(["00_common.rules"] if name != "50_dates.rules" else [], tmp_path)
    source = (PACK / name).read_text(encoding="utf-8")
    toks = tokens(source)
    for cut in range(0, len(toks), 97):
        head = "".join(toks[:cut])
        if head.count("{") - head.count("}") <= 0 or "phase" not in head:
            continue  # between statements a cut can be a valid file
        (tmp_path / name).write_text(head, encoding="utf-8")
        with pytest.raises(RuleErrors) as info:
            load_program(tmp_path / name)
        assert_clean_errors(info.value)
        assert info.value.errors[0].code in {"E001", "E002"}
