"""The compiled-rules cache: hits on unchanged rules, misses on any change, never trusts tampering."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import ruleie
from ruleie.compile import cache

RULES = '''
lexicon GREETING = { "bonjour", "salut" }
phase main {
  rule greet
    match word:@GREETING
    emit Mention(label="greeting", span=word)
}
'''


@pytest.fixture
def rule_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "main.rules").write_text(RULES, encoding="utf-8")
    return folder


def _entries() -> list[Path]:
    return sorted(cache.cache_dir().glob("*.json"))


def test_second_load_comes_from_cache(rule_dir: Path) -> None:
    first = ruleie.load(rule_dir)
    second = ruleie.load(rule_dir)
    assert not first.from_cache and second.from_cache
    text = "Bonjour à tous, salut !"
    assert [r.span.text for r in second.extract(text)] == [r.span.text for r in first.extract(text)] == ["Bonjour", "salut"]


def test_changing_a_rule_file_misses_the_cache(rule_dir: Path) -> None:
    ruleie.load(rule_dir)
    (rule_dir / "main.rules").write_text(RULES.replace('"salut"', '"coucou"'), encoding="utf-8")
    again = ruleie.load(rule_dir)
    assert not again.from_cache
    assert [r.span.text for r in again.extract("salut, coucou")] == ["coucou"]


def test_cache_directory_and_key_are_private(rule_dir: Path) -> None:
    ruleie.load(rule_dir)
    mode = stat.S_IMODE(cache.cache_dir().stat().st_mode)
    assert mode & 0o077 == 0
    assert stat.S_IMODE((cache.cache_dir() / "secret.key").stat().st_mode) & 0o077 == 0


@pytest.mark.parametrize("damage", ["tamper", "truncate", "garbage", "wrong-shape"])
def test_damaged_entry_is_rebuilt(rule_dir: Path, damage: str) -> None:
    ruleie.load(rule_dir)
    [entry] = _entries()
    raw = entry.read_bytes()
    signature, _, body = raw.partition(b"\n")
    if damage == "tamper":  # valid JSON, changed pattern, old signature
        assert b"\"greet\"" in body
        entry.write_bytes(signature + b"\n" + body.replace(b"\"greet\"", b"\"gr33t\""))
    elif damage == "truncate":
        entry.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        entry.write_bytes(os.urandom(200))
    else:  # correctly signed, but not a rule set
        import hashlib
        import hmac

        secret = (cache.cache_dir() / "secret.key").read_bytes()
        body = b'{"version": 1, "phases": "nope"}'
        entry.write_bytes(hmac.new(secret, body, hashlib.sha256).hexdigest().encode() + b"\n" + body)
    rebuilt = ruleie.load(rule_dir)
    assert not rebuilt.from_cache
    assert [r.span.text for r in rebuilt.extract("bonjour")] == ["bonjour"]
    assert ruleie.load(rule_dir).from_cache  # and the rebuilt entry is good again


def test_group_writable_cache_directory_is_not_used(rule_dir: Path) -> None:
    directory = cache.cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o777)
    try:
        ruleie.load(rule_dir)
        assert not ruleie.load(rule_dir).from_cache
        assert _entries() == []
    finally:
        directory.chmod(0o700)


def _sized(kb: int) -> dict:
    return {"blob": "x" * (kb * 1024)}


def test_the_cache_stays_under_its_size_limit_least_recently_used_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RULEIE_CACHE_MAX_MB", "0.35")  # room for three 100 KB entries
    for key in ("a", "b", "c"):
        cache.store(key, _sized(100))
        os.utime(cache.cache_dir() / f"{key}.json", (1000 + ord(key), 1000 + ord(key)))  # a, then b, then c
    assert cache.load("a") is not None  # a use: "a" is now the most recent
    cache.store("d", _sized(100))
    assert [p.stem for p, _, _ in cache.entries()] == ["c", "a", "d"]  # "b" was the least recently used
    assert sum(size for _, size, _ in cache.entries()) <= cache.max_bytes()


def test_an_entry_larger_than_the_limit_is_still_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RULEIE_CACHE_MAX_MB", "0.05")
    cache.store("big", _sized(100))
    assert cache.load("big") == _sized(100)


def test_stale_temporary_files_are_removed() -> None:
    cache.store("a", _sized(1))
    stale = cache.cache_dir() / ".tmp-left.json"
    fresh = cache.cache_dir() / ".tmp-writing.json"
    for path in (stale, fresh):
        path.write_text("partial", encoding="utf-8")
    os.utime(stale, (1000, 1000))
    cache.prune()
    assert not stale.exists() and fresh.exists()


def test_cli_shows_and_clears_the_cache(rule_dir: Path) -> None:
    from typer.testing import CliRunner

    from ruleie.cli import app

    ruleie.load(rule_dir)
    shown = CliRunner().invoke(app, ["cache"])
    assert shown.exit_code == 0 and str(cache.cache_dir()) in shown.output and "entries: 1," in shown.output
    cleared = CliRunner().invoke(app, ["cache", "--clear"])
    assert cleared.exit_code == 0 and "removed 1 file" in cleared.output
    assert _entries() == [] and (cache.cache_dir() / "secret.key").exists()
