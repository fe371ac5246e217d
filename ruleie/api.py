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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from ruleie.compile import cache
from ruleie.compile.ruleset import RuleSetSpec, compile_program
from ruleie.dsl.resolve import load_program, rule_files_of
from ruleie.records import Record
from ruleie.runtime.engine import DocumentResult, Engine

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
    """What `extract_many` yields per document: its records, or the error that stopped it."""

    doc: str
    records: list[Record]
    error: str | None = None


class RuleSet:
    """A compiled rule set, ready to extract; cheap to share, safe to use from several threads."""

    def __init__(self, spec: RuleSetSpec, path: Path | None = None, from_cache: bool = False):
        self.spec = spec
        self.path = path
        self.from_cache = from_cache
        self.engine = Engine(spec)

    @property
    def warnings(self) -> list[str]:
        """Compile-time warnings (unused macros and lexicons, ...), rendered."""
        return list(self.spec.warnings)

    def extract(self, text: str, doc_date: str | None = None, doc: str = "", timeout: float | None = None) -> list[Record]:
        """Records found in `text`, in text order; offsets index `text` itself."""
        return self.engine.run(text, doc=doc, doc_date=doc_date, timeout=timeout).records

    def explain(self, text: str, doc_date: str | None = None) -> DocumentResult:
        """Records plus the trace of every match found and whether overlap resolution kept it."""
        return self.engine.run(text, doc_date=doc_date, trace=True)

    def extract_many(
        self,
        docs: Iterable[str | Document | Mapping[str, Any]],
        n_jobs: int = 1,
        doc_date: str | None = None,
        chunksize: int = 8,
    ) -> Iterator[Outcome]:
        """One `Outcome` per input document, in input order, streaming; `n_jobs` > 1 uses processes."""
        items = (_as_document(d, i, doc_date) for i, d in enumerate(docs))
        if n_jobs <= 1:
            for d in items:
                yield _run_one(self.engine, d)
            return
        ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ctx.Pool(n_jobs, initializer=_init_worker, initargs=(self.spec.as_json(),)) as pool:
            yield from pool.imap(_worker_run, items, chunksize=chunksize)


def _as_document(item: str | Document | Mapping[str, Any], index: int, doc_date: str | None) -> Document:
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(str(index), item, doc_date)
    text = item.get("text")
    return Document(str(item.get("id", index)), text if isinstance(text, str) else "", item.get("date") or doc_date)


def _run_one(engine: Engine, d: Document) -> Outcome:
    try:
        return Outcome(d.id, engine.run(d.text, doc=d.id, doc_date=d.date).records)
    except Exception as err:  # one bad document must not stop a batch
        return Outcome(d.id, [], f"{type(err).__name__}: {err}")


_WORKER_ENGINE: Engine | None = None


def _init_worker(spec_json: dict[str, Any]) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = Engine(RuleSetSpec.from_json(spec_json))


def _worker_run(d: Document) -> Outcome:
    assert _WORKER_ENGINE is not None
    return _run_one(_WORKER_ENGINE, d)


def compile_rules(path: str | Path) -> RuleSetSpec:
    """Parse, check and compile rule files without the cache; raises `RuleErrors`."""
    return compile_program(load_program(path))


def load(path: str | Path | None = None, use_cache: bool = True) -> RuleSet:
    """Load and compile a rule file or folder (default: the built-in French pack), cached."""
    target = Path(path) if path is not None else builtin_rules_path()
    if use_cache and target.exists():
        root, _ = rule_files_of(target)
        key = cache.rules_key(root, target)
        data = cache.load(key)
        if data is not None:
            try:
                return RuleSet(RuleSetSpec.from_json(data), target, from_cache=True)
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # corrupt entry: rebuild below
        spec = compile_rules(target)
        cache.store(key, spec.as_json())
        return RuleSet(spec, target)
    return RuleSet(compile_rules(target), target)
