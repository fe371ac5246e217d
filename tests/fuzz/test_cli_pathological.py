"""`ruleie check` on broken and hostile rule files: exit status 2, every error as `file:line:col`
with a caret, never a traceback, a RecursionError, a MemoryError or a hang.

In-process through typer's CliRunner (a subprocess costs a second of imports each), except one
subprocess run that checks the real exit path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fuzzkit import EDITS, FUZZ_EXAMPLES, PACK, fuzz_settings, mutate
from hypothesis import given
from typer.testing import CliRunner

from ruleie.cli import app

EMIT = 'emit Mention(label="x")'
LOCATED = re.compile(r"^\S.*:\d+:\d+: error E\d{3}: ", re.M)


def check(path: Path, seconds: float = 20) -> str:
    """Run `ruleie check path`; assert exit 2 with located errors and carets; return stderr."""
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["check", str(path)])
    assert time.perf_counter() - start < seconds
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, (result.exit_code, result.output)
    err = result.stderr
    assert "Traceback" not in err and "RecursionError" not in err and "MemoryError" not in err
    assert LOCATED.search(err), err[:500]
    return err


def assert_carets(err: str) -> None:
    """Each located error that shows a source line has a caret line under it."""
    lines = err.splitlines()
    for i, line in enumerate(lines):
        if LOCATED.match(line) and i + 1 < len(lines) and lines[i + 1].startswith("    ") and not LOCATED.match(lines[i + 1]):
            assert lines[i + 2].strip()[:1] == "^", lines[i : i + 3]


@fuzz_settings(12)
@given(EDITS)
def test_check_on_mutated_pack_file(edits: list[tuple[str, int, int]]) -> None:
    """A mutated 36_incises.rules (with the files it needs) fails with located errors, or passes."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(PACK / "lexicons", folder / "lexicons")
        for name in ("00_common.rules", "10_cues.rules", "20_mentions.rules"):
            shutil.copy(PACK / name, folder / name)
        source = mutate((PACK / "36_incises.rules").read_text(encoding="utf-8"), edits + [("truncate", 10**6 - 1, 0)])
        (folder / "36_incises.rules").write_text(source + "\nphase", encoding="utf-8")  # always broken at the end
        assert_carets(check(folder / "36_incises.rules"))


def _write(tmp_path: Path, source: str | bytes, name: str = "r.rules") -> Path:
    path = tmp_path / name
    path.write_bytes(source if isinstance(source, bytes) else source.encode("utf-8"))
    return path


PATHOLOGICAL = {
    "nesting-100k": lambda: "phase p { rule r match " + "(" * 100_000 + '"a"' + ")" * 100_000 + " " + EMIT + " }\n",
    "lookarounds-5k": lambda: 'phase p { rule r match "a" ' + "ahead(" * 5000 + '"b"' + ")" * 5000 + " " + EMIT + " }\n",
    "line-5mb-regex": lambda: "phase p { rule r match /" + "a" * 5_000_000 + "/ " + EMIT + " }\n",
    "nul-bytes": lambda: 'phase p {\x00 rule r match "a\x00" ' + EMIT + " }\n",
    "invalid-utf8": lambda: b'phase p { rule r match "caf\xe9" ' + EMIT.encode() + b" }\n",
    "utf16": lambda: ('phase p { rule r match "a" ' + EMIT + " }\n").encode("utf-16"),
    "regex-invalid-everywhere": lambda: "phase p { rule r match /(?<=a+)(?P<1>b)\\p{Nope}[z-a]/ " + EMIT + " }\n",
    "regex-unrolls": lambda: "phase p { rule r match /(?:(?:a{1000}){1000}){1000}/ " + EMIT + " }\n",
    "regex-deep": lambda: "phase p { rule r match /" + "(" * 50_000 + "a" + ")" * 50_000 + "/ " + EMIT + " }\n",
    "repeat-huge": lambda: 'phase p { rule r match "a"{1,999999999} ' + EMIT + " }\n",
    "repeat-digits": lambda: 'phase p { rule r match "a"{' + "9" * 10_000 + "} " + EMIT + " }\n",
    "repeats-multiply": lambda: 'phase p { rule r match "b" (("a"{1000}){1000}){1000} ' + EMIT + " }\n",
    "escape-past-unicode": lambda: 'phase p { rule r match "\\UFFFFFFFF" ' + EMIT + " }\n",
    "macros-nested-2000": lambda: 'macro M0 = ("a")\n' + "".join(f"macro M{i} = (M{i - 1})\n" for i in range(1, 2000)) + "phase p { rule r match M1999 " + EMIT + " }\n",
    "macros-doubling": lambda: 'macro M0 = x:"a" | "b"\n' + "".join(f"macro M{i} = M{i - 1} M{i - 1}\n" for i in range(1, 60)) + "phase p { rule r match M59 " + EMIT + " }\n",
    "macro-cycle-through-50": lambda: "".join(f'macro M{i} = "a" M{(i + 1) % 51}\n' for i in range(51)) + "phase p { rule r match M0 " + EMIT + " }\n",
    "python-code": lambda: "import os\nos.system('touch pwned')\n__import__('os').remove('x')\n",
}


@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_check_on_pathological_file(tmp_path: Path, case: str) -> None:
    err = check(_write(tmp_path, PATHOLOGICAL[case]()))
    assert_carets(err)
    assert all(len(line) < 400 for line in err.splitlines()), "a huge source line must be shown as a window"
    assert not (tmp_path / "pwned").exists()


def test_check_on_a_directory_named_like_a_file(tmp_path: Path) -> None:
    (tmp_path / "r.rules").mkdir()
    check(tmp_path / "r.rules")


def test_check_on_an_include_chain_ending_in_an_error(tmp_path: Path) -> None:
    """1000 files each including the next: loaded without recursion, the error deep inside is found."""
    for i in range(1000):
        _write(tmp_path, f'include "f{i + 1}.rules"\n', f"f{i}.rules")
    _write(tmp_path, "phase p { rule r match NOPE " + EMIT + " }\n", "f1000.rules")
    err = check(tmp_path / "f0.rules")
    assert "f1000.rules:1:24: error E102" in err


def test_check_on_a_huge_lexicon(tmp_path: Path) -> None:
    """A 100 000-line lexicon file (1M lines, 13 MB, in long fuzz runs: about 30 s) is read and
    compiled in bounded time; the error elsewhere is found."""
    lines = 1_000_000 if FUZZ_EXAMPLES else 100_000
    (tmp_path / "w.txt").write_text("".join(f"mot{i}\n" for i in range(lines)), encoding="utf-8")
    err = check(_write(tmp_path, 'lexicon L = file "w.txt"\nphase p { rule r match @L NOPE ' + EMIT + " }\n"), seconds=120)
    assert "r.rules:2:27: error E102" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_check_on_an_included_fifo_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.rules")
    err = check(_write(tmp_path, 'include "pipe.rules"\n'), seconds=10)
    assert "E206" in err and "not a regular file" in err


def test_check_subprocess_exit_status(tmp_path: Path) -> None:
    """The real command: status 2, located error with a caret on stderr, nothing on stdout."""
    path = _write(tmp_path, "phase p { rule r match " + "(" * 5000 + '"a"' + ")" * 5000 + " " + EMIT + " }\n")
    env = {**os.environ, "RULEIE_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "ruleie.cli", "check", str(path)], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert re.search(r"r\.rules:1:56: error E004:", proc.stderr)
    assert_carets(proc.stderr)
