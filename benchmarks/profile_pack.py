"""Profile extraction with the French pack on the corpus: where does the time go?

    python benchmarks/profile_pack.py [--chars 300000] [--part full] [--profiler pyinstrument|cprofile|none]
                                      [--rules-only] [--top 25]

Prints, for a warm rule set over the first `--chars` characters of the corpus (document by
document):

1. time per rule: regex matching (`RuleMatcher.find`) per rule, with its match count, and the time
   to compile each rule's regexes (what the first extraction pays), slowest first — the table a rule
   author needs;
2. the engine outside matching (normalisation, overlap resolution, record building);
3. a call profile of the whole extraction (pyinstrument when installed, else cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _bench  # noqa: E402


def per_rule(ruleset, docs: list[str], top: int) -> None:
    from ruleie.runtime.matcher import RuleMatcher

    engine = ruleset.engine
    build: dict[int, float] = {}
    matchers = []
    for i, rule in enumerate(engine.rules):
        t0 = time.perf_counter()
        matchers.append(RuleMatcher.build(i, rule.segments).compile())
        build[i] = time.perf_counter() - t0
    engine._matchers = matchers
    spent: dict[int, float] = defaultdict(float)
    found: dict[int, int] = defaultdict(int)
    originals = [m.find for m in matchers]

    def timed(i, fn):
        def find(*args, **kwargs):
            t0 = time.perf_counter()
            out = fn(*args, **kwargs)
            spent[i] += time.perf_counter() - t0
            found[i] += len(out)
            return out

        return find

    for i, m in enumerate(matchers):
        m.find = timed(i, originals[i])  # instance attribute shadows the method
    t0 = time.perf_counter()
    _bench.extract_docs(ruleset, docs)
    total = time.perf_counter() - t0
    for i, m in enumerate(matchers):
        del m.find
    chars = sum(len(d) for d in docs)
    matching = sum(spent.values())
    print(f"\n{len(docs)} documents, {chars:,} chars: {total:.3f} s ({chars / total:,.0f} chars/s)")
    print(f"  matching (RuleMatcher.find): {matching:.3f} s ({matching / total:.0%}); "
          f"engine outside matching: {total - matching:.3f} s ({(total - matching) / total:.0%})")
    print(f"  regex compilation (first extraction): {sum(build.values()):.2f} s for {len(matchers)} rules")
    print(f"\nslowest rules (matching time over the text, compile time):")
    print(f"  {'rule':<34} {'origin':<34} {'find s':>8} {'share':>6} {'found':>7} {'compile s':>9}  engine")
    order = sorted(range(len(matchers)), key=lambda i: -spent[i])
    for i in order[:top]:
        rule = engine.rules[i]
        m = matchers[i]
        pats = [m.scan] if m.scan is not None else [p for p in m.parts if p is not None]
        kinds = ",".join(sorted({"re" if type(p).__module__ == "re" else "regex" for p in pats}))
        print(f"  {rule.name:<34} {rule.origin:<34} {spent[i]:8.3f} {spent[i] / total:6.1%} {found[i]:7,} {build[i]:9.2f}  {kinds}")
    slow_build = sorted(range(len(matchers)), key=lambda i: -build[i])[:5]
    print("\nslowest to compile: " + ", ".join(f"{engine.rules[i].name} {build[i]:.2f} s" for i in slow_build))


def call_profile(ruleset, docs: list[str], profiler: str) -> None:
    if profiler == "pyinstrument":
        try:
            from pyinstrument import Profiler
        except ImportError:
            profiler = "cprofile"
        else:
            p = Profiler(interval=0.0005)
            p.start()
            _bench.extract_docs(ruleset, docs)
            p.stop()
            print(p.output_text(unicode=True, color=False, show_all=False))
            return
    if profiler == "cprofile":
        prof = cProfile.Profile()
        prof.enable()
        _bench.extract_docs(ruleset, docs)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", help="corpus file (default: ../shared/corpus/fr-news/fr-news.txt)")
    ap.add_argument("--chars", type=int, default=300_000, help="characters of the corpus to extract")
    ap.add_argument("--part", default="full", choices=["full", *_bench.PARTS])
    ap.add_argument("--profiler", default="pyinstrument", choices=["pyinstrument", "cprofile", "none"])
    ap.add_argument("--rules-only", action="store_true", help="only the per-rule table")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args(argv)

    corpus = _bench.load_corpus(args.corpus)
    docs = _bench.slice_docs(corpus.docs, args.chars)
    t0 = time.perf_counter()
    part = _bench.load_part(args.part)
    if part.ruleset is None:
        print(f"cannot load {args.part}: {part.error}", file=sys.stderr)
        return 2
    print(f"corpus: {corpus.source}; rules: {args.part} ({part.how}: {', '.join(part.files)}); "
          f"loaded in {time.perf_counter() - t0:.2f} s")
    per_rule(part.ruleset, docs, args.top)
    if not args.rules_only and args.profiler != "none":
        call_profile(part.ruleset, docs, args.profiler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
