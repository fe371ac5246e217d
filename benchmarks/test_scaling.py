"""Scaling: with document size (1 KB to 10 MB, one document) and with lexicon size (100 to 20,000).

Document size: the full pack extracts one document made of the corpus cut (or repeated) to each
size. Time per character must stay flat from 100 KB up (no quadratic step): the largest size is
checked against the smaller ones once they have all run (in this module's order).

Lexicon size: a synthetic lexicon of N entries, of which a fixed 50 are frequent corpus words (so
every size finds the same matches) and the rest pseudo-words built from French syllables that do
not occur in the corpus (so they cost the trie scan, not record building); about one entry in ten
is two words long. One rule emits a `Mention` per match. Scan time must grow sub-linearly with N.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections import Counter

import pytest

import ruleie
import _bench

MAX_SIZE = int(os.environ.get("RULEIE_BENCH_MAX_SIZE", str(10_000_000)))
DOC_SIZES = [s for s in (1_000, 10_000, 100_000, 1_000_000, 10_000_000) if s <= MAX_SIZE]
LEXICON_SIZES = [100, 1_000, 5_000, 20_000]
#: Per-character time at the largest size may be at most this many times the one at 100 KB.
LINEAR_TOLERANCE = 2.0
#: A lexicon 200x larger may cost at most this many times more scan time per character.
LEXICON_TOLERANCE = 10.0

_PER_CHAR: dict[int, float] = {}
_LEX_PER_CHAR: dict[int, float] = {}


def _rounds(size: int) -> int:
    return max(1, min(30, 2_000_000 // size))


@pytest.mark.parametrize("size", DOC_SIZES, ids=[f"{s // 1000}KB" if s < 1_000_000 else f"{s // 1_000_000}MB" for s in DOC_SIZES])
def test_document_size(benchmark, corpus, pack_part, report, size):
    rules = pack_part("full").ruleset
    text = _bench.sized_text(corpus.text, size)
    benchmark.group = "scaling: document size"
    found = benchmark.pedantic(lambda: len(rules.extract(text)), rounds=_rounds(size), iterations=1,
                               warmup_rounds=1 if size <= 1_000_000 else 0)
    median = _bench.median_seconds(benchmark)
    benchmark.extra_info.update(chars=len(text), found=found)
    if not median:
        return
    per_char = median / len(text)
    _PER_CHAR[size] = per_char
    benchmark.extra_info.update(chars_per_s=len(text) / median, us_per_kchar=per_char * 1e9)
    report(f"document size {len(text):>12,} chars: {median:9.4f} s  {len(text) / median:>12,.0f} chars/s  ({found:,} records)")
    if size == DOC_SIZES[-1] and size >= 1_000_000 and 100_000 in _PER_CHAR:
        slope = per_char / _PER_CHAR[100_000]
        benchmark.extra_info["per_char_vs_100KB"] = slope
        report(f"linearity: time per char at {size:,} = {slope:.2f}x the one at 100,000 chars (1.0 = linear)")
        assert slope < LINEAR_TOLERANCE, f"super-linear: {slope:.2f}x per character from 100 KB to {size:,}"


# ---------------------------------------------------------------------------------- lexicon size

_SYLLABLES = ("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go la le li lo lu ma me mi mo mu "
              "na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo "
              "cha che chi cho gra gre gri pra pre pri tra tre tri bla ble bli cla cle fla fle pla ple "
              "an en in on ain oin eau ou oi ié é è ê ç").split()


def _vocabulary(text: str) -> Counter:
    return Counter(w.lower() for w in re.findall(r"\b[^\W\d_]{3,}\b", text))


def synthetic_lexicon(n: int, vocab: Counter, seed: int = 0) -> list[str]:
    """50 frequent corpus words, then pseudo-words absent from the corpus (10% two-word entries)."""
    rng = random.Random(seed)
    hits = [w for w, _ in vocab.most_common(400) if len(w) >= 5][:50]
    entries = list(hits[: min(50, n)])
    seen = set(entries)
    while len(entries) < n:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.1:
            word += " " + "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        if word in seen or any(part in vocab for part in word.split()):
            continue
        seen.add(word)
        entries.append(word)
    return entries


@pytest.fixture(scope="module")
def lexicon_text(corpus) -> tuple[str, Counter]:
    docs = _bench.slice_docs(corpus.docs, 300_000)
    text = "\n".join(docs)
    return text, _vocabulary(corpus.text)


@pytest.mark.parametrize("n", LEXICON_SIZES)
def test_lexicon_size(benchmark, tmp_path, lexicon_text, report, n):
    text, vocab = lexicon_text
    entries = synthetic_lexicon(n, vocab)
    (tmp_path / "lex.txt").write_text("\n".join(entries) + "\n", encoding="utf-8")
    (tmp_path / "lex.rules").write_text(
        'lexicon LEX = file "lex.txt"\n'
        'phase lex {\n  rule lexicon_hit match w:@LEX emit Mention(label="lex", span=w)\n}\n',
        encoding="utf-8",
    )
    t0 = time.perf_counter()
    rules = ruleie.load(tmp_path / "lex.rules", use_cache=False)
    t1 = time.perf_counter()
    rules.extract("amorce")  # compiles the regex
    t2 = time.perf_counter()
    benchmark.group = "scaling: lexicon size"
    found = benchmark.pedantic(lambda: len(rules.extract(text)), rounds=5, iterations=1)
    median = _bench.median_seconds(benchmark)
    benchmark.extra_info.update(entries=n, chars=len(text), found=found, compile_s=t1 - t0, regex_compile_s=t2 - t1)
    if not median:
        return
    _LEX_PER_CHAR[n] = median / len(text)
    benchmark.extra_info["chars_per_s"] = len(text) / median
    report(f"lexicon {n:>6,} entries: compile {t1 - t0:6.3f} s + regex {t2 - t1:6.3f} s; "
           f"{len(text) / median:>12,.0f} chars/s ({found:,} matches)")
    if n == LEXICON_SIZES[-1] and LEXICON_SIZES[0] in _LEX_PER_CHAR:
        growth = _LEX_PER_CHAR[n] / _LEX_PER_CHAR[LEXICON_SIZES[0]]
        factor = n / LEXICON_SIZES[0]
        benchmark.extra_info["time_growth"] = growth
        report(f"lexicon scaling: {factor:.0f}x more entries -> {growth:.2f}x the time per character")
        assert growth < LEXICON_TOLERANCE, f"lexicon scan grows too fast: {growth:.1f}x for {factor:.0f}x entries"
