"""The README's examples do what the README says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ruleie
from ruleie.testing import run_tests

README = Path(__file__).resolve().parent.parent / "README.md"


def _block(info: str, index: int = 0) -> str:
    return re.findall(rf"```{info}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[index]


@pytest.fixture
def tour(tmp_path: Path) -> Path:
    path = tmp_path / "my.rules"
    path.write_text(_block("rules"), encoding="utf-8")
    return path


def test_tour_rule_file_compiles_and_its_tests_pass(tour: Path) -> None:
    report = run_tests(ruleie.load(tour, use_cache=False))
    assert len(report.outcomes) == 2 and not report.failed and not report.uncovered


def test_tour_rule_file_extracts_from_python(tour: Path) -> None:
    text = "« On verra demain », a dit le ministre Hugo Ferrand."
    [quote] = ruleie.load(tour).extract(text)
    assert (quote.content.text, quote.speaker.text, quote.cue.text, quote.cue_lemma) == (
        "On verra demain", "le ministre Hugo Ferrand", "a dit", "dire"
    )


def test_typo_message_is_the_one_the_readme_shows(tour: Path) -> None:
    source = tour.read_text(encoding="utf-8").replace("speaker:<Person>", "speaker:PERSN")
    tour.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ruleie.cli", "check", "my.rules"],
        cwd=tour.parent, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(README.parent)},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == _block("text", 0).strip()
