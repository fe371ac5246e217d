"""Resume an interrupted batch: which documents a JSONL output already holds, and carrying it over.

`extract --resume -o FILE.jsonl` skips the documents whose id is the `doc` of a record in FILE and
writes FILE again, atomically: its old lines first, byte for byte, then the new records. A document
that produced no record leaves no trace in FILE, so a resumed run extracts it again; rules are
deterministic, so it again produces nothing and the output is the same as one uninterrupted run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO


class ResumeError(Exception):
    """The output to resume from is not a JSONL file of records."""


def done_documents(path: str | Path) -> set[str]:
    """The `doc` of every record in the JSONL file `path`; raises `ResumeError` naming FILE:LINE."""
    done: set[str] = set()
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise ResumeError(f"{path}:{number}: invalid UTF-8; cannot resume from it") from None
            except json.JSONDecodeError as err:
                raise ResumeError(f"{path}:{number}: not a JSON record ({err.msg}); cannot resume from it") from None
            if not isinstance(record, dict) or not isinstance(record.get("doc"), str):
                raise ResumeError(f'{path}:{number}: not a ruleie record (no "doc"); cannot resume from it')
            done.add(record["doc"])
    return done


def copy_records(path: str | Path, stream: IO[str]) -> None:
    """Write the content of `path` to `stream` unchanged, ending with a line break when not empty."""
    last = ""
    with open(path, encoding="utf-8", newline="") as fh:
        while block := fh.read(1 << 20):
            stream.write(block)
            last = block[-1]
    if last and last != "\n":
        stream.write("\n")
