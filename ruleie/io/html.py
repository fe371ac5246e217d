"""A self-contained HTML page that shows documents with their records highlighted in the text.

One page, streamed document by document: inline CSS and JavaScript, no network, readable offline
and without JavaScript (the highlighting is plain HTML and CSS; the script adds the linking and the
layer switches). Each document's text is cut into non-overlapping segments at every boundary of
every highlighted span, so overlapping and nested spans (a date inside a quote, a speaker that is
also an accuser) are shown correctly: a segment carries the roles of all the spans that cover it
(`data-roles`) and the ids of their records (`data-recs`). Hovering or clicking a segment
highlights every segment and table row of the same records: a speaker lights up its quote and cue.

Everything taken from the documents (text, ids, field values, rule names) is HTML-escaped: a
document containing `<script>` shows that text and runs nothing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import IO, Iterable

from ruleie.records import Record, Span

#: Highlight roles in legend order: (role, legend label, what it marks).
ROLES: tuple[tuple[str, str, str], ...] = (
    ("quote", "Quote", "what was said (Quote.content)"),
    ("speaker", "Speaker", "who said it (Quote.speaker)"),
    ("cue", "Cue", "the words that introduce a quote (Quote.cue)"),
    ("accuser", "Accuser", "who accuses (Accusation.accuser)"),
    ("accused", "Accused", "who is accused (Accusation.accused)"),
    ("charge", "Charge", "of what (Accusation.charge)"),
    ("accusation", "Accusation cue", "the accusing word or phrase (Accusation.cue)"),
    ("date", "Date", "a date, time or duration (DateMention)"),
    ("verb", "Reporting verb", "a reporting verb (ReportingVerb)"),
    ("mention", "Mention", "any other labelled span (Mention)"),
)

#: Record type -> (field, role) pairs to highlight; "span" is the record's own span.
ROLE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "Quote": (("content", "quote"), ("speaker", "speaker"), ("cue", "cue")),
    "Accusation": (("charge", "charge"), ("accuser", "accuser"), ("accused", "accused"), ("cue", "accusation")),
    "DateMention": (("span", "date"),),
    "ReportingVerb": (("span", "verb"),),
    "Mention": (("span", "mention"),),
}

_SKIP_FIELDS = ("doc", "type", "rule", "origin", "span", "captures")


@dataclass(frozen=True)
class Mark:
    """One highlighted stretch: `[start, end)` of the text, its role and the id of its record."""

    start: int
    end: int
    role: str
    record: str
    label: str  # tooltip line, e.g. "Quote r3: speaker"


def marks_of(records: Iterable[tuple[str, Record]], length: int) -> list[Mark]:
    """The highlighted stretches of records (id, record), clipped to a text of `length` characters."""
    marks: list[Mark] = []
    for rid, record in records:
        for name, role in ROLE_FIELDS.get(record.type, (("span", "mention"),)):
            span = getattr(record, name, None)
            if not isinstance(span, Span):
                continue
            start, end = max(0, span.start), min(length, span.end)
            if start < end:
                what = record.type if name == "span" else f"{record.type}.{name}"
                marks.append(Mark(start, end, role, rid, f"{what} ({rid}, rule {record.rule})"))
    return marks


def segments(length: int, marks: list[Mark]) -> list[tuple[int, int, list[Mark]]]:
    """The text `[0, length)` cut at every mark boundary: (start, end, marks covering it) in order."""
    cuts = {0, length}
    for m in marks:
        cuts.add(m.start)
        cuts.add(m.end)
    bounds = sorted(c for c in cuts if 0 <= c <= length)
    # sweep: marks sorted by start enter, leave when their end is reached
    by_start = sorted(marks, key=lambda m: (m.start, -m.end))
    active: list[Mark] = []
    out: list[tuple[int, int, list[Mark]]] = []
    i = 0
    for start, end in zip(bounds, bounds[1:]):
        active = [m for m in active if m.end > start]
        while i < len(by_start) and by_start[i].start <= start:
            if by_start[i].end > start:
                active.append(by_start[i])
            i += 1
        out.append((start, end, list(active)))
    return out


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _field_text(value: object) -> str:
    if isinstance(value, Span):
        return f"“{value.text}” {value.start}–{value.end}"
    return str(value)


def render_text(text: str, marks: list[Mark]) -> str:
    """The document text as HTML: one `<span class="seg ...">` per highlighted segment."""
    role_order = {role: i for i, (role, _, _) in enumerate(ROLES)}
    parts: list[str] = []
    for start, end, covering in segments(len(text), marks):
        piece = _esc(text[start:end])
        if not covering:
            parts.append(piece)
            continue
        roles = sorted({m.role for m in covering}, key=lambda r: role_order.get(r, len(role_order)))
        recs = sorted({m.record for m in covering}, key=lambda r: int(r[1:]))
        title = "\n".join(dict.fromkeys(m.label for m in covering))
        parts.append(
            f'<span class="seg {" ".join(roles)}" data-roles="{" ".join(roles)}" '
            f'data-recs="{" ".join(recs)}" title="{_esc(title)}">{piece}</span>'
        )
    return "".join(parts)


def render_record_row(rid: str, record: Record) -> str:
    """One row of a document's record table."""
    fields = []
    for name in type(record).model_fields:
        if name in _SKIP_FIELDS:
            continue
        value = getattr(record, name)
        if value is None:
            continue
        fields.append(f"<b>{_esc(name)}</b> {_esc(_field_text(value))}")
    return (
        f'<tr data-recs="{rid}" data-type="{_esc(record.type)}"><td>{rid}</td><td>{_esc(record.type)}</td>'
        f'<td>{record.span.start}–{record.span.end}</td><td class="t">{_esc(record.span.text)}</td>'
        f'<td class="f">{"<br>".join(fields)}</td><td class="o"><code>{_esc(record.rule)}</code><br>'
        f'<small>{_esc(record.origin)}</small></td></tr>'
    )


