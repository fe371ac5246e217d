"""Extraction throughput (characters per second) of the French pack and of each of its parts.

Each benchmark extracts the same documents (the first RULEIE_BENCH_CHARS characters of the corpus,
document by document, as `RuleSet.extract` is used) with a warm rule set. The parts are loaded on
their own (see `_bench.load_part`): verbs/quotes (files 10-49), dates (50-59), accusations (60-69).
The ceiling (one trie-ordered regex of every reporting-verb form plus `«[^«»]*»`, `finditer`) runs
over the same documents, for the ratio printed at the end.
"""

from __future__ import annotations

import re

import pytest
import regex

import _bench

_RESULTS: dict[str, float] = {}
FULL_VS_CEILING_MIN = 0.30


def _record(benchmark, name: str, docs: list[str], report, found: int) -> None:
    chars = sum(len(d) for d in docs)
    median = _bench.median_seconds(benchmark)
    benchmark.extra_info.update(chars=chars, docs=len(docs), found=found)
    if median:
        cps = chars / median
        _RESULTS[name] = cps
        benchmark.extra_info["chars_per_s"] = cps
        report(f"throughput {name:<22} {cps:>14,.0f} chars/s {cps / 1e6:7.2f} MB/s   ({found:,} found in {chars:,} chars, {len(docs)} docs)")


@pytest.mark.parametrize("engine", ["regex", "re"])
def test_ceiling(benchmark, bench_docs, report, engine):
    """One trie-ordered alternation of the pack's verb forms + guillemets, with `finditer`."""
    forms = _bench.reporting_verb_forms()
    pattern = (regex if engine == "regex" else re).compile(_bench.ceiling_source(forms))

    def run() -> int:
        n = 0
        for d in bench_docs:
            for _ in pattern.finditer(d):
                n += 1
        return n

    benchmark.group = "throughput"
    found = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    _record(benchmark, f"ceiling ({engine})", bench_docs, report, found)


@pytest.mark.parametrize("part", ["full", "verbs_quotes", "dates", "accusations"])
def test_pack(benchmark, bench_docs, pack_part, report, part):
    """`RuleSet.extract` over every document with the whole pack or one of its parts."""
    loaded = pack_part(part)
    benchmark.group = "throughput"
    benchmark.extra_info.update(how=loaded.how, files=loaded.files)
    found = benchmark.pedantic(_bench.extract_docs, args=(loaded.ruleset, bench_docs), rounds=3, iterations=1)
    _record(benchmark, f"pack {part}", bench_docs, report, found)
    ceiling = _RESULTS.get("ceiling (regex)")
    if part == "full" and ceiling and f"pack {part}" in _RESULTS:
        ratio = _RESULTS[f"pack {part}"] / ceiling
        benchmark.extra_info["ratio_to_ceiling"] = ratio
        if "ceiling (re)" in _RESULTS:
            benchmark.extra_info["ratio_to_re_ceiling"] = _RESULTS[f"pack {part}"] / _RESULTS["ceiling (re)"]
        _bench.check_target("full pack / ceiling (regex)", ratio, FULL_VS_CEILING_MIN, "x", True, report)
