"""Compiled regex programs of a rule set, kept on disk so that a cached rule set starts at once.

Turning the French pack's regex sources into matchers costs seconds on the first extraction of
every process: the stdlib parser, the backtracking analysis that decides between `re` and `regex`
(`ruleie.compile.backtrack`), and code generation. What comes out is plain data: for `re`, the
program `_sre.compile` runs (a list of integers, which `_sre` validates before use), its flags and
group names; for `regex`, only the decision and whether each call needs a time budget (`regex`
compiles in C, quickly). `ProgramCache` stores that data beside the compiled rule set in the
signed on-disk cache (`ruleie.compile.cache`, JSON, nothing executed), under a key that also
names the Python version and the stdlib engine's format, and installs it on the next run.

A source missing from the table (another rule set, a changed rule) is compiled the usual way;
an entry that does not load is ignored. The table only saves time: matchers built from it are
the ones `compile_fast` would build.
"""

from __future__ import annotations

import base64
import hashlib
import sys
import zlib
from array import array
from dataclasses import dataclass
from typing import Any

from ruleie.compile import cache

try:  # the stdlib engine's compiler; without it programs are neither made nor loaded
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _constants  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python implementations
    _sre = None

#: Identifies the stdlib engine's program format: a program is only reused by the same one.
ENGINE_FORMAT = f"{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}-sre{getattr(_constants, 'MAGIC', 0) if _sre else 0}"


@dataclass(frozen=True)
class SreProgram:
    """What `_sre.compile` needs to rebuild one compiled `re` pattern."""

    flags: int
    code: array  # array("I"): a quarter of the memory of a list of ints, kept while the process runs
    groups: int
    groupindex: dict[str, int]
    indexgroup: tuple[str | None, ...]

    def compile(self, source: str):
        """The compiled pattern (raises when `_sre` rejects the program)."""
        return _sre.compile(source, self.flags, self.code.tolist(), self.groups, self.groupindex, self.indexgroup)

    def as_json(self) -> list[Any]:
        packed = base64.b64encode(zlib.compress(self.code.tobytes(), 6)).decode("ascii")
        return ["re", self.flags, self.groups, self.groupindex, list(self.indexgroup), packed]

    @classmethod
    def from_json(cls, data: list[Any]) -> "SreProgram":
        _, flags, groups, groupindex, indexgroup, packed = data
        code = array("I")
        code.frombytes(zlib.decompress(base64.b64decode(packed)))
        return cls(int(flags), code, int(groups), {str(k): int(v) for k, v in groupindex.items()},
                   tuple(None if g is None else str(g) for g in indexgroup))


def program_of(tree) -> SreProgram | None:
    """The program of a stdlib parse tree (None when this Python has no stdlib compiler to call)."""
    if _sre is None or array("I").itemsize != _sre.CODESIZE:
        return None
    try:
        code = _compiler._code(tree, 0)
    except (TypeError, AttributeError):  # the private compiler API changed
        return None
    groupindex = dict(tree.state.groupdict)
    indexgroup: list[str | None] = [None] * tree.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    return SreProgram(tree.state.flags, array("I", code), tree.state.groups - 1, groupindex, tuple(indexgroup))


#: How a source was compiled: an `re` program, or `regex` with (True) or without a time budget.
Outcome = SreProgram | bool


def digest(source: str) -> str:
    """Key of a source in a program table."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def outcome_as_json(outcome: Outcome) -> list[Any]:
    return outcome.as_json() if isinstance(outcome, SreProgram) else ["regex", bool(outcome)]


def outcome_from_json(data: list[Any]) -> Outcome:
    if data[0] == "re":
        return SreProgram.from_json(data)
    if data[0] == "regex":
        return bool(data[1])
    raise ValueError(f"unknown engine {data[0]!r}")


class ProgramCache:
    """The program table of one cached rule set: read before its matchers are built, written after."""

    def __init__(self, rules_key: str):
        self.rules_key = rules_key
        self.key = f"{rules_key}-programs-{hashlib.sha256(ENGINE_FORMAT.encode()).hexdigest()[:12]}"

    def read(self) -> dict[str, Outcome]:
        """The stored table (empty when absent, unreadable or made by another engine format)."""
        if _sre is None:
            return {}
        data = cache.load(self.key)
        if not data or data.get("format") != ENGINE_FORMAT:
            return {}
        table: dict[str, Outcome] = {}
        for key, entry in data.get("programs", {}).items():
            try:
                table[key] = outcome_from_json(entry)
            except (KeyError, TypeError, ValueError, IndexError, zlib.error):
                continue  # a damaged entry is compiled again
        return table

    def write(self, table: dict[str, Outcome]) -> None:
        """Store `table` (failures are silent: the cache is an optimisation)."""
        if _sre is None or not table:
            return
        cache.store(self.key, {"format": ENGINE_FORMAT, "programs": {k: outcome_as_json(v) for k, v in table.items()}})
