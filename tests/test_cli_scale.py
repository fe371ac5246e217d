"""`ruleie extract` at scale: gzip and JSONL input, -j with ordered output and bounded read-ahead,
atomic output under Ctrl-C, the progress bar on a terminal, HTML output, schema-valid records,
`explain` showing rule sources, and the README's command-line examples."""

from __future__ import annotations

import gzip
import json
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import ruleie
import ruleie.api as api
from ruleie.records import parse_record

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "tests" / "io" / "data" / "news.rules"
README = REPO / "README.md"

SAYINGS = [
    "« Oui {i} », a dit Hugo Ferrand.",
    "Marc Allègre a accusé la direction d'avoir menti {i} fois.",
    "Rien {i}.",
    "Claire Vasseur a déclaré : « Le 12 mars, peut-être {i}. »",
]


def env_for(cache: Path, extra_path: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RULEIE_CACHE_DIR", "FORCE_COLOR", "NO_COLOR")}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (extra_path, REPO) if p)
    env["RULEIE_CACHE_DIR"] = str(cache)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(args: list[str], cwd: Path, cache: Path, stdin: bytes = b"", timeout: float = 180) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "ruleie.cli", *args], cwd=cwd, env=env_for(cache), input=stdin,
                          capture_output=True, timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def records_of(stdout: str) -> list:
    return [parse_record(line) for line in stdout.splitlines() if line.strip()]


def corpus(n: int) -> list[dict]:
    return [{"id": f"d{i:04d}", "text": SAYINGS[i % len(SAYINGS)].format(i=i), "date": "2024-03-15"} for i in range(n)]


def jsonl(docs: list[dict]) -> bytes:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode()


@pytest.fixture
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copy(RULES, tmp_path / "news.rules")
    (tmp_path / "docs.jsonl").write_bytes(jsonl(corpus(40)))
    return tmp_path


# ------------------------------------------------------------------ inputs


def test_gzip_inputs_give_the_same_records(work: Path, cache: Path) -> None:
    (work / "docs.jsonl.gz").write_bytes(gzip.compress((work / "docs.jsonl").read_bytes()))
    (work / "folder" / "sub").mkdir(parents=True)
    (work / "folder" / "a.txt").write_text(SAYINGS[0].format(i=1), encoding="utf-8")
    (work / "folder" / "sub" / "b.txt.gz").write_bytes(gzip.compress(SAYINGS[3].format(i=2).encode()))
    plain = run(["extract", "-r", "news.rules", "docs.jsonl"], work, cache)
    packed = run(["extract", "-r", "news.rules", "docs.jsonl.gz"], work, cache)
    piped = run(["extract", "-r", "news.rules"], work, cache, stdin=(work / "docs.jsonl.gz").read_bytes())
    assert plain.returncode == packed.returncode == piped.returncode == 0, plain.stderr + packed.stderr + piped.stderr
    assert plain.stdout == packed.stdout == piped.stdout and len(records_of(plain.stdout)) > 40
    folder = run(["extract", "-r", "news.rules", "folder"], work, cache)
    assert sorted({r.doc for r in records_of(folder.stdout)}) == ["folder/a.txt", "folder/sub/b.txt.gz"]


