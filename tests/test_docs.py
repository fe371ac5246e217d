"""The examples of docs/language.md compile, pass their own tests and fail as documented.

Fenced blocks of the document, by info string:

- ```` ```rules ````: a complete rule file. Written to a fresh folder as `example.rules`, it must
  compile without error or warning, and every `test` block in it must pass.
- ```` ```rules-error CODE ````: a malformed rule file. Compiling it must raise `RuleErrors` whose
  first error has code CODE.
- ```` ```rules-warning CODE ````: a rule file that compiles with a warning; its first warning has
  code CODE and its tests pass (unless the warning says that a test cannot pass, W507).
- ```` ```rules-file PATH ````: a companion file (an included rule file, a lexicon file), written
  as PATH next to `example.rules` of the next `rules`/`rules-error`/`rules-warning` block.

When a `rules-error` or `rules-warning` block is followed (blank lines only in between) by a
```` ```text ```` block, that block must be exactly the rendered error or warning, as printed when
the rules are checked from inside their folder; `/path/to/rules` stands for that folder.
Other blocks (```` ```text ````, ```` ```python ````, ...) are prose and are not run.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import ruleie
from ruleie.dsl.errors import CATALOGUE
from ruleie.testing import run_tests

DOC = Path(__file__).resolve().parent.parent / "docs" / "language.md"
RUNNABLE = ("rules", "rules-error", "rules-warning")
WARNING_CODES = tuple(c for c in CATALOGUE if c.startswith("W"))
#: Warnings about a test that cannot pass: their examples' tests are not run.
TEST_WARNINGS = ("W507",)
FOLDER_PLACEHOLDER = "/path/to/rules"
_FENCE = re.compile(r"^```(.*)$")
#: Modules that other parts of ruleie are still growing, and how to tell that an example needs one.
_NEEDS = {
    "ruleie.compile.morph_fr": re.compile(r"\blexicon\s+[A-Z][A-Z0-9_]*\s*\[[^\]]*\bverbs\b"),
    "ruleie.dates": re.compile(r"\bdate_(?:value|kind|modifier)\("),
}


@dataclass
class Block:
    """One fenced block of the document."""

    kind: str  # first word of the info string
    arg: str  # rest of the info string
    line: int  # 1-based line of the opening fence
    body: str
    companions: list["Block"] = field(default_factory=list)
    expected: str | None = None  # rendered message a following ```text block shows

    @property
    def id(self) -> str:
        return f"line{self.line}-{self.kind}" + (f"-{self.arg}" if self.arg else "")


def _fenced_blocks(text: str) -> list[tuple[Block, int]]:
    """Every fenced block with the line number where it closes."""
    blocks: list[tuple[Block, int]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        info = m.group(1).strip()
        kind, _, arg = info.partition(" ")
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise AssertionError(f"{DOC.name}:{start + 1}: unclosed fenced block")
        blocks.append((Block(kind, arg.strip(), start + 1, "\n".join(body) + "\n"), i + 1))
        i += 1
    return blocks


def doc_blocks() -> list[Block]:
    """The runnable blocks of the document, with their companions and expected messages."""
    text = DOC.read_text(encoding="utf-8")
    lines = text.splitlines()
    fenced = _fenced_blocks(text)
    runnable: list[Block] = []
    pending: list[Block] = []
    for index, (block, closed_at) in enumerate(fenced):
        if block.kind == "rules-file":
            assert block.arg, f"{DOC.name}:{block.line}: rules-file needs a path"
            pending.append(block)
            continue
        if block.kind not in RUNNABLE:
            continue
        block.companions, pending = pending, []
        if block.kind != "rules" and index + 1 < len(fenced):
            following, _ = fenced[index + 1]
            between = lines[closed_at : following.line - 1]
            if following.kind == "text" and all(not line.strip() for line in between):
                block.expected = following.body.rstrip("\n")
        runnable.append(block)
    assert not pending, f"{DOC.name}:{pending[0].line}: rules-file block with no example after it"
    return runnable


BLOCKS = doc_blocks()


def _write(folder: Path, block: Block) -> Path:
    for companion in block.companions:
        target = folder / companion.arg
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(companion.body, encoding="utf-8")
    path = folder / "example.rules"
    path.write_text(block.body, encoding="utf-8")
    return path


def _skip_without_module(block: Block) -> None:
    """Skip an example that needs a module which is not there yet (and only then)."""
    for module, uses in _NEEDS.items():
        if uses.search(block.body) and importlib.util.find_spec(module) is None:
            pytest.skip(f"this example needs {module}, which is not there yet")


def _assert_tests_pass(path: Path) -> None:
    report = run_tests(ruleie.load(path, use_cache=False))
    failures = [f"{o.test.name}: {f}" for o in report.failed for f in o.failures]
    assert not failures, "\n".join(failures)


def _rendered(text: str, folder: Path) -> str:
    return text.replace(str(folder.resolve()), FOLDER_PLACEHOLDER)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.kind == "rules"], ids=lambda b: b.id)
def test_example_compiles_and_passes_its_tests(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _skip_without_module(block)
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, block)
    spec = ruleie.compile_rules(path, thorough=True)
    assert spec.warnings == [], "\n".join(spec.warnings)
    _assert_tests_pass(path)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.kind == "rules-error"], ids=lambda b: b.id)
def test_error_example_raises_its_code(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _skip_without_module(block)
    assert block.arg in CATALOGUE, f"unknown error code {block.arg!r}"
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, block)
    with pytest.raises(ruleie.RuleErrors) as caught:
        ruleie.compile_rules(path)
    first = caught.value.errors[0]
    assert first.code == block.arg, caught.value.render()
    if block.expected is not None:
        assert _rendered(first.render(), tmp_path) == block.expected


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.kind == "rules-warning"], ids=lambda b: b.id)
def test_warning_example_warns(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _skip_without_module(block)
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, block)
    spec = ruleie.compile_rules(path, thorough=True)
    assert spec.warnings, "no warning"
    first = spec.warnings[0]
    assert re.match(rf"\S+:\d+:\d+: warning {re.escape(block.arg)}:", first), first
    if block.expected is not None:
        assert _rendered(first, tmp_path) == block.expected
    if block.arg not in TEST_WARNINGS:
        _assert_tests_pass(path)


def test_every_error_code_has_an_example() -> None:
    shown = {b.arg for b in BLOCKS if b.kind == "rules-error"}
    assert sorted({c for c in CATALOGUE if c.startswith("E")} - shown) == []


def test_every_warning_code_has_an_example() -> None:
    shown = {b.arg for b in BLOCKS if b.kind == "rules-warning"}
    assert sorted(set(WARNING_CODES) - shown) == []


def test_worked_example_uses_the_main_constructs() -> None:
    text = DOC.read_text(encoding="utf-8")
    heading = re.search(r"^## .*Worked example", text, re.M)
    assert heading, "no 'Worked example' section"
    line = text[: heading.start()].count("\n") + 1
    block = next(b for b in BLOCKS if b.kind == "rules" and b.line > line)
    for construct in (r"^lexicon ", r"^macro ", r"<[A-Z]\w*>", r"^test "):
        assert re.search(construct, block.body, re.M), construct
    assert len(re.findall(r"^phase ", block.body, re.M)) >= 2
