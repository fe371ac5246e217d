"""Turn command-line inputs (files, folders, stdin, JSONL, gzip) into a stream of documents.

Reading is lazy: one document at a time, and JSONL line by line, so a large corpus never sits in
memory. Gzip-compressed input is recognised by its magic bytes (whatever its name: `x.txt.gz`,
`x.jsonl.gz`, a gzipped stdin) and decompressed as it is read. A document that cannot be read
(missing, binary, invalid UTF-8, corrupt gzip data, a malformed JSONL line) becomes a `ReadError` in
the stream, in its place, and the caller reports it and goes on with the rest.

What offsets index: a document's text is its bytes decoded as UTF-8, with no newline translation
(`\r\n`, `\r` and `\n` stay as they are) and without a leading byte order mark, which is not part
of the text; that is `path.read_bytes().decode("utf-8-sig")`, or `open(path, encoding="utf-8-sig",
newline="")` (a plain `open(path)` turns `\r\n` into `\n` and shifts every later offset). A JSONL
document's text is its `text` string as JSON decodes it, escapes included (`\u0000`, a lone
`\ud800`). A file is binary, and skipped, when its first 64 KiB hold a NUL byte (UTF-16 text is
named as such).

Which inputs are JSONL (`--input-format auto`): files named `*.jsonl` or `*.ndjson` (optionally with
`.gz`); stdin, and gzip files with no other suffix (`dump.gz`), when their first non-blank
characters are `{"`. Everything else is one text document per file.
"""

from __future__ import annotations

import codecs
import datetime
import gzip
import io
import json
import sys
import zlib
from contextlib import ExitStack
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
    return valid_date(m.group(1)) if m else None


def valid_date(value: object) -> str | None:
    """An ISO date or datetime string cut to minutes, or None when `value` is not one.

    The date must exist in the calendar (no month 13, no 30 February) and the time on the clock.
    """
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        return None
    value = value.strip().replace(" ", "T")
    value = value[:16] if "T" in value else value
    try:
        if len(value) == 7:  # YYYY-MM
            datetime.date(int(value[:4]), int(value[5:7]), 1)
        else:
            datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return value


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes, name: str, errors: str = "strict", binary_check: bool = True) -> str | ReadError:
    """Bytes of one document as text, without a leading BOM; binary data and invalid UTF-8 are read errors."""
    if binary_check and b"\0" in data[:65536]:
        if data.startswith(_UTF16_BOMS):
            return ReadError(name, "UTF-16 text, skipped (only UTF-8 is read: convert it first)")
        return ReadError(name, "binary file, skipped (it contains NUL bytes)")
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return str(memoryview(data)[skip:], "utf-8", errors)  # no copy of the bytes to drop the BOM
    except UnicodeDecodeError as err:
        return ReadError(name, f"invalid UTF-8 at byte {err.start + skip} (use --encoding-errors replace to read it anyway)")


def _text_document(name: str, text: str, doc_date: str | None) -> Document:
    return Document(name, text, doc_date or header_date(text))


def iter_paths(inputs: Iterable[str], glob: str | Iterable[str] = "*.txt") -> Iterator[Path | str]:
    """Files named or found under folders (recursive, sorted, any of the globs); '-' stands for stdin."""
    globs = [glob] if isinstance(glob, str) else list(glob)
    for item in inputs:
        if item == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            found = {p for g in globs for p in path.rglob(g) if p.is_file()}
            yield from sorted(found)
        else:
            yield path


#: The first two bytes of every gzip stream.
GZIP_MAGIC = b"\x1f\x8b"
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_GZIP_SUFFIXES = (".gz", ".gzip")


