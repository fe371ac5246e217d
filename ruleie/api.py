"""The library API: load a rule set, extract records from one text or a stream of documents.

```python
import ruleie
rules = ruleie.load()                       # built-in French pack (or a rule file / folder)
for rec in rules.extract(text, doc_date="2023-05-12"):
    print(rec.type, rec.span.text)
for outcome in rules.extract_many(docs, n_jobs=2):   # streaming, in input order
    ...
```
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from time import monotonic
from typing import Any, Iterable, Iterator, Mapping

from ruleie.compile import cache
from ruleie.compile.ruleset import RuleSetSpec, compile_program
from ruleie.dsl.resolve import load_program, rule_files_of
from ruleie.io.split import SPLIT_CHARS, cut_points, pieces, shift
from ruleie.records import Record
from ruleie.runtime.engine import DocumentResult, Engine, MatchTimeout
from ruleie.runtime.programs import ProgramCache

_PACKAGE = Path(__file__).resolve().parent


def builtin_rules_path() -> Path:
    """Folder of the built-in French pack (installed as package data, or the source checkout)."""
    installed = _PACKAGE / "_rules" / "fr"
    return installed if installed.is_dir() else _PACKAGE.parent / "rules" / "fr"


@dataclass(frozen=True)
class Document:
    """One input document: an id for the `doc` field, its text and its date (ISO) if known."""

    id: str
    text: str
    date: str | None = None


@dataclass
class Outcome:
    """What `extract_many` yields per document: its records, or the error that stopped it.

    With `extract_many(..., by_piece=True)`, a document longer than its `split_chars` comes as one
    outcome per piece, in order: `part` counts them from 0 and `last` marks the final one; records
    are already shifted into the whole document. The document failed when any piece has an error.
    """

    doc: str
    records: list[Record]
    error: str | None = None
    part: int = 0
    last: bool = True


@dataclass(frozen=True)
class _Piece(Document):
    """One piece of a long document, run as a document of its own: where it starts, which it is."""

    offset: int = 0
    part: int = 0
    last: bool = True


class RuleSet:
    """A compiled rule set, ready to extract; cheap to share, safe to use from several threads."""

    def __init__(self, spec: RuleSetSpec, path: Path | None = None, from_cache: bool = False, cache_key: str | None = None):
        self.spec = spec
        self.path = path
        self.from_cache = from_cache
        self.engine = Engine(spec, ProgramCache(cache_key) if cache_key else None)

    @property
    def warnings(self) -> list[str]:
        """Compile-time warnings (unused macros and lexicons, ...), rendered."""
        return list(self.spec.warnings)

    def extract(
        self,
        text: str,
        doc_date: str | None = None,
        doc: str = "",
        timeout: float | None = None,
        split_chars: int | None = SPLIT_CHARS,
    ) -> list[Record]:
        """Records found in `text`, in text order; offsets index `text` itself.

        `timeout`: matching time budget in seconds for the whole text (`MatchTimeout` past it).
        A text longer than `split_chars` characters is matched piece by piece (`ruleie.io.split`);
        None matches it whole.
        """
        return extract_text(self.engine, text, doc, doc_date, timeout, split_chars)

    def explain(self, text: str, doc_date: str | None = None) -> DocumentResult:
        """Records plus the trace of every match found and whether overlap resolution kept it."""
        return self.engine.run(text, doc_date=doc_date, trace=True)

    def why_not(self, text: str, target: str | tuple[int, int], doc_date: str | None = None, **options: Any) -> list[Any]:
        """Why each rule did not produce a record over `target`: `ruleie.authoring.why_not.why_not`."""
        from ruleie.authoring.why_not import why_not

        return why_not(self, text, target, doc_date=doc_date, **options)

    def extract_many(
        self,
        docs: Iterable[str | Document | Mapping[str, Any]],
        n_jobs: int = 1,
        doc_date: str | None = None,
        chunksize: int = 8,
        timeout: float | None = None,
        timeout_per_mb: float = 0.0,
        split_chars: int | None = SPLIT_CHARS,
        by_piece: bool = False,
    ) -> Iterator[Outcome]:
        """One `Outcome` per input document, in input order, streaming; `n_jobs` > 1 uses processes.

        `chunksize` documents go to a worker at a time. Each document gets a matching time budget
        of `timeout` seconds plus `timeout_per_mb` seconds per million characters (none when
        `timeout` is None); a document past it has an error naming the rule that was running.
        `split_chars` is as in `extract`. `by_piece`: the pieces of a long document are yielded as they
        are done (see `Outcome`), each with its own budget, and go to the workers separately, so
        that a huge document is extracted in parallel and its records never all sit in memory.
        A worker's chunk of documents holds about `split_chars` characters at most.
        """
        options = RunOptions(timeout, timeout_per_mb, split_chars)
        items: Iterator[Document] = (_as_document(d, i, doc_date) for i, d in enumerate(docs))
        if by_piece and split_chars is not None:
            items = _split_documents(items, split_chars)
        if n_jobs <= 1:
            broken = False  # a piece of the current document failed: skip its other pieces
            for d in items:
                if broken and isinstance(d, _Piece) and d.part > 0:
                    yield Outcome(d.id, [], "skipped: an earlier piece of this document failed", d.part, d.last)
                    continue
                outcome = _run_one(self.engine, d, options)
                broken = outcome.error is not None and not outcome.last
                yield outcome
            return
        yield from _ordered_parallel(items, n_jobs, max(1, chunksize), self, options)


def _split_documents(items: Iterator[Document], size: int) -> Iterator[Document]:
    """The documents, with each one longer than `size` characters replaced by its pieces."""
    for d in items:
        if len(d.text) <= size:
            yield d
            continue
        points = cut_points(d.text, size)
        for part, (start, end) in enumerate(zip(points, points[1:])):
            yield _Piece(d.id, d.text[start:end], d.date, start, part, end == len(d.text))


@dataclass(frozen=True)
class RunOptions:
    """How each document of a batch is run: its time budget and where it is split."""

    timeout: float | None = None
    timeout_per_mb: float = 0.0
    split_chars: int | None = SPLIT_CHARS

    def budget(self, text: str) -> float | None:
        """Seconds of matching allowed for `text`, or None for no limit."""
        if self.timeout is None:
            return None
        return self.timeout + self.timeout_per_mb * len(text) / 1e6


def extract_text(
    engine: Engine,
    text: str,
    doc: str = "",
    doc_date: str | None = None,
    timeout: float | None = None,
    split_chars: int | None = SPLIT_CHARS,
) -> list[Record]:
    """Records of `text`, matched in pieces of at most `split_chars` characters, in text order.

    The pieces share one time budget; records found in a piece are shifted back into `text`, and
    since pieces are in order and records in a piece are sorted, the list stays in text order.
    """
    if split_chars is None or len(text) <= split_chars:
        return engine.run(text, doc=doc, doc_date=doc_date, timeout=timeout).records
    deadline = None if timeout is None else monotonic() + timeout
    records: list[Record] = []
    for offset, piece in pieces(text, split_chars):
        # Past the deadline the engine stops at its first rule; never pass 0, which means "no wait".
        left = None if deadline is None else max(deadline - monotonic(), 1e-6)
        try:
            found = engine.run(piece, doc=doc, doc_date=doc_date, timeout=left).records
        except MatchTimeout as err:
            raise MatchTimeout(err.rule, timeout or 0.0) from None  # report the document's budget
        records.extend(shift(r, offset) for r in found)
    return records


#: Chunks in flight per worker process: enough to keep every worker busy, few enough that reading
#: never runs far ahead of writing (at most `n_jobs * chunksize * _WINDOW_PER_WORKER` documents).
_WINDOW_PER_WORKER = 4


def _ordered_parallel(
    items: Iterator[Document], n_jobs: int, chunksize: int, ruleset: RuleSet, options: RunOptions
) -> Iterator[Outcome]:
    """Outcomes of `items` computed by `n_jobs` worker processes, in input order, with bounded read-ahead.

    `multiprocessing.Pool.imap` would drain the input iterator as fast as it can (a 5 GB JSONL file
    would end up in memory); here at most `n_jobs * _WINDOW_PER_WORKER` chunks are submitted and not
    yet yielded. A worker that dies (killed, out of memory, a crash in native code) breaks its pool:
    a new pool takes over, and the documents of every chunk lost with the old one are retried one at
    a time in a separate single-worker pool, so only a document that kills its worker on its own is
    reported as failed, and the batch goes on.

    The rule set is loaded once per worker, by the pool's initializer. Where processes are forked,
    the parent compiles its matchers first and the workers inherit them (nothing is pickled or
    compiled again); elsewhere each worker rebuilds the engine from the rule set's JSON spec.
    """
    fork = os.name == "posix" and "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    if fork:
        ruleset.engine.compile_all()  # compile once, here; forked workers share the compiled patterns
        initargs: tuple[Any, ...] = (ruleset.engine,)
    else:
        programs = ruleset.engine.programs
        initargs = (ruleset.spec.as_json(), programs.rules_key if programs is not None else None)

    def new_pool(workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=initargs)

    window = n_jobs * _WINDOW_PER_WORKER
    pools = [new_pool(n_jobs)]  # pools[-1] is the current one; older ones are broken
    retry_pool: ProcessPoolExecutor | None = None
    pending: deque[tuple[list[Document], Future[list[Outcome]], int]] = deque()

    def submit(chunk: list[Document]) -> None:
        try:
            future = pools[-1].submit(_worker_run_chunk, chunk, options)
        except BrokenProcessPool:
            pools.append(new_pool(n_jobs))
            future = pools[-1].submit(_worker_run_chunk, chunk, options)
        pending.append((chunk, future, len(pools) - 1))

    def retry_one_by_one(chunk: list[Document]) -> list[Outcome]:
        nonlocal retry_pool
        outcomes: list[Outcome] = []
        for d in chunk:
            if retry_pool is None:
                retry_pool = new_pool(1)
            try:
                outcomes.extend(retry_pool.submit(_worker_run_chunk, [d], options).result())
            except BrokenProcessPool:
                part, last = (d.part, d.last) if isinstance(d, _Piece) else (0, True)
                outcomes.append(Outcome(d.id, [], "worker process died while extracting this document", part, last))
                retry_pool.shutdown(wait=False)
                retry_pool = None
        return outcomes

    finished = False
    try:
        chunks = _chunked(items, chunksize, options.split_chars or SPLIT_CHARS)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                else:
                    submit(chunk)
            if not pending:
                break
            chunk, future, generation = pending.popleft()
            try:
                outcomes = future.result()
            except BrokenProcessPool:
                if generation == len(pools) - 1:  # the current pool broke: replace it
                    pools.append(new_pool(n_jobs))
                outcomes = retry_one_by_one(chunk)
            yield from outcomes
        finished = True
    finally:
        if not finished:  # the consumer stopped early, an error, Ctrl-C: do not wait for work nobody reads
            for _, future, _ in pending:
                future.cancel()
        for pool in pools + ([retry_pool] if retry_pool is not None else []):
            if not finished:
                _stop_workers(pool)
            pool.shutdown(wait=True, cancel_futures=True)


def _chunked(items: Iterator[Document], size: int, max_chars: int) -> Iterator[list[Document]]:
    """Lists of up to `size` consecutive items, read lazily, closed early past `max_chars` characters."""
    chunk: list[Document] = []
    chars = 0
    for item in items:
        chunk.append(item)
        chars += len(item.text)
        if len(chunk) >= size or chars >= max_chars:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the worker processes of `pool` now (Python 3.14 has a public method for it)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.terminate()
        except Exception:  # pragma: no cover - already gone
            pass


def _as_document(item: str | Document | Mapping[str, Any], index: int, doc_date: str | None) -> Document:
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(str(index), item, doc_date)
    text = item.get("text")
    return Document(str(item.get("id", index)), text if isinstance(text, str) else "", item.get("date") or doc_date)


def _run_one(engine: Engine, d: Document, options: RunOptions = RunOptions()) -> Outcome:
    part, last = (d.part, d.last) if isinstance(d, _Piece) else (0, True)
    try:
        records = extract_text(engine, d.text, d.id, d.date, options.budget(d.text), options.split_chars)
        if isinstance(d, _Piece):
            records = [shift(r, d.offset) for r in records]
        return Outcome(d.id, records, part=part, last=last)
    except MatchTimeout as err:
        return Outcome(d.id, [], str(err), part, last)
    except Exception as err:  # one bad document must not stop a batch
        return Outcome(d.id, [], f"{type(err).__name__}: {err}", part, last)


_WORKER_ENGINE: Engine | None = None


def _init_worker(rules: Engine | dict[str, Any], rules_key: str | None = None) -> None:
    """Set up the worker's engine once (inherited when forked, else built from the JSON spec,
    with the rule set's compiled programs when it has some in the cache).

    Ctrl-C is the parent's to handle: it stops the workers.
    """
    global _WORKER_ENGINE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if isinstance(rules, Engine):
        _WORKER_ENGINE = rules
    else:
        programs = ProgramCache(rules_key) if rules_key else None
        _WORKER_ENGINE = Engine(RuleSetSpec.from_json(rules), programs)


def _worker_run_chunk(docs: list[Document], options: RunOptions) -> list[Outcome]:
    """Outcomes of a chunk of documents, computed in a worker process."""
    assert _WORKER_ENGINE is not None
    return [_run_one(_WORKER_ENGINE, d, options) for d in docs]


def compile_rules(path: str | Path, thorough: bool = False) -> RuleSetSpec:
    """Parse, check and compile rule files without the cache; raises `RuleErrors`.

    `thorough` also runs the slow lint checks (W503), as `ruleie check` does.
    """
    return compile_program(load_program(path, strict=False), thorough)


def load(path: str | Path | None = None, use_cache: bool = True, thorough: bool = False) -> RuleSet:
    """Load and compile a rule file or folder (default: the built-in French pack), cached.

    `thorough` compiles afresh with every lint check (see `compile_rules`), bypassing the cache.
    """
    target = Path(path) if path is not None else builtin_rules_path()
    if thorough:
        return RuleSet(compile_rules(target, thorough=True), target)
    if use_cache and target.exists():
        root, _ = rule_files_of(target)
        key = cache.rules_key(root, target)
        data = cache.load(key)
        if data is not None:
            try:
                return RuleSet(RuleSetSpec.from_json(data), target, from_cache=True, cache_key=key)
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # corrupt entry: rebuild below
        spec = compile_rules(target)
        cache.store(key, spec.as_json())
        return RuleSet(spec, target, cache_key=key)
    return RuleSet(compile_rules(target), target)
