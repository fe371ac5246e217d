"""`RuleSet.extract_many` over the corpus' documents with 1 and 2 worker processes.

With `n_jobs=2` the time includes starting the pool and rebuilding the engine in each worker (what
a caller pays); the documents are the same RULEIE_BENCH_CHARS characters as the throughput suite.
"""

from __future__ import annotations

import pytest

import _bench


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_extract_many(benchmark, bench_docs, pack_part, report, n_jobs):
    rules = pack_part("full").ruleset

    def run() -> int:
        found = 0
        for outcome in rules.extract_many(bench_docs, n_jobs=n_jobs):
            assert outcome.error is None, outcome.error
            found += len(outcome.records)
        return found

    benchmark.group = "extract_many"
    found = benchmark.pedantic(run, rounds=3, iterations=1)
    chars = sum(len(d) for d in bench_docs)
    median = _bench.median_seconds(benchmark)
    benchmark.extra_info.update(chars=chars, docs=len(bench_docs), found=found, n_jobs=n_jobs)
    if median:
        benchmark.extra_info["chars_per_s"] = chars / median
        report(f"extract_many n_jobs={n_jobs}: {chars / median:>12,.0f} chars/s ({len(bench_docs)} docs, {found:,} records)")
