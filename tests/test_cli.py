"""The `ruleie` command end to end, run as a subprocess on a small rule folder."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ruleie.records import RECORD_TYPES, parse_record

REPO = Path(__file__).resolve().parent.parent

RULES = '''# quotes introduced by "a dit :"
lexicon NAMES = {"marie", "paul"}
phase people {
  rule person "A first name." match who:@NAMES mark Speaker
}
phase quotes {
  rule said match s:<Speaker> "a" "dit" ":" q:/[^.]+/
    emit Quote(content=q, speaker=s, kind="direct", cue_lemma=lower(s))
}
test "marie"
  text "Marie a dit : bonjour."
  expect Quote(content="bonjour", speaker="Marie")
  expect no Accusation
'''

FAILING_TEST = '''
test "wrong"
  text "Paul a dit : bonjour."
  expect Quote(content="au revoir")
'''


def run(args: list[str], cwd: Path, cache: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RULEIE_CACHE_DIR")}
    env["PYTHONPATH"] = str(REPO)
    env["RULEIE_CACHE_DIR"] = str(cache)
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run(
        [sys.executable, "-m", "ruleie.cli", *args],
        cwd=cwd,
        env=env,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=120,
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """tmp_path with rules/quotes.rules and a few documents."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "quotes.rules").write_text(RULES, encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "one.txt").write_text("Marie a dit : bonjour.", encoding="utf-8")
    (docs / "sub" / "two.txt").write_text("Rien. Paul a dit : salut à tous.", encoding="utf-8")
    (docs / "notes.md").write_text("Paul a dit : pas un document.", encoding="utf-8")
    return tmp_path


@pytest.fixture
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


def records_of(stdout: str) -> list:
    return [parse_record(line) for line in stdout.splitlines() if line.strip()]


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


# ------------------------------------------------------------------ check


def test_check_ok(work: Path, cache: Path) -> None:
    proc = run(["check", "rules"], work, cache)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok:")
    assert "2 rules in 2 phases, 1 tests" in proc.stdout


def test_check_single_file(work: Path, cache: Path) -> None:
    proc = run(["check", "rules/quotes.rules"], work, cache)
    assert proc.returncode == 0, proc.stderr
    assert "ok:" in proc.stdout


@pytest.mark.parametrize(
    "typo, where, message",
    [
        pytest.param(('<Speaker> "a"', '<Speakr> "a"'), "rules/quotes.rules:7:21", "error E104", id="unknown-label"),
        pytest.param(("@NAMES mark", "@NAMS mark"), "rules/quotes.rules:4:41", "did you mean 'NAMES'?", id="unknown-lexicon"),
        pytest.param(('kind="direct"', 'kind="direkt"'), "rules/quotes.rules:8:43", "error E110", id="bad-enum"),
        pytest.param((" match s:", " mtch s:"), "rules/quotes.rules:7:13", "error E001", id="syntax"),
    ],
)
def test_check_reports_errors(work: Path, cache: Path, typo: tuple[str, str], where: str, message: str) -> None:
    path = work / "rules" / "quotes.rules"
    path.write_text(RULES.replace(*typo), encoding="utf-8")
    proc = run(["check", "rules"], work, cache)
    assert proc.returncode == 2
    assert where in proc.stderr
    assert message in proc.stderr
    lines = proc.stderr.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip().startswith("^"))
    col = int(where.rsplit(":", 1)[1])
    assert lines[caret].index("^") == 4 + col - 1
    assert lines[caret - 1].strip() in RULES.replace(*typo)
    assert proc.stdout == ""
    assert_no_traceback(proc)


def test_check_missing_folder(work: Path, cache: Path) -> None:
    proc = run(["check", "nowhere"], work, cache)
    assert proc.returncode == 2
    assert "E205" in proc.stderr
    assert_no_traceback(proc)


def test_check_strict_warnings(work: Path, cache: Path) -> None:
    (work / "rules" / "quotes.rules").write_text(RULES + '\nmacro UNUSED = "x"\n', encoding="utf-8")
    proc = run(["check", "rules"], work, cache)
    assert proc.returncode == 0
    assert "W501" in proc.stderr and " warnings" in proc.stdout
    assert run(["check", "--strict", "rules"], work, cache).returncode == 2


# ------------------------------------------------------------------ test


def test_test_passing(work: Path, cache: Path) -> None:
    proc = run(["test", "rules", "-v"], work, cache)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS marie" in proc.stdout
    assert "1 passed, 0 failed; 2/2 rules covered" in proc.stdout


