"""Readers: gzip by name and by magic bytes, JSONL sniffing on stdin, globs, streaming, bad input."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from ruleie.api import Document
from ruleie.io.readers import ReadError, iter_paths, read_inputs, read_jsonl

TEXT = "Marie a dit : oui, l’été."
LINES = [{"id": "x", "text": "hello", "date": "2024-03-15"}, {"id": 2, "text": "t2"}]


def jsonl_bytes(lines: list[dict]) -> bytes:
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()


def read(paths: list[str], **kw) -> list:
    return list(read_inputs(paths, **kw))


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(TEXT.encode()))
    (tmp_path / "b.jsonl").write_bytes(jsonl_bytes(LINES))
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(jsonl_bytes(LINES)))
    (tmp_path / "b.ndjson.GZ").write_bytes(gzip.compress(jsonl_bytes(LINES)))
    (tmp_path / "dump.gz").write_bytes(gzip.compress(jsonl_bytes(LINES)))
    (tmp_path / "text.gz").write_bytes(gzip.compress(b"date 2024-02-01\n" + TEXT.encode()))
    (tmp_path / "disguised.txt").write_bytes(gzip.compress(TEXT.encode()))  # gzip under a .txt name
    return tmp_path


def test_plain_and_gzipped_text_are_the_same_document(files: Path) -> None:
    assert read(["a.txt"]) == [Document("a.txt", TEXT)]
    assert read(["a.txt.gz"]) == [Document("a.txt.gz", TEXT)]


def test_gzip_is_recognised_by_its_magic_bytes(files: Path) -> None:
    assert read(["disguised.txt"]) == [Document("disguised.txt", TEXT)]


@pytest.mark.parametrize("name", ["b.jsonl", "b.jsonl.gz", "b.ndjson.GZ", "dump.gz"])
def test_jsonl_plain_gzipped_and_sniffed(files: Path, name: str) -> None:
    assert read([name]) == [Document("x", "hello", "2024-03-15"), Document("2", "t2", None)]


def test_gzip_without_inner_suffix_holding_text(files: Path) -> None:
    assert read(["text.gz"]) == [Document("text.gz", "date 2024-02-01\n" + TEXT, "2024-02-01")]


def test_input_format_overrides_the_name(files: Path) -> None:
    (files / "lines.txt").write_bytes(jsonl_bytes(LINES))
    assert [d.id for d in read(["lines.txt"], input_format="jsonl")] == ["x", "2"]
    [doc] = read(["b.jsonl.gz"], input_format="txt")
    assert doc.id == "b.jsonl.gz" and doc.text.startswith('{"id": "x"')


def test_folders_take_plain_and_gzipped_text_by_default(files: Path) -> None:
    (files / "sub").mkdir()
    (files / "sub" / "c.txt.gz").write_bytes(gzip.compress(b"c"))
    (files / "sub" / "notes.md").write_text("md", encoding="utf-8")
    ids = [d.id for d in read(["."], glob=["*.txt", "*.txt.gz"])]
    assert ids == ["a.txt", "a.txt.gz", "disguised.txt", "sub/c.txt.gz"]
    assert [d.id for d in read(["."], glob=["*.md"])] == ["sub/notes.md"]
    assert [str(p) for p in iter_paths(["."], "*.md")] == ["sub/notes.md"]  # one glob as a string still works


@pytest.mark.parametrize(
    "data, expected",
    [
        pytest.param(TEXT.encode(), [Document("<stdin>", TEXT)], id="text"),
        pytest.param(gzip.compress(TEXT.encode()), [Document("<stdin>", TEXT)], id="gzipped-text"),
        pytest.param(jsonl_bytes(LINES), [Document("x", "hello", "2024-03-15"), Document("2", "t2")], id="jsonl"),
        pytest.param(b"\n  " + jsonl_bytes(LINES), [Document("x", "hello", "2024-03-15"), Document("2", "t2")], id="jsonl-after-blank"),
        pytest.param(gzip.compress(jsonl_bytes(LINES)), [Document("x", "hello", "2024-03-15"), Document("2", "t2")], id="gzipped-jsonl"),
        pytest.param(b"{pas du JSON}", [Document("<stdin>", "{pas du JSON}")], id="brace-text"),
        pytest.param(b"", [Document("<stdin>", "")], id="empty"),
        pytest.param(b"a", [Document("<stdin>", "a")], id="one-byte"),
    ],
)
def test_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes, expected: list) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    assert read([]) == expected


def test_stdin_jsonl_by_option(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b'\n{"text": "a"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    assert read(["-"], input_format="jsonl") == [Document("<stdin>:2", "a")]


def test_corrupt_gzip_is_a_read_error_and_the_rest_goes_on(files: Path) -> None:
    good = gzip.compress(jsonl_bytes([{"id": f"d{i}", "text": "x" * 50} for i in range(2000)]))
    (files / "cut.jsonl.gz").write_bytes(good[: len(good) // 2])
    (files / "bad.txt.gz").write_bytes(gzip.compress(TEXT.encode())[:-12])
    (files / "garbage.gz").write_bytes(b"\x1f\x8b" + b"not gzip at all" * 4)
    items = read(["cut.jsonl.gz", "bad.txt.gz", "garbage.gz", "a.txt"])
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert docs[-1] == Document("a.txt", TEXT)
    assert 0 < len(docs) - 1 < 2000  # the records before the damage are read
    assert [e.doc.split(":")[0] for e in errors] == ["cut.jsonl.gz", "bad.txt.gz", "garbage.gz"]
    assert all("corrupt gzip data" in e.message for e in errors)


def test_missing_file_and_folder_in_place(files: Path) -> None:
    items = read(["absent.jsonl.gz", "a.txt"])
    assert isinstance(items[0], ReadError) and items[0].doc == "absent.jsonl.gz"
    assert items[1] == Document("a.txt", TEXT)


def test_jsonl_ids(files: Path) -> None:
    data = jsonl_bytes([{"id": None, "text": "a"}, {"id": ["x"], "text": "b"}, {"id": 0, "text": "c"}])
    assert [d.id for d in read_jsonl(io.BytesIO(data), "f.jsonl", None, "strict")] == ["f.jsonl:1", "f.jsonl:2", "0"]


class CountingStream(io.RawIOBase):
    """A large JSONL stream generated on the fly that counts the bytes taken from it."""

    def __init__(self, lines: int):
        self.lines = lines
        self.produced = 0
        self.taken = 0
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while len(self.pending) < len(buffer) and self.produced < self.lines:
            self.pending += json.dumps({"id": self.produced, "text": "x" * 1000}).encode() + b"\n"
            self.produced += 1
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        self.taken += n
        return n


def test_jsonl_is_read_lazily() -> None:
    raw = CountingStream(lines=1_000_000)  # about 1 GB if it were read whole
    docs = read_jsonl(io.BufferedReader(raw), "big.jsonl", None, "strict")
    first = [next(docs) for _ in range(3)]
    assert [d.id for d in first] == ["0", "1", "2"]
    assert raw.taken < 100_000


def test_stdin_jsonl_is_read_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = CountingStream(lines=1_000_000)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw)))
    docs = read_inputs([])
    assert next(docs).id == "0" and next(docs).id == "1"
    assert raw.taken < 200_000


def test_gzipped_jsonl_is_read_lazily(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from ruleie.io import readers

    rng = random.Random(7)
    path = tmp_path / "big.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        for i in range(5_000):
            fh.write(json.dumps({"id": i, "text": "%x" % rng.getrandbits(8000)}).encode() + b"\n")
    assert path.stat().st_size > 4_000_000
    taken = []
    real = readers._Prefixed.readinto

    def counting(self, buffer):
        n = real(self, buffer)
        taken.append(n)
        return n

    monkeypatch.setattr(readers._Prefixed, "readinto", counting)
    docs = read_inputs([str(path)])
    assert next(docs).id == "0" and next(docs).id == "1"
    assert 0 < sum(taken) < 500_000


# ------------------------------------------------------------------ what offsets index


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_ends_are_kept_and_a_bom_is_dropped(tmp_path: Path, newline: str) -> None:
    text = f"date 2024-05-01{newline}Marie a dit{newline}{newline}oui\r\nnon\r"
    (tmp_path / "d.txt").write_bytes(b"\xef\xbb\xbf" + text.encode())
    [doc] = read([str(tmp_path / "d.txt")])
    assert doc.text == text == (tmp_path / "d.txt").read_bytes().decode("utf-8-sig")
    assert doc.date == "2024-05-01"


def test_binary_and_utf16_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "u.txt").write_bytes("Marie".encode("utf-16"))
    errors = read([str(tmp_path / "b.txt"), str(tmp_path / "u.txt")])
    assert [e.message for e in errors] == [
        "binary file, skipped (it contains NUL bytes)",
        "UTF-16 text, skipped (only UTF-8 is read: convert it first)",
    ]


def test_invalid_utf8_names_the_byte_after_a_bom(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"\xef\xbb\xbfcaf\xe9")
    [error] = read([str(tmp_path / "x.txt")])
    assert isinstance(error, ReadError) and error.message.startswith("invalid UTF-8 at byte 6 ")
    [doc] = read([str(tmp_path / "x.txt")], encoding_errors="replace")
    assert doc.text == "caf\ufffd"


def test_jsonl_keeps_every_character_its_escapes_give(tmp_path: Path) -> None:
    text = "nul\u0000 lone\ud800 pair\U0001f600 bom\ufeff ligne\u2028 fin\r\n"
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": 1, "text": text}) + "\n", encoding="ascii")
    assert read([str(tmp_path / "a.jsonl")]) == [Document("1", text)]


def test_jsonl_errors_name_the_line_and_the_rest_goes_on(tmp_path: Path) -> None:
    body = b'{"id": "a", "text": "x"}\n{"id": \n\n{"text": 1}\n"just a string"\n{"text": "nul\x00"}\n{"id": "b", "text": "y"}\n'
    (tmp_path / "a.jsonl").write_bytes(body)
    got = read([str(tmp_path / "a.jsonl")])
    name = str(tmp_path / "a.jsonl")
    assert [g.id if isinstance(g, Document) else g.doc for g in got] == ["a", f"{name}:2", f"{name}:4", f"{name}:5", f"{name}:6", "b"]
    assert got[1].message.startswith("invalid JSON") and got[4].message.startswith("invalid JSON")
    assert got[2].message == got[3].message == 'each line must be an object with a "text" string'
