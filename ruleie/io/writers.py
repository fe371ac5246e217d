"""Write records as JSONL, CSV, a terminal table or an HTML page; files are replaced atomically.

JSONL is the contract other programs read: one record per line, exactly the record's JSON. CSV has
one row per record with nested spans flattened to `field_start`, `field_end`, `field_text` (RFC 4180:
comma-separated, fields quoted when needed, CRLF line ends; an absent value is an empty cell; the
`captures` of a record are left out). The table is for a terminal; the HTML page
(`ruleie.io.html`) shows each document's text with its records highlighted.

A lone surrogate (a JSONL input can carry `"\ud800"`) cannot be written as UTF-8: JSONL writes it
as the same JSON escape, so the record still matches its input exactly; CSV, the table and HTML,
which people read, show U+FFFD instead.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator

from ruleie.records import RECORD_TYPES, Record, Span

if TYPE_CHECKING:
    from ruleie.api import Document

FORMATS = ("jsonl", "csv", "table", "html")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: str | None) -> Iterator[IO[str]]:
    """A text stream to `path` that replaces it only when complete (stdout when path is None).

    The output goes to a temporary file next to `path`, renamed over it once everything is written
    and flushed to disk; an error or Ctrl-C before that removes the temporary file and leaves a
    previous `path` as it was. The new file gets the permissions of the file it replaces (or the
    usual ones for a new file, per the umask). A `path` that exists and is not a regular file
    (`/dev/null`, a named pipe) is written directly.
    """
    if path is None or path == "-":
        import sys

        yield sys.stdout
        return
    target = Path(path)
    if target.exists() and not target.is_file():
        with open(target, "w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_line(data: object) -> str:
    """Compact JSON of `data` on one line, UTF-8 as is, lone surrogates as `\\udXXXX` escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # only ever inside strings


def record_json(record: Record) -> str:
    """The record's JSON on one line (as `model_dump_json`), writable as UTF-8 whatever its text."""
    try:
        return record.model_dump_json()
    except ValueError:  # pydantic cannot encode a lone surrogate: the same JSON, escaped by hand
        return json_line(record.model_dump(mode="python"))


class _Printable(io.TextIOBase):
    """Passes text on to `stream`, with lone surrogates replaced by U+FFFD."""

    def __init__(self, stream: IO[str]):
        self.stream = stream

    def write(self, text: str) -> int:  # type: ignore[override]
        self.stream.write(_SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text)
        return len(text)

    def isatty(self) -> bool:
        return self.stream.isatty()

    def flush(self) -> None:
        self.stream.flush()


def csv_columns() -> list[str]:
    """Column names of the CSV output: common fields, then every type's own fields, flattened."""
    columns = ["doc", "type", "rule", "origin", "span_start", "span_end", "span_text"]
    for model in RECORD_TYPES.values():
        for name, info in model.model_fields.items():
            if name in ("doc", "type", "rule", "origin", "span", "captures"):
                continue
            if "Span" in str(info.annotation):
                cols = [f"{name}_start", f"{name}_end", f"{name}_text"]
            else:
                cols = [name]
            columns.extend(c for c in cols if c not in columns)
    return columns


def csv_row(record: Record) -> dict[str, object]:
    """One record as a flat CSV row."""
    row: dict[str, object] = {"origin": record.origin}
    for name in type(record).model_fields:
        if name == "captures":
            continue
        value = getattr(record, name)
        if isinstance(value, Span):
            row[f"{name}_start"], row[f"{name}_end"], row[f"{name}_text"] = value.start, value.end, value.text
        elif value is None and "Span" in str(type(record).model_fields[name].annotation):
            row[f"{name}_start"] = row[f"{name}_end"] = row[f"{name}_text"] = None
        else:
            row[name] = value
    return row


class Writer:
    """Streams records to an output in one format (the table is printed at the end)."""

    #: Formats that need each document's text, not only its records.
    NEEDS_TEXT = frozenset({"html"})

    def __init__(self, stream: IO[str], fmt: str, title: str = "ruleie extraction"):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        self.stream: IO[str] = stream if fmt == "jsonl" else _Printable(stream)  # type: ignore[assignment]
        self.fmt = fmt
        self.rows: list[Record] = []
        self.csv: csv.DictWriter | None = None
        self.html = None
        if fmt == "csv":
            self.csv = csv.DictWriter(self.stream, fieldnames=csv_columns(), extrasaction="ignore")
            self.csv.writeheader()
        elif fmt == "html":
            from ruleie.io.html import HtmlWriter

            self.html = HtmlWriter(self.stream, title)

    def write(self, records: list[Record], document: Document | None = None) -> None:
        """Write the records of one document (`document` gives its text, which HTML shows)."""
        if self.fmt == "jsonl":
            self.stream.write("".join(record_json(r) + "\n" for r in records))
        elif self.csv is not None:
            for r in records:
                self.csv.writerow(csv_row(r))
        elif self.html is not None:
            if document is None:
                raise ValueError("the html format needs each document's text")
            self.html.write(document.id, document.text, records, document.date)
        else:
            self.rows.extend(records)

    def write_json_lines(self, lines: list[str]) -> None:
        """Write records already serialised by `record_json`, one per line (JSONL only)."""
        if self.fmt != "jsonl":
            raise ValueError("only the jsonl format takes serialised records")
        self.stream.write("".join(lines))

    def close(self) -> None:
        """Finish the output."""
        if self.fmt == "table":
            self.stream.write(render_table(self.rows, width=None if self.stream.isatty() else 160))
        elif self.html is not None:
            self.html.close()
        self.stream.flush()


def _brief(record: Record) -> str:
    parts = []
    for name in type(record).model_fields:
        if name in ("doc", "type", "rule", "origin", "span", "captures"):
            continue
        value = getattr(record, name)
        if value is None:
            continue
        parts.append(f"{name}={value.text!r}" if isinstance(value, Span) else f"{name}={value}")
    return "  ".join(parts)


def render_table(records: list[Record], width: int | None = None) -> str:
    """A readable table of records (rich), as text."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for col in ("doc", "type", "span", "text", "fields", "rule"):
        table.add_column(col, overflow="fold")
    for r in records:
        table.add_row(r.doc, r.type, f"{r.span.start}-{r.span.end}", r.span.text, _brief(r), r.rule)
    buffer = io.StringIO()
    Console(file=buffer, width=width or 160, force_terminal=False).print(table)
    return buffer.getvalue()
