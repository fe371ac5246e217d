"""The spaCy component: records as spans of `doc.spans["ruleie"]`, with extension attributes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

from spacy.tokens import DocBin  # noqa: E402

import ruleie.spacy_component  # noqa: E402,F401  (registers the factory when ruleie is not installed)

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "tests" / "io" / "data" / "news.rules"
README = REPO / "README.md"
TEXT = "« Oui », a dit Hugo Ferrand le 12 mars. Marc Allègre a accusé la direction d'avoir menti."


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("fr")
    nlp.add_pipe("ruleie", config={"rules": str(RULES)})
    return nlp


def test_records_become_labelled_spans(nlp) -> None:
    doc = nlp(TEXT)
    spans = list(doc.spans["ruleie"])
    assert [s.label_ for s in spans] == ["Quote", "ReportingVerb", "DateMention", "Accusation"]
    quote = spans[0]
    assert quote.text == "« Oui », a dit Hugo Ferrand"
    assert quote._.ruleie_type == "Quote" and quote._.ruleie["rule"] == "quote_incise"
    assert quote._.ruleie["content"]["text"] == "Oui"
    assert quote._.ruleie_field("speaker").text == "Hugo Ferrand"
    assert quote._.ruleie_field("cue").text == "a dit"
    assert quote._.ruleie_field("nothing") is None
    accusation = spans[3]
    assert accusation._.ruleie_field("accused").text == "la direction"
    assert accusation._.ruleie["charge"]["text"] == "avoir menti"


def test_offsets_expand_to_tokens(nlp) -> None:
    doc = nlp("Hugo Ferrand a dit : « Ok. » puis « Non », a dit Claire Vasseur.")
    for span in doc.spans["ruleie"]:
        record = span._.ruleie
        assert span.start_char <= record["span"]["start"] and record["span"]["end"] <= span.end_char


def test_doc_date_and_records_with_the_same_extent() -> None:
    source = 'phase p [overlap=all] {\n  rule a match "lundi" emit DateMention(value="A")\n  rule b match "lundi" emit DateMention(value="B")\n}\n'
    nlp = spacy.blank("fr")
    path = RULES.parent / "_same_extent.rules"
    path.write_text(source, encoding="utf-8")
    try:
        nlp.add_pipe("ruleie", config={"rules": str(path), "spans_key": "sc", "doc_date": "2024-03-15"})
        doc = nlp("On verra lundi.")
    finally:
        path.unlink()
    assert sorted(s._.ruleie["value"] for s in doc.spans["sc"]) == ["A", "B"]  # kept apart by span ids


def test_records_survive_serialisation(nlp) -> None:
    bin_ = DocBin(store_user_data=True)
    bin_.add(nlp(TEXT))
    doc = list(DocBin().from_bytes(bin_.to_bytes()).get_docs(nlp.vocab))[0]
    assert [(s.label_, s._.ruleie_type) for s in doc.spans["ruleie"]][0] == ("Quote", "Quote")
    assert doc.spans["ruleie"][0]._.ruleie["speaker"]["text"] == "Hugo Ferrand"


def test_config_and_pipe(nlp) -> None:
    assert nlp.config["components"]["ruleie"] == {"factory": "ruleie", "rules": str(RULES), "spans_key": "ruleie", "doc_date": None}
    docs = list(nlp.pipe([TEXT, "Rien.", ""]))
    assert [len(d.spans["ruleie"]) for d in docs] == [4, 0, 0]


def test_factory_found_through_the_entry_point(tmp_path: Path) -> None:
    """A fresh interpreter finds the factory without importing ruleie (needs ruleie installed)."""
    if not any(ep.name == "ruleie" for ep in entry_points(group="spacy_factories")):
        pytest.skip("ruleie is not installed (pip install -e .): no spacy_factories entry point")
    code = textwrap.dedent(f"""
        import sys, spacy
        nlp = spacy.blank("fr")
        nlp.add_pipe("ruleie", config={{"rules": {str(RULES)!r}}})
        assert "ruleie" not in sys.modules or "ruleie.spacy_component" in sys.modules
        doc = nlp("« Oui », a dit Hugo Ferrand.")
        print([s.label_ for s in doc.spans["ruleie"]])
    """)
    env = {**os.environ, "RULEIE_CACHE_DIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Quote" in proc.stdout


def test_readme_example_runs(tmp_path: Path) -> None:
    """The README's spaCy example, with the test rules standing in for the built-in pack."""
    section = README.read_text(encoding="utf-8").split("\n## spaCy\n", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.S)
    hooks = tmp_path / "_hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        f"import ruleie.api, pathlib\nruleie.api.builtin_rules_path = lambda: pathlib.Path({str(RULES)!r})\n"
        "import ruleie.spacy_component\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(REPO)]), "RULEIE_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Quote" in proc.stdout and "'content'" in proc.stdout