def _inner_suffix(path: Path) -> str:
    """The suffix that says what a file holds, under a compression suffix: x.jsonl.gz -> .jsonl."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in _GZIP_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _is_jsonl(path: Path | str, input_format: str) -> bool | None:
    """True/False when the format is known from the option or the name; None: look at the content."""
    if input_format != "auto":
        return input_format == "jsonl"
    if path == "-":
        return None
    assert isinstance(path, Path)
    inner = _inner_suffix(path)
    if inner in _JSONL_SUFFIXES:
        return True
    if inner == "" and path.suffix.lower() in _GZIP_SUFFIXES:
        return None
    return False


class _Prefixed(io.RawIOBase):
    """A raw stream that yields `head` and then the rest of `stream` (to sniff without seeking)."""

    def __init__(self, head: bytes, stream: IO[bytes]):
        self.head = head
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "bytearray | memoryview") -> int:  # type: ignore[override]
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


def _sniff(stream: IO[bytes], size: int) -> tuple[bytes, IO[bytes]]:
    """The first `size` bytes of `stream` (fewer at its end) and a stream that still starts with them."""
    head = b""
    while len(head) < size:
        data = stream.read(size - len(head))
        if not data:
            break
        head += data
    return head, io.BufferedReader(_Prefixed(head, stream), buffer_size=1 << 16)


def open_binary(path: Path | str, stack: ExitStack) -> IO[bytes]:
    """A byte stream of a file or stdin ('-'), decompressed on the fly when it is gzip data."""
    raw: IO[bytes] = sys.stdin.buffer if path == "-" else stack.enter_context(open(path, "rb"))
    head, stream = _sniff(raw, 2)
    if head == GZIP_MAGIC:
        return stack.enter_context(gzip.GzipFile(fileobj=stream, mode="rb"))  # type: ignore[return-value]
    return stream


def _looks_like_jsonl(stream: IO[bytes]) -> tuple[bool, IO[bytes]]:
    """Whether the first non-blank characters of `stream` are `{"`, and the stream from its start."""
    head, stream = _sniff(stream, 4096)
    start = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    return start.startswith(b'{"'), stream


#: Errors that mean the bytes of a gzip file are not what they should be.
_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def read_jsonl(stream: IO[bytes], name: str, doc_date: str | None, errors: str) -> Iterator[Document | ReadError]:
    """Documents of a JSONL stream, read line by line: one `{"id", "text", "date"}` object per line."""
    number = 0
    try:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            where = f"{name}:{number}"
            line = decode(raw, where, errors, binary_check=False)  # a raw NUL byte is invalid JSON
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
            doc_id = obj.get("id")
            if doc_id is None or isinstance(doc_id, (dict, list)):
                doc_id = where
            date = valid_date(obj.get("date")) or doc_date or header_date(obj["text"])
            yield Document(str(doc_id), obj["text"], date)
    except _GZIP_ERRORS as err:
        yield ReadError(f"{name}:{number + 1}", f"corrupt gzip data: {err}")


def read_inputs(
    inputs: list[str],
    input_format: str = "auto",
    doc_date: str | None = None,
    glob: str | Iterable[str] = "*.txt",
    encoding_errors: str = "strict",
) -> Iterator[Document | ReadError]:
    """Every document of the inputs, in order; stdin when `inputs` is empty."""
    for path in iter_paths(inputs or ["-"], glob):
        name = "<stdin>" if path == "-" else str(path)
        with ExitStack() as stack:
            try:
                stream = open_binary(path, stack)
            except OSError as err:
                yield ReadError(name, err.strerror or str(err))
                continue
            jsonl = _is_jsonl(path, input_format)
            if jsonl is None:
                try:
                    jsonl, stream = _looks_like_jsonl(stream)
                except _GZIP_ERRORS as err:
                    yield ReadError(name, f"corrupt gzip data: {err}")
                    continue
            if jsonl:
                yield from read_jsonl(stream, name, doc_date, encoding_errors)
                continue
            try:
                data = stream.read()
            except OSError as err:  # includes gzip.BadGzipFile
                yield ReadError(name, f"corrupt gzip data: {err}" if isinstance(err, gzip.BadGzipFile) else err.strerror or str(err))
                continue
            except (EOFError, zlib.error) as err:
                yield ReadError(name, f"corrupt gzip data: {err}")
                continue
            text = decode(data, name, encoding_errors)
            del data  # a huge document is held once, as text, while it is extracted
            yield text if isinstance(text, ReadError) else _text_document(name, text, doc_date)
