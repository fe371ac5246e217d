"""Shared macros written out in place so that a pattern can run on stdlib `re` (same matches)."""

from __future__ import annotations

import re
from pathlib import Path

import regex

import ruleie
from ruleie.runtime.matcher import INLINE_LIMIT, compile_fast, inline_shared

TEXT = "le 3 mai, le 12 juin 2021 et le 30 septembre ; pas le 40 mai ni mai 3. Le 1 mai."


def test_source_without_shared_macros_is_unchanged() -> None:
    assert inline_shared(r"\d+\s+mai") == r"\d+\s+mai"


def test_written_out_pattern_finds_the_same_matches() -> None:
    source = r"(?(DEFINE)(?P<m_DAY>\d{1,2})(?P<m_MONTH>mai|juin|septembre))(?&m_DAY)\s+(?&m_MONTH)(?:\s+\d{4})?"
    inlined = inline_shared(source)
    assert inlined == r"(?:\d{1,2})\s+(?:mai|juin|septembre)(?:\s+\d{4})?"
    found = [m.span() for m in re.finditer(inlined, TEXT)]
    assert found == [m.span() for m in regex.finditer(source, TEXT)]
    assert len(found) == 5


def test_macros_calling_each_other_are_written_out_fully() -> None:
    source = r"(?(DEFINE)(?P<m_A>x(?&m_B))(?P<m_B>[yz]+))(?&m_A)-(?&m_B)"
    assert inline_shared(source) == r"(?:x(?:[yz]+))-(?:[yz]+)"


def test_brackets_and_escapes_inside_a_body_do_not_end_it() -> None:
    source = r"(?(DEFINE)(?P<m_P>[)(\]]\)))a(?&m_P)"
    inlined = inline_shared(source)
    assert inlined == r"a(?:[)(\]]\))"
    assert re.fullmatch(inlined, "a])") and regex.fullmatch(source, "a])")


def test_numbered_back_references_keep_the_regex_form() -> None:
    assert inline_shared(r"(?(DEFINE)(?P<m_A>a+))(b)(?&m_A)\1") is None


def test_too_large_a_result_keeps_the_regex_form() -> None:
    body = "x" * (INLINE_LIMIT // 4)
    calls = "(?&m_A)" * 5
    assert inline_shared(f"(?(DEFINE)(?P<m_A>{body})){calls}") is None


def test_malformed_definitions_keep_the_regex_form() -> None:
    assert inline_shared(r"(?(DEFINE)(?P<m_A>a") is None
    assert inline_shared(r"(?(DEFINE)(?:a))(?&m_A)") is None


def test_rule_with_a_shared_macro_runs_on_re(tmp_path: Path) -> None:
    """A macro over the sharing size, used twice in a rule, is shared by the compiler yet the rule runs on `re`."""
    months = " | ".join(f'"{m}{i}"' for i in range(120) for m in ("janvier", "février"))
    rules = tmp_path / "r.rules"
    rules.write_text(
        f"macro MONTH = {months}\n"
        'phase p { rule r match a:MONTH "ou" b:MONTH emit Mention(label="m", span=a) }\n',
        encoding="utf-8",
    )
    ruleset = ruleie.load(rules, use_cache=False)
    source = ruleset.engine.rules[0].segments[0].source
    assert source.startswith("(?(DEFINE)")
    assert isinstance(compile_fast(source), re.Pattern)
    [record] = ruleset.extract("en janvier7 ou février119, pas en janvier300")
    assert record.span.text == "janvier7"
