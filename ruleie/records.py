"""Typed records that extraction produces: the library and JSON contract.

All offsets are Python `str` indices into the *original* document text, so for every span
`text[span.start:span.end] == span.text`. Every record names the rule that produced it, the rule's
`file:line` (`origin`) and the spans its named captures matched (`captures`). Records know nothing
about the CLI or about how they were found.
"""

from __future__ import annotations

import json
import typing
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class Span(BaseModel):
    """A stretch of the original document: `[start, end)` and the text it covers."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Record(BaseModel):
    """Fields every record carries: document, type, producing rule, span and provenance."""

    model_config = ConfigDict(frozen=True)

    doc: str = ""
    type: str
    rule: str
    span: Span
    origin: str = Field("", description="file:line of the rule that produced the record")
    captures: dict[str, Span] = Field(default_factory=dict)


class Quote(Record):
    """Reported speech: what was said (`content`), by whom (`speaker`), introduced by `cue`."""

    type: Literal["Quote"] = "Quote"
    content: Span
    kind: Literal["direct", "indirect", "partial"]
    speaker: Span | None = None
    speaker_resolved: str | None = Field(None, description="antecedent of a pronoun speaker")
    cue: Span | None = None
    cue_lemma: str | None = None


class Accusation(Record):
    """Who accuses whom of what, how it is phrased, and whether the text asserts it."""

    type: Literal["Accusation"] = "Accusation"
    cue: Span
    accuser: Span | None = None
    accused: Span | None = None
    charge: Span | None = None
    voice: Literal["active", "passive", "nominal"] = "active"
    status: Literal["asserted", "negated", "denied"] = "asserted"


class DateMention(Record):
    """A date, time, duration, set or interval, with a TIMEX3-style value when it can be resolved."""

    type: Literal["DateMention"] = "DateMention"
    value: str | None = None
    kind: Literal["date", "time", "duration", "set", "interval"] = "date"
    modifier: str | None = Field(None, description="fuzzy part or part of day: start, mid, end, morning...")


class ReportingVerb(Record):
    """A reporting verb group as written, with its lemma and tense."""

    type: Literal["ReportingVerb"] = "ReportingVerb"
    lemma: str
    tense: str | None = None


class Mention(Record):
    """A generic labelled span for rule files that define their own kinds of things."""

    type: Literal["Mention"] = "Mention"
    label: str


RECORD_TYPES: dict[str, type[Record]] = {
    cls.__name__: cls for cls in (Quote, Accusation, DateMention, ReportingVerb, Mention)
}

AnyRecord = Annotated[
    Union[Quote, Accusation, DateMention, ReportingVerb, Mention], Field(discriminator="type")
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnyRecord)

#: Fields every record has; rules cannot set them with `emit` (except `span`).
BASE_FIELDS = frozenset(Record.model_fields)


def field_shapes(record_type: str) -> dict[str, tuple[str, tuple[str, ...], bool]]:
    """For a record type: field -> (shape "span"|"str", allowed values or (), required)."""
    shapes: dict[str, tuple[str, tuple[str, ...], bool]] = {}
    model = RECORD_TYPES[record_type]
    for name, info in model.model_fields.items():
        if name in BASE_FIELDS and name != "span":
            continue
        base = info.annotation
        if typing.get_origin(base) is Union or type(base).__name__ == "UnionType":
            base = next(a for a in typing.get_args(base) if a is not type(None))
        if base is Span:
            shape, values = "span", ()
        elif typing.get_origin(base) is Literal:
            shape, values = "str", tuple(typing.get_args(base))
        else:
            shape, values = "str", ()
        shapes[name] = (shape, values, info.is_required())
    return shapes


def parse_record(data: dict[str, Any] | str) -> Record:
    """Validate a record from its JSON form (dict or string) into the right model."""
    if isinstance(data, str):
        data = json.loads(data)
    return _ADAPTER.validate_python(data)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of every record type (a discriminated union on `type`)."""
    schema = _ADAPTER.json_schema()
    schema["title"] = "ruleie record"
    return schema
