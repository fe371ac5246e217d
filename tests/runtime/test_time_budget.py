"""The per-document time budget: runaway parts are interrupted, cleared parts only checked between calls."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import regex

from ruleie.compile.backtrack import analysable, runaway_risk
from ruleie.runtime import matcher


def test_neutral_regex_only_syntax_is_removed_for_the_analysis() -> None:
    assert analysable(r"(?:(?r))a\K(?P<c_x>b)") == r"(?:)a(?:b)"
    assert analysable(r"\\(?P<y>c)\(?r\)") == r"\\(?:c)\(?r\)"  # escaped parentheses stay


def test_reverse_and_shared_names_do_not_hide_a_runaway_loop() -> None:
    assert runaway_risk(analysable(r"(?r)(?P<c_a>x)(?:a|aa){1,40}(?P<c_a>y)"))
    assert not runaway_risk(analysable(r"(?r)(?P<c_a>x)[a-z]++\s(?P<c_a>y)"))


def test_only_uncleared_regex_patterns_get_a_timeout_per_call() -> None:
    risky = matcher.compile_fast(r"\p{Ll}(?:a|aa){1,60}!")
    safe = matcher.compile_fast(r"\p{Ll}[a-z]++!")
    assert isinstance(risky, regex.Pattern) and isinstance(safe, regex.Pattern)
    assert "timeout" in matcher._budget(risky, float("inf"))
    assert matcher._budget(safe, float("inf")) == {}


def test_a_runaway_part_after_a_span_reference_is_stopped(tmp_path: Path) -> None:
    """The chained part is matched at one position (no scan): it must still be interrupted."""
    (tmp_path / "r.rules").write_text(textwrap.dedent('''
        phase one { rule start match "go" mark Start }
        phase two { rule slow match <Start> x:/\\p{Ll}(?:a|aa){1,60}!/ emit Mention(label="x", span=x) }
    '''), encoding="utf-8")
    script = textwrap.dedent(f'''
        import time, ruleie
        from ruleie.runtime.engine import MatchTimeout
        rules = ruleie.load({str(tmp_path / "r.rules")!r}, use_cache=False)
        assert [r.span.text for r in rules.extract("go baa!", timeout=5)] == ["baa!"]
        started = time.monotonic()
        try:
            rules.extract("go b" + "a" * 60, timeout=0.5)
        except MatchTimeout as err:
            assert "rule slow" in str(err), err
            print(round(time.monotonic() - started, 1))
    ''')
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 5
