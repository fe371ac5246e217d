"""Gold test of the accusation rules (`rules/fr/60_accusations.rules`).

`accusations_gold.jsonl` holds one sentence per line with the Accusation records it must yield;
fields are given as text (`null` for an empty field). A gold field is located in the sentence as
the occurrence of its text nearest to the gold cue, so repeated words ("le préfet ... le préfet")
are resolved by position.

Scoring (printed in full; `-s` shows it when the test passes):

- a predicted record is paired with a gold record when their cues overlap (one-to-one, in text
  order);
- an accusation is a true positive when it is paired AND its accused and its charge agree with the
  gold ones: both null, or overlapping spans;
- accuser, voice and status are scored on the paired ("found") accusations;
- per field (cue, accuser, accused, charge): precision = agreeing non-null predictions / non-null
  predictions, recall = agreeing non-null predictions / non-null gold values.

Thresholds: accusation F1 >= 0.85, accuser correct on >= 85% of found accusations, voice and
status correct on >= 90%.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import ruleie

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "fr" / "60_accusations.rules"
GOLD = Path(__file__).with_name("accusations_gold.jsonl")
FIELDS = ("accuser", "accused", "charge")

MIN_F1 = 0.85
MIN_ACCUSER = 0.85
MIN_VOICE = 0.90
MIN_STATUS = 0.90


@dataclass
class Rec:
    """A record reduced to what is scored: spans as (start, end) or None, plus voice/status."""

    cue: tuple[int, int]
    accuser: tuple[int, int] | None
    accused: tuple[int, int] | None
    charge: tuple[int, int] | None
    voice: str
    status: str
    rule: str = "gold"


def _occurrences(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _locate(text: str, needle: str | None, near: int) -> tuple[int, int] | None:
    """Span of the occurrence of `needle` nearest to offset `near` (None for a null field)."""
    if needle is None:
        return None
    starts = _occurrences(text, needle)
    assert starts, f"gold text {needle!r} not found in {text!r}"
    start = min(starts, key=lambda s: abs(s - near))
    return start, start + len(needle)


def _gold_records(text: str, records: list[dict]) -> list[Rec]:
    out = []
    used: set[int] = set()
    for r in records:
        assert r["type"] == "Accusation"
        starts = [s for s in _occurrences(text, r["cue"]) if s not in used]
        assert starts, f"gold cue {r['cue']!r} not found in {text!r}"
        cue_start = starts[0]
        used.add(cue_start)
        cue = (cue_start, cue_start + len(r["cue"]))
        out.append(Rec(cue, *(_locate(text, r[f], cue_start) for f in FIELDS), r["voice"], r["status"]))
    return out


def _span(s) -> tuple[int, int] | None:
    return None if s is None else (s.start, s.end)


def _overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _agree(pred: tuple[int, int] | None, gold: tuple[int, int] | None) -> bool:
    """Both null, or overlapping spans."""
    return (pred is None and gold is None) or _overlap(pred, gold)


def _pair(preds: list[Rec], golds: list[Rec]) -> tuple[list[tuple[Rec, Rec]], list[Rec], list[Rec]]:
    """One-to-one pairing of predicted and gold records whose cues overlap."""
    pairs, free = [], list(preds)
    missed = []
    for g in golds:
        hit = next((p for p in free if _overlap(p.cue, g.cue)), None)
        if hit is None:
            missed.append(g)
        else:
            free.remove(hit)
            pairs.append((hit, g))
    return pairs, free, missed


def _show(text: str, r: Rec) -> str:
    def t(s):
        return None if s is None else text[s[0] : s[1]]

    return (f"cue={t(r.cue)!r} accuser={t(r.accuser)!r} accused={t(r.accused)!r} charge={t(r.charge)!r} "
            f"{r.voice}/{r.status} [{r.rule}]")


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@pytest.fixture(scope="module")
def rules():
    return ruleie.load(str(RULES))


@pytest.fixture(scope="module")
def gold():
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_gold_file_is_well_formed(gold):
    """At least 100 sentences, about a fifth of them traps, every gold field found in its text."""
    assert len(gold) >= 100
    traps = sum(1 for item in gold if not item["records"])
    assert traps >= 0.15 * len(gold)
    for item in gold:
        _gold_records(item["text"], item["records"])
        for r in item["records"]:
            assert r["voice"] in ("active", "passive", "nominal")
            assert r["status"] in ("asserted", "negated", "denied")


def test_accusations_gold(rules, gold):
    """Accusation F1, accuser, voice and status accuracy on the gold sentences."""
    n_pred = n_gold = tp = 0
    found = accuser_ok = voice_ok = status_ok = 0
    field_stats = {f: [0, 0, 0] for f in ("cue",) + FIELDS}  # agreeing non-null, pred non-null, gold non-null
    diffs: list[str] = []
    for item in gold:
        text = item["text"]
        golds = _gold_records(text, item["records"])
        preds = [
            Rec(_span(r.cue), _span(r.accuser), _span(r.accused), _span(r.charge), r.voice, r.status, r.rule)
            for r in rules.extract(text)
            if r.type == "Accusation"
        ]
        pairs, extra, missed = _pair(preds, golds)
        n_pred += len(preds)
        n_gold += len(golds)
        problems = [f"  + extra   {_show(text, p)}" for p in extra] + [f"  - missed  {_show(text, g)}" for g in missed]
        field_stats["cue"][0] += len(pairs)
        field_stats["cue"][1] += len(preds)
        field_stats["cue"][2] += len(golds)
        for p in extra:
            for f in FIELDS:
                field_stats[f][1] += getattr(p, f) is not None
        for g in missed:
            for f in FIELDS:
                field_stats[f][2] += getattr(g, f) is not None
        for p, g in pairs:
            found += 1
            ok = {f: _agree(getattr(p, f), getattr(g, f)) for f in FIELDS}
            for f in FIELDS:
                field_stats[f][0] += getattr(p, f) is not None and ok[f]
                field_stats[f][1] += getattr(p, f) is not None
                field_stats[f][2] += getattr(g, f) is not None
            tp += ok["accused"] and ok["charge"]
            accuser_ok += ok["accuser"]
            voice_ok += p.voice == g.voice
            status_ok += p.status == g.status
            wrong = [f for f in FIELDS if not ok[f]] + [f for f in ("voice", "status") if getattr(p, f) != getattr(g, f)]
            if wrong:
                problems.append(f"  ~ {','.join(wrong)}\n      got  {_show(text, p)}\n      want {_show(text, g)}")
        if problems:
            diffs.append(f"{text}\n" + "\n".join(problems))

    precision, recall, f1 = _prf(tp, n_pred, n_gold)
    accuser_acc = accuser_ok / found if found else 0.0
    voice_acc = voice_ok / found if found else 0.0
    status_acc = status_ok / found if found else 0.0
    report = [
        f"gold sentences: {len(gold)}, gold accusations: {n_gold}, predicted: {n_pred}, found (cue overlap): {found}",
        f"accusation (cue + accused + charge): P={precision:.3f} R={recall:.3f} F1={f1:.3f}",
        f"accuser correct on found: {accuser_acc:.3f}   voice: {voice_acc:.3f}   status: {status_acc:.3f}",
        "per field (non-null values; agreement = overlap):",
    ]
    for f, (agree, pred, gold_n) in field_stats.items():
        p, r, fm = _prf(agree, pred, gold_n)
        report.append(f"  {f:<8} P={p:.3f} R={r:.3f} F1={fm:.3f}  ({agree} agreeing / {pred} predicted / {gold_n} gold)")
    print("\n".join(report))
    if diffs:
        print(f"\n{len(diffs)} sentences with differences:\n" + "\n".join(diffs))

    failures = []
    if f1 < MIN_F1:
        failures.append(f"accusation F1 {f1:.3f} < {MIN_F1}")
    if accuser_acc < MIN_ACCUSER:
        failures.append(f"accuser accuracy {accuser_acc:.3f} < {MIN_ACCUSER}")
    if voice_acc < MIN_VOICE:
        failures.append(f"voice accuracy {voice_acc:.3f} < {MIN_VOICE}")
    if status_acc < MIN_STATUS:
        failures.append(f"status accuracy {status_acc:.3f} < {MIN_STATUS}")
    assert not failures, "; ".join(failures) + "\n\n" + "\n".join(report) + "\n\n" + "\n".join(diffs)
