"""The HTML page: segments of overlapping spans, escaping, linking by record ids, self-containment."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ruleie
from ruleie.io.html import ROLES, HtmlWriter, Mark, marks_of, segments
from ruleie.records import Mention, Span

RULES = Path(__file__).parent / "data" / "news.rules"
TEXT = (
    "« Nous tiendrons jusqu'au 12 mars », a déclaré Claire Vasseur. "
    "Marc Allègre a accusé la direction d'avoir ignoré les alertes depuis jeudi.\n\n"
    "Hugo Ferrand a dit : « On verra lundi. » « La porte reste ouverte », a dit il."
)
EVIL = "<script>alert('x')</script> « Nous <b>tiendrons</b> & \"plus\" », a dit Hugo Ferrand. <img src=x onerror=alert(1)>"


def page(docs: list[tuple[str, str]]) -> str:
    rules = ruleie.load(RULES)
    buffer = io.StringIO()
    writer = HtmlWriter(buffer, title="test <page>")
    for doc_id, text in docs:
        writer.write(doc_id, text, rules.extract(text, doc=doc_id), date="2024-03-15")
    writer.close()
    return buffer.getvalue()


class Page(HTMLParser):
    """Collects, per document section, the text of its `.text` div and its segments."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.segments: list[list[tuple[str, dict[str, str]]]] = []
        self.scripts = 0
        self.tags: list[tuple[str, dict[str, str]]] = []
        self._in_text = 0
        self._seg: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "script":
            self.scripts += 1
        if tag == "div" and a.get("class") == "text":
            self._in_text = 1
            self.texts.append("")
            self.segments.append([])
        elif self._in_text:
            self._in_text += 1
            if tag == "span" and "seg" in a.get("class", "").split():
                self._seg = a
                self.segments[-1].append(("", a))

    def handle_endtag(self, tag: str) -> None:
        if self._in_text:
            self._in_text -= 1
            self._seg = None

    def handle_data(self, data: str) -> None:
        if self._in_text:
            self.texts[-1] += data
            if self._seg is not None:
                text, attrs = self.segments[-1][-1]
                self.segments[-1][-1] = (text + data, attrs)


def parse(source: str) -> Page:
    parser = Page()
    parser.feed(source)
    parser.close()
    return parser


# ------------------------------------------------------------------ segments


def test_segments_of_nested_and_crossing_spans() -> None:
    marks = [Mark(0, 10, "quote", "r1", ""), Mark(3, 5, "date", "r2", ""), Mark(8, 14, "speaker", "r3", "")]
    got = [(s, e, sorted(m.record for m in ms)) for s, e, ms in segments(16, marks)]
    assert got == [
        (0, 3, ["r1"]), (3, 5, ["r1", "r2"]), (5, 8, ["r1"]), (8, 10, ["r1", "r3"]), (10, 14, ["r3"]), (14, 16, []),
    ]


spans = st.tuples(st.integers(0, 40), st.integers(0, 40)).map(sorted).filter(lambda p: p[0] < p[1])


@settings(max_examples=200, deadline=None)
@given(st.lists(spans, max_size=8), st.integers(40, 45))
def test_segments_partition_the_text_and_know_their_marks(pairs: list, length: int) -> None:
    marks = [Mark(s, e, "quote", f"r{i}", "") for i, (s, e) in enumerate(pairs)]
    segs = segments(length, marks)
    assert segs[0][0] == 0 and segs[-1][1] == length
    for (s1, e1, _), (s2, _, _) in zip(segs, segs[1:]):
        assert e1 == s2 and s1 < e1
    for s, e, covering in segs:
        assert {m.record for m in covering} == {m.record for m in marks if m.start <= s and e <= m.end}
        assert not any(m.start < e and s < m.end and not (m.start <= s and e <= m.end) for m in marks)


def test_marks_clip_bad_offsets_and_skip_empty_spans() -> None:
    rec = Mention(rule="r", label="x", span=Span(start=3, end=99, text="?"))
    empty = Mention(rule="r", label="x", span=Span(start=2, end=2, text=""))
    assert [(m.start, m.end) for m in marks_of([("r1", rec), ("r2", empty)], 10)] == [(3, 10)]


# ------------------------------------------------------------------ the page


