"""Turn command-line inputs (files, folders, stdin, JSONL) into a stream of documents.

Reading is lazy: one document at a time, so a large corpus never sits in memory. A document that
cannot be read (missing, binary, invalid UTF-8, a malformed JSONL line) becomes a `ReadError` in the
stream, in its place, and the caller reports it and goes on with the rest.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

import regex

from ruleie.api import Document

#: A leading metadata line some news dumps carry: `date 2023-05-12` (or a month).
_DATE_HEADER = regex.compile(r"\A\ufeff?\s*date\s+(\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{2}:\d{2})?)(?!\d)")
_ISO_DATE = regex.compile(r"\A\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\Z")


@dataclass(frozen=True)
class ReadError:
    """A document that could not be read, with why."""

    doc: str
    message: str


def header_date(text: str) -> str | None:
    """The document date of a leading `date YYYY-MM[-DD]` line, if the text starts with one."""
    m = _DATE_HEADER.match(text[:64])
    return m.group(1).replace(" ", "T") if m else None


def valid_date(value: object) -> str | None:
    """An ISO date or datetime string cut to minutes, or None when `value` is not one."""
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        return None
    value = value.strip().replace(" ", "T")
    return value[:16] if "T" in value else value


def decode(data: bytes, name: str, errors: str = "strict") -> str | ReadError:
    """Bytes of one document as text; binary data and invalid UTF-8 are read errors."""
    if b"\0" in data[:65536]:
        return ReadError(name, "binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as err:
        return ReadError(name, f"invalid UTF-8 at byte {err.start} (use --encoding-errors replace to read it anyway)")
    return text[1:] if text.startswith("\ufeff") else text


def _text_document(name: str, text: str, doc_date: str | None) -> Document:
    return Document(name, text, doc_date or header_date(text))


def iter_paths(inputs: Iterable[str], glob: str = "*.txt") -> Iterator[Path | str]:
    """Files named or found under folders (recursive, sorted); '-' stands for stdin."""
    for item in inputs:
        if item == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            yield from sorted(p for p in path.rglob(glob) if p.is_file())
        else:
            yield path


def _is_jsonl(path: Path | str, input_format: str) -> bool:
    if input_format != "auto":
        return input_format == "jsonl"
    return isinstance(path, Path) and path.suffix in (".jsonl", ".ndjson")


def read_jsonl(stream: IO[bytes], name: str, doc_date: str | None, errors: str) -> Iterator[Document | ReadError]:
    """Documents of a JSONL stream: one `{"id", "text", "date"}` object per line."""
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        where = f"{name}:{number}"
        line = decode(raw, where, errors)
        if isinstance(line, ReadError):
            yield line
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield ReadError(where, f"invalid JSON: {err.msg} at column {err.colno}")
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            yield ReadError(where, 'each line must be an object with a "text" string')
            continue
        doc_id = obj.get("id", where)
        date = valid_date(obj.get("date")) or doc_date or header_date(obj["text"])
        yield Document(str(doc_id), obj["text"], date)


def read_inputs(
    inputs: list[str],
    input_format: str = "auto",
    doc_date: str | None = None,
    glob: str = "*.txt",
    encoding_errors: str = "strict",
) -> Iterator[Document | ReadError]:
    """Every document of the inputs, in order; stdin when `inputs` is empty."""
    for path in iter_paths(inputs or ["-"], glob):
        name = "<stdin>" if path == "-" else str(path)
        if _is_jsonl(path, input_format):
            try:
                stream = sys.stdin.buffer if path == "-" else open(path, "rb")
            except OSError as err:
                yield ReadError(name, err.strerror or str(err))
                continue
            with stream if path != "-" else _nullcontext(stream):
                yield from read_jsonl(stream, name, doc_date, encoding_errors)
            continue
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as err:
            yield ReadError(name, err.strerror or str(err))
            continue
        text = decode(data, name, encoding_errors)
        yield text if isinstance(text, ReadError) else _text_document(name, text, doc_date)


class _nullcontext:
    def __init__(self, value: object):
        self.value = value

    def __enter__(self) -> object:
        return self.value

    def __exit__(self, *exc: object) -> None:
        return None
