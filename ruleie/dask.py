"""Run a rule set over a Dask bag or dataframe: extraction scaled out to a cluster.

```python
import dask.bag as db
from ruleie.dask import extract_bag

docs = db.read_text("corpus/*.jsonl").map(json.loads)       # {"id", "text", "date"} dicts
records = extract_bag(docs, rules="rules/fr")                # a bag of record dicts
records.map(json.dumps).to_textfiles("out/*.jsonl")
```

`extract_bag` maps a bag of documents (texts, `{"id", "text", "date"}` dicts or `ruleie.Document`s)
to a bag of record dicts, exactly the JSON objects that `ruleie extract` writes, one per record, in
document order within each partition. `extract_partitions` maps a dataframe with `id`, `text` and
an optional `date` column to a dataframe of records flattened as in the CSV output (one row per
record, spans as `field_start`, `field_end`, `field_text`).

The rule set is given by path (a rule file or folder; None for the built-in French pack) or as a
loaded `RuleSet`. Each worker process compiles it once (from ruleie's on-disk cache when it can)
and keeps it for every later partition: rule sets are cached per process by path, or by the hash
of the compiled rules for a `RuleSet` object, which travels to each worker once as a shared
`dask.delayed` value. A document that fails gives no records and, in `extract_bag`, is skipped;
ask for `errors=True` to get `{"doc": ..., "type": "Error", "error": ...}` items in its place.

Requires the `dask` extra: `pip install "ruleie[dask]"`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Union

from ruleie.api import Document, RuleSet, _as_document, _run_one, load
from ruleie.compile.ruleset import RuleSetSpec
from ruleie.io.readers import valid_date

if TYPE_CHECKING:  # pragma: no cover
    import dask.bag
    import dask.dataframe
    import pandas

__all__ = ["extract_bag", "extract_partitions", "records_frame", "loaded_rule_sets"]

RulesArg = Union[None, str, Path, RuleSet]


@dataclass(frozen=True)
class _SpecRef:
    """A compiled rule set shipped by value, with a key that identifies it in each worker's cache."""

    key: str
    spec_json: dict[str, Any]


_LOCK = threading.Lock()
_RULESETS: dict[str, RuleSet] = {}


def loaded_rule_sets() -> list[str]:
    """Keys of the rule sets this process has loaded (a path, or `spec:<hash>`); for tests and monitoring."""
    with _LOCK:
        return sorted(_RULESETS)


def _ref(rules: RulesArg) -> str | _SpecRef:
    """What travels to the workers: the absolute path of a rule file or folder, or the compiled spec."""
    if isinstance(rules, RuleSet):
        data = rules.spec.as_json()
        key = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:20]
        return _SpecRef(f"spec:{key}", data)
    if rules is None:
        return ""  # the built-in pack
    return str(Path(rules).resolve())


def _ruleset(ref: str | _SpecRef) -> RuleSet:
    """The rule set of `ref`, loaded once per process."""
    key = ref.key if isinstance(ref, _SpecRef) else (ref or "<built-in>")
    with _LOCK:
        cached = _RULESETS.get(key)
        if cached is None:
            if isinstance(ref, _SpecRef):
                cached = RuleSet(RuleSetSpec.from_json(ref.spec_json))
            else:
                cached = load(ref or None)
            _RULESETS[key] = cached
        return cached


def _records_of(docs: Iterable[Any], ref: str | _SpecRef, errors: bool) -> list[dict[str, Any]]:
    """Record dicts of one partition of documents."""
    engine = _ruleset(ref).engine
    out: list[dict[str, Any]] = []
    for index, item in enumerate(docs):
        outcome = _run_one(engine, _document(item, index))
        if outcome.error:
            if errors:
                out.append({"doc": outcome.doc, "type": "Error", "error": outcome.error})
            continue
        out.extend(r.model_dump(mode="json") for r in outcome.records)
    return out


def _iso_date(value: Any) -> str | None:
    """A document date as ISO text: strings as given, datetimes (pandas timestamps too) converted;
    a timestamp at midnight, as pandas makes of a `date` column, is a date. Missing values: None."""
    import datetime

    if isinstance(value, str):
        return valid_date(value)
    if isinstance(value, datetime.datetime):
        if value != value:  # NaT
            return None
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return None


def _document(item: Any, index: int) -> Document:
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(str(index), item)
    if isinstance(item, dict):
        return _as_document({**item, "date": _iso_date(item.get("date"))}, index, None)
    raise TypeError(f"a document is a str, a dict with 'text' or a ruleie.Document, not {type(item).__name__}")


def extract_bag(bag: "dask.bag.Bag", rules: RulesArg = None, errors: bool = False) -> "dask.bag.Bag":
    """A bag of record dicts (the JSONL objects) for a bag of documents: str, dict or `Document`.

    A plain string's `doc` is its index within its partition: give ids with dicts or Documents.
    """
    import dask

    ref = _ref(rules)
    shared = dask.delayed(ref, pure=True) if isinstance(ref, _SpecRef) else ref
    return bag.map_partitions(_records_of, shared, errors)


def records_frame(records: Iterable[dict[str, Any]] | Iterable[Any]) -> "pandas.DataFrame":
    """Records (dicts or `Record`s) as a pandas dataframe with the CSV columns and fixed dtypes."""
    import pandas as pd

    from ruleie.io.writers import csv_columns, csv_row
    from ruleie.records import Record, parse_record

    rows = [csv_row(r if isinstance(r, Record) else parse_record(r)) for r in records]
    columns = csv_columns()
    frame = pd.DataFrame(rows, columns=columns)
    dtypes = {c: ("Int64" if c.endswith(("_start", "_end")) else "string") for c in columns}
    return frame.astype(dtypes)


def _frame_of(part: "pandas.DataFrame", ref: str | _SpecRef, text: str, id: str, date: str | None) -> "pandas.DataFrame":
    engine = _ruleset(ref).engine
    records = []
    ids = part[id] if id in part.columns else part.index
    dates = part[date] if date and date in part.columns else None
    for position, (doc_id, doc_text) in enumerate(zip(ids, part[text])):
        doc_date = _iso_date(dates.iloc[position]) if dates is not None else None
        if not isinstance(doc_text, str):
            continue  # a missing text (NaN, None): no records
        outcome = _run_one(engine, Document(str(doc_id), doc_text, doc_date))
        records.extend(outcome.records)
    return records_frame(records)


def extract_partitions(
    df: "dask.dataframe.DataFrame",
    rules: RulesArg = None,
    text: str = "text",
    id: str = "id",
    date: str | None = "date",
) -> "dask.dataframe.DataFrame":
    """A dataframe of records, flattened like the CSV output, for a dataframe of documents.

    `df` has a text column (`text`), an id column (`id`; the index when absent) and optionally a
    date column (`date`: ISO dates, or null). Each output partition holds the records of the
    documents of the matching input partition, in order; its index is a fresh range.
    """
    import dask

    if text not in df.columns:
        raise ValueError(f"the dataframe has no {text!r} column")
    ref = _ref(rules)
    shared = dask.delayed(ref, pure=True) if isinstance(ref, _SpecRef) else ref
    meta = records_frame([])
    return df.map_partitions(_frame_of, shared, text, id, date, meta=meta, align_dataframes=False)