def test_text_round_trips_and_every_role_is_coloured() -> None:
    source = page([("a1", TEXT)])
    parsed = parse(source)
    assert parsed.texts == [TEXT]  # the segments, unescaped, are exactly the document
    roles = {r for _, a in parsed.segments[0] for r in a["data-roles"].split()}
    assert {"quote", "speaker", "cue", "accuser", "accused", "charge", "accusation", "date", "verb"} <= roles
    for role, label, _ in ROLES:  # the legend names every role and shows its colour
        assert f'data-role="{role}"' in source and f'<span class="seg {role}">{label}</span>' in source
        assert re.search(rf"\.seg\.{role} \{{", source), role


def test_a_speaker_is_linked_to_its_quote_and_cue() -> None:
    parsed = parse(page([("a1", TEXT)]))
    segs = parsed.segments[0]
    speaker = next(a for t, a in segs if t == "Claire Vasseur")
    assert speaker["data-roles"].split() == ["speaker"]
    [rid] = speaker["data-recs"].split()
    linked = "".join(t for t, a in segs if rid in a["data-recs"].split())
    assert linked == "Nous tiendrons jusqu'au 12 mars" + "a déclaré" + "Claire Vasseur"
    date = next(a for t, a in segs if t == "12 mars")  # nested: a date inside the quote
    assert set(date["data-roles"].split()) == {"quote", "date"} and rid in date["data-recs"].split()
    pronoun = next(a for t, a in segs if t == "il")
    assert "Quote.speaker" in pronoun["title"]


def test_records_table_rows_carry_the_same_ids() -> None:
    source = page([("a1", TEXT)])
    rows = re.findall(r'<tr data-recs="(r\d+)" data-type="(\w+)">', source)
    assert [t for _, t in rows].count("Quote") == 3 and ("r1", "Quote") in rows
    assert len({r for r, _ in rows}) == len(rows)


def test_everything_from_the_documents_is_escaped() -> None:
    source = page([('<script>alert("id")</script>', EVIL), ("x\" onmouseover=\"alert(2)", "« Oui », a dit Hugo Ferrand.")])
    parsed = parse(source)
    assert parsed.scripts == 1  # only the page's own script
    assert not any(tag == "img" for tag, _ in parsed.tags)
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert parsed.texts[0] == EVIL
    assert html.escape('<script>alert("id")</script>') in source
    assert "test &lt;page&gt;" in source


def test_the_page_is_self_contained() -> None:
    source = page([("a1", TEXT)])
    assert not re.search(r"<(link|iframe|object|embed|img)\b", source)
    assert not re.search(r"\b(src|href)\s*=", source)
    assert "@import" not in source and "url(" not in source and "http://" not in source
    assert "default-src 'none'" in source  # CSP: nothing may be fetched
    assert source.rstrip().endswith("</html>")


def test_documents_without_records_and_counts() -> None:
    source = page([("a1", TEXT), ("empty", "Rien ici.")])
    assert '<section class="doc" data-n="0">' in source and "no records" in source
    assert "2 documents," in source
    assert '<span data-role-total="speaker">3 speaker</span>' in source


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")), reason="no headless Chromium")
def test_hover_and_click_in_a_real_browser(tmp_path: Path) -> None:
    """Headless Chromium runs the page's script: hovering a speaker outlines its quote; a click pins it."""
    probe = """<script>
    var segs = Array.from(document.querySelectorAll("main .seg"));
    var sp = segs.find(function (e) { return e.textContent === "Claire Vasseur"; });
    sp.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
    var il = segs.find(function (e) { return e.textContent === "il"; });
    il.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    document.querySelector("input[data-role=quote]").click();
    </script>"""
    path = tmp_path / "page.html"
    path.write_text(page([("a1", TEXT)]).replace("</body>", probe + "</body>"), encoding="utf-8")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    proc = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", path.as_uri()],
                          capture_output=True, text=True, timeout=120)
    dom = parse(proc.stdout)
    segs = dom.segments[0]
    linked = "".join(t for t, a in segs if "linked" in a["class"].split())
    assert linked == "Nous tiendrons jusqu'au 12 mars" + "a déclaré" + "Claire Vasseur"
    pinned = "".join(t for t, a in segs if "pinned" in a["class"].split())
    assert pinned == "La porte reste ouverte" + "a dit" + "il"
    assert not any("quote" in a["class"].split() for _, a in segs)  # the quote layer was switched off
    assert any("quote" in a["data-roles"].split() for _, a in segs)
    assert 'data-count="quote">(3)<' in proc.stdout
