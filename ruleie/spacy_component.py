"""A spaCy pipeline component that adds ruleie's records to a `Doc` as spans.

```python
import spacy
nlp = spacy.blank("fr")                      # or any French pipeline
nlp.add_pipe("ruleie")                       # built-in pack; config={"rules": "my/rules"} for others
doc = nlp("« Oui », a dit la ministre.")
for span in doc.spans["ruleie"]:
    print(span.label_, span.text, span._.ruleie["speaker"])
```

The factory `"ruleie"` is registered through the `spacy_factories` entry point, so `add_pipe`
finds it without `import ruleie` first. Each record becomes a span of `doc.spans[spans_key]`
(default `"ruleie"`): its character offsets are aligned to tokens with
`doc.char_span(start, end, alignment_mode="expand")`, its label is the record type (`Quote`,
`Accusation`, ...). Span extensions:

- `span._.ruleie`: the record as a dict (the JSON object `ruleie extract` writes);
- `span._.ruleie_type`: the record type;
- `span._.ruleie_field(name)`: a record field that is a span (`"speaker"`, `"content"`, `"cue"`,
  `"charge"`, ...) as a spaCy `Span` of the same doc (expanded to tokens), or None.

Set `doc._.ruleie_date` (an ISO date) before the component runs to resolve relative dates; the
config key `doc_date` gives one date for every document. The records are plain data in
`doc.user_data["ruleie_records"]` (each span's id, `ruleie:<spans_key>:<n>`, points at its record),
so they survive `Doc.to_bytes` / `DocBin(store_user_data=True)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from ruleie.api import RuleSet, load

__all__ = ["RuleIEComponent", "make_ruleie"]


_RECORDS_KEY = "ruleie_records"  # doc.user_data[...]: {spans_key: [record dict, ...]}


def _record_of(span: Span) -> dict[str, Any] | None:
    """The record behind a span of the component's span group (found by its span id)."""
    store = span.doc.user_data.get(_RECORDS_KEY) or {}
    prefix, _, rest = span.id_.partition(":")
    group, _, index = rest.rpartition(":")
    if prefix == "ruleie" and index.isdigit():
        records = store.get(group)
        if records is not None and int(index) < len(records):
            return records[int(index)]
    for records in store.values():  # a span made by hand over the same text
        for record in records:
            if record["type"] == span.label_ and span.start_char <= record["span"]["start"] and record["span"]["end"] <= span.end_char:
                return record
    return None


def _type_of(span: Span) -> str | None:
    record = _record_of(span)
    return record["type"] if record else None


def _field_span(span: Span, name: str) -> Span | None:
    value = (_record_of(span) or {}).get(name)
    if not isinstance(value, dict) or "start" not in value or value["start"] >= value["end"]:
        return None
    return span.doc.char_span(value["start"], value["end"], alignment_mode="expand")


def _register_extensions() -> None:
    # Getters, not stored values: spaCy keys stored span values by (start, end) only, and two
    # records may cover the same text; each span carries the index of its record in its id.
    if not Span.has_extension("ruleie"):
        Span.set_extension("ruleie", getter=_record_of)
    if not Span.has_extension("ruleie_type"):
        Span.set_extension("ruleie_type", getter=_type_of)
    if not Span.has_extension("ruleie_field"):
        Span.set_extension("ruleie_field", method=_field_span)
    if not Doc.has_extension("ruleie_date"):
        Doc.set_extension("ruleie_date", default=None)


_register_extensions()


class RuleIEComponent:
    """Runs a ruleie rule set over each `Doc` and stores the records as spans."""

    def __init__(self, nlp: Language, name: str, rules: str | None, spans_key: str = "ruleie", doc_date: str | None = None):
        self.name = name
        self.rules = rules
        self.spans_key = spans_key
        self.doc_date = doc_date
        self._ruleset: RuleSet | None = None

    @property
    def ruleset(self) -> RuleSet:
        """The compiled rule set, loaded on first use (cached on disk by ruleie)."""
        if self._ruleset is None:
            self._ruleset = load(Path(self.rules) if self.rules else None)
        return self._ruleset

    def __call__(self, doc: Doc) -> Doc:
        """Add the records of `doc.text` as spans of `doc.spans[spans_key]`."""
        records = self.ruleset.extract(doc.text, doc_date=doc._.ruleie_date or self.doc_date)
        spans = []
        kept = []
        for record in records:
            if record.span.start >= record.span.end:
                continue
            span = doc.char_span(record.span.start, record.span.end, label=record.type,
                                 alignment_mode="expand", span_id=f"ruleie:{self.spans_key}:{len(kept)}")
            if span is None:
                continue
            kept.append(record.model_dump(mode="json"))
            spans.append(span)
        doc.user_data.setdefault(_RECORDS_KEY, {})[self.spans_key] = kept
        doc.spans[self.spans_key] = spans
        return doc

    def pipe(self, docs: Any, batch_size: int = 128) -> Any:
        """Process a stream of docs."""
        for doc in docs:
            yield self(doc)

    def __getstate__(self) -> dict[str, Any]:  # the compiled rules are rebuilt where unpickled
        return {**self.__dict__, "_ruleset": None}


@Language.factory(
    "ruleie",
    default_config={"rules": None, "spans_key": "ruleie", "doc_date": None},
)
def make_ruleie(nlp: Language, name: str, rules: str | None, spans_key: str, doc_date: str | None) -> RuleIEComponent:
    """The `ruleie` pipeline component: `rules` is a rule file or folder (null: the built-in French pack)."""
    return RuleIEComponent(nlp, name, rules, spans_key, doc_date)
