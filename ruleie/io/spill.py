"""Hold the records of a document that arrives piece by piece until it is known to be complete.

The pieces of a long document are extracted one after the other (`extract_many(by_piece=True)`);
its records are written out only once every piece succeeded, so that a document that fails leaves
nothing in the output (and `--resume` runs it again). Meanwhile they wait as JSON lines in a
temporary file (in memory up to a few megabytes), not as objects, which would take several times
the document's size.
"""

from __future__ import annotations

import tempfile
from typing import IO, Iterator

from ruleie.io.writers import record_json
from ruleie.records import Record, parse_record

#: Bytes of JSON kept in memory before the records go to a temporary file.
IN_MEMORY = 8 << 20


class RecordSpill:
    """Records appended piece by piece, read back in the same order."""

    def __init__(self) -> None:
        self.file: IO[str] = tempfile.SpooledTemporaryFile(IN_MEMORY, mode="w+", encoding="utf-8", newline="\n")
        self.count = 0

    def add(self, records: list[Record]) -> None:
        """Keep `records` after the ones added before."""
        self.file.write("".join(record_json(r) + "\n" for r in records))
        self.count += len(records)

    def lines(self, batch: int = 1000) -> Iterator[list[str]]:
        """The records' JSON lines, in batches."""
        self.file.seek(0)
        lines: list[str] = []
        for line in self.file:
            lines.append(line)
            if len(lines) >= batch:
                yield lines
                lines = []
        if lines:
            yield lines

    def records(self, batch: int = 1000) -> Iterator[list[Record]]:
        """The records, parsed again, in batches."""
        for lines in self.lines(batch):
            yield [parse_record(line) for line in lines]

    def close(self) -> None:
        """Drop the records."""
        self.file.close()