class HtmlWriter:
    """Streams one HTML page: the head and legend first, a section per document, the script last."""

    def __init__(self, stream: IO[str], title: str = "ruleie extraction"):
        self.stream = stream
        self.n_docs = 0
        self.n_records = 0
        self.counts: dict[str, int] = {}
        self.role_counts: dict[str, int] = {}
        self.stream.write(_HEAD.replace("{title}", _esc(title)).replace("{legend}", _legend()))

    def write(self, doc_id: str, text: str, records: list[Record], date: str | None = None) -> None:
        """Add one document with its records."""
        ids = [f"r{self.n_records + i + 1}" for i in range(len(records))]
        self.n_records += len(records)
        self.n_docs += 1
        for r in records:
            self.counts[r.type] = self.counts.get(r.type, 0) + 1
        pairs = list(zip(ids, records))
        marks = marks_of(pairs, len(text))
        for m in marks:
            self.role_counts[m.role] = self.role_counts.get(m.role, 0) + 1
        body = render_text(text, marks)
        meta = f'<span class="date">date {_esc(date)}</span>' if date else ""
        n = len(records)
        rows = "".join(render_record_row(rid, r) for rid, r in pairs)
        table = (
            f'<details class="records"><summary>{n} record{"s" if n != 1 else ""}</summary>'
            f'<table><thead><tr><th>#</th><th>type</th><th>span</th><th>text</th><th>fields</th><th>rule</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></details>"
            if n
            else '<p class="none">no records</p>'
        )
        self.stream.write(
            f'<section class="doc" data-n="{n}"><h2><span class="id">{_esc(doc_id)}</span>{meta}</h2>'
            f'<div class="text">{body}</div>{table}</section>\n'
        )

    def close(self) -> None:
        """Finish the page (summary and script)."""
        counts = ", ".join(f"{c} {_esc(t)}" for t, c in sorted(self.counts.items()))
        summary = f"{self.n_docs} document{'s' if self.n_docs != 1 else ''}, {self.n_records} records" + (
            f" ({counts})" if counts else ""
        )
        roles = "".join(
            f'<span data-role-total="{role}">{self.role_counts[role]} {_esc(label.lower())}</span>'
            for role, label, _ in ROLES
            if self.role_counts.get(role)
        )
        from ruleie import __version__

        self.stream.write(
            f'<footer id="summary"><p>{summary}; made by ruleie {_esc(__version__)}</p><p class="roles">{roles}</p></footer>\n{_SCRIPT}</main></body></html>\n'
        )
        self.stream.flush()


def _legend() -> str:
    items = []
    for role, label, what in ROLES:
        items.append(
            f'<label title="{_esc(what)}"><input type="checkbox" data-role="{role}" checked> '
            f'<span class="seg {role}">{_esc(label)}</span> <span class="count" data-count="{role}"></span></label>'
        )
    return "".join(items)