def test_test_failing(work: Path, cache: Path) -> None:
    (work / "rules" / "quotes.rules").write_text(RULES + FAILING_TEST, encoding="utf-8")
    proc = run(["test", "rules"], work, cache)
    assert proc.returncode == 1
    assert "FAIL wrong" in proc.stdout
    assert "expected Quote(content='au revoir'), got Quote(content='bonjour')" in proc.stdout
    assert "rules/quotes.rules:17:10: expected" in proc.stdout  # where the failing expectation is
    assert "1 passed, 1 failed" in proc.stdout
    assert_no_traceback(proc)


def test_test_reports_uncovered_rules(work: Path, cache: Path) -> None:
    source = RULES + 'phase extra { rule never match "zzz" emit Mention(label="z") }\n'
    (work / "rules" / "quotes.rules").write_text(source, encoding="utf-8")
    proc = run(["test", "rules"], work, cache)
    assert proc.returncode == 0
    assert "rules no test exercises: never" in proc.stdout
    assert "2/3 rules covered" in proc.stdout


def test_test_reports_tests_that_exercise_several_rules(work: Path, cache: Path) -> None:
    source = RULES + 'test "names only"\n  text "Paul."\n  expect Speaker(span="Paul")\n'
    (work / "rules" / "quotes.rules").write_text(source, encoding="utf-8")
    proc = run(["test", "rules"], work, cache)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-2:] == ["1 of 2 tests exercise several rules (-v lists them)",
                                             "2 passed, 0 failed; 2/2 rules covered"]
    proc = run(["test", "rules", "-v"], work, cache)
    assert "tests that exercise several rules:\n  marie (rules/quotes.rules:10:1): person, said\n" in proc.stdout
    assert "names only (rules/quotes.rules:14:1):" not in proc.stdout


# ------------------------------------------------------------------ extract


def test_extract_file(work: Path, cache: Path) -> None:
    proc = run(["extract", "-r", "rules", "docs/one.txt"], work, cache)
    assert proc.returncode == 0, proc.stderr
    (rec,) = records_of(proc.stdout)
    assert (rec.type, rec.doc, rec.rule) == ("Quote", "docs/one.txt", "said")
    assert (rec.speaker.text, rec.content.text, rec.content.start, rec.content.end) == ("Marie", "bonjour", 14, 21)


def test_extract_folder_is_recursive_and_sorted(work: Path, cache: Path) -> None:
    proc = run(["extract", "-r", "rules", "docs"], work, cache)
    assert proc.returncode == 0, proc.stderr
    recs = records_of(proc.stdout)
    assert [(r.doc, r.content.text) for r in recs] == [("docs/one.txt", "bonjour"), ("docs/sub/two.txt", "salut à tous")]
    text = (work / "docs" / "sub" / "two.txt").read_text(encoding="utf-8")
    assert text[recs[1].span.start : recs[1].span.end] == recs[1].span.text


def test_extract_glob(work: Path, cache: Path) -> None:
    proc = run(["extract", "-r", "rules", "--glob", "*.md", "docs"], work, cache)
    assert proc.returncode == 0, proc.stderr
    assert [r.doc for r in records_of(proc.stdout)] == ["docs/notes.md"]


def test_extract_stdin(work: Path, cache: Path) -> None:
    proc = run(["extract", "-r", "rules"], work, cache, stdin="Paul a dit : oui, l’été.".encode())
    assert proc.returncode == 0, proc.stderr
    (rec,) = records_of(proc.stdout)
    assert (rec.doc, rec.content.text) == ("<stdin>", "oui, l’été")
    proc = run(["extract", "-r", "rules", "-"], work, cache, stdin=b"Marie a dit : non.")
    assert [r.content.text for r in records_of(proc.stdout)] == ["non"]


def test_extract_jsonl(work: Path, cache: Path) -> None:
    lines = [
        {"id": "a1", "text": "Marie a dit : oui."},
        {"id": 7, "text": "Rien ici."},
        {"text": "Paul a dit : non."},
        {"id": "a3", "text": "Paul a dit : peut-être.", "date": "2024-03-15"},
    ]
    (work / "in.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8")
    proc = run(["extract", "-r", "rules", "in.jsonl"], work, cache)
    assert proc.returncode == 0, proc.stderr
    assert [(r.doc, r.content.text) for r in records_of(proc.stdout)] == [("a1", "oui"), ("in.jsonl:3", "non"), ("a3", "peut-être")]


def test_extract_jsonl_from_stdin(work: Path, cache: Path) -> None:
    data = json.dumps({"id": "s1", "text": "Marie a dit : oui."}).encode() + b"\n"
    proc = run(["extract", "-r", "rules", "--input-format", "jsonl"], work, cache, stdin=data)
    assert proc.returncode == 0, proc.stderr
    assert [r.doc for r in records_of(proc.stdout)] == ["s1"]


