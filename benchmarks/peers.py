"""ruleie and its peers side by side: same run, same text, one process, warm, median of repeats.

    python benchmarks/peers.py [--corpus PATH] [--repeat 5] [--chars N] [--sm-chars N]
                               [--dates-chars N] [--no-fresh] [--no-write] [--only NAME,...]

Rows (each timed over the same documents as the references it is compared with, the systems of
one slice timed in turn within each repeat so that load on the machine hits them alike):

- ruleie, full French pack: `RuleSet.extract` on each document (`ruleie.load()`), and its parts;
- ceiling: ONE `regex` pattern of every reporting-verb form of the pack's lexicon
  (`morph_fr.expand_verb` over `rules/fr/lexicons/reporting_verbs.txt`) in trie order
  (`trie_pattern`) or a quotation in guillemets `«[^«»]*»`, run with `finditer`; the same pattern
  with the stdlib `re` engine, the pack's own compiled lexicon pattern, and pyahocorasick over the
  same forms are extra reference rows;
- spaCy `blank("fr")` tokenizer + `Matcher` for the same forms (see `spacy_blank`);
- spaCy `fr_core_news_sm` with a lemma `Matcher` (see `spacy_sm`), on a smaller slice: the
  pipeline that gives lemmas (tok2vec, morphologizer, attribute_ruler, lemmatizer) and the default
  pipeline (+ parser, ner);
- `dateparser.search.search_dates(text, languages=['fr'])` against the pack's date rules alone
  (`rules/fr/50_dates.rules`), on ~100 KB.

Every row reports chars/s, MB/s (10^6 characters per second: the corpus is mostly one byte per
character), its ratio to the ceiling measured on the same text, and how many times faster ruleie
is than it (ruleie measured on that text too). With the fresh-process measurements (peak RSS over
the whole corpus, cold compile, cached load) it checks the targets, prints a table and writes
`benchmarks/results/latest.json` and the results section of `docs/benchmarks.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import re
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _bench  # noqa: E402

DOC = _bench.ROOT / "docs" / "benchmarks.md"
JSON_OUT = _bench.RESULTS_DIR / "latest.json"
BEGIN, END = "<!-- peers:begin -->", "<!-- peers:end -->"
README = _bench.ROOT / "README.md"
SUMMARY_BEGIN, SUMMARY_END = "<!-- peers:summary:begin -->", "<!-- peers:summary:end -->"
#: Rows of the README's short table: the full pack and the peers it is compared with.
SUMMARY_ROWS = ("ruleie: full French pack", "ceiling: regex trie + guillemets", "spaCy blank('fr') + Matcher",
                "spaCy fr_core_news_sm lemma pipeline + Matcher", "ruleie: date rules (50_dates.rules)",
                "dateparser search_dates(languages=['fr'])")

TARGETS = {
    "full_vs_ceiling": ("full pack >= 0.30 x the ceiling", 0.30),
    "full_vs_spacy_blank": ("full pack >= 3 x spaCy blank + Matcher", 3.0),
    "full_vs_spacy_sm": ("full pack >= 40 x fr_core_news_sm (lemma pipeline)", 40.0),
    "dates_vs_dateparser": ("dates >= 20 x dateparser search_dates", 20.0),
    "peak_rss_mb": ("peak RSS over the corpus < 300 MB", 300.0),
    "cold_compile_s": ("cold compile < 2 s", 2.0),
    "cached_load_s": ("cached load < 100 ms", 0.100),
}


@dataclass
class System:
    name: str
    run: Callable[[list[str]], int]  # returns what it found, so nothing is optimised away
    note: str = ""
    times: list[float] = field(default_factory=list)
    found: int = 0
    error: str | None = None


@dataclass
class Slice:
    name: str
    docs: list[str]
    systems: list[System]
    ruleie: str  # name of the ruleie row the others are compared with
    ceiling: str = "ceiling: regex trie + guillemets"
    repeat: int = 5

    @property
    def chars(self) -> int:
        return sum(len(d) for d in self.docs)


# ------------------------------------------------------------------------------------ systems


def ruleie_system(name: str, part: str, note: str = "") -> System:
    loaded = _bench.load_part(part)
    if loaded.ruleset is None:
        return System(name, lambda docs: 0, note, error=loaded.error)
    rules = loaded.ruleset
    t0 = time.perf_counter()
    _bench.warm(rules)
    warm_s = time.perf_counter() - t0
    how = f"{loaded.how}" if part != "full" else "ruleie.load()"
    return System(name, lambda docs: _bench.extract_docs(rules, docs), note or f"{how}; first extraction (regex compilation) {warm_s:.1f} s")


def finditer_system(name: str, pattern, note: str) -> System:
    def run(docs: list[str]) -> int:
        n = 0
        for d in docs:
            for _ in pattern.finditer(d):
                n += 1
        return n

    return System(name, run, note)


def ahocorasick_system(forms: list[str]) -> System:
    try:
        import ahocorasick
    except ImportError:
        return System("pyahocorasick: verb forms (no word boundaries, no quotes)", lambda d: 0, error="pyahocorasick not installed")
    automaton = ahocorasick.Automaton()
    for f in forms:
        automaton.add_word(f, len(f))
    automaton.make_automaton()

    def run(docs: list[str]) -> int:
        n = 0
        for d in docs:
            for _ in automaton.iter(d):
                n += 1
        return n

    return System("pyahocorasick: verb forms (no word boundaries, no quotes)", run,
                  "every occurrence of every form, overlapping, inside words too: a raw multi-string search")


def _quote_pattern() -> list[dict]:
    return [{"ORTH": "«"}, {"ORTH": {"NOT_IN": ["«", "»"]}, "OP": "*"}, {"ORTH": "»"}]


def factor_sequences(seqs: set[tuple[str, ...]]) -> list[list[set[str]]]:
    """Token sequences of one length as a few products of token sets, covering exactly `seqs`.

    Sequences are grouped by all tokens but the last, those prefixes by their set of last tokens,
    and the prefixes of each group factored the same way (`a / avait / a -t -il` x `dit / déclaré /
    ...`): each product is one `Matcher` pattern with `IN` sets, and the union of the products is
    exactly `seqs` (no more, no fewer, no overlap).
    """
    if len(next(iter(seqs))) == 1:
        return [[{s[0] for s in seqs}]]
    by_prefix: dict[tuple[str, ...], set[str]] = {}
    for s in seqs:
        by_prefix.setdefault(s[:-1], set()).add(s[-1])
    groups: dict[frozenset[str], set[tuple[str, ...]]] = {}
    for prefix, lasts in by_prefix.items():
        groups.setdefault(frozenset(lasts), set()).add(prefix)
    out = []
    for lasts, prefixes in sorted(groups.items(), key=lambda kv: sorted(kv[1])):
        for product in factor_sequences(prefixes):
            out.append(product + [set(lasts)])
    return out


def _token_spec(tokens: set[str], attr: str = "LOWER") -> dict:
    return {attr: next(iter(tokens))} if len(tokens) == 1 else {attr: {"IN": sorted(tokens)}}


def spacy_blank(forms: list[str], phrase: bool = False) -> System:
    """`spacy.blank("fr")` + `Matcher`: each form is tokenized by the same tokenizer (`a-t-il dit`
    -> a / -t / -il / dit); forms of one token go into one `{"LOWER": {"IN": [...]}}` pattern; forms
    of several tokens are token sequences, factored into a few exact products of `LOWER IN` sets
    (`factor_sequences`: about a hundred patterns instead of one per form, which is ten times
    faster and matches exactly the same sequences); guillemets are `«`, any tokens but « », `»`.
    With `phrase`, a `PhraseMatcher(attr="LOWER")` holds every form instead (an extra reference)."""
    name = "spaCy blank('fr') + " + ("PhraseMatcher (LOWER)" if phrase else "Matcher")
    try:
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher
    except ImportError:
        return System(name, lambda d: 0, error="spacy not installed")
    nlp = spacy.blank("fr")
    matcher = Matcher(nlp.vocab)
    matcher.add("QUOTE", [_quote_pattern()])
    if phrase:
        phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        phrases.add("VERB", list(nlp.tokenizer.pipe(forms)))
        note = f"{len(forms):,} forms in a PhraseMatcher + guillemets in a Matcher"
    else:
        single: set[str] = set()
        multi: dict[int, set[tuple[str, ...]]] = {}
        for form in forms:
            toks = tuple(t.lower_ for t in nlp.make_doc(form))
            if len(toks) == 1:
                single.add(toks[0])
            else:
                multi.setdefault(len(toks), set()).add(toks)
        products = [p for k in sorted(multi) for p in factor_sequences(multi[k])]
        matcher.add("VERB", [[_token_spec(single)], *[[_token_spec(t) for t in p] for p in products]])
        phrases = None
        note = (f"{len(single):,} one-token forms in one LOWER IN pattern + {len(products)} patterns for "
                f"{sum(len(v) for v in multi.values()):,} multi-token forms + guillemets")

    def run(docs: list[str]) -> int:
        n = 0
        for doc in nlp.pipe(docs):
            n += len(matcher(doc))
            if phrases is not None:
                n += len(phrases(doc))
        return n

    run(["« Oui », a-t-il dit."])
    return System(name, run, note)


def spacy_sm(lemmas: list[str], exclude: tuple[str, ...], name: str) -> System:
    """`fr_core_news_sm` + a lemma `Matcher`: `{"LEMMA": {"IN": verbs}}` (a reflexive lemma `se X`
    counts as X); a lemma of several words (`faire savoir`, `mettre en garde`) is the lemma of its
    verb followed by its other words (LOWER); guillemets as for the blank pipeline."""
    try:
        import spacy
        from spacy.matcher import Matcher
    except ImportError:
        return System(name, lambda d: 0, error="spacy not installed")
    try:
        nlp = spacy.load("fr_core_news_sm", exclude=list(exclude))
    except OSError as err:
        return System(name, lambda d: 0, error=f"fr_core_news_sm not installed ({err})")
    matcher = Matcher(nlp.vocab)
    single: set[str] = set()
    patterns = []
    for lemma in lemmas:
        words = lemma.split()
        if words[0] in ("se", "s'") or lemma.startswith("s'"):
            words = words[1:] if words[0] == "se" else [lemma[2:], *words[1:]]
        if len(words) == 1:
            single.add(words[0])
        else:
            patterns.append([{"LEMMA": words[0]}] + [{"LOWER": w} for w in words[1:]])
    matcher.add("VERB", [[{"LEMMA": {"IN": sorted(single)}}], *patterns])
    matcher.add("QUOTE", [_quote_pattern()])

    def run(docs: list[str]) -> int:
        n = 0
        for doc in nlp.pipe(docs):
            n += len(matcher(doc))
        return n

    run(["« Oui », a-t-il dit."])
    return System(name, run, f"pipeline: {', '.join(nlp.pipe_names)}; {len(single)} verb lemmas + {len(patterns)} multiword lemmas + guillemets")


def dateparser_system() -> System:
    name = "dateparser search_dates(languages=['fr'])"
    try:
        from dateparser.search import search_dates
    except ImportError:
        return System(name, lambda d: 0, error="dateparser not installed")

    def run(docs: list[str]) -> int:
        n = 0
        for d in docs:
            n += len(search_dates(d, languages=["fr"]) or [])
        return n

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run(["Il est arrivé le 3 mars 2020, lundi dernier."])
    return System(name, run, "one call per document")


# ------------------------------------------------------------------------------------ running


def run_slice(sl: Slice, log) -> None:
    runnable = [s for s in sl.systems if s.error is None]
    log(f"\n[{sl.name}] {len(sl.docs)} documents, {sl.chars:,} chars, {sl.repeat} repeats: {', '.join(s.name for s in runnable)}")
    for r in range(sl.repeat):
        for s in runnable:
            gc.collect()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                try:
                    s.found = s.run(sl.docs)
                except Exception as err:  # a peer or a pack part that breaks must not stop the run
                    s.error = f"{type(err).__name__}: {err}"
                    continue
                s.times.append(time.perf_counter() - t0)
        log(f"  repeat {r + 1}/{sl.repeat}: " + ", ".join(f"{s.name.split(':')[0]} {s.times[-1]:.2f}s" for s in runnable if s.times))


def rows_of(sl: Slice) -> list[dict]:
    by_name = {s.name: s for s in sl.systems}
    def cps(s: System | None) -> float | None:
        return sl.chars / statistics.median(s.times) if s and s.times and s.error is None else None
    ceiling, ruleie = cps(by_name.get(sl.ceiling)), cps(by_name.get(sl.ruleie))
    rows = []
    for s in sl.systems:
        v = cps(s)
        rows.append({
            "slice": sl.name, "name": s.name, "chars": sl.chars, "docs": len(sl.docs),
            "chars_per_s": v, "mb_per_s": v / 1e6 if v else None,
            "x_ceiling": v / ceiling if v and ceiling else None,
            "ruleie_speedup": ruleie / v if v and ruleie else None,
            "compared_with": sl.ruleie, "found": s.found if s.times else None,
            "seconds_median": statistics.median(s.times) if s.times else None,
            "seconds_all": [round(t, 4) for t in s.times], "note": s.note, "error": s.error,
        })
    return rows


def fresh_measurements(corpus_arg: str | None, log, rss_modes: tuple[str, ...] = ("docs", "single")) -> dict:
    out: dict = {}
    log("\n[fresh processes] cold compile, cached load, peak RSS")
    try:
        cold = [_bench.measure_cold_compile() for _ in range(3)]
        out["cold_compile_s"] = statistics.median(c["compile"] for c in cold)
        out["import_s"] = statistics.median(c["import"] for c in cold)
        log(f"  cold compile {out['cold_compile_s']:.2f} s (import {out['import_s']:.2f} s)")
    except Exception as err:
        out["cold_compile_error"] = str(err)[-500:]
    try:
        with tempfile.TemporaryDirectory(prefix="ruleie-bench-cache-") as cache:
            _bench.measure_cached_load(cache, extract=False)  # fills the cache
            loads = [_bench.measure_cached_load(cache, extract=False) for _ in range(5)]
            # the first extraction compiles the regexes the sample needs and stores their programs;
            # the next processes rebuild them from the cache
            compiling = _bench.measure_cached_load(cache)
            reusing = [_bench.measure_cached_load(cache) for _ in range(3)]
        out["cached_load_s"] = statistics.median(c["load"] for c in loads)
        out["cached_load_plus_compiling_extract_s"] = compiling["load"] + compiling["first_extract"]
        out["cached_load_plus_first_extract_s"] = statistics.median(c["load"] + c["first_extract"] for c in reusing)
        out["cached_second_extract_s"] = statistics.median(c["second_extract"] for c in reusing)
        log(f"  cached load {out['cached_load_s'] * 1000:.1f} ms; + first extract {out['cached_load_plus_first_extract_s']:.2f} s"
            f" ({out['cached_load_plus_compiling_extract_s']:.2f} s when it compiles the regexes)")
    except Exception as err:
        out["cached_load_error"] = str(err)[-500:]
    for mode in rss_modes:
        try:
            res = _bench.measure_peak_rss(mode, corpus_arg)
            out[f"peak_rss_{mode}_mb"] = res["peak_kb"] / 1024
            out[f"rss_after_load_{mode}_mb"] = res["base_kb"] / 1024
            out[f"rss_corpus_chars"] = res["chars"]
            out[f"extract_{mode}_s"] = res["seconds"]
            log(f"  peak RSS ({mode}) {res['peak_kb'] / 1024:.0f} MB over {res['chars']:,} chars ({res['seconds']:.1f} s)")
        except Exception as err:
            out[f"peak_rss_{mode}_error"] = str(err)[-500:]
    rss = [out[k] for k in ("peak_rss_docs_mb", "peak_rss_single_mb") if k in out]
    if rss:
        out["peak_rss_mb"] = max(rss)
    return out


def check_targets(rows: list[dict], fresh: dict) -> dict:
    def row(name: str, slice_name: str | None = None) -> dict | None:
        return next((r for r in rows if r["name"] == name and (slice_name is None or r["slice"] == slice_name) and r["chars_per_s"]), None)

    main = rows[0]["slice"] if rows else None
    values: dict[str, float | None] = {}
    full = row("ruleie: full French pack", main)
    values["full_vs_ceiling"] = full["x_ceiling"] if full else None
    blank = row("spaCy blank('fr') + Matcher", main)
    values["full_vs_spacy_blank"] = blank["ruleie_speedup"] if blank else None
    sm = row("spaCy fr_core_news_sm lemma pipeline + Matcher")
    values["full_vs_spacy_sm"] = sm["ruleie_speedup"] if sm else None
    dp = row("dateparser search_dates(languages=['fr'])")
    values["dates_vs_dateparser"] = dp["ruleie_speedup"] if dp else None
    for k in ("peak_rss_mb", "cold_compile_s", "cached_load_s"):
        values[k] = fresh.get(k)
    out = {}
    for key, (label, limit) in TARGETS.items():
        v = values.get(key)
        lower_is_better = key in ("peak_rss_mb", "cold_compile_s", "cached_load_s")
        met = None if v is None else (v < limit if lower_is_better else v >= limit)
        out[key] = {"target": label, "limit": limit, "value": v, "met": met}
    return out


# ------------------------------------------------------------------------------------ output


def _fmt(v: float | None, spec: str, suffix: str = "") -> str:
    return "—" if v is None else format(v, spec) + suffix


def markdown_table(rows: list[dict]) -> str:
    lines = ["| text | system | chars/s | MB/s | × ceiling | ruleie is × faster | found |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        name = r["name"] + (f" *(unavailable: {r['error'][:120]})*" if r["error"] else "")
        lines.append(f"| {r['slice']} | {name} | {_fmt(r['chars_per_s'], ',.0f')} | {_fmt(r['mb_per_s'], '.3f')} | "
                     f"{_fmt(r['x_ceiling'], '.3f')} | {_fmt(r['ruleie_speedup'], ',.2f')} | {_fmt(r['found'], ',')} |")
    return "\n".join(lines)


def text_table(rows: list[dict]) -> str:
    out = [f"{'text':<28} {'system':<58} {'chars/s':>12} {'MB/s':>8} {'x ceil':>8} {'ruleie x':>9} {'found':>9}"]
    for r in rows:
        if r["error"]:
            out.append(f"{r['slice']:<28} {r['name'][:58]:<58} unavailable: {r['error'][:80]}")
            continue
        out.append(f"{r['slice']:<28} {r['name'][:58]:<58} {_fmt(r['chars_per_s'], ',.0f'):>12} {_fmt(r['mb_per_s'], '.3f'):>8} "
                   f"{_fmt(r['x_ceiling'], '.3f'):>8} {_fmt(r['ruleie_speedup'], ',.2f'):>9} {_fmt(r['found'], ','):>9}")
    return "\n".join(out)


def targets_markdown(targets: dict, fresh: dict) -> str:
    lines = ["| target | measured | met |", "|---|---:|:---:|"]
    for key, t in targets.items():
        v = t["value"]
        if key.endswith("_mb"):
            shown = _fmt(v, ",.0f", " MB")
        elif key == "cached_load_s":
            shown = _fmt(v * 1000 if v is not None else None, ",.1f", " ms")
        elif key.endswith("_s"):
            shown = _fmt(v, ",.2f", " s")
        else:
            shown = _fmt(v, ",.2f", " ×")
        lines.append(f"| {t['target']} | {shown} | {'—' if t['met'] is None else ('yes' if t['met'] else '**no**')} |")
    extra = []
    if "cached_load_plus_first_extract_s" in fresh:
        extra.append(f"cached load + first extraction (regexes rebuilt from the programs in the cache): {fresh['cached_load_plus_first_extract_s']:.2f} s")
    if "cached_load_plus_compiling_extract_s" in fresh:
        extra.append(f"cached load + first extraction of the first process (compiles the regexes the text needs): "
                     f"{fresh['cached_load_plus_compiling_extract_s']:.2f} s")
    if "import_s" in fresh:
        extra.append(f"`import ruleie`: {fresh['import_s'] * 1000:.0f} ms")
    for mode in ("docs", "single"):
        if f"rss_after_load_{mode}_mb" in fresh:
            what = "document by document" if mode == "docs" else "as one document"
            extra.append(f"peak RSS {what}: {fresh[f'peak_rss_{mode}_mb']:,.0f} MB "
                         f"(after loading the pack: {fresh[f'rss_after_load_{mode}_mb']:,.0f} MB; extraction {fresh[f'extract_{mode}_s']:.1f} s)")
    return "\n".join(lines) + ("\n\n" + "\n".join(f"- {e}" for e in extra) if extra else "")


def notes_markdown(rows: list[dict]) -> list[str]:
    seen: dict[str, str] = {}
    for r in rows:
        if r["note"] and r["name"] not in seen:
            seen[r["name"]] = r["note"]
    return [f"- {name}: {note}" for name, note in seen.items()]


def write_doc(result: dict) -> None:
    m = result["machine"]
    pk = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    block = "\n".join([
        BEGIN,
        f"Measured {result['date']} by `python benchmarks/peers.py {' '.join(result['argv'])}`".rstrip() + "."
        + (f" Fresh-process measurements redone {result['fresh_date']} (`--fresh-only`)." if result.get("fresh_date") else ""),
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']} ({m['platform']}); load average at start "
        f"{m['loadavg_at_start']}. Packages: {pk}.",
        f"Corpus: {result['corpus']['source']} ({result['corpus']['chars']:,} chars, {result['corpus']['docs']:,} documents). "
        f"Pack files: {', '.join(result['pack_files'])}.",
        "",
        markdown_table(result["rows"]),
        "",
        targets_markdown(result["targets"], result["fresh"]),
        "",
        "Rows:",
        "",
        *notes_markdown(result["rows"]),
        END,
    ])
    if DOC.exists():
        text = DOC.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
        else:
            text = text.rstrip() + "\n\n## Latest results\n\n" + block + "\n"
    else:
        text = "# Benchmarks\n\n## Latest results\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def write_readme(result: dict) -> None:
    """Replace the README's short results table (between the summary markers) with this run's."""
    if not README.exists():
        return
    text = README.read_text(encoding="utf-8")
    if SUMMARY_BEGIN not in text or SUMMARY_END not in text:
        return
    m = result["machine"]
    rows = [r for r in result["rows"] if r["name"] in SUMMARY_ROWS]
    block = "\n".join([
        SUMMARY_BEGIN,
        f"Measured {result['date']} on {m['cpu']}, {m['cores']} cores, Python {m['python']}, load average at start "
        f"{m['loadavg_at_start'][0]}, on {result['corpus']['source']} ({result['corpus']['chars']:,} characters of French news):",
        "",
        markdown_table(rows),
        "",
        targets_markdown(result["targets"], {}),
        SUMMARY_END,
    ])
    text = text[: text.index(SUMMARY_BEGIN)] + block + text[text.index(SUMMARY_END) + len(SUMMARY_END):]
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", help="corpus file (default ../shared/corpus/fr-news/fr-news.txt, else examples/*.txt repeated)")
    ap.add_argument("--repeat", type=int, default=5, help="repeats per system (median reported)")
    ap.add_argument("--chars", type=int, default=1_000_000, help="characters of the corpus for the main comparison (0: all)")
    ap.add_argument("--sm-chars", type=int, default=100_000, help="characters for the fr_core_news_sm comparison")
    ap.add_argument("--dates-chars", type=int, default=100_000, help="characters for the dateparser comparison")
    ap.add_argument("--slow-repeat", type=int, default=None, help="repeats for the fr_core_news_sm and dateparser slices (default: --repeat)")
    ap.add_argument("--no-parts", action="store_true", help="leave out the rows of the pack's parts")
    ap.add_argument("--no-fresh", action="store_true", help="skip the fresh-process measurements (RSS, compile, load)")
    ap.add_argument("--no-write", action="store_true", help="print only; do not write latest.json, docs/benchmarks.md and the README's summary")
    ap.add_argument("--rss-modes", default="docs,single", help="peak RSS over the corpus: document by document (docs), as one document (single)")
    ap.add_argument("--fresh-parallel", action="store_true",
                    help="run the fresh-process measurements on the other core while the slices are timed (faster, noisier)")
    ap.add_argument("--fresh-only", action="store_true",
                    help="redo only the fresh-process measurements and the targets of the last run (latest.json)")
    args = ap.parse_args(argv)
    log = lambda msg: print(msg, flush=True)  # noqa: E731

    if args.fresh_only:
        result = json.loads(JSON_OUT.read_text(encoding="utf-8"))
        result["fresh"] = fresh_measurements(args.corpus, log, tuple(m for m in args.rss_modes.split(",") if m))
        result["targets"] = check_targets(result["rows"], result["fresh"])
        result["fresh_date"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        for t in result["targets"].values():
            print(f"  {t['target']:<52} {('—' if t['value'] is None else format(t['value'], ',.3g')):>10}  "
                  f"{'—' if t['met'] is None else ('met' if t['met'] else 'NOT met')}")
        if not args.no_write:
            JSON_OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            write_doc(result)
            write_readme(result)
        return 0

    corpus = _bench.load_corpus(args.corpus)
    log(f"corpus: {corpus.source}, {corpus.chars:,} chars, {len(corpus.docs):,} documents")
    machine = _bench.machine_info()
    main_docs = corpus.docs if args.chars <= 0 else _bench.slice_docs(corpus.docs, args.chars)
    sm_docs = _bench.slice_docs(corpus.docs, args.sm_chars)
    date_docs = _bench.slice_docs(corpus.docs, args.dates_chars)
    slow_repeat = args.slow_repeat or args.repeat

    import regex

    from ruleie.compile.lexicons import _bounded

    forms = _bench.reporting_verb_forms()
    lemmas = _bench.reporting_verb_lemmas()
    log(f"reporting verbs: {len(lemmas)} lemmas, {len(forms):,} forms; building the systems...")
    ceiling_src = _bench.ceiling_source(forms)
    ceiling = finditer_system("ceiling: regex trie + guillemets", regex.compile(ceiling_src),
                              f"one `regex` pattern, {len(ceiling_src):,} chars, finditer")
    ceiling_re = finditer_system("reference: same pattern with stdlib re", re.compile(ceiling_src), "stdlib `re` engine")
    lexicon_re = finditer_system("reference: pack's compiled @RV lexicon pattern (re) + guillemets",
                                 re.compile(_bounded(forms, "exact", False) + "|" + _bench.GUILLEMETS),
                                 "the lexicon compiler's own pattern (multiword forms factored), stdlib `re`")
    full = ruleie_system("ruleie: full French pack", "full")
    systems = [full]
    if not args.no_parts:
        systems += [ruleie_system(f"ruleie part: {p}", p) for p in ("verbs_quotes", "accusations", "dates")]
    systems += [ceiling, ceiling_re, lexicon_re, ahocorasick_system(forms), spacy_blank(forms), spacy_blank(forms, phrase=True)]
    sm_lemma = spacy_sm(lemmas, ("parser", "ner"), "spaCy fr_core_news_sm lemma pipeline + Matcher")
    sm_full = spacy_sm(lemmas, (), "spaCy fr_core_news_sm default pipeline + Matcher")
    dates = ruleie_system("ruleie: date rules (50_dates.rules)", "dates")
    slices = [
        Slice(f"main ({sum(map(len, main_docs)) // 1000:,} KB)", main_docs, systems, "ruleie: full French pack", repeat=args.repeat),
        Slice(f"spaCy sm ({sum(map(len, sm_docs)) // 1000:,} KB)", sm_docs, [full, ceiling, sm_lemma, sm_full],
              "ruleie: full French pack", repeat=slow_repeat),
        Slice(f"dates ({sum(map(len, date_docs)) // 1000:,} KB)", date_docs, [dates, ceiling, dateparser_system()],
              "ruleie: date rules (50_dates.rules)", repeat=slow_repeat),
    ]
    started = time.time()
    rss_modes = tuple(m for m in args.rss_modes.split(",") if m)
    fresh: dict = {}
    background = None
    if not args.no_fresh and args.fresh_parallel:
        import threading

        background = threading.Thread(target=lambda: fresh.update(fresh_measurements(args.corpus, log, rss_modes)))
        background.start()
    rows: list[dict] = []
    for sl in slices:
        for s in sl.systems:  # a system appears in several slices: fresh timings per slice
            s.times, s.found = [], 0
        run_slice(sl, log)
        rows += rows_of(sl)
    if background is not None:
        background.join()
    elif not args.no_fresh:
        fresh = fresh_measurements(args.corpus, log, rss_modes)
    targets = check_targets(rows, fresh)

    result = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "argv": argv,
        "machine": machine,
        "corpus": {"source": corpus.source, "real": corpus.real, "chars": corpus.chars, "docs": len(corpus.docs)},
        "pack_files": [p.name for _, p in _bench.pack_files()],
        "settings": {"repeat": args.repeat, "slow_repeat": slow_repeat, "chars": args.chars, "sm_chars": args.sm_chars,
                     "dates_chars": args.dates_chars, "fresh_parallel": args.fresh_parallel, "rss_modes": list(rss_modes)},
        "seconds": round(time.time() - started, 1),
        "rows": rows,
        "fresh": fresh,
        "targets": targets,
    }
    print("\n" + text_table(rows))
    print()
    for t in targets.values():
        v = t["value"]
        print(f"  {t['target']:<52} {('—' if v is None else f'{v:,.3g}'):>10}  {'—' if t['met'] is None else ('met' if t['met'] else 'NOT met')}")
    print(f"\nmachine: {machine['cpu']}, {machine['cores']} cores, Python {machine['python']}; "
          + ", ".join(f"{k} {v}" for k, v in machine["packages"].items() if v))
    if not args.no_write:
        _bench.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        JSON_OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        write_doc(result)
        write_readme(result)
        print(f"wrote {JSON_OUT.relative_to(_bench.ROOT)}, {DOC.relative_to(_bench.ROOT)} and the README's summary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
