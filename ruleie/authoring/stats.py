"""What a rule set produces over a corpus, and how that changed between two runs (`ruleie stats`).

`corpus_stats` counts records per type, spans marked per label, each rule's output (records by type
and spans by label) and each document's records by type. `Stats.as_json` is the stable file shape
(`ruleie-stats/1`, documented in docs/cli.md) that `Stats.from_json` reads back, so a saved run can
be compared with a new one by `compare`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from ruleie.api import Document, RuleSet

FORMAT = "ruleie-stats/1"


@dataclass
class RuleOutput:
    """What one rule produced: records by type and marked spans by label."""

    name: str
    origin: str
    phase: str
    records: dict[str, int] = field(default_factory=dict)
    marks: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Records and marked spans together."""
        return sum(self.records.values()) + sum(self.marks.values())


@dataclass
class Stats:
    """Counts of a rule set's output over a corpus."""

    rules_path: str | None
    documents: int
    chars: int
    types: dict[str, int]  # records per type
    marks: dict[str, int]  # marked spans per label
    rules: dict[str, RuleOutput]  # by rule name, in rule order
    per_document: dict[str, dict[str, int]]  # records per type of each document, by id
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document, error)

    @property
    def records(self) -> int:
        """Records of every type."""
        return sum(self.types.values())

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict in the `ruleie-stats/1` shape."""
        return {
            "format": FORMAT,
            "rules_path": self.rules_path,
            "documents": self.documents,
            "failed": [{"doc": d, "error": e} for d, e in self.failed],
            "chars": self.chars,
            "records": self.records,
            "types": dict(sorted(self.types.items())),
            "marks": dict(sorted(self.marks.items())),
            "rules": {
                r.name: {"origin": r.origin, "phase": r.phase, "records": dict(sorted(r.records.items())),
                         "marks": dict(sorted(r.marks.items()))}
                for r in self.rules.values()
            },
            "documents_records": {doc: dict(sorted(c.items())) for doc, c in self.per_document.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Stats":
        """Read back what `as_json` wrote; raises ValueError on another shape."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file (no \"format\": \"{FORMAT}\")")
        try:
            rules = {
                name: RuleOutput(name, r.get("origin", ""), r.get("phase", ""), dict(r.get("records", {})),
                                 dict(r.get("marks", {})))
                for name, r in data["rules"].items()
            }
            return cls(
                data.get("rules_path"), int(data["documents"]), int(data["chars"]), dict(data["types"]),
                dict(data.get("marks", {})), rules,
                {doc: dict(c) for doc, c in data.get("documents_records", {}).items()},
                [(f["doc"], f["error"]) for f in data.get("failed", [])],
            )
        except (KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"malformed {FORMAT} file: {err!r}") from None


def corpus_stats(ruleset: RuleSet, documents: Iterable[Document | str], timeout: float | None = None) -> Stats:
    """Count what `ruleset` produces over `documents`; a document that fails is listed, not raised."""
    engine = ruleset.engine
    phase_of = {i: phase.name for phase, lo, hi in engine.phase_ranges for i in range(lo, hi)}
    outputs = {r.name: RuleOutput(r.name, r.origin, phase_of[i]) for i, r in enumerate(engine.rules)}
    types: Counter[str] = Counter()
    marks: Counter[str] = Counter()
    per_document: dict[str, Counter[str]] = {}
    failed: list[tuple[str, str]] = []
    n_docs = chars = 0
    for i, item in enumerate(documents):
        doc = item if isinstance(item, Document) else Document(str(i), item)
        try:
            result = engine.run(doc.text, doc=doc.id, doc_date=doc.date, trace=True, timeout=timeout)
        except Exception as err:  # one bad document must not stop the count
            failed.append((doc.id, f"{type(err).__name__}: {err}"))
            continue
        n_docs += 1
        chars += len(doc.text)
        counts = per_document.setdefault(doc.id, Counter())  # ids seen twice add up
        for record in result.records:
            types[record.type] += 1
            counts[record.type] += 1
            out = outputs[record.rule].records
            out[record.type] = out.get(record.type, 0) + 1
        assert result.trace is not None
        for label, _start, _end, rule in result.trace.marks:
            marks[label] += 1
            out = outputs[rule.name].marks
            out[label] = out.get(label, 0) + 1
    path = str(ruleset.path) if ruleset.path is not None else None
    return Stats(path, n_docs, chars, dict(types), dict(marks), outputs,
                 {d: dict(c) for d, c in per_document.items()}, failed)


@dataclass
class Delta:
    """One count in an old and a new run."""

    key: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        """New minus old."""
        return self.new - self.old

    @property
    def percent(self) -> float | None:
        """Change relative to the old count, in percent; None when the old count is zero."""
        return 100.0 * self.delta / self.old if self.old else None

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict with the delta and percentage."""
        pct = self.percent
        return {"key": self.key, "old": self.old, "new": self.new, "delta": self.delta,
                "percent": None if pct is None else round(pct, 2)}


@dataclass
class Comparison:
    """What changed between two `Stats`: per record type, mark label, rule and document."""

    old: Stats
    new: Stats
    types: list[Delta]  # every type seen in either run
    marks: list[Delta]  # every label seen in either run
    rules: list[Delta]  # output (records + marks) of rules present in both runs, in new rule order
    added: list[str]  # rules only in the new run, with their output as `new`
    removed: list[str]  # rules only in the old run
    documents: list[Delta]  # documents (in both runs) whose records changed, records as counts
    same_documents: bool  # both runs read the same document ids

    @property
    def gained(self) -> list[Delta]:
        """Documents with more records than before."""
        return [d for d in self.documents if d.delta > 0]

    @property
    def lost(self) -> list[Delta]:
        """Documents with fewer records than before."""
        return [d for d in self.documents if d.delta < 0]

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict: totals, then the deltas of every section."""
        return {
            "format": "ruleie-stats-comparison/1",
            "old": {"rules_path": self.old.rules_path, "documents": self.old.documents, "chars": self.old.chars,
                    "records": self.old.records},
            "new": {"rules_path": self.new.rules_path, "documents": self.new.documents, "chars": self.new.chars,
                    "records": self.new.records},
            "same_documents": self.same_documents,
            "types": [d.as_json() for d in self.types],
            "marks": [d.as_json() for d in self.marks],
            "rules": [d.as_json() for d in self.rules],
            "added": self.added,
            "removed": self.removed,
            "documents": [d.as_json() for d in self.documents],
        }


def _deltas(old: dict[str, int], new: dict[str, int]) -> list[Delta]:
    return [Delta(k, old.get(k, 0), new.get(k, 0)) for k in sorted(set(old) | set(new))]


def compare(old: Stats, new: Stats) -> Comparison:
    """The differences from `old` to `new`; documents are compared only when both runs read them."""
    common = [name for name in new.rules if name in old.rules]
    rules = [Delta(n, old.rules[n].total, new.rules[n].total) for n in common]
    documents = []
    for doc, counts in new.per_document.items():
        before = old.per_document.get(doc)
        if before is not None and before != counts:
            documents.append(Delta(doc, sum(before.values()), sum(counts.values())))
    return Comparison(
        old, new, _deltas(old.types, new.types), _deltas(old.marks, new.marks), rules,
        [n for n in new.rules if n not in old.rules], [n for n in old.rules if n not in new.rules],
        documents, set(old.per_document) == set(new.per_document),
    )
