"""Security contract of rule files: they are data. Loading one never runs code, never reads a file
outside its rule folder, never writes anywhere but the private cache, and a damaged cache entry
is never trusted.

What tests/dsl/test_errors.py (includes and lexicon files leaving the folder by `..`, absolute
paths and symlinks) and tests/compile/test_cache.py (0700 directory, tampered, truncated and
foreign entries) already prove is not repeated here.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

import ruleie
from ruleie.api import compile_rules
from ruleie.compile import cache
from ruleie.dsl.errors import RuleErrors

PACKAGE = Path(ruleie.__file__).resolve().parent
EMIT = 'emit Mention(label="x")'

#: Constructs that run or load code from data; none may appear in the package outside this list.
DANGEROUS = re.compile(r"(?<![.\w])(?<!def )(?:eval|exec|compile)\s*\(|\bpickle\b|\bmarshal\b|\b__import__\b|\bimportlib\b|yaml\.(?:unsafe_)?load\b|\bos\.system\b|shell\s*=\s*True")
#: (file, pattern) pairs allowed, each with its reason.
ALLOWED = {
    # docstrings and comments saying that nothing is pickled
    ("api.py", r"nothing is pickled"),
    ("compile/cache.py", r"nothing is executed or\s*$"),
    ("compile/cache.py", r"^unpickled\)"),
    ("spacy_component.py", r"rebuilt where unpickled"),
}


def _allowed(rel: str, line: str) -> bool:
    return any((f == "*" or rel == f) and re.search(p, line) for f, p in ALLOWED)


def test_package_source_has_no_code_loading() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DANGEROUS.search(line) and not _allowed(rel, line):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert found == []


def test_the_scan_would_see_a_call_to_eval() -> None:
    """The scan above can fail: the pattern matches the constructs it looks for."""
    assert not DANGEROUS.search("pattern = regex.compile(source)")  # a method named compile is not the builtin
    for bad in ("x = eval(text)", "code = compile(src, 'f', 'exec')", "exec(code)", "import pickle", "yaml.load(f)", "__import__('os')", "importlib.import_module(n)"):
        assert DANGEROUS.search(bad), bad


@pytest.mark.parametrize("source", [
    "import os\nos.system('touch pwned')\n",
    "__import__('os').system('touch pwned')\n",
    'phase p { rule r match "a" emit Mention(label=__import__("os").system("touch pwned")) }\n',
    'phase p { rule r match "a" emit Mention(label=eval(x)) }\n',
    "macro M = /(?{print(1)})/\nphase p { rule r match M " + EMIT + " }\n",
])
def test_python_looking_rule_files_are_errors_and_run_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.rules").write_text(source, encoding="utf-8")
    with pytest.raises(RuleErrors) as info:
        compile_rules(tmp_path / "r.rules")
    assert info.value.errors[0].code in {"E001", "E002", "E103", "E108", "E303"}
    assert not (tmp_path / "pwned").exists()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("motdepasse\n")
    return root


@pytest.mark.parametrize("path", ["/proc/self/environ", "/proc/self/cwd/secret.txt", "/dev/stdin", "//etc/passwd",
                                  "sub/../../secret.txt", "./../secret.txt", "%2e%2e/secret.txt", "\\u0000/etc/passwd"])
def test_include_cannot_reach_outside(folder: Path, path: str) -> None:
    (folder / "r.rules").write_text(f'include "{path}"\nphase p {{ rule r match "a" {EMIT} }}\n')
    with pytest.raises(RuleErrors) as info:
        compile_rules(folder / "r.rules")
    assert [e.code for e in info.value.errors] in (["E204"], ["E205"], ["E206"])
    assert "motdepasse" not in str(info.value)


def test_lexicon_file_cannot_reach_outside(folder: Path) -> None:
    for path in ("/proc/self/environ", "../secret.txt", "/etc/hostname", "\\u0000x"):
        (folder / "r.rules").write_text(f'lexicon L = file "{path}"\nphase p {{ rule r match @L {EMIT} }}\n')
        with pytest.raises(RuleErrors) as info:
            compile_rules(folder / "r.rules")
        assert [e.code for e in info.value.errors] in (["E204"], ["E206"]), path


def test_symlinked_lexicon_folder_leading_out_is_refused(folder: Path) -> None:
    (folder / "lex").symlink_to(folder.parent, target_is_directory=True)
    (folder / "r.rules").write_text(f'lexicon L = file "lex/secret.txt"\nphase p {{ rule r match @L {EMIT} }}\n')
    with pytest.raises(RuleErrors) as info:
        compile_rules(folder / "r.rules")
    assert [e.code for e in info.value.errors] == ["E204"]
    assert "motdepasse" not in str(info.value)


def test_symlinked_rule_folder_entry_is_refused(folder: Path) -> None:
    """A sub-folder symlinked outside: including a file through it is E204 even though the name looks inside."""
    (folder.parent / "outside").mkdir()
    (folder.parent / "outside" / "o.rules").write_text(f'phase q {{ rule stolen match "s" {EMIT} }}\n')
    (folder / "shared").symlink_to(folder.parent / "outside", target_is_directory=True)
    (folder / "r.rules").write_text(f'include "shared/../shared/o.rules"\nphase p {{ rule r match "a" {EMIT} }}\n')
    with pytest.raises(RuleErrors) as info:
        compile_rules(folder)
    assert [e.code for e in info.value.errors] == ["E204"]


def test_loading_rules_writes_nothing_but_the_cache(folder: Path, tmp_path: Path) -> None:
    """Rules that name files (includes, lexicons, tests) leave the file system as it was, apart
    from the private cache directory."""
    (folder / "w.txt").write_text("bonjour\n")
    (folder / "r.rules").write_text(
        'lexicon L = file "w.txt"\nphase p { rule r match w:@L emit Mention(label="out.txt", span=w) }\n'
        'test "t"\n  text "bonjour /tmp/x"\n  expect Mention(label="out.txt")\n'
    )

    def snapshot() -> dict[str, float]:
        return {str(p): p.stat().st_mtime for p in tmp_path.rglob("*") if "cache" not in p.parts}

    before = snapshot()
    rules = ruleie.load(folder)
    rules.extract("bonjour")
    from ruleie.testing import run_tests

    run_tests(rules)
    assert snapshot() == before
    cache_root = cache.cache_dir()
    assert stat.S_IMODE(cache_root.stat().st_mode) == 0o700
    for entry in cache_root.iterdir():
        assert stat.S_IMODE(entry.stat().st_mode) & 0o077 == 0, entry


def test_cache_entry_signed_with_another_key_is_rebuilt(folder: Path) -> None:
    """An entry copied from another machine (valid JSON, signed with a different key) is not used."""
    import hashlib
    import hmac

    (folder / "r.rules").write_text(f'phase p {{ rule greet match "bonjour" {EMIT} }}\n')
    ruleie.load(folder)
    [entry] = sorted(cache.cache_dir().glob("*.json"))
    _, _, body = entry.read_bytes().partition(b"\n")
    forged = body.replace(b'"bonjour', b'"salut')
    entry.write_bytes(hmac.new(os.urandom(32), forged, hashlib.sha256).hexdigest().encode() + b"\n" + forged)
    again = ruleie.load(folder)
    assert not again.from_cache
    assert [r.span.text for r in again.extract("bonjour salut")] == ["bonjour"]


def test_cache_directory_owned_by_a_symlink_is_not_followed_into_a_shared_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache path that is a symlink to a world-writable directory is refused (nothing stored there)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    link = tmp_path / "cache-link"
    link.symlink_to(shared, target_is_directory=True)
    monkeypatch.setenv("RULEIE_CACHE_DIR", str(link))
    rules = tmp_path / "r.rules"
    rules.write_text(f'phase p {{ rule r match "a" {EMIT} }}\n')
    ruleie.load(rules)
    assert not ruleie.load(rules).from_cache
    assert list(shared.iterdir()) == []