_HEAD = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="generator" content="ruleie">
<title>{title}</title>
<style>
:root { --ink: #1d2125; --muted: #6b7280; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: #f7f7f5; }
header { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line); padding: .6rem 1.2rem; }
header h1 { font-size: 1.05rem; margin: 0 0 .35rem; }
header h1 small { color: var(--muted); font-weight: normal; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem .9rem; font-size: .85rem; align-items: center; }
.legend label { cursor: pointer; white-space: nowrap; }
.legend .count { color: var(--muted); font-variant-numeric: tabular-nums; }
.legend .opt { margin-left: auto; color: var(--muted); }
main { max-width: 60rem; margin: 0 auto; padding: .8rem 1.2rem 2rem; }
section.doc { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1.1rem; margin: 1rem 0; }
section.doc h2 { font-size: .9rem; margin: 0 0 .5rem; color: var(--muted); font-weight: 600; display: flex; gap: 1rem; }
section.doc h2 .id { color: var(--ink); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
.text { white-space: pre-wrap; overflow-wrap: break-word; font-family: Georgia, "Times New Roman", serif; font-size: 1.02rem; line-height: 1.9; }
.none { color: var(--muted); font-size: .85rem; margin: .4rem 0 0; }
body.only-records section.doc[data-n="0"] { display: none; }
/* Segments: container roles (quote, charge) underline, the others fill; later rules win. */
.seg { border-radius: 2px; cursor: pointer; }
.seg.mention { border-bottom: 2px dashed #8b95a1; }
.seg.verb { text-decoration: underline dotted #15803d 2px; text-underline-offset: 3px; }
.seg.quote { background: #fff1b8; border-bottom: 2px solid #d4a017; }
.seg.charge { background: #fde0e0; border-bottom: 2px solid #e06666; }
.seg.date { background: #c9f0ec; box-shadow: inset 0 -2px #0f9488; }
.seg.cue { background: #c8f0c8; box-shadow: inset 0 -2px #2e8b2e; }
.seg.accusation { background: #f5b5b5; box-shadow: inset 0 -2px #b91c1c; font-weight: 600; }
.seg.accused { background: #ffd6a5; box-shadow: inset 0 -2px #d97706; }
.seg.accuser { background: #e3d1fb; box-shadow: inset 0 -2px #7c3aed; }
.seg.speaker { background: #cfe3ff; box-shadow: inset 0 -2px #2563eb; font-weight: 600; }
.seg.linked { outline: 2px solid #111827; outline-offset: 1px; }
.seg.pinned { outline: 2px solid #db2777; outline-offset: 1px; }
.legend .seg { padding: 0 .3rem; cursor: inherit; }
details.records { margin-top: .7rem; font-size: .85rem; }
details.records summary { cursor: pointer; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin-top: .4rem; }
th, td { text-align: left; vertical-align: top; padding: .25rem .4rem; border-bottom: 1px solid var(--line); }
td:nth-child(-n+3) { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.t, td.f { overflow-wrap: anywhere; }
td.o { overflow-wrap: break-word; max-width: 14rem; }
td.o small { color: var(--muted); }
th { font-weight: 600; color: var(--muted); }
td.t { font-family: Georgia, serif; }
tr.linked, tr.pinned { background: #fef3c7; }
footer { color: var(--muted); font-size: .85rem; text-align: center; margin: 1rem 0; }
footer .roles span + span::before { content: " · "; }
@media print { header { position: static; } .seg.linked, .seg.pinned { outline: none; } }
@media (max-width: 640px) { header { position: static; } main { padding: .4rem .5rem 1rem; } section.doc { padding: .6rem .7rem; } }
</style></head>
<body><header><h1>{title}</h1>
<div class="legend">{legend}<label class="opt"><input type="checkbox" id="only-records"> only documents with records</label></div>
</header><main>
"""

_SCRIPT = """<script>
(function () {
  "use strict";
  var pinned = null;
  function sameRecords(root, recs) {
    var out = [];
    recs.forEach(function (r) {
      root.querySelectorAll('[data-recs~="' + r + '"]').forEach(function (el) { out.push(el); });
    });
    return out;
  }
  function light(target, cls, on) {
    var doc = target.closest("section.doc");
    var recs = (target.getAttribute("data-recs") || "").split(" ").filter(Boolean);
    if (!doc || !recs.length) return;
    sameRecords(doc, recs).forEach(function (el) { el.classList.toggle(cls, on); });
  }
  document.addEventListener("mouseover", function (e) {
    var t = e.target.closest && e.target.closest("[data-recs]");
    if (t) light(t, "linked", true);
  });
  document.addEventListener("mouseout", function (e) {
    var t = e.target.closest && e.target.closest("[data-recs]");
    if (t) light(t, "linked", false);
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest("main")) return;
    var t = e.target.closest("section.doc [data-recs]");
    if (pinned) light(pinned, "pinned", false);
    if (!t || t === pinned) { pinned = null; return; }
    pinned = t;
    light(t, "pinned", true);
  });
  var hidden = {};
  function restyle() {
    document.querySelectorAll("main .seg[data-roles]").forEach(function (el) {
      var roles = el.getAttribute("data-roles").split(" ").filter(function (r) { return !hidden[r]; });
      el.className = "seg " + roles.join(" ") +
        (el.classList.contains("linked") ? " linked" : "") + (el.classList.contains("pinned") ? " pinned" : "");
    });
  }
  document.querySelectorAll(".legend input[data-role]").forEach(function (box) {
    box.addEventListener("change", function () { hidden[box.getAttribute("data-role")] = !box.checked; restyle(); });
  });
  var only = document.getElementById("only-records");
  if (only) only.addEventListener("change", function () { document.body.classList.toggle("only-records", only.checked); });
  document.querySelectorAll(".legend [data-count]").forEach(function (el) {
    var total = document.querySelector('[data-role-total="' + el.getAttribute("data-count") + '"]');
    el.textContent = total ? "(" + parseInt(total.textContent, 10) + ")" : "(0)";
  });
})();
</script>
"""
