"""Writers: atomic replacement of the output file, CSV that spreadsheet-like readers load exactly."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest

import ruleie
from ruleie.api import Document
from ruleie.io.writers import FORMATS, Writer, atomic_output, csv_columns, csv_row
from ruleie.records import Quote, Span

RULES = Path(__file__).parent / "data" / "news.rules"

TEXTS = [
    "« Nous tiendrons jusqu'au 12 mars », a déclaré Claire Vasseur. Marc Allègre a accusé la direction d'avoir ignoré les alertes.",
    "Hugo Ferrand a dit : « On verra lundi, \"peut-être\"; ou pas. » « La porte,\nreste ouverte », a dit il.",
    "Rien ici.",
]


@pytest.fixture(scope="module")
def records() -> list:
    rules = ruleie.load(RULES)
    out = []
    for i, text in enumerate(TEXTS):
        out.extend(rules.extract(text, doc=f"doc,{i}"))
    assert {r.type for r in out} == {"Quote", "Accusation", "DateMention", "ReportingVerb"}
    return out


# ------------------------------------------------------------------ atomic output


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failed_run_leaves_the_previous_file_intact(tmp_path: Path, exc: BaseException) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n", encoding="utf-8")
    with pytest.raises(type(exc)):
        with atomic_output(str(target)) as fh:
            fh.write("half a new file")
            fh.flush()
            raise exc
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert leftovers(tmp_path) == []


def test_failed_run_creates_no_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with atomic_output(str(tmp_path / "new.csv")) as fh:
            fh.write("x")
            raise RuntimeError
    assert list(tmp_path.iterdir()) == []


def test_complete_run_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n", encoding="utf-8")
    with atomic_output(str(target)) as fh:
        fh.write("new\n")
        assert target.read_text(encoding="utf-8") == "previous\n"  # not before the end
    assert target.read_text(encoding="utf-8") == "new\n"
    assert leftovers(tmp_path) == []


def test_permissions_of_new_and_replaced_files(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_output(str(tmp_path / "new.txt")) as fh:
            fh.write("x")
        assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644  # not mkstemp's 0600
        (tmp_path / "kept.txt").write_text("x")
        os.chmod(tmp_path / "kept.txt", 0o640)
        with atomic_output(str(tmp_path / "kept.txt")) as fh:
            fh.write("y")
        assert stat.S_IMODE((tmp_path / "kept.txt").stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_special_files_are_written_directly() -> None:
    with atomic_output(os.devnull) as fh:
        fh.write("discarded")
    assert Path(os.devnull).exists()


def test_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        with atomic_output(str(tmp_path / "nowhere" / "out.jsonl")):
            pass


# ------------------------------------------------------------------ CSV


def csv_text(records: list) -> str:
    buffer = io.StringIO(newline="")
    writer = Writer(buffer, "csv")
    writer.write(records)
    writer.close()
    return buffer.getvalue()


def expected_cell(record, column: str) -> str:
    data = json.loads(record.model_dump_json())
    for suffix in ("_start", "_end", "_text"):
        name = column[: -len(suffix)]
        if column.endswith(suffix) and isinstance(data.get(name), dict):
            return str(data[name][suffix[1:]])
    value = data.get(column)
    return "" if value is None else str(value)


def test_csv_round_trips_through_the_csv_module(records: list) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_text(records), newline="")))
    assert len(rows) == len(records)
    assert list(rows[0]) == csv_columns()
    for record, row in zip(records, rows):
        for column in csv_columns():
            if column in type(record).model_fields or column.rsplit("_", 1)[0] in type(record).model_fields:
                assert row[column] == expected_cell(record, column), (record.type, column)
            else:
                assert row[column] == "", (record.type, column)  # another type's field


def test_csv_keeps_commas_quotes_and_newlines(records: list) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_text(records), newline="")))
    texts = {row["content_text"] for row in rows}
    assert 'On verra lundi, "peut-être"; ou pas.' in texts
    assert "La porte,\nreste ouverte" in texts
    assert {row["doc"] for row in rows} == {"doc,0", "doc,1"}


def test_csv_columns_cover_every_field() -> None:
    columns = csv_columns()
    assert len(columns) == len(set(columns))
    assert columns[:7] == ["doc", "type", "rule", "origin", "span_start", "span_end", "span_text"]
    for name in ("content_start", "speaker_text", "cue_lemma", "accuser_text", "accused_end", "charge_text",
                 "voice", "status", "value", "kind", "modifier", "lemma", "tense", "label", "speaker_resolved"):
        assert name in columns
    assert "captures" not in " ".join(columns)


def test_csv_row_of_a_record_without_optional_spans() -> None:
    quote = Quote(rule="r", span=Span(start=0, end=3, text="abc"), content=Span(start=1, end=2, text="b"), kind="direct")
    row = csv_row(quote)
    assert row["content_text"] == "b" and row["speaker_start"] is None and "captures" not in row


def test_csv_loads_in_pandas_with_the_right_values(records: list) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(io.StringIO(csv_text(records)), keep_default_na=False, dtype=str)
    assert list(frame.columns) == csv_columns()
    assert len(frame) == len(records)
    for record, (_, row) in zip(records, frame.iterrows()):
        assert row["span_text"] == record.span.text
        assert int(row["span_start"]) == record.span.start
        if record.type == "Quote":
            assert row["content_text"] == record.content.text
            assert row["speaker_text"] == (record.speaker.text if record.speaker else "")
    typed = pd.read_csv(io.StringIO(csv_text(records)))
    assert str(typed["span_start"].dtype) == "int64"  # numbers read as numbers


# ------------------------------------------------------------------ Writer


def test_every_format_writes_something(records: list) -> None:
    for fmt in FORMATS:
        buffer = io.StringIO()
        writer = Writer(buffer, fmt)
        writer.write(records[:2], Document("d", TEXTS[0]))
        writer.close()
        assert "Claire Vasseur" in buffer.getvalue() or "Nous tiendrons" in buffer.getvalue(), fmt


def test_html_needs_the_document_and_unknown_formats_fail(records: list) -> None:
    writer = Writer(io.StringIO(), "html")
    with pytest.raises(ValueError):
        writer.write(records)
    with pytest.raises(ValueError):
        Writer(io.StringIO(), "xml")


def test_lone_surrogates_are_escaped_in_jsonl_and_replaced_elsewhere() -> None:
    from ruleie.api import Document
    from ruleie.records import Mention, Span, parse_record
    from ruleie.io.writers import Writer

    record = Mention(doc="d", rule="r", label="x", span=Span(start=0, end=3, text="\ud800é\udfff"))
    outputs = {}
    for fmt in ("jsonl", "csv", "table", "html"):
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = Writer(stream, fmt)
        writer.write([record], Document("d", "\ud800é\udfff"))
        writer.close()
        stream.flush()
        outputs[fmt] = raw.getvalue().decode("utf-8")  # strict: valid UTF-8 in every format
    line = outputs["jsonl"].strip()
    assert "\\ud800é\\udfff" in line and parse_record(line) == record
    assert line == record.model_copy(update={"span": Span(start=0, end=3, text="aéb")}).model_dump_json().replace("aéb", "\\ud800é\\udfff")
    for fmt in ("csv", "table", "html"):
        assert "\ufffdé\ufffd" in outputs[fmt]
