"""Write records as JSONL, CSV or a terminal table; files are replaced atomically.

JSONL is the contract other programs read: one record per line, exactly the record's JSON. CSV has
one row per record with nested spans flattened to `field_start`, `field_end`, `field_text`.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from ruleie.records import RECORD_TYPES, Record, Span

FORMATS = ("jsonl", "csv", "table")


@contextmanager
def atomic_output(path: str | None) -> Iterator[IO[str]]:
    """A text stream to `path` that replaces it only when complete (stdout when path is None)."""
    if path is None or path == "-":
        import sys

        yield sys.stdout
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


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
        else:
            row[name] = value
    return row


class Writer:
    """Streams records to an output in one format."""

    def __init__(self, stream: IO[str], fmt: str):
        self.stream = stream
        self.fmt = fmt
        self.rows: list[Record] = []
        self.csv: csv.DictWriter | None = None
        if fmt == "csv":
            self.csv = csv.DictWriter(stream, fieldnames=csv_columns(), extrasaction="ignore")
            self.csv.writeheader()

    def write(self, records: list[Record]) -> None:
        """Write the records of one document."""
        if self.fmt == "jsonl":
            self.stream.write("".join(r.model_dump_json() + "\n" for r in records))
        elif self.csv is not None:
            for r in records:
                self.csv.writerow(csv_row(r))
        else:
            self.rows.extend(records)

    def close(self) -> None:
        """Finish the output (the table is printed at the end)."""
        if self.fmt == "table":
            self.stream.write(render_table(self.rows, width=None if self.stream.isatty() else 160))
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
