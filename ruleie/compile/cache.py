"""On-disk cache of compiled rule sets, safe by construction.

A compiled rule set is stored as JSON (data only: regex sources and tables; nothing is executed or
unpickled) under a key that hashes every file of the rule folder and the compiler's own source, so
any change of rules, lexicons or ruleie itself misses the cache. Each entry is signed with an HMAC
whose key lives in the cache directory (created user-only, 0700); an entry that fails the check, or
does not parse, is ignored and rebuilt. A directory that other users can write to is not used.

Every edit of a rule file makes a new key, so entries would pile up while rules are being written
(the French pack's entries take ~3 MB per version). The directory is kept under a size limit
(`max_bytes`: `$RULEIE_CACHE_MAX_MB`, 256 MB by default): each write removes the least recently
used entries past it (a hit counts as a use), and temporary files that an interrupted write left.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs

_PACKAGE = Path(__file__).resolve().parent.parent
#: Files whose content decides how rules compile: a change to any invalidates every entry.
_COMPILER_FILES = ("dsl/grammar.lark", "dsl/parser.py", "dsl/resolve.py", "dsl/limits.py", "compile/*.py", "records.py", "normalize.py")
#: Default size limit of the cache directory (see `max_bytes`).
DEFAULT_MAX_MB = 256
#: A temporary file older than this (seconds) was left by an interrupted write.
_STALE_TMP_S = 3600
#: Files of a rule folder that count for its key.
_RULE_SUFFIXES = {".rules", ".txt", ".lex", ".tsv"}


def cache_dir() -> Path:
    """Where compiled rule sets go: $RULEIE_CACHE_DIR, else the user cache directory."""
    return Path(os.environ.get("RULEIE_CACHE_DIR") or platformdirs.user_cache_dir("ruleie"))


@lru_cache(maxsize=1)
def compiler_fingerprint() -> str:
    """Hash of the compiler's own source files."""
    h = hashlib.sha256()
    for pattern in _COMPILER_FILES:
        for path in sorted(_PACKAGE.glob(pattern)):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def rules_key(root: Path, entry: Path) -> str:
    """Cache key of a rule set: the compiler plus every rule and lexicon file under `root`."""
    h = hashlib.sha256(compiler_fingerprint().encode())
    h.update(str(entry.resolve()).encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in _RULE_SUFFIXES):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def max_bytes() -> int:
    """The cache directory's size limit: `$RULEIE_CACHE_MAX_MB` megabytes, else `DEFAULT_MAX_MB`."""
    try:
        mb = float(os.environ.get("RULEIE_CACHE_MAX_MB") or DEFAULT_MAX_MB)
    except ValueError:
        mb = DEFAULT_MAX_MB
    return max(0, int(mb * 1024 * 1024))


def entries() -> list[tuple[Path, int, float]]:
    """(path, size in bytes, last use) of every entry, least recently used first."""
    directory = cache_dir()
    out = []
    for path in directory.glob("*.json") if directory.is_dir() else ():
        try:
            info = path.stat()
        except OSError:
            continue
        out.append((path, info.st_size, info.st_mtime))
    return sorted(out, key=lambda e: e[2])


def prune(limit: int | None = None, keep: Path | None = None) -> int:
    """Remove the least recently used entries until the directory holds at most `limit` bytes
    (default `max_bytes()`), never `keep`; also stale temporary files. The number of files removed."""
    limit = max_bytes() if limit is None else limit
    removed = 0
    now = time.time()
    directory = cache_dir()
    for tmp in directory.glob(".tmp-*") if directory.is_dir() else ():
        try:
            if now - tmp.stat().st_mtime > _STALE_TMP_S:
                tmp.unlink()
                removed += 1
        except OSError:
            pass
    found = entries()
    total = sum(size for _, size, _ in found)
    for path, size, _ in found:
        if total <= limit:
            break
        if keep is not None and path == keep:
            continue
        try:
            path.unlink()
            removed += 1
            total -= size
        except OSError:
            pass
    return removed


def _private_dir() -> Path | None:
    """The cache directory, created 0700; None when it is unsafe or cannot be created."""
    directory = cache_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.stat()
    except OSError:
        return None
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return None
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return directory


def _secret(directory: Path) -> bytes | None:
    """The HMAC key of this cache directory, created on first use (0600)."""
    path = directory / "secret.key"
    try:
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(32))
        info = path.stat()
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            return None
        return path.read_bytes()
    except OSError:
        return None


def load(key: str) -> dict[str, Any] | None:
    """The cached data for `key`, or None when absent, tampered with or unreadable."""
    directory = _private_dir()
    if directory is None:
        return None
    secret = _secret(directory)
    path = directory / f"{key}.json"
    if secret is None or not path.exists():
        return None
    try:
        raw = path.read_bytes()
        signature, _, body = raw.partition(b"\n")
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(signature, expected):
            return None
        data = json.loads(body)
        if not isinstance(data, dict):
            return None
        try:
            os.utime(path)  # a use: pruning removes the least recently used entries first
        except OSError:
            pass
        return data
    except (OSError, ValueError):
        return None


def store(key: str, data: dict[str, Any]) -> None:
    """Write `data` for `key` atomically; failures are silent (the cache is an optimisation)."""
    directory = _private_dir()
    if directory is None:
        return
    secret = _secret(directory)
    if secret is None:
        return
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "wb") as fh:
            fh.write(signature + b"\n" + body)
        os.replace(tmp, directory / f"{key}.json")
        prune(keep=directory / f"{key}.json")
    except OSError:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
