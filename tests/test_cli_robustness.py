"""`ruleie extract` on bad input: per-document errors, time budgets, nothing lost, resume, long documents.

Most tests run the command in-process (typer's runner) to stay fast; the runaway-pattern test runs
it as a subprocess with its own deadline, so that a hang fails the test instead of the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruleie.cli import app
from ruleie.records import parse_record

REPO = Path(__file__).resolve().parent.parent

RULES = '''
lexicon CITY = { "Paris", "Lyon" }
phase places {
  rule city
    match c:@CITY
    emit Mention(label="city", span=c)
}
'''

#: Polynomial backtracking over a run of letters (compiles, with a warning); `\p{L}` is `regex` syntax.
RUNAWAY_REGEX = r'''
phase p {
  rule slow
    match x:/\p{L}*\p{L}*\p{L}*\d/
    emit Mention(label="x", span=x)
}
'''

#: Exponential backtracking in a pattern the stdlib `re` engine accepts; unbounded (`+`) it is a
#: compile error (E310), bounded it compiles and must still be stopped by the budget.
RUNAWAY_RE = '''
phase p {
  rule slow
    match x:/(a|aa){REPEAT}b/
    emit Mention(label="x", span=x)
}
'''


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cities.rules").write_text(RULES, encoding="utf-8")
    return tmp_path


def extract(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(app, ["extract", *args], input=stdin)


def docs_of(jsonl: str) -> list[str]:
    return [parse_record(line).doc for line in jsonl.splitlines() if line.strip()]


def check_offsets(records: list, text: str) -> None:
    for r in records:
        spans = [v for v in (getattr(r, n) for n in type(r).model_fields) if hasattr(v, "start")]
        for s in spans + list(r.captures.values()):
            assert text[s.start : s.end] == s.text


# ------------------------------------------------------------------ bad documents in a batch


def test_no_document_is_lost(work: Path) -> None:
    """N inputs, some bad: N - bad documents in the output, every bad one reported, exit 1."""
    good = {f"g{i}.txt": f"Texte {i} : Paris et Lyon." for i in range(5)}
    for name, text in good.items():
        (work / name).write_text(text, encoding="utf-8")
    (work / "nul.txt").write_bytes(b"Paris\x00\x01\x02 binary")
    (work / "utf16.txt").write_bytes("Paris".encode("utf-16"))
    (work / "latin1.txt").write_bytes("Paris, café".encode("latin-1"))
    (work / "empty.txt").write_bytes(b"")
    (work / "blank.txt").write_bytes(b" \n\t\r\n")
    names = sorted(list(good) + ["nul.txt", "utf16.txt", "latin1.txt", "empty.txt", "blank.txt", "absent.txt"])
    result = extract("-r", "cities.rules", "-o", "out.jsonl", "--errors", "failed.jsonl", *names)
    assert result.exit_code == 1, result.stderr
    assert sorted(set(docs_of((work / "out.jsonl").read_text(encoding="utf-8")))) == sorted(good)
    err = result.stderr
    assert "error: nul.txt: binary file, skipped" in err
    assert "error: utf16.txt: UTF-16 text, skipped" in err
    assert "error: latin1.txt: invalid UTF-8 at byte 10" in err
    assert "error: absent.txt:" in err
    assert "warning: empty.txt: empty document" in err and "warning: blank.txt: empty document" in err
    assert "4 document(s) failed" in err
    report = [json.loads(line) for line in (work / "failed.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["doc"] for r in report) == ["absent.txt", "latin1.txt", "nul.txt", "utf16.txt"]
    assert {r["stage"] for r in report} == {"read"}


def test_empty_documents_are_not_failures(work: Path) -> None:
    (work / "empty.txt").write_bytes(b"")
    result = extract("-r", "cities.rules", "empty.txt")
    assert result.exit_code == 0 and result.stdout == ""
    assert "warning: empty.txt: empty document" in result.stderr


def test_invalid_utf8_can_be_read_with_replacement(work: Path) -> None:
    (work / "latin1.txt").write_bytes("café à Paris".encode("latin-1"))
    result = extract("-r", "cities.rules", "--encoding-errors", "replace", "latin1.txt")
    assert result.exit_code == 0, result.stderr
    [record] = [parse_record(line) for line in result.stdout.splitlines()]
    assert record.span.text == "Paris" and record.span.start == 7  # one U+FFFD per bad byte


def test_bad_jsonl_lines_are_reported_by_line(work: Path) -> None:
    lines = [
        '{"id": "a", "text": "Paris"}',
        "{not json",
        '{"id": "b"}',
        '["Paris"]',
        '{"id": "c", "text": 3}',
        '{"id": "d", "text": "Lyon\\u0000 et Paris \\ud800 Lyon"}',
        '{"id": "e", "text": "Paris\x00"}',  # a raw NUL byte: invalid JSON
    ]
    (work / "in.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    result = extract("-r", "cities.rules", "-o", "out.jsonl", "in.jsonl")
    assert result.exit_code == 1
    for number in (2, 3, 4, 5, 7):
        assert f"error: in.jsonl:{number}: " in result.stderr
    assert "5 document(s) failed" in result.stderr
    out = (work / "out.jsonl").read_text(encoding="utf-8")
    assert docs_of(out) == ["a", "d", "d", "d"]
    d_text = json.loads(lines[5])["text"]
    records = [parse_record(line) for line in out.splitlines()][1:]
    check_offsets(records, d_text)
    assert "\\ud800" not in out  # the surrogate is not inside any span here, but the line is valid JSON


def test_lone_surrogates_round_trip_in_jsonl(work: Path) -> None:
    text = "\ud800Paris\udfff"
    (work / "in.jsonl").write_text(json.dumps({"id": "s", "text": text}) + "\n", encoding="ascii")
    rules = '''phase p { rule all match x:/.Paris./ emit Mention(label="x", span=x) }'''
    (work / "all.rules").write_text(rules, encoding="utf-8")
    result = extract("-r", "all.rules", "in.jsonl")
    assert result.exit_code == 0, result.stderr
    [line] = result.stdout.splitlines()
    record = json.loads(line)
    assert record["span"] == {"start": 0, "end": 7, "text": text}
    csv = extract("-r", "all.rules", "-f", "csv", "in.jsonl")
    assert csv.exit_code == 0 and "\ufffdParis\ufffd" in csv.stdout


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_offsets_index_the_file_as_it_is(work: Path, newline: str) -> None:
    """No newline translation, and a BOM is not part of the text: `read_bytes().decode("utf-8-sig")`."""
    text = newline.join(["Ligne une : Paris.", "", "Deux\r\nTrois\rQuatre\n Lyon", "Paris"])
    (work / "doc.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = extract("-r", "cities.rules", "doc.txt")
    assert result.exit_code == 0, result.stderr
    records = [parse_record(line) for line in result.stdout.splitlines()]
    assert [r.span.text for r in records] == ["Paris", "Lyon", "Paris"]
    as_given = (work / "doc.txt").read_bytes().decode("utf-8-sig")
    check_offsets(records, as_given)
    with open(work / "doc.txt", encoding="utf-8-sig", newline="") as fh:
        assert fh.read() == as_given


# ------------------------------------------------------------------ time budgets


def test_a_document_past_its_time_budget_fails_and_the_batch_goes_on(work: Path) -> None:
    (work / "slow.rules").write_text(RUNAWAY_REGEX, encoding="utf-8")
    (work / "a.txt").write_text("a" * 5000, encoding="utf-8")
    (work / "ok.txt").write_text("abc1", encoding="utf-8")
    result = extract("-r", "slow.rules", "--timeout", "0.3", "a.txt", "ok.txt", "--errors", "failed.jsonl")
    assert result.exit_code == 1
    assert "error: a.txt: time budget of 0.3 s used up in rule slow (slow.rules:3)" in result.stderr
    assert docs_of(result.stdout) == ["ok.txt"]
    [failure] = [json.loads(line) for line in (work / "failed.jsonl").read_text().splitlines()]
    assert failure == {"doc": "a.txt", "stage": "extract", "error": "time budget of 0.3 s used up in rule slow (slow.rules:3)"}


@pytest.mark.parametrize("value", ["-1", "soon", "nan"])
def test_bad_timeout_is_a_usage_error(work: Path, value: str) -> None:
    result = extract("-r", "cities.rules", "--timeout", value, "-")
    assert result.exit_code == 2 and "--timeout" in result.stderr


def test_unbounded_runaway_pattern_is_refused(work: Path) -> None:
    (work / "slow.rules").write_text(RUNAWAY_RE.replace("{REPEAT}", "+"), encoding="utf-8")
    (work / "a.txt").write_text("a" * 5000, encoding="utf-8")
    result = extract("-r", "slow.rules", "--timeout", "1", "a.txt")
    assert result.exit_code == 2 and "slow.rules:4" in result.stderr and "E310" in result.stderr


def test_runaway_stdlib_pattern_under_a_budget_does_not_hang(tmp_path: Path) -> None:
    """A rule that backtracks for ages on `"a" * 5000`, under a budget, in a subprocess with a deadline."""
    (tmp_path / "slow.rules").write_text(RUNAWAY_RE.replace("{REPEAT}", "{1,40}"), encoding="utf-8")
    (tmp_path / "a.txt").write_text("a" * 5000, encoding="utf-8")
    (tmp_path / "ok.txt").write_text("aab", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ruleie.cli", "extract", "-r", "slow.rules", "--timeout", "1", "a.txt", "ok.txt"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=20,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("extraction hung past its 1 s budget: the pattern ran in an engine that cannot be interrupted")
    assert proc.returncode == 1, proc.stderr
    assert "error: a.txt: time budget of 1 s used up in rule slow (slow.rules:3)" in proc.stderr
    assert docs_of(proc.stdout) == ["ok.txt"]


# ------------------------------------------------------------------ resume


def test_resume_skips_documents_already_written(work: Path) -> None:
    for i in range(4):
        (work / f"d{i}.txt").write_text(f"Paris {i}", encoding="utf-8")
    (work / "nothing.txt").write_text("rien ici", encoding="utf-8")
    first = extract("-r", "cities.rules", "-o", "out.jsonl", "d0.txt", "d1.txt")
    assert first.exit_code == 0
    before = (work / "out.jsonl").read_text(encoding="utf-8")
    (work / "d0.txt").write_text("Lyon Lyon", encoding="utf-8")  # changed, but done: not run again
    result = extract("-r", "cities.rules", "-o", "out.jsonl", "--resume", "d0.txt", "d1.txt", "d2.txt", "nothing.txt", "d3.txt")
    assert result.exit_code == 0, result.stderr
    after = (work / "out.jsonl").read_text(encoding="utf-8")
    assert after.startswith(before)
    assert docs_of(after) == ["d0.txt", "d1.txt", "d2.txt", "d3.txt"]
    assert "resume: 2 document(s) already in out.jsonl, skipped" in result.stderr
    again = extract("-r", "cities.rules", "-o", "out.jsonl", "--resume", "d0.txt", "d1.txt", "d2.txt", "nothing.txt", "d3.txt")
    assert again.exit_code == 0 and (work / "out.jsonl").read_text(encoding="utf-8") == after


def test_resume_runs_failed_documents_again(work: Path) -> None:
    (work / "a.txt").write_text("Paris", encoding="utf-8")
    (work / "b.txt").write_bytes(b"Lyon \xff")
    assert extract("-r", "cities.rules", "-o", "out.jsonl", "a.txt", "b.txt").exit_code == 1
    (work / "b.txt").write_text("Lyon", encoding="utf-8")  # fixed
    result = extract("-r", "cities.rules", "-o", "out.jsonl", "--resume", "a.txt", "b.txt")
    assert result.exit_code == 0
    assert docs_of((work / "out.jsonl").read_text(encoding="utf-8")) == ["a.txt", "b.txt"]


def test_resume_without_a_previous_output_is_a_plain_run(work: Path) -> None:
    (work / "a.txt").write_text("Paris", encoding="utf-8")
    result = extract("-r", "cities.rules", "-o", "out.jsonl", "--resume", "a.txt")
    assert result.exit_code == 0 and docs_of((work / "out.jsonl").read_text(encoding="utf-8")) == ["a.txt"]


@pytest.mark.parametrize("args", [["--resume"], ["--resume", "-o", "out.csv", "-f", "csv"], ["--resume", "-o", "-"]])
def test_resume_needs_a_jsonl_output_file(work: Path, args: list[str]) -> None:
    result = extract("-r", "cities.rules", *args, "-")
    assert result.exit_code == 2 and "--resume needs" in result.stderr


def test_resume_refuses_a_file_that_is_not_records(work: Path) -> None:
    (work / "out.jsonl").write_text('{"doc": "a", "type": "Mention"}\nnot json\n', encoding="utf-8")
    result = extract("-r", "cities.rules", "-o", "out.jsonl", "--resume", "-", stdin=b"Paris")
    assert result.exit_code == 2 and "out.jsonl:2: not a JSON record" in result.stderr
    assert (work / "out.jsonl").read_text(encoding="utf-8") == '{"doc": "a", "type": "Mention"}\nnot json\n'


def test_a_failing_resume_leaves_the_previous_file(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An interruption while writing (here: an error after the first document) keeps the old file."""
    (work / "a.txt").write_text("Paris", encoding="utf-8")
    (work / "b.txt").write_text("Lyon", encoding="utf-8")
    assert extract("-r", "cities.rules", "-o", "out.jsonl", "a.txt").exit_code == 0
    before = (work / "out.jsonl").read_bytes()
    from ruleie.io import writers

    def broken(self, records, document=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(writers.Writer, "write", broken)
    result = extract("-r", "cities.rules", "-o", "out.jsonl", "--resume", "a.txt", "b.txt")
    assert result.exit_code == 130 and "out.jsonl left as it was" in result.stderr
    assert (work / "out.jsonl").read_bytes() == before
    assert [p.name for p in work.iterdir() if p.name.endswith(".tmp")] == []


# ------------------------------------------------------------------ long documents


def test_a_long_document_is_split_with_exact_offsets(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ruleie.api

    paragraph = "Le maire de Paris a parlé. Puis Lyon a répondu.\n\nEnsuite Paris encore. "
    text = paragraph * 40
    (work / "long.txt").write_text(text, encoding="utf-8")
    whole = extract("-r", "cities.rules", "long.txt")
    real = ruleie.api.RuleSet.extract_many

    def small_pieces(self, docs, **kw):
        return real(self, docs, **{**kw, "split_chars": 100})

    monkeypatch.setattr(ruleie.api.RuleSet, "extract_many", small_pieces)
    html = extract("-r", "cities.rules", "-f", "html", "long.txt")  # HTML takes the document whole
    assert html.exit_code == 0 and html.stdout.count('class="id">long.txt<') == 1
    for jobs in ("1", "2"):  # pieces streamed through a spill file, in order
        split = extract("-r", "cities.rules", "-j", jobs, "long.txt")
        assert split.exit_code == 0, split.stderr
        assert split.stdout == whole.stdout
    check_offsets([parse_record(line) for line in split.stdout.splitlines()], text)
    assert len(split.stdout.splitlines()) == 120
