"""Peak memory of extraction with the full French pack.

- peak RSS (VmHWM, else `ru_maxrss`: see `_bench.peak_rss_kb`) of a fresh interpreter that loads the pack
  and extracts the whole corpus (~4 MB), document by document and as one single document;
- peak of Python allocations (`tracemalloc`) while extracting RULEIE_BENCH_CHARS characters as one
  document, in this process.
"""

from __future__ import annotations

import tracemalloc

import pytest

import _bench

RSS_LIMIT_MB = 300.0

@pytest.mark.parametrize("mode", ["docs", "single"])
def test_peak_rss_full_corpus(benchmark, corpus, pack_part, report, mode):
    pack_part("full")  # skips while the pack does not compile
    out: list[dict] = []
    benchmark.group = "memory"
    benchmark.pedantic(lambda: out.append(_bench.measure_peak_rss(mode)), rounds=1, iterations=1)
    res = out[0]
    peak_mb, base_mb = res["peak_kb"] / 1024, res["base_kb"] / 1024
    benchmark.extra_info.update(peak_rss_mb=peak_mb, rss_after_load_mb=base_mb, rss_after_corpus_mb=res["corpus_kb"] / 1024,
                                chars=res["chars"], found=res["found"], extract_s=res["seconds"])
    what = "document by document" if mode == "docs" else "as one document"
    report(f"peak RSS, full pack over {res['chars']:,} chars {what}: {peak_mb:,.0f} MB (after load: {base_mb:,.0f} MB)")
    _bench.check_target(f"peak RSS ({mode})", peak_mb, RSS_LIMIT_MB, "MB", False, report)


def test_tracemalloc_peak(benchmark, bench_docs, pack_part, report):
    rules = pack_part("full").ruleset
    text = "\n".join(bench_docs)
    peaks: list[int] = []

    def run() -> int:
        tracemalloc.start()
        try:
            found = len(rules.extract(text))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        return found

    benchmark.group = "memory"
    found = benchmark.pedantic(run, rounds=1, iterations=1)
    peak_mb = max(peaks) / 2**20
    benchmark.extra_info.update(traced_peak_mb=peak_mb, chars=len(text), found=found)
    report(f"tracemalloc peak, full pack over {len(text):,} chars as one document: {peak_mb:,.1f} MB "
           f"({max(peaks) / len(text):,.1f} bytes per character)")
