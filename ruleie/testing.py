"""Run the `test` blocks of a rule set and report failures and rule coverage.

An `expect Type(field="text", ...)` passes when some record of that type (or some span marked
with that label) has every listed field equal: a span field compares its text, `null` means the
field is empty, and `span` names the record's own span. `expect no Type` passes when the text
yields nothing of that type. A rule is covered when one of its matches is kept in some test; a test
exercises every rule with a kept match in its text, and the report says which tests exercise several.
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
    """Every test's outcome, which rules no test exercises and which tests exercise several rules."""

    outcomes: list[TestOutcome]
    uncovered: list[tuple[str, str]]  # (rule name, origin)
    total_rules: int
    rule_names: list[str] = field(default_factory=list)  # every rule, in rule order

    __test__ = False

    @property
    def failed(self) -> list[TestOutcome]:
        """Outcomes with at least one failure."""
        return [o for o in self.outcomes if not o.passed]

    @property
    def covered(self) -> int:
        """Number of rules some test exercises."""
        return self.total_rules - len(self.uncovered)

    def rules_of(self, outcome: TestOutcome) -> list[str]:
        """The rules `outcome`'s test exercises, in rule order."""
        order = {name: i for i, name in enumerate(self.rule_names)}
        return sorted(outcome.rules_fired, key=lambda name: (order.get(name, len(order)), name))

    @property
    def several_rules(self) -> list[TestOutcome]:
        """Outcomes of the tests that exercise more than one rule, in test order."""
        return [o for o in self.outcomes if len(o.rules_fired) > 1]

    @property
    def tests_of(self) -> dict[str, list[str]]:
        """For every rule (in rule order), the names of the tests that exercise it."""
        found: dict[str, list[str]] = {name: [] for name in self.rule_names}
        for o in self.outcomes:
            for name in self.rules_of(o):
                found.setdefault(name, []).append(o.test.name)
        return found


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
    """Run every test block of a rule set; report outcomes and which rules each test exercises."""
    outcomes = [run_test(rules, t) for t in rules.spec.tests]
    fired = set().union(*(o.rules_fired for o in outcomes)) if outcomes else set()
    all_rules = [r for p in rules.spec.phases for r in p.rules]
    uncovered = [(r.name, r.origin) for r in all_rules if r.name not in fired]
    return TestReport(outcomes, uncovered, len(all_rules), [r.name for r in all_rules])
