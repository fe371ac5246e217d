"""Score a rule set against gold files: precision, recall and F1 per record type and per field.

Gold format: one JSON object per line (`*_gold.jsonl`, readable and diffable)::

    {"id": "q001", "text": "« Oui », a-t-il dit.", "doc_date": "2024-03-15",   # doc_date optional
     "records": [{"type": "Quote", "kind": "direct", "content": "Oui", "speaker": "il",
                  "cue": "a-t-il dit"}],
     "xfail": "reason"}                                                             # optional

Span-valued fields are given by their text (`null` for an empty field). A file evaluates the record
types its records use (a Quote gold file with negative items still checks that no Quote is
produced there; dates found in it are ignored). Gold and predicted records of one type and one
document are paired by the overlap of a key span (`KEY_FIELDS`: the content of a Quote, the cue of
an Accusation, the record span otherwise), best overlap first. Then:

* `record`: a pair counts as found (precision over predictions, recall over gold records);
* each field: a pair counts only when the field is also right, so its P/R/F1 are end-to-end, and
  `acc` is the share of found pairs where the field is right. Texts are compared after collapsing
  spaces; `speaker` is lenient as DESIGN says ("when it contains a proper name, the name
  suffices"): one text may contain the other when the shorter one holds a proper name.

Run `python -m ruleie.eval [GOLD ...] [--rules PATH] [--errors]`; without GOLD every
`tests/pack/*_gold.jsonl` of the source tree is used.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ruleie.records import Record, Span

#: The field whose span pairs gold and predicted records, per record type.
KEY_FIELDS: dict[str, str] = {"Quote": "content", "Accusation": "cue", "DateMention": "span", "ReportingVerb": "span"}
#: Fields compared leniently (a proper name suffices), per record type.
LENIENT_FIELDS: dict[str, frozenset[str]] = {"Quote": frozenset({"speaker"}), "Accusation": frozenset({"accuser", "accused"})}
#: Gold keys that are not record fields.
META_KEYS = frozenset({"type", "occurrence", "note"})
DEFAULT_GOLD_DIR = Path(__file__).resolve().parent.parent / "tests" / "pack"

_SPACES = re.compile(r"\s+")
_NOT_NAMES = frozenset(
    "Le La Les L Un Une Des Du De Selon D'après À Il Elle Ils Elles On Son Sa Ses Leur Leurs Ce Cette Ces".split()
)


@dataclass
class GoldItem:
    """One gold document: its text, expected records and an optional xfail reason."""

    id: str
    text: str
    records: list[dict[str, Any]]
    doc_date: str | None = None
    xfail: str | None = None
    source: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class Pair:
    """A gold record matched to a predicted one (either may be missing)."""

    item: GoldItem
    type: str
    gold: dict[str, Any] | None
    pred: Record | None


@dataclass
class FieldScore:
    """Counts for one field (or `record`) of one record type."""

    tp: int = 0
    n_gold: int = 0
    n_pred: int = 0
    n_found: int = 0

    @property
    def precision(self) -> float:
        """Right predictions over predictions (1.0 when nothing was predicted)."""
        return self.tp / self.n_pred if self.n_pred else 1.0

    @property
    def recall(self) -> float:
        """Right predictions over gold records (1.0 when there is no gold record)."""
        return self.tp / self.n_gold if self.n_gold else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        """Right over found pairs (1.0 when nothing was found)."""
        return self.tp / self.n_found if self.n_found else 1.0


@dataclass
class Report:
    """Scores per record type and field, and every pair for error listings."""

    scores: dict[str, dict[str, FieldScore]]
    pairs: list[Pair]
    items: list[GoldItem]

    def score(self, record_type: str, name: str = "record") -> FieldScore:
        """The score of one field (`record` for the records themselves)."""
        return self.scores[record_type][name]

    def table(self) -> str:
        """The scores as a plain text table."""
        lines = [f"{'type':<14}{'field':<18}{'P':>7}{'R':>7}{'F1':>7}{'acc':>7}{'gold':>6}{'pred':>6}{'found':>6}"]
        for record_type, fields in self.scores.items():
            for name, s in fields.items():
                lines.append(
                    f"{record_type:<14}{name:<18}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.accuracy:>7.3f}"
                    f"{s.n_gold:>6}{s.n_pred:>6}{s.n_found:>6}"
                )
        return "\n".join(lines)

    def errors(self) -> list[str]:
        """One line per missed, spurious or partly wrong record."""
        out = []
        for pair in self.pairs:
            problems = pair_errors(pair)
            if problems:
                out.append(f"{pair.item.id}: {'; '.join(problems)}  | {pair.item.text[:110]}")
        return out


def load_gold(paths: Iterable[str | Path]) -> list[GoldItem]:
    """Read gold items from JSONL files (blank lines and lines starting with # are skipped)."""
    items = []
    for path in paths:
        path = Path(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            data = json.loads(line)
            items.append(
                GoldItem(
                    id=str(data.get("id", f"{path.stem}:{number}")),
                    text=data["text"],
                    records=list(data.get("records", [])),
                    doc_date=data.get("doc_date"),
                    xfail=data.get("xfail"),
                    source=f"{path.name}:{number}",
                    tags=list(data.get("tags", [])),
                )
            )
    return items


def default_gold_files() -> list[Path]:
    """Every `*_gold.jsonl` of tests/pack in the source tree."""
    return sorted(DEFAULT_GOLD_DIR.glob("*_gold.jsonl"))


def norm_text(value: Any) -> str | None:
    """A field value as comparable text: span text or string, spaces collapsed; None stays None."""
    if value is None:
        return None
    if isinstance(value, Span):
        value = value.text
    return _SPACES.sub(" ", str(value)).strip()


def _has_proper_name(text: str) -> bool:
    words = re.findall(r"[^\W\d_][\w'-]*", text)
    return any(w[0].isupper() and w not in _NOT_NAMES and not w.startswith(("L'", "D'")) or
               (w.startswith(("L'", "D'", "l'", "d'")) and len(w) > 2 and w[2].isupper()) for w in words)


def field_equal(record_type: str, name: str, gold: Any, pred: Any) -> bool:
    """Whether a predicted field value is right for the gold one."""
    g, p = norm_text(gold), norm_text(pred)
    if g == p:
        return True
    if g is None or p is None or name not in LENIENT_FIELDS.get(record_type, ()):
        return False
    short, long = (g, p) if len(g) <= len(p) else (p, g)
    return short in long and _has_proper_name(short)


def _gold_span(item: GoldItem, record: dict[str, Any], key: str) -> tuple[int, int] | None:
    """Offsets of the gold key text in the document (its n-th occurrence, default the first)."""
    text = record.get(key)
    if text is None and key == "span":
        text = record.get("text")
    if not text:
        return None
    start = -1
    for _ in range(int(record.get("occurrence", 1))):
        start = item.text.find(text, start + 1)
        if start < 0:
            return None
    return start, start + len(text)


def _pred_span(record: Record, key: str) -> tuple[int, int] | None:
    value = getattr(record, key, None)
    return (value.start, value.end) if isinstance(value, Span) else None


def _overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> float:
    """Intersection over union of two ranges (0.0 when one is missing or they are disjoint)."""
    if a is None or b is None:
        return 0.0
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def match(item: GoldItem, record_type: str, gold: list[dict[str, Any]], pred: list[Record]) -> list[Pair]:
    """Pair gold and predicted records of one type in one document, best overlap first."""
    key = KEY_FIELDS.get(record_type, "span")
    gold_spans = [_gold_span(item, g, key) for g in gold]
    pred_spans = [_pred_span(p, key) for p in pred]
    candidates = []
    for gi, gs in enumerate(gold_spans):
        for pi, ps in enumerate(pred_spans):
            score = _overlap(gs, ps)
            if score > 0:
                same = sum(field_equal(record_type, k, v, getattr(pred[pi], k, None))
                           for k, v in gold[gi].items() if k not in META_KEYS)
                candidates.append((score, same, gi, pi))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    used_g, used_p, pairs = set(), set(), []
    for _, _, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append(Pair(item, record_type, gold[gi], pred[pi]))
    pairs += [Pair(item, record_type, g, None) for gi, g in enumerate(gold) if gi not in used_g]
    pairs += [Pair(item, record_type, None, p) for pi, p in enumerate(pred) if pi not in used_p]
    return pairs


def pair_errors(pair: Pair) -> list[str]:
    """What is wrong with one pair (empty when it is right)."""
    if pair.pred is None:
        return [f"missed {pair.type} {_describe(pair.gold)}"]
    if pair.gold is None:
        p = pair.pred
        shown = {k: norm_text(getattr(p, k, None)) for k in ("kind", "content", "speaker", "cue") if hasattr(p, k)}
        return [f"spurious {pair.type} {shown or norm_text(p.span)} (rule {p.rule})"]
    out = []
    for name, want in pair.gold.items():
        if name in META_KEYS:
            continue
        got = getattr(pair.pred, name, None)
        if not field_equal(pair.type, name, want, got):
            out.append(f"{name}: want {want!r} got {norm_text(got)!r} (rule {pair.pred.rule})")
    return out


def _describe(record: dict[str, Any] | None) -> str:
    return "{" + ", ".join(f"{k}={v!r}" for k, v in (record or {}).items() if k not in META_KEYS) + "}"


def evaluated_types(items: list[GoldItem]) -> list[str]:
    """Record types a set of gold items speaks about, in order of first use."""
    seen: dict[str, None] = {}
    for item in items:
        for record in item.records:
            seen.setdefault(record["type"])
    return list(seen)


def evaluate(rules: Any, items: list[GoldItem], types: list[str] | None = None) -> Report:
    """Run `rules` (a RuleSet) on every item and score the record types of the gold."""
    by_source: dict[str, list[GoldItem]] = {}
    for item in items:
        by_source.setdefault(item.source.rsplit(":", 1)[0], []).append(item)
    scores: dict[str, dict[str, FieldScore]] = {}
    pairs: list[Pair] = []
    for group in by_source.values():
        group_types = types or evaluated_types(group)
        for item in group:
            predicted = rules.extract(item.text, doc_date=item.doc_date, doc=item.id)
            for record_type in group_types:
                gold = [r for r in item.records if r["type"] == record_type]
                pred = [r for r in predicted if r.type == record_type]
                pairs.extend(match(item, record_type, gold, pred))
    for pair in pairs:
        fields = scores.setdefault(pair.type, {"record": FieldScore()})
        names = [k for k in (pair.gold or {}) if k not in META_KEYS]
        for name in names:
            fields.setdefault(name, FieldScore())
        for name, s in fields.items():
            if pair.gold is not None and (name == "record" or name in pair.gold):
                s.n_gold += 1
            if pair.pred is not None and (
                name == "record"
                or (pair.gold is not None and name in pair.gold)
                or (pair.gold is None and getattr(pair.pred, name, None) is not None)
            ):
                s.n_pred += 1  # a field the gold does not state is not counted against a prediction
            if pair.gold is not None and pair.pred is not None and (name == "record" or name in pair.gold):
                s.n_found += 1
                if name == "record" or field_equal(pair.type, name, pair.gold[name], getattr(pair.pred, name, None)):
                    s.tp += 1
    return Report(scores, pairs, items)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; prints the table (and the errors with --errors)."""
    parser = argparse.ArgumentParser(prog="python -m ruleie.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="*", help="gold JSONL files (default: tests/pack/*_gold.jsonl)")
    parser.add_argument("--rules", help="rule file or folder (default: the built-in French pack)")
    parser.add_argument("--type", action="append", dest="types", help="only this record type (repeatable)")
    parser.add_argument("--errors", action="store_true", help="list every missed, spurious or wrong record")
    args = parser.parse_args(argv)
    import ruleie

    files = [Path(p) for p in args.gold] or default_gold_files()
    if not files:
        print("no gold file found", file=sys.stderr)
        return 2
    items = load_gold(files)
    rules = ruleie.load(args.rules) if args.rules else ruleie.load()
    report = evaluate(rules, items, args.types)
    print(f"{len(items)} documents from {', '.join(f.name for f in files)}")
    print(report.table())
    if args.errors:
        print()
        print("\n".join(report.errors()) or "no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
