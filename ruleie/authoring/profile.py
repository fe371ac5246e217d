"""Where extraction time goes: per rule and per phase, over a corpus (`ruleie profile`).

`profile_corpus` compiles the rule set's regexes first and times that on its own, warms the engine
up on the start of the first document, then runs every document with the engine's profiling
counters (`ruleie.runtime.engine.Profile`). A rule's time is its matching time only; overlap
resolution and record building are counted per phase. Parts of patterns shared by several rules
are matched once per document and charged to the first rule that needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from time import perf_counter
from typing import Any, Iterable

from ruleie.api import Document, RuleSet
from ruleie.runtime.engine import Profile

#: `--sort` keys: what each sorts by (largest first, except names).
SORT_KEYS = ("time", "found", "kept", "name")
#: Characters of the first document run once, unprofiled, before measuring.
WARMUP_CHARS = 2000


@dataclass
class RuleProfile:
    """One rule's counts and matching time over the corpus."""

    index: int  # position in `Engine.rules`
    name: str
    origin: str
    phase: str
    found: int  # matches before overlap resolution
    kept: int  # matches kept by resolution
    seconds: float  # matching time


@dataclass
class PhaseProfile:
    """One phase's totals: its rules' matches and time, plus its overlap resolution."""

    name: str
    rules: int
    found: int
    kept: int
    match_seconds: float
    resolve_seconds: float  # overlap resolution and record building

    @property
    def seconds(self) -> float:
        """Matching and resolution time of the phase."""
        return self.match_seconds + self.resolve_seconds


@dataclass
class ProfileReport:
    """Per-rule and per-phase profile of one rule set over a corpus."""

    rules_path: str | None
    documents: int
    chars: int
    compile_seconds: float  # building the matchers (regex compilation), before any document
    warmup_seconds: float  # one unprofiled run over the start of the first document
    run_seconds: float  # wall time of the profiled runs (reading the inputs excluded)
    rules: list[RuleProfile]  # in rule order
    phases: list[PhaseProfile]  # in phase order
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document, error)

    @property
    def match_seconds(self) -> float:
        """Time spent matching, all rules together."""
        return sum(r.seconds for r in self.rules)

    @property
    def resolve_seconds(self) -> float:
        """Time spent in overlap resolution and record building, all phases together."""
        return sum(p.resolve_seconds for p in self.phases)

    @property
    def other_seconds(self) -> float:
        """Run time outside matching and resolution (normalisation, ordering records)."""
        return max(0.0, self.run_seconds - self.match_seconds - self.resolve_seconds)

    @property
    def chars_per_second(self) -> float:
        """Throughput of the profiled runs."""
        return self.chars / self.run_seconds if self.run_seconds > 0 else 0.0

    def share(self, seconds: float) -> float:
        """`seconds` as a fraction of the total run time."""
        return seconds / self.run_seconds if self.run_seconds > 0 else 0.0

    def sorted_rules(self, by: str = "time", top: int | None = None) -> list[RuleProfile]:
        """Rules sorted by `by` (one of `SORT_KEYS`; largest first, names alphabetically), the first `top`."""
        keys = {
            "time": lambda r: (-r.seconds, r.index),
            "found": lambda r: (-r.found, -r.seconds, r.index),
            "kept": lambda r: (-r.kept, -r.seconds, r.index),
            "name": lambda r: (r.name, r.index),
        }
        if by not in keys:
            raise ValueError(f"unknown sort key {by!r} (choose from {', '.join(SORT_KEYS)})")
        ordered = sorted(self.rules, key=keys[by])
        return ordered if top is None else ordered[: max(top, 0)]

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (shape `ruleie-profile/1`, documented in docs/cli.md); rules in rule order."""
        return {
            "format": "ruleie-profile/1",
            "rules_path": self.rules_path,
            "documents": self.documents,
            "failed": [{"doc": d, "error": e} for d, e in self.failed],
            "chars": self.chars,
            "chars_per_second": round(self.chars_per_second, 1),
            "seconds": {
                "compile": self.compile_seconds,
                "warmup": self.warmup_seconds,
                "run": self.run_seconds,
                "match": self.match_seconds,
                "resolve": self.resolve_seconds,
                "other": self.other_seconds,
            },
            "phases": [
                {"name": p.name, "rules": p.rules, "found": p.found, "kept": p.kept,
                 "match_seconds": p.match_seconds, "resolve_seconds": p.resolve_seconds,
                 "seconds": p.seconds, "share": self.share(p.seconds)}
                for p in self.phases
            ],
            "rules": [
                {"name": r.name, "origin": r.origin, "phase": r.phase, "found": r.found, "kept": r.kept,
                 "seconds": r.seconds, "share": self.share(r.seconds)}
                for r in self.rules
            ],
        }


def _as_document(item: Document | str, index: int) -> Document:
    return item if isinstance(item, Document) else Document(str(index), item)


def profile_corpus(
    ruleset: RuleSet,
    documents: Iterable[Document | str],
    timeout: float | None = None,
    warm_up: bool = True,
) -> ProfileReport:
    """Profile `ruleset` over `documents` (texts or `Document`s); a document that fails is listed, not raised."""
    engine = ruleset.engine
    started = perf_counter()
    engine.compile_all()  # every regex now, outside the profiled runs
    compile_seconds = perf_counter() - started
    docs = (_as_document(d, i) for i, d in enumerate(documents))
    first = next(docs, None)
    warmup_seconds = 0.0
    if first is not None and warm_up:
        started = perf_counter()
        try:
            engine.run(first.text[:WARMUP_CHARS], doc=first.id, doc_date=first.date, timeout=timeout)
        except Exception:  # the profiled run of the same document reports it
            pass
        warmup_seconds = perf_counter() - started
    profile = Profile.empty(len(engine.rules))
    failed: list[tuple[str, str]] = []
    run_seconds = 0.0
    for doc in chain([first] if first is not None else [], docs):
        started = perf_counter()
        try:
            engine.run(doc.text, doc=doc.id, doc_date=doc.date, timeout=timeout, profile=profile)
        except Exception as err:  # one bad document must not stop the profile
            failed.append((doc.id, f"{type(err).__name__}: {err}"))
        run_seconds += perf_counter() - started
    return _report(ruleset, profile, compile_seconds, warmup_seconds, run_seconds, failed)


def _report(
    ruleset: RuleSet,
    profile: Profile,
    compile_seconds: float,
    warmup_seconds: float,
    run_seconds: float,
    failed: list[tuple[str, str]],
) -> ProfileReport:
    """Gather the engine's counters into per-rule and per-phase rows."""
    engine = ruleset.engine
    rules: list[RuleProfile] = []
    phases: list[PhaseProfile] = []
    for phase, lo, hi in engine.phase_ranges:
        rows = [
            RuleProfile(i, engine.rules[i].name, engine.rules[i].origin, phase.name,
                        profile.found[i], profile.kept[i], profile.seconds[i])
            for i in range(lo, hi)
        ]
        rules.extend(rows)
        phases.append(PhaseProfile(
            phase.name, hi - lo, sum(r.found for r in rows), sum(r.kept for r in rows),
            sum(r.seconds for r in rows), profile.resolve_seconds.get(phase.name, 0.0),
        ))
    path = str(ruleset.path) if ruleset.path is not None else None
    return ProfileReport(path, profile.documents, profile.chars, compile_seconds, warmup_seconds,
                         run_seconds, rules, phases, failed)
