"""Gold test of the date rules: `tests/pack/dates_gold.jsonl` run through `rules/fr/50_dates.rules` alone.

Each gold line is `{"text", "doc_date", "records": [{"type": "DateMention", "span", "value", "kind"}]}`;
a line with no records is a trap (a sentence that must give no date at all). Spans are compared by
their text (a sentence never holds the same date text twice). Thresholds: span F1 >= 0.95, exact
value on >= 90 % of the spans found, and not a single date on a trap. A failure prints, per
sentence, what was missed, what was extra and which values differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import ruleie

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "pack" / "dates_gold.jsonl"
RULES = ROOT / "rules" / "fr" / "50_dates.rules"


@dataclass
class Score:
    """Counts over the gold set, and the per-sentence differences."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    value_ok: int = 0
    kind_ok: int = 0
    traps: int = 0
    trap_failures: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Spans found that are in the gold."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Gold spans that were found."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def value_accuracy(self) -> float:
        """Share of found gold spans whose value is exactly the gold value."""
        return self.value_ok / self.tp if self.tp else 0.0

    def summary(self) -> str:
        """One line with every number."""
        return (f"span P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f}; value={self.value_accuracy:.3f}; "
                f"kind={self.kind_ok / max(self.tp, 1):.3f}; tp={self.tp} fp={self.fp} fn={self.fn}; "
                f"traps={self.traps} with dates={len(self.trap_failures)}")


def load_gold() -> list[dict]:
    """The gold items, in file order."""
    with GOLD.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def score() -> Score:
    rules = ruleie.load(RULES)
    out = Score()
    for item in load_gold():
        records = [r for r in rules.extract(item["text"], doc_date=item["doc_date"]) if r.type == "DateMention"]
        got = {r.span.text: r for r in records}
        want = {g["span"]: g for g in item["records"]}
        lines = []
        for span, g in want.items():
            r = got.get(span)
            if r is None:
                out.fn += 1
                lines.append(f"  missed  {span!r} (want {g['value']}, {g['kind']})")
                continue
            out.tp += 1
            out.value_ok += r.value == g["value"]
            out.kind_ok += r.kind == g["kind"]
            if r.value != g["value"] or r.kind != g["kind"]:
                lines.append(f"  value   {span!r}: want {g['value']} ({g['kind']}), got {r.value} ({r.kind}) [rule {r.rule}]")
        for span, r in got.items():
            if span not in want:
                out.fp += 1
                lines.append(f"  extra   {span!r}: {r.value} ({r.kind}) [rule {r.rule}]")
        if not item["records"]:
            out.traps += 1
            if records:
                out.trap_failures.append(item["text"])
        if lines:
            out.diffs.append(f"[{item['doc_date']}] {item['text']}\n" + "\n".join(lines))
    return out


def _report(score: Score) -> str:
    return score.summary() + "\n" + "\n".join(score.diffs)


def test_gold_file_is_well_formed() -> None:
    items = load_gold()
    assert len(items) >= 250
    traps = sum(1 for i in items if not i["records"])
    assert 0.12 <= traps / len(items) <= 0.2, f"{traps} traps out of {len(items)}"
    for item in items:
        assert set(item) == {"text", "doc_date", "records"}
        for rec in item["records"]:
            assert rec["type"] == "DateMention"
            assert rec["span"] in item["text"], rec
            assert rec["kind"] in ("date", "time", "duration", "set", "interval")


def test_span_f1(score: Score) -> None:
    assert score.f1 >= 0.95, _report(score)


def test_value_accuracy(score: Score) -> None:
    assert score.value_accuracy >= 0.90, _report(score)


def test_no_date_in_traps(score: Score) -> None:
    assert not score.trap_failures, _report(score)


def test_in_file_tests_pass() -> None:
    from ruleie.testing import run_tests

    report = run_tests(ruleie.load(RULES))
    failures = [f for o in report.failed for f in o.failures]
    assert not failures, "\n".join(failures)
    assert not report.uncovered, f"rules without a test: {report.uncovered}"


def test_the_date_header_line_is_metadata_not_a_mention() -> None:
    """`date YYYY-MM-DD` on a document's first line gives its date; the same ISO date elsewhere is a mention."""
    rules = ruleie.load()
    text = "date 2024-03-15\nLe vote du 2024-03-20 a été reporté à hier."
    dates = [(r.span.text, r.value) for r in rules.extract(text, doc_date="2024-03-15") if r.type == "DateMention"]
    assert dates == [("2024-03-20", "2024-03-20"), ("hier", "2024-03-14")]
    for header in ("date 2024-03", " date 2024-03-15", "date  2024-03-15", "\ndate 2024-03"):  # as `ruleie extract` reads them
        found = [r.span.text for r in rules.extract(header + " Le vote a eu lieu en 2024-02.") if r.type == "DateMention"]
        assert found == ["en 2024-02"], header
