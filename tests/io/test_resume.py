"""Resuming from a JSONL output: the documents it holds, and copying it over unchanged."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from ruleie.io.resume import ResumeError, copy_records, done_documents


def test_done_documents_are_the_docs_of_the_records(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"doc": "a", "type": "Quote"}\n\n{"doc": "b"}\n{"doc": "a"}\n', encoding="utf-8")
    assert done_documents(out) == {"a", "b"}


@pytest.mark.parametrize("content, where", [
    ('{"doc": "a"}\n{"doc": "b"', "2: not a JSON record"),  # a torn last line
    ('{"doc": 3}\n', '1: not a ruleie record (no "doc")'),
    ('[1, 2]\n', '1: not a ruleie record (no "doc")'),
])
def test_what_is_not_records_is_refused(tmp_path: Path, content: str, where: str) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(content, encoding="utf-8")
    with pytest.raises(ResumeError, match=re.escape(f"out.jsonl:{where}")):
        done_documents(out)


def test_invalid_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out.jsonl").write_bytes(b'{"doc": "a"}\n{"doc": "\xff"}\n')
    with pytest.raises(ResumeError, match="out.jsonl:2: invalid UTF-8"):
        done_documents(tmp_path / "out.jsonl")


@pytest.mark.parametrize("content, copied", [("", ""), ('{"doc": "a"}\r\n', '{"doc": "a"}\r\n'), ('{"doc": "a"}', '{"doc": "a"}\n')])
def test_copy_keeps_the_bytes_and_ends_the_last_line(tmp_path: Path, content: str, copied: str) -> None:
    (tmp_path / "out.jsonl").write_bytes(content.encode())
    stream = io.StringIO(newline="")
    copy_records(tmp_path / "out.jsonl", stream)
    assert stream.getvalue() == copied