def test_extract_jsonl_bad_line(work: Path, cache: Path) -> None:
    (work / "in.jsonl").write_text('{"id": "ok", "text": "Marie a dit : oui."}\n{not json\n{"id": "no-text"}\n', encoding="utf-8")
    proc = run(["extract", "-r", "rules", "in.jsonl"], work, cache)
    assert proc.returncode == 1
    assert "in.jsonl:2" in proc.stderr and "invalid JSON" in proc.stderr
    assert "in.jsonl:3" in proc.stderr
    assert [r.doc for r in records_of(proc.stdout)] == ["ok"]
    assert_no_traceback(proc)


def test_extract_table(work: Path, cache: Path) -> None:
    proc = run(["extract", "-r", "rules", "--format", "table", "docs/one.txt"], work, cache)
    assert proc.returncode == 0, proc.stderr
    for text in ("doc", "type", "span", "rule", "docs/one.txt", "Quote", "0-21", "Marie a dit : bonjour", "said"):
        assert text in proc.stdout


def test_extract_csv(work: Path, cache: Path) -> None:
    proc = run(["extract", "-r", "rules", "-f", "csv", "docs"], work, cache)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [(r["doc"], r["type"], r["content_text"], r["speaker_text"], r["kind"]) for r in rows] == [
        ("docs/one.txt", "Quote", "bonjour", "Marie", "direct"),
        ("docs/sub/two.txt", "Quote", "salut à tous", "Paul", "direct"),
    ]
    assert (rows[0]["span_start"], rows[0]["span_end"], rows[0]["rule"]) == ("0", "21", "said")


def test_extract_csv_header_without_records(work: Path, cache: Path) -> None:
    proc = run(["extract", "-r", "rules", "-f", "csv", "-"], work, cache, stdin=b"rien")
    assert proc.returncode == 0
    header = proc.stdout.splitlines()[0].split(",")
    assert header[:7] == ["doc", "type", "rule", "origin", "span_start", "span_end", "span_text"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table"])
def test_extract_output_file(work: Path, cache: Path, fmt: str) -> None:
    proc = run(["extract", "-r", "rules", "-f", fmt, "-o", "out.txt", "docs"], work, cache)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    written = (work / "out.txt").read_text(encoding="utf-8")
    assert "salut à tous" in written and "bonjour" in written
    if fmt == "jsonl":
        assert len(records_of(written)) == 2
    assert not [p for p in work.iterdir() if p.name.startswith(".out.txt")]  # no temporary file left


def test_bad_documents_in_a_batch(work: Path, cache: Path) -> None:
    (work / "docs" / "bad.txt").write_bytes(b"Paul a dit : caf\xe9 \xff.")
    (work / "docs" / "binary.txt").write_bytes(b"Paul a dit\x00 : \x00\x01\x02.")
    proc = run(["extract", "-r", "rules", "-o", "out.jsonl", "docs"], work, cache)
    assert proc.returncode == 1
    assert "docs/bad.txt" in proc.stderr and "UTF-8" in proc.stderr
    assert "docs/binary.txt" in proc.stderr and "binary" in proc.stderr
    assert "2 document(s) failed" in proc.stderr
    recs = records_of((work / "out.jsonl").read_text(encoding="utf-8"))
    assert [r.doc for r in recs] == ["docs/one.txt", "docs/sub/two.txt"]
    assert_no_traceback(proc)


def test_bad_document_with_replace(work: Path, cache: Path) -> None:
    (work / "bad.txt").write_bytes(b"Paul a dit : caf\xe9.")
    proc = run(["extract", "-r", "rules", "--encoding-errors", "replace", "bad.txt"], work, cache)
    assert proc.returncode == 0, proc.stderr
    assert [r.content.text for r in records_of(proc.stdout)] == ["caf\ufffd"]


def test_missing_input_file(work: Path, cache: Path) -> None:
    proc = run(["extract", "-r", "rules", "docs/one.txt", "docs/absent.txt"], work, cache)
    assert proc.returncode == 1
    assert "docs/absent.txt" in proc.stderr
    assert [r.doc for r in records_of(proc.stdout)] == ["docs/one.txt"]


@pytest.mark.parametrize(
    "value",
    [
        "hier",
        "15/03/2024",
        "2024-3-15",
        "",
        "2024-13-45",
        "2024-02-30",
        "2024-13",
        "2024-03-15T25:00",
    ],
)
def test_invalid_doc_date(work: Path, cache: Path, value: str) -> None:
    proc = run(["extract", "-r", "rules", "--doc-date", value, "docs/one.txt"], work, cache)
    assert proc.returncode == 2
    assert "--doc-date" in proc.stderr
    assert proc.stdout == ""
    assert_no_traceback(proc)


@pytest.mark.parametrize("value", ["2024-03-15", "2024-03-15T10:30", "2024-03"])
def test_valid_doc_date(work: Path, cache: Path, value: str) -> None:
    proc = run(["extract", "-r", "rules", "--doc-date", value, "docs/one.txt"], work, cache)
    assert proc.returncode == 0, proc.stderr
    assert len(records_of(proc.stdout)) == 1


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--format", "xml"], id="unknown-format"),
        pytest.param(["--input-format", "pdf"], id="unknown-input-format"),
        pytest.param(["--encoding-errors", "ignore"], id="unknown-encoding-errors"),
    ],
)
def test_usage_errors(work: Path, cache: Path, args: list[str]) -> None:
    proc = run(["extract", "-r", "rules", *args, "docs/one.txt"], work, cache)
    assert proc.returncode == 2
    assert "error" in proc.stderr
    assert_no_traceback(proc)


