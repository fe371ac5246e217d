"""The authoring session of docs/authoring.md, replayed step by step on a copy of the French pack.

Each shown command is run in a scratch folder holding `rules/fr`, `myrules` (the copy being edited)
and `examples/`; its output must be the one the page shows (a shown line ending in `...` was cut
there and only has to start the same way).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruleie.cli import app

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
RULES_BLOCKS = re.findall(r"```rules\n(.*?)```", PAGE, re.S)
TEXT_BLOCKS = re.findall(r"```text\n(.*?)```", PAGE, re.S)
NEAR_MISS = "Marie Dubois a alerté lundi sur les risques du projet.\n"


def _shown(command: str) -> list[str]:
    """The output the page shows under `$ command` (up to the next `$` line or the block's end)."""
    for block in TEXT_BLOCKS:
        lines = block.rstrip("\n").split("\n")
        for i, line in enumerate(lines):
            if line == f"$ {command}":
                out = []
                for rest in lines[i + 1 :]:
                    if rest.startswith("$ "):
                        break
                    out.append(rest)
                return out
    raise AssertionError(f"the page shows no `$ {command}`")


def _assert_same(shown: list[str], actual: str) -> None:
    got = actual.rstrip("\n").split("\n") if actual.strip() else []
    assert len(got) >= len(shown), actual
    for want, line in zip(shown, got):
        if want.endswith("..."):
            assert line.startswith(want[:-3]), (want, line)
        else:
            assert line == want, (want, line)


def _run(command: str, exit_code: int) -> str:
    """Run `ruleie ...` in-process; its stderr then stdout, as a terminal would show them."""
    args = command.split(" ")[1:]
    args = [a.strip("'\"") for a in args]
    if "--why-not" in args:  # the span is one argument
        i = args.index("--why-not")
        quoted = re.search(r'--why-not "([^"]+)"', command)
        assert quoted is not None
        n = len(quoted.group(1).split(" "))
        args[i + 1 : i + 1 + n] = [quoted.group(1)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == exit_code, (result.stdout, result.stderr, result.exception)
    return result.stderr + result.stdout


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("session")
    shutil.copytree(ROOT / "rules" / "fr", folder / "rules" / "fr")
    shutil.copytree(ROOT / "rules" / "fr", folder / "myrules")
    shutil.copytree(ROOT / "examples", folder / "examples")
    (folder / "near.txt").write_text(NEAR_MISS, encoding="utf-8")
    return folder


def test_the_session_runs_as_shown(session: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(session)
    draft = session / "myrules" / "70_alerts.rules"
    assert len(RULES_BLOCKS) == 2

    draft.write_text(RULES_BLOCKS[0], encoding="utf-8")
    _assert_same(_shown("ruleie check myrules"), _run("ruleie check myrules", 2))

    draft.write_text(draft.read_text(encoding="utf-8").replace(r"\w+\s?", r"\w++\s?"), encoding="utf-8")
    _assert_same(_shown("ruleie check --strict myrules"), _run("ruleie check --strict myrules", 2))

    source = draft.read_text(encoding="utf-8")
    draft.write_text(source[: source.index("\n  rule alert_warned")] + "\n}\n", encoding="utf-8")
    _run("ruleie check --strict myrules", 0)
    test_outputs = [b for b in TEXT_BLOCKS if b.startswith("$ ruleie test myrules")]
    _assert_same(test_outputs[0].split("\n")[1:-1], _run("ruleie test myrules", 0))

    command = "ruleie explain myrules near.txt --why-not \"les risques du projet\" --rule 'alert_*'"
    _assert_same(_shown(command), _run(command, 0))

    draft.write_text(RULES_BLOCKS[1], encoding="utf-8")
    _assert_same(test_outputs[1].split("\n")[1:-1], _run("ruleie test myrules", 0))

    inputs = "examples/article.txt examples/articles.jsonl near.txt"
    _run(f"ruleie stats rules/fr {inputs} --json before.json", 0)
    _assert_same(_shown(f"ruleie stats myrules {inputs} --compare before.json"),
                 _run(f"ruleie stats myrules {inputs} --compare before.json", 0))

    profile = _run("ruleie profile myrules near.txt --top 5", 0)
    assert profile.startswith("profile of myrules over 1 documents")
    assert "rules by time (first 5 of 194)" in profile


def test_the_python_example_runs(session: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(session)
    (session / "myrules" / "70_alerts.rules").write_text(RULES_BLOCKS[1], encoding="utf-8")
    [code] = re.findall(r"```python\n(.*?)```", PAGE, re.S)
    exec(compile(code, "docs/authoring.md", "exec"), {})
    out = capsys.readouterr().out
    assert "alert_on" in out and "'Mention'" in out
