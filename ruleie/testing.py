"""Run the `test` blocks of a rule set and report failures and rule coverage.

An `expect Type(field="text", ...)` passes when some record of that type (or some span marked
with that label) has every listed field equal: a span field compares its text, `null` means the
field is empty, and `span` names the record's own span. `expect no Type` passes when the text
yields nothing of that type. A rule is covered when one of its matches is kept in some test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ruleie.api import RuleSet
from ruleie.compile.ruleset import TestSpec
from ruleie.records import Record, Span


@dataclass
class TestOutcome:
    """Result of one test block."""

    test: TestSpec
    failures: list[str] = field(default_factory=list)
    rules_fired: set[str] = field(default_factory=set)

    __test__ = False

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.failures


@dataclass
class TestReport:
    """Every test's outcome and which rules no test exercises."""

    outcomes: list[TestOutcome]
    uncovered: list[tuple[str, str]]  # (rule name, origin)
    total_rules: int

    __test__ = False

    @property
    def failed(self) -> list[TestOutcome]:
        """Outcomes with at least one failure."""
        return [o for o in self.outcomes if not o.passed]


def _value(item: Record | dict[str, object], name: str) -> object:
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, _MISSING)


_MISSING = object()


def _matches(item: Record | dict[str, object], fields: dict[str, str | None]) -> bool:
    for name, want in fields.items():
        got = _value(item, name)
        if got is _MISSING:
            return False
        if isinstance(got, Span):
            got = got.text
        if got != want:
            return False
    return True


def _describe(item: Record | dict[str, object], fields: dict[str, str | None]) -> str:
    parts = []
    for name in fields or ({"span": None} if isinstance(item, dict) else {"span": None}):
        got = _value(item, name)
        if isinstance(got, Span):
            got = got.text
        parts.append(f"{name}={'?' if got is _MISSING else repr(got)}")
    label = item["type"] if isinstance(item, dict) else item.type
    return f"{label}({', '.join(parts)})"


def run_test(rules: RuleSet, test: TestSpec) -> TestOutcome:
    """Run one test block against a rule set."""
    outcome = TestOutcome(test)
    result = rules.explain(test.text or "", doc_date=test.doc_date)
    norm = result.normalized  # type: ignore[attr-defined]
    items: list[Record | dict[str, object]] = list(result.records)
    assert result.trace is not None
    for label, start, end, rule in result.trace.marks:
        s, e = norm.to_original(start, end)
        items.append({"type": label, "span": Span(start=s, end=e, text=norm.original[s:e]), "rule": rule.name})
    for rule, _match, _label, kept in result.trace.found:
        if kept:
            outcome.rules_fired.add(rule.name)
    for exp in test.expectations:
        label, fields = exp["label"], exp["fields"]
        of_type = [i for i in items if (_value(i, "type") == label)]
        if exp["absent"]:
            if of_type:
                outcome.failures.append(
                    f"{exp['origin']}: expected no {label}, got {', '.join(_describe(i, {}) for i in of_type)}"
                )
            continue
        if not any(_matches(i, fields) for i in of_type):
            wanted = ", ".join(f"{k}={v!r}" for k, v in fields.items())
            got = "; ".join(_describe(i, fields) for i in of_type) or "nothing of that type"
            outcome.failures.append(f"{exp['origin']}: expected {label}({wanted}), got {got}")
    return outcome


def run_tests(rules: RuleSet) -> TestReport:
    """Run every test block of a rule set; report outcomes and uncovered rules."""
    outcomes = [run_test(rules, t) for t in rules.spec.tests]
    fired = set().union(*(o.rules_fired for o in outcomes)) if outcomes else set()
    all_rules = [r for p in rules.spec.phases for r in p.rules]
    uncovered = [(r.name, r.origin) for r in all_rules if r.name not in fired]
    return TestReport(outcomes, uncovered, len(all_rules))