def test_extract_with_broken_rules(work: Path, cache: Path) -> None:
    (work / "rules" / "quotes.rules").write_text(RULES.replace("emit Quote", "emit Qoute"), encoding="utf-8")
    proc = run(["extract", "-r", "rules", "docs/one.txt"], work, cache)
    assert proc.returncode == 2
    assert "rules/quotes.rules:8:10: error E105" in proc.stderr
    assert "did you mean 'Quote'?" in proc.stderr
    assert_no_traceback(proc)


def test_extract_uses_the_cache(work: Path, cache: Path) -> None:
    first = run(["extract", "-r", "rules", "docs/one.txt"], work, cache)
    assert list(cache.glob("*.json"))
    second = run(["extract", "-r", "rules", "docs/one.txt"], work, cache)
    assert first.stdout == second.stdout != ""
    # a changed rule file is recompiled, not served from the cache
    (work / "rules" / "quotes.rules").write_text(RULES.replace('"a" "dit"', '"a" "écrit"'), encoding="utf-8")
    third = run(["extract", "-r", "rules", "docs/one.txt"], work, cache)
    assert third.returncode == 0 and third.stdout == ""


# ------------------------------------------------------------------ schema, explain, version


def test_schema(work: Path, cache: Path) -> None:
    proc = run(["schema"], work, cache)
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert schema["title"] == "ruleie record"
    text = json.dumps(schema)
    for name in RECORD_TYPES:
        assert f'"{name}"' in text
    defs = schema.get("$defs", {})
    assert set(RECORD_TYPES) <= set(defs)
    assert "content" in defs["Quote"]["properties"]


def test_explain(work: Path, cache: Path) -> None:
    proc = run(["explain", "rules", "Marie a dit : bonjour. Paul a dit : salut."], work, cache)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "matches:" in out and "records:" in out
    assert "rule person (rules/quotes.rules:4) -> Speaker [kept]" in out
    assert "0-21 'Marie a dit : bonjour'  rule said (rules/quotes.rules:7) -> Quote [kept]" in out
    assert "who = 'Marie' (0-5)" in out
    assert "s = 'Paul' (23-27)" in out
    assert "q = 'salut' (36-41)" in out
    recs = [json.loads(line) for line in out.split("records:", 1)[1].splitlines() if line.strip()]
    assert [(r["type"], r["content"]["text"]) for r in recs] == [("Quote", "bonjour"), ("Quote", "salut")]


def test_explain_file_and_stdin(work: Path, cache: Path) -> None:
    proc = run(["explain", "rules", "docs/one.txt"], work, cache)
    assert proc.returncode == 0 and "q = 'bonjour' (14-21)" in proc.stdout
    proc = run(["explain", "rules", "-"], work, cache, stdin="Paul a dit : l’été.".encode())
    assert proc.returncode == 0 and "q = 'l’été' (13-18)" in proc.stdout


def test_explain_shows_lost_matches(work: Path, cache: Path) -> None:
    source = 'phase p {\n  rule long match "a" "b" emit Mention(label="l")\n  rule short match "b" emit Mention(label="s")\n}\n'
    (work / "rules" / "quotes.rules").write_text(source, encoding="utf-8")
    proc = run(["explain", "rules", "a b"], work, cache)
    assert proc.returncode == 0
    assert "rule long" in proc.stdout and "[kept]" in proc.stdout
    assert "rule short" in proc.stdout and "[lost to overlap]" in proc.stdout


def test_version_and_help(work: Path, cache: Path) -> None:
    proc = run(["--version"], work, cache)
    assert proc.returncode == 0 and proc.stdout.startswith("ruleie ")
    proc = run(["--help"], work, cache)
    assert proc.returncode == 0
    for command in ("extract", "check", "test", "explain", "schema"):
        assert command in proc.stdout
