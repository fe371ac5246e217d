"""Compile time of the French pack: cold, and cached (`ruleie.load()` with a warm cache).

- cold, in process: `ruleie.compile_rules(ruleie.builtin_rules_path())` with every cache of
  ruleie (`functools.lru_cache`) and of the regex engines purged before each round;
- cold, fresh interpreter: the same call as the first thing a new process does after `import
  ruleie` (lazy imports and the grammar build included) — the number the target is about;
- cached: `ruleie.load()` in a fresh interpreter whose cache directory holds the compiled pack.
  The first extraction compiles the rules' regexes (lazily, so that loading stays instant), so
  "load" and "load + first extract" are measured separately.
"""

from __future__ import annotations

import functools
import re
import statistics
import sys

import pytest
import regex

import _bench

COLD_LIMIT_S = 2.0
CACHED_LOAD_LIMIT_S = 0.100


def _purge_caches() -> None:
    """Forget everything ruleie and the regex engines cached, so the next compile is cold."""
    re.purge()
    regex.purge()
    for name, module in list(sys.modules.items()):
        if not name.startswith("ruleie"):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()


def _pack_or_skip():
    part = _bench.load_part("full")
    if part.ruleset is None:
        pytest.skip(f"French pack does not compile yet: {part.error}")


def test_compile_cold_in_process(benchmark, report):
    import ruleie

    _pack_or_skip()
    path = _bench.pack_dir()
    benchmark.group = "compile"
    spec = benchmark.pedantic(ruleie.compile_rules, args=(path,), setup=_purge_caches, rounds=3, iterations=1)
    rules = sum(len(p.rules) for p in spec.phases)
    benchmark.extra_info.update(rules=rules, phases=len(spec.phases), verb_forms=len(spec.lemmas))
    median = _bench.median_seconds(benchmark)
    if median is not None:
        report(f"compile cold (in process, caches purged): {median * 1000:,.0f} ms for {rules} rules")


def test_compile_cold_fresh_process(benchmark, report):
    _pack_or_skip()
    samples: list[dict] = []
    benchmark.group = "compile"
    benchmark.pedantic(lambda: samples.append(_bench.measure_cold_compile()), rounds=3, iterations=1)
    compile_s = statistics.median(s["compile"] for s in samples)
    import_s = statistics.median(s["import"] for s in samples)
    benchmark.extra_info.update(compile_s=compile_s, import_s=import_s, note="benchmark time = whole subprocess")
    report(f"compile cold (fresh process): {compile_s * 1000:,.0f} ms (+ import ruleie {import_s * 1000:,.0f} ms)")
    _bench.check_target("cold compile", compile_s, COLD_LIMIT_S, "s", False, report)


def test_load_cached_fresh_process(benchmark, report, tmp_path):
    _pack_or_skip()
    cache = tmp_path / "cache"
    first = _bench.measure_cached_load(cache, extract=False)  # fills the cache
    assert not first["from_cache"]
    samples: list[dict] = []
    benchmark.group = "compile"
    benchmark.pedantic(lambda: samples.append(_bench.measure_cached_load(cache, extract=False)), rounds=5, iterations=1)
    assert all(s["from_cache"] for s in samples)
    load = statistics.median(s["load"] for s in samples)
    imp = statistics.median(s["import"] for s in samples)
    once = _bench.measure_cached_load(cache)  # once: the first extraction compiles every regex of the pack
    benchmark.extra_info.update(load_s=load, import_s=imp, load_plus_first_extract_s=once["load"] + once["first_extract"],
                                second_extract_s=once["second_extract"], note="benchmark time = whole subprocess")
    report(
        f"cached load (fresh process): load {load * 1000:,.1f} ms; load + first extract "
        f"{(once['load'] + once['first_extract']) * 1000:,.0f} ms (the first extraction compiles the regexes; "
        f"the second takes {once['second_extract'] * 1000:,.1f} ms); import ruleie {imp * 1000:,.0f} ms"
    )
    _bench.check_target("cached load", load, CACHED_LOAD_LIMIT_S, "s", False, report)
