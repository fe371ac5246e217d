"""Fuzz targets for the rule compiler: grammar-aware rule files, then mutated, then random bytes.

Whatever the input, compiling either succeeds (and the rules then run on French text with exact
offsets) or raises `RuleErrors` whose every error is well formed; never another exception, and
never a hang. Run longer with `RULEIE_FUZZ_EXAMPLES=100000 python -m pytest tests/fuzz` (see
fuzzkit.py and docs/reliability.md).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzzkit import EDITS, PARAGRAPH, assert_clean_errors, assert_exact_spans, fuzz_settings, mutate, rule_files
from hypothesis import given
from hypothesis import strategies as st

from ruleie.api import RuleSet, compile_rules
from ruleie.dsl.errors import RuleErrors
from ruleie.dsl.parser import parse


def _compile(source: str | bytes) -> RuleSet | None:
    """Compile `source` as a one-file rule set; None when it has errors (checked to be clean)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.rules"
        path.write_bytes(source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass"))
        try:
            return RuleSet(compile_rules(path))
        except RuleErrors as errors:
            assert_clean_errors(errors)
            for e in errors.errors:
                assert e.loc.file.endswith("f.rules") or e.loc.file == "<built-in>"
            return None


@fuzz_settings(60)
@given(rule_files(safe=True), EDITS | st.just([]))
def test_generated_rule_files_compile_or_fail_cleanly_and_run(source: str, edits: list[tuple[str, int, int]]) -> None:
    """Rule files with only linear-time regexes: when they compile, extraction gives exact spans."""
    rules = _compile(mutate(source, edits) if edits else source)
    if rules is not None:
        records = rules.extract(PARAGRAPH, timeout=10)
        assert_exact_spans(PARAGRAPH, records)
        assert [r.model_dump() for r in rules.extract(PARAGRAPH, timeout=10)] == [r.model_dump() for r in records]


@fuzz_settings(80)
@given(rule_files(safe=False), EDITS)
def test_wild_rule_files_only_raise_rule_errors(source: str, edits: list[tuple[str, int, int]]) -> None:
    """Any regex, any repeat: compiling (not running) never fails with anything but RuleErrors."""
    _compile(mutate(source, edits))


@fuzz_settings(60)
@given(st.binary(max_size=200))
def test_random_bytes_only_raise_rule_errors(data: bytes) -> None:
    """Bytes that are not UTF-8, NULs, UTF-16 BOMs: E206 or a syntax error, nothing else."""
    _compile(data)


@fuzz_settings(60)
@given(st.text(st.characters(codec="utf-8"), max_size=120))
def test_parser_alone_on_any_unicode(source: str) -> None:
    """`parse` on arbitrary text (every Unicode category, line separators included)."""
    try:
        parse(source, "f.rules")
    except RuleErrors as errors:
        assert_clean_errors(errors)
        for e in errors.errors:
            assert e.loc.line <= source.count("\n") + 1
