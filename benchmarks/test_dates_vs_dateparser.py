"""The date rules alone against `dateparser.search.search_dates` on the same news text, in one run.

    python -m pytest benchmarks/test_dates_vs_dateparser.py --benchmark-only

Text: the first ~200 KB of `../shared/corpus/fr-news/fr-news.txt` (relative to the project root;
`RULEIE_BENCH_CORPUS` names another file, `RULEIE_DATES_BENCH_CHARS` another size), cut at a line
break. The module is skipped when the corpus is absent. Both sides get the whole text in one call
and a document date (dateparser: `languages=['fr']`, its own relative base). Each side is warmed up
first (ruleie compiles its regexes on first use, dateparser loads its language data), so the
numbers are steady-state throughput. The dateparser test (the second) prints characters per second
for both and the ratio; the target is ruleie >= 20x dateparser (a failed target fails the test only with
RULEIE_BENCH_STRICT=1, since shared machines are noisy).

The comparison is about speed, not about output: dateparser finds other things (it also reads
`29 ans` as a date 29 years ago and `sa` as Saturday) and misses many French expressions.
"""

from __future__ import annotations

import os
import time
import warnings
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("RULEIE_BENCH_CORPUS") or ROOT.parent / "shared" / "corpus" / "fr-news" / "fr-news.txt")
CHARS = int(os.environ.get("RULEIE_DATES_BENCH_CHARS", "200000"))
RULES = ROOT / "rules" / "fr" / "50_dates.rules"
DOC_DATE = "2016-06-15"
TARGET_RATIO = 20.0

pytestmark = pytest.mark.skipif(not CORPUS.is_file(), reason=f"corpus not found: {CORPUS}")

#: Measurements shared by the tests of this module (seconds per call, characters, matches).
_RESULTS: dict[str, float] = {}


@pytest.fixture(scope="module")
def text() -> str:
    raw = CORPUS.read_text(encoding="utf-8")
    cut = raw.rfind("\n", 0, CHARS)
    return raw[: cut if cut > 0 else CHARS]


@pytest.fixture(scope="module")
def date_rules():
    import ruleie

    rules = ruleie.load(RULES, use_cache=False)
    rules.extract("Le 9 mai 2023 à 14h30, hier, depuis trois ans.", doc_date=DOC_DATE)  # compile the regexes
    return rules


def _search_dates(text: str):
    from dateparser.search import search_dates

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return search_dates(text, languages=["fr"], settings={"RELATIVE_BASE": datetime(2016, 6, 15)})


def _time_ruleie(rules, text: str, rounds: int = 3) -> tuple[float, int]:
    best, found = float("inf"), 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        found = len(rules.extract(text, doc_date=DOC_DATE))
        best = min(best, time.perf_counter() - t0)
    return best, found


def _time_dateparser(text: str) -> tuple[float, int]:
    _search_dates("Le 9 mai 2023, hier.")  # language data
    t0 = time.perf_counter()
    found = len(_search_dates(text) or [])
    return time.perf_counter() - t0, found


def test_ruleie_date_rules(benchmark, date_rules, text: str) -> None:
    records = benchmark.pedantic(date_rules.extract, args=(text,), kwargs={"doc_date": DOC_DATE}, rounds=10, iterations=1, warmup_rounds=1)
    assert records, "the date rules found nothing in the benchmark text"
    stats = getattr(benchmark, "stats", None)
    seconds = stats.stats.min if stats is not None else _time_ruleie(date_rules, text)[0]
    _RESULTS["ruleie"], _RESULTS["ruleie_found"] = seconds, len(records)
    _RESULTS["ruleie_median"] = stats.stats.median if stats is not None else seconds
    benchmark.extra_info.update(chars=len(text), chars_per_s=round(len(text) / seconds), records=len(records))


def test_dateparser_search_dates(benchmark, date_rules, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    _search_dates("Le 9 mai 2023, hier.")  # language data
    found = benchmark.pedantic(_search_dates, args=(text,), rounds=1, iterations=1)
    stats = getattr(benchmark, "stats", None)
    seconds = stats.stats.min if stats is not None else _time_dateparser(text)[0]
    _RESULTS["dateparser"], _RESULTS["dateparser_found"] = seconds, len(found or [])
    benchmark.extra_info.update(chars=len(text), chars_per_s=round(len(text) / seconds), matches=len(found or []))
    _report_ratio(date_rules, text, capsys)


def _report_ratio(date_rules, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Print both throughputs and their ratio; with RULEIE_BENCH_STRICT=1, fail under the target."""
    if "ruleie" not in _RESULTS:  # the ruleie benchmark was deselected
        _RESULTS["ruleie"], _RESULTS["ruleie_found"] = _time_ruleie(date_rules, text)
    ours, theirs = len(text) / _RESULTS["ruleie"], len(text) / _RESULTS["dateparser"]
    ratio = ours / theirs
    lines = [
        f"dates on {len(text):,} characters of {CORPUS.name}:",
        f"  ruleie 50_dates.rules       {ours:>12,.0f} chars/s  ({_RESULTS['ruleie'] * 1000:8.1f} ms, {int(_RESULTS['ruleie_found'])} mentions)",
        f"  dateparser search_dates(fr) {theirs:>12,.0f} chars/s  ({_RESULTS['dateparser'] * 1000:8.1f} ms, {int(_RESULTS['dateparser_found'])} matches)",
        f"  ratio {ratio:.1f}x (target >= {TARGET_RATIO:.0f}x; {_RESULTS['dateparser'] / _RESULTS.get('ruleie_median', _RESULTS['ruleie']):.1f}x"
        f" with ruleie's median round)",
    ]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    if os.environ.get("RULEIE_BENCH_STRICT") == "1":
        assert ratio >= TARGET_RATIO, "\n".join(lines)
