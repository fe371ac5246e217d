"""Fixtures of the benchmark suites (`python -m pytest benchmarks --benchmark-only`).

Not collected by the default test run (`testpaths = ["tests"]`). Sizes can be changed with
environment variables: RULEIE_BENCH_CHARS (text per throughput benchmark, default 1,000,000
characters), RULEIE_BENCH_CORPUS (another corpus file), RULEIE_BENCH_MAX_SIZE (largest document of
the scaling benchmark, default 10 MB), RULEIE_BENCH_STRICT=1 (fail when a target is missed rather
than only report it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _bench  # noqa: E402

BENCH_CHARS = int(os.environ.get("RULEIE_BENCH_CHARS", "1000000"))


#: Lines printed at the end of the run: throughput and the targets, which pytest-benchmark's own
#: table (times only) does not show.
_SUMMARY: list[str] = []


def pytest_benchmark_update_machine_info(config, machine_info):  # pytest-benchmark hook
    machine_info["cpu_model"] = _bench.cpu_model()
    machine_info["corpus"] = _bench.load_corpus().source if _bench.corpus_path() else "fallback (examples/*.txt)"


def pytest_terminal_summary(terminalreporter):
    if _SUMMARY:
        terminalreporter.section("ruleie benchmarks: throughput and targets")
        for line in _SUMMARY:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def corpus() -> _bench.Corpus:
    return _bench.load_corpus()


@pytest.fixture(scope="session")
def bench_docs(corpus: _bench.Corpus) -> list[str]:
    """The documents of the throughput benchmarks (about RULEIE_BENCH_CHARS characters)."""
    return _bench.slice_docs(corpus.docs, BENCH_CHARS)


@pytest.fixture(scope="session")
def real_corpus(corpus: _bench.Corpus) -> _bench.Corpus:
    if not corpus.real:
        pytest.skip("needs the real fr-news corpus (../shared/corpus/fr-news/fr-news.txt)")
    return corpus


_PARTS: dict[str, _bench.LoadedPart] = {}


@pytest.fixture(scope="session")
def pack_part():
    """`pack_part(name)`: a warmed rule set of one part of the French pack, or a clean skip."""

    def get(name: str):
        if name not in _PARTS:
            _PARTS[name] = _bench.load_part(name)
            if _PARTS[name].ruleset is not None:
                _bench.warm(_PARTS[name].ruleset)
        part = _PARTS[name]
        if part.ruleset is None:
            pytest.skip(f"pack part '{name}' unavailable: {part.error}")
        return part

    return get


@pytest.fixture
def report():
    """`report(line)`: add a line to the end-of-run summary."""
    return _SUMMARY.append