def test_corrupt_gzip_is_reported_and_the_rest_processed(work: Path, cache: Path) -> None:
    (work / "bad.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    proc = run(["extract", "-r", "news.rules", "bad.txt.gz", "docs.jsonl"], work, cache)
    assert proc.returncode == 1
    assert "bad.txt.gz" in proc.stderr and "corrupt gzip data" in proc.stderr and "Traceback" not in proc.stderr
    assert len(records_of(proc.stdout)) > 40


# ------------------------------------------------------------------ -j


def test_parallel_output_is_ordered_and_identical(work: Path, cache: Path) -> None:
    (work / "many.jsonl").write_bytes(jsonl(corpus(300)))
    one = run(["extract", "-r", "news.rules", "many.jsonl"], work, cache)
    two = run(["extract", "-r", "news.rules", "-j", "2", "many.jsonl"], work, cache)
    auto = run(["extract", "-r", "news.rules", "-j", "0", "-f", "csv", "many.jsonl"], work, cache)
    assert one.returncode == two.returncode == auto.returncode == 0, two.stderr
    assert one.stdout == two.stdout
    docs = [r.doc for r in records_of(two.stdout)]
    assert docs == sorted(docs) and len(set(docs)) == 225  # the "Rien" documents have no records
    assert len(auto.stdout.splitlines()) == len(one.stdout.splitlines()) + 1


class Source:
    """A document stream that counts how many documents were taken from it."""

    def __init__(self, n: int):
        self.n = n
        self.taken = 0

    def __iter__(self):
        for doc in corpus(self.n):
            self.taken += 1
            yield doc


@pytest.mark.parametrize("n_jobs, chunksize", [(2, 8), (2, 1), (1, 8)])
def test_extract_many_reads_a_bounded_window_ahead(n_jobs: int, chunksize: int) -> None:
    rules = ruleie.load(RULES)
    source = Source(1_000_000)
    outcomes = rules.extract_many(source, n_jobs=n_jobs, chunksize=chunksize)
    bound = n_jobs * chunksize * api._WINDOW_PER_WORKER if n_jobs > 1 else 1
    got = []
    for _ in range(100):
        got.append(next(outcomes).doc)
        assert source.taken <= len(got) + bound + chunksize
    outcomes.close()
    assert got == [f"d{i:04d}" for i in range(100)]


def test_extract_many_survives_a_worker_that_dies(monkeypatch: pytest.MonkeyPatch) -> None:
    real = api._run_one

    def fragile(engine, doc, *options):
        if doc.text == "CRASH":
            os._exit(3)  # a worker killed mid-document (OOM killer, a crash in native code)
        return real(engine, doc, *options)

    monkeypatch.setattr(api, "_run_one", fragile)  # workers are forked: they inherit it
    docs = [d["text"] for d in corpus(30)] + ["CRASH"] + [d["text"] for d in corpus(30)]
    outcomes = list(ruleie.load(RULES).extract_many(docs, n_jobs=2, chunksize=4))
    assert [o.doc for o in outcomes] == [str(i) for i in range(61)]
    assert [(o.doc, o.error) for o in outcomes if o.error] == [("30", "worker process died while extracting this document")]
    assert sum(len(o.records) for o in outcomes) > 60


def test_extract_many_with_spawned_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where processes cannot be forked, workers rebuild the engine from the JSON spec."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    rules = ruleie.load(RULES)
    docs = [d["text"] for d in corpus(40)]
    assert [o.records for o in rules.extract_many(docs, n_jobs=2)] == [o.records for o in rules.extract_many(docs)]


def test_extract_many_stops_its_workers_when_abandoned() -> None:
    import multiprocessing

    outcomes = ruleie.load(RULES).extract_many(Source(100_000), n_jobs=2)
    next(outcomes)
    assert multiprocessing.active_children()
    outcomes.close()
    deadline = time.monotonic() + 20
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not multiprocessing.active_children()


# ------------------------------------------------------------------ output


def test_html_output(work: Path, cache: Path) -> None:
    evil = {"id": "<b>x</b>", "text": "<script>alert(1)</script> « Oui », a dit Hugo Ferrand."}
    (work / "docs.jsonl").write_bytes(jsonl(corpus(8) + [evil]))
    proc = run(["extract", "-r", "news.rules", "-f", "html", "-o", "page.html", "-j", "2", "docs.jsonl"], work, cache)
    assert proc.returncode == 0, proc.stderr
    source = (work / "page.html").read_text(encoding="utf-8")
    assert source.startswith("<!DOCTYPE html>") and source.count("<section ") == 9
    assert source.count("<script") == 1 and "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    assert "<title>ruleie: docs.jsonl</title>" in source and "9 documents" in source
    assert [m for m in re.findall(r'class="id">([^<]*)<', source)][-1] == "&lt;b&gt;x&lt;/b&gt;"


def test_unwritable_output_is_a_usage_error(work: Path, cache: Path) -> None:
    proc = run(["extract", "-r", "news.rules", "-o", "missing/out.jsonl", "docs.jsonl"], work, cache)
    assert proc.returncode == 2 and "cannot write output" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_leaves_the_previous_output_intact(work: Path, cache: Path, jobs: str) -> None:
    (work / "out.jsonl").write_text("previous\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ruleie.cli", "extract", "-r", "news.rules", "-j", jobs, "--input-format", "jsonl", "-o", "out.jsonl"],
        cwd=work, env=env_for(cache), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    proc.stdin.write(jsonl(corpus(100)))  # more to come: the run is in the middle of its input
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in work.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err.decode() and "Traceback" not in err.decode()
    assert (work / "out.jsonl").read_text(encoding="utf-8") == "previous\n"
    assert not [p.name for p in work.iterdir() if p.name.endswith(".tmp")]


def test_broken_pipe_is_quiet(work: Path, cache: Path) -> None:
    (work / "many.jsonl").write_bytes(jsonl(corpus(3000)))
    command = f'"{sys.executable}" -m ruleie.cli extract -r news.rules many.jsonl 2>err.txt | head -n 1; echo "${{PIPESTATUS[0]}}" > rc.txt'
    subprocess.run(["bash", "-c", command], cwd=work, env=env_for(cache), timeout=180, check=True, capture_output=True)
    assert (work / "err.txt").read_text() == ""
    assert (work / "rc.txt").read_text().strip() == "0"


def test_extract_output_validates_against_the_schema(work: Path, cache: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(run(["schema"], work, cache).stdout)
    proc = run(["extract", "-r", "news.rules", "docs.jsonl"], work, cache)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {line["type"] for line in lines} == {"Quote", "Accusation", "DateMention", "ReportingVerb"}
    validator = jsonschema.Draft202012Validator(schema)
    for line in lines:
        validator.validate(line)
    bad = dict(lines[0], kind="shouted") if lines[0]["type"] == "Quote" else dict(lines[0], span={"start": -1})
    assert not validator.is_valid(bad)


# ------------------------------------------------------------------ the terminal


def run_on_terminal(args: list[str], cwd: Path, cache: Path, stdout_to_terminal: bool = False) -> tuple[int, str, str]:
    """Run with stderr (and optionally stdout) on a pseudo-terminal; (exit code, stdout, terminal output)."""
    master, slave = pty.openpty()
    env = env_for(cache)
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    env.pop("CI", None)
    proc = subprocess.Popen([sys.executable, "-m", "ruleie.cli", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=slave if stdout_to_terminal else subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out = proc.stdout.read().decode() if proc.stdout else ""
    proc.wait(timeout=180)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal(work: Path, cache: Path) -> None:
    (work / "many.jsonl").write_bytes(jsonl(corpus(2000)))
    code, out, terminal = run_on_terminal(["extract", "-r", "news.rules", "-j", "2", "many.jsonl", "-o", "out.jsonl"], work, cache)
    assert code == 0, terminal
    assert "docs/s" in terminal and "MB/s" in terminal  # the bar
    assert re.search(r"records from 2,000 documents \([\d.]+ MB\) in [\d.]+ s: [\d,.]+ documents/s, [\d.]+ MB/s", terminal)
    assert len(records_of((work / "out.jsonl").read_text(encoding="utf-8"))) > 2000


def test_no_progress_when_quiet_or_piped(work: Path, cache: Path) -> None:
    code, out, terminal = run_on_terminal(["extract", "-q", "-r", "news.rules", "docs.jsonl", "-o", "out.jsonl"], work, cache)
    assert code == 0 and terminal == ""
    piped = run(["extract", "-r", "news.rules", "docs.jsonl", "-o", "out.jsonl"], work, cache)
    assert piped.returncode == 0 and piped.stderr == ""
    # records streaming to the terminal: no bar fighting with them
    code, _, terminal = run_on_terminal(["extract", "-r", "news.rules", "docs.jsonl"], work, cache, stdout_to_terminal=True)
    assert code == 0 and "docs/s" not in terminal and '"type":"Quote"' in terminal


def test_explain_prints_the_rules_that_fired(work: Path, cache: Path) -> None:
    text = "« Oui », a dit Hugo Ferrand. Marc Allègre a accusé la direction d'avoir menti."
    proc = run(["explain", "news.rules", text], work, cache)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.index("matches:") < out.index("rules that fired:") < out.index("records:")
    source = RULES.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(source, 1) if "rule quote_incise" in line)
    assert f"  news.rules:{start}  rule quote_incise" in out
    for offset in range(5):  # the whole multi-line rule, numbered
        assert f"{start + offset} | {source[start + offset - 1]}" in out
    assert "emit Quote(" in out and "rule speaker_colon" not in out  # only rules that fired
    assert "\x1b[" not in out  # plain when piped
    code, _, terminal = run_on_terminal(["explain", "news.rules", text], work, cache, stdout_to_terminal=True)
    assert code == 0 and "\x1b[" in terminal and "quote_incise" in terminal


def test_explain_finds_rule_files_from_another_directory(work: Path, cache: Path) -> None:
    (work / "elsewhere").mkdir()
    proc = run(["explain", str(work / "news.rules"), "« Oui », a dit Hugo Ferrand."], work / "elsewhere", cache)
    assert proc.returncode == 0 and "source not found" not in proc.stdout
    assert "emit Quote(content=content" in proc.stdout


# ------------------------------------------------------------------ the README's examples


def readme_blocks(section: str, info: str) -> list[str]:
    """Code blocks of one `## section` of the README (up to the next `## ` heading)."""
    text = README.read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{info}\n(.*?)```", body, re.S)


def readme_sandbox(tmp_path: Path, cache: Path) -> tuple[Path, dict[str, str]]:
    """A folder with the repository's examples, the tour's my.rules and a `ruleie` command on PATH.

    The examples run with the small test rule set in place of the built-in French pack (a
    `sitecustomize` points `builtin_rules_path` at it in every process, workers included): these
    tests are about the commands and the API, fast and independent of the pack, which
    `tests/pack` tests on its own.
    """
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    tour = re.findall(r"```rules\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[0]
    (tmp_path / "my.rules").write_text(tour, encoding="utf-8")
    hooks = tmp_path / "_hooks"
    hooks.mkdir()
    bin_dir = tmp_path / "_bin"
    bin_dir.mkdir()
    (bin_dir / "ruleie").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ruleie.cli "$@"\n')
    (bin_dir / "ruleie").chmod(0o755)
    env = env_for(cache, hooks)
    env["PATH"] = f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    (hooks / "sitecustomize.py").write_text(
        "import ruleie.api, pathlib\n"
        f"ruleie.api.builtin_rules_path = lambda: pathlib.Path({str(RULES)!r})\n"
    )
    return tmp_path, env


def test_readme_command_line_examples_run(tmp_path: Path, cache: Path) -> None:
    folder, env = readme_sandbox(tmp_path, cache)
    blocks = readme_blocks("Inputs, outputs and large runs", "bash")
    assert len(blocks) == 2
    for block in blocks:
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, f"{block}\n{proc.stdout}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr
    assert records_of((folder / "records.jsonl").read_text(encoding="utf-8")) is not None
    assert (folder / "records.csv").read_text(encoding="utf-8").startswith("doc,type,rule,origin,")
    assert "</html>" in (folder / "article.html").read_text(encoding="utf-8")


def test_readme_editor_support_examples_run(tmp_path: Path, cache: Path) -> None:
    if shutil.which("pygmentize") is None:
        pytest.skip("pygmentize is not on PATH")
    folder, env = readme_sandbox(tmp_path, cache)
    [block] = readme_blocks("Editor and documentation support", "bash")
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "rules that fired:" in proc.stdout and "rule quote_then_speaker" in proc.stdout
