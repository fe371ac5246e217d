"""`ruleie.dask` on a `dask.distributed.LocalCluster`: bags, dataframes, rules loaded once per worker."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

dask = pytest.importorskip("dask")
db = pytest.importorskip("dask.bag")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
distributed = pytest.importorskip("dask.distributed")

import ruleie  # noqa: E402
from ruleie.api import Document  # noqa: E402
from ruleie.dask import extract_bag, extract_partitions, loaded_rule_sets, records_frame  # noqa: E402
from ruleie.io.writers import csv_columns  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "tests" / "io" / "data" / "news.rules"
README = REPO / "README.md"

TEXTS = [
    "« Oui {i} », a dit Hugo Ferrand.",
    "Marc Allègre a accusé la direction d'avoir menti {i} fois.",
    "Rien {i}.",
]
DOCS = [{"id": f"d{i:02d}", "text": TEXTS[i % 3].format(i=i), "date": "2024-03-15"} for i in range(30)]


def expected() -> list[dict]:
    rules = ruleie.load(RULES)
    out = []
    for d in DOCS:
        out.extend(r.model_dump(mode="json") for r in rules.extract(d["text"], doc=d["id"], doc_date=d["date"]))
    return out


@pytest.fixture(scope="module")
def client():
    """A small in-process cluster: one worker, two threads."""
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_bag_of_dicts_gives_the_jsonl_records_in_order(client) -> None:
    records = extract_bag(db.from_sequence(DOCS, npartitions=4), rules=str(RULES)).compute()
    assert records == expected()
    assert {r["type"] for r in records} == {"Quote", "Accusation", "ReportingVerb"}
    assert records[0]["doc"] == "d00" and records[0]["speaker"]["text"] == "Hugo Ferrand"


def test_bag_of_texts_and_documents(client) -> None:
    texts = [d["text"] for d in DOCS[:3]]
    records = extract_bag(db.from_sequence(texts, npartitions=1), rules=RULES).compute()
    assert [r["doc"] for r in records if r["type"] == "Quote"] == ["0"]  # index within the partition
    docs = [Document(d["id"], d["text"]) for d in DOCS[:3]]
    assert {r["doc"] for r in extract_bag(db.from_sequence(docs), rules=RULES).compute()} == {"d00", "d01"}


def test_bag_with_a_loaded_ruleset(client) -> None:
    rules = ruleie.load(RULES)
    records = extract_bag(db.from_sequence(DOCS, npartitions=3), rules=rules).compute()
    assert records == expected()
    assert any(key.startswith("spec:") for key in loaded_rule_sets())


def test_bag_errors_are_items_when_asked(client, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = [{"id": "ok", "text": TEXTS[0]}, 42]
    with pytest.raises(TypeError):
        extract_bag(db.from_sequence(bad), rules=RULES).compute()
    items = extract_bag(db.from_sequence([{"id": "ok", "text": TEXTS[0]}]), rules=RULES, errors=True).compute()
    assert all(i["type"] != "Error" for i in items)


def test_dataframe_of_documents_gives_flattened_records(client) -> None:
    frame = dd.from_pandas(pd.DataFrame(DOCS), npartitions=3)
    result = extract_partitions(frame, rules=RULES)
    assert list(result.columns) == csv_columns()
    table = result.compute()
    want = expected()
    assert len(table) == len(want)
    assert table["doc"].tolist() == [r["doc"] for r in want]
    assert table["span_start"].tolist() == [r["span"]["start"] for r in want]
    quotes = table[table["type"] == "Quote"]
    assert set(quotes["speaker_text"]) == {"Hugo Ferrand"} and str(quotes["content_start"].dtype) == "Int64"
    assert table["charge_text"].dropna().str.startswith("avoir menti").all()


def test_dataframe_with_other_column_names_and_pandas_dates(client) -> None:
    pdf = pd.DataFrame({"body": [d["text"] for d in DOCS[:6]], "published": pd.to_datetime(["2024-03-15"] * 6)})
    pdf.index = [f"i{i}" for i in range(6)]
    table = extract_partitions(dd.from_pandas(pdf, npartitions=2), rules=RULES, text="body", id="id", date="published").compute()
    assert sorted(set(table["doc"])) == ["i0", "i1", "i3", "i4"]  # the index stands in for a missing id column
    with pytest.raises(ValueError):
        extract_partitions(dd.from_pandas(pdf, npartitions=1), rules=RULES)  # no "text" column


def test_records_frame_of_nothing_has_the_columns() -> None:
    empty = records_frame([])
    assert list(empty.columns) == csv_columns() and len(empty) == 0


def test_each_worker_process_loads_the_rules_once() -> None:
    with distributed.LocalCluster(processes=True, n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as c:
            records = extract_bag(db.from_sequence(DOCS, npartitions=6), rules=str(RULES)).compute()
            assert records == expected()
            frame = extract_partitions(dd.from_pandas(pd.DataFrame(DOCS), npartitions=3), rules=str(RULES)).compute()
            assert len(frame) == len(records)
            [loaded] = c.run(loaded_rule_sets).values()
    assert loaded == [str(RULES.resolve())]  # six + three partitions, one load


def test_readme_example_runs(tmp_path: Path) -> None:
    """The README's Dask example, with the test rules standing in for the built-in pack."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Dask\n", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.S)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    hooks = tmp_path / "_hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        f"import ruleie.api, pathlib\nruleie.api.builtin_rules_path = lambda: pathlib.Path({str(RULES)!r})\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(REPO)]), "RULEIE_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "La porte reste ouverte" in proc.stdout and "Quote" in proc.stdout
    json.dumps(proc.stdout)
