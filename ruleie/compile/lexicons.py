"""Compile lexicon declarations: read entries, expand verb lemmas, build trie patterns.

A lexicon is a named word list. With the `verbs` option every entry is a French verb lemma that
expands, at compile time, to every conjugated form (`ruleie.compile.morph_fr`); each form keeps its
lemma and tense so records can report them without a runtime lemmatiser. Entry tags (the tense and
the groups `finite`, `compound`, `inverted`, `simple`) let a rule select forms: `@VERB[compound]`.

Options: `verbs`; `case=first` (default: as written, or with a capital first letter),
`case=exact`, `case=any`; `accents=exact` (default) or `accents=insensitive`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import regex

from ruleie.compile.trie import fold_accents, trie_pattern, trie_pattern_with_tails
from ruleie.dsl import ast
from ruleie.dsl.errors import ErrorSink, SourceLocation

COMPOUND_TENSES = frozenset(
    {"passe_compose", "plus_que_parfait", "future_perfect", "conditional_perfect", "subjunctive_past", "past_infinitive"}
)
FINITE_TENSES = frozenset(
    {"present", "imperfect", "simple_past", "future", "conditional", "subjunctive_present", "imperative"}
) | COMPOUND_TENSES - {"past_infinitive"}
_INVERTED = regex.compile(r"-(?:t-)?(?:il|elle|on|ils|elles)\b")
LEXICON_OPTIONS = {"verbs": None, "case": ("first", "exact", "any"), "accents": ("exact", "insensitive")}


def normalize_key(text: str) -> str:
    """Lookup key of a form: lower case, straight apostrophes, single spaces."""
    return " ".join(text.replace("’", "'").lower().split())


def form_tags(form: str, tense: str) -> frozenset[str]:
    """Tags of one verb form: its tense and the groups it belongs to."""
    tags = {tense}
    if tense in COMPOUND_TENSES:
        tags.add("compound")
    if tense in FINITE_TENSES:
        tags.add("finite")
    if _INVERTED.search(form):
        tags.add("inverted")
    elif tense not in COMPOUND_TENSES:
        tags.add("simple")
    if tense in ("past_participle",):
        tags.add("participle")
    return frozenset(tags)


@dataclass
class CompiledLexicon:
    """Entries of one lexicon with their tags, and how they are matched."""

    name: str
    entries: dict[str, frozenset[str]] = field(default_factory=dict)
    lemmas: dict[str, tuple[str, str]] = field(default_factory=dict)  # form -> (lemma, "tense|tense")
    case: str = "first"
    accents: str = "exact"
    verbs: bool = False
    _patterns: dict[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def tags(self) -> frozenset[str]:
        """Every tag some entry carries."""
        out: set[str] = set()
        for t in self.entries.values():
            out |= t
        return frozenset(out)

    def pattern(self, tags: tuple[str, ...] = ()) -> str:
        """Regex for the entries carrying all `tags`, trie-ordered, bounded at word edges."""
        key = tuple(sorted(tags))
        if key not in self._patterns:
            words = [w for w, t in self.entries.items() if all(tag in t for tag in key)]
            self._patterns[key] = _bounded(words, self.case, self.accents == "insensitive")
        return self._patterns[key]


#: A group's continuation is repeated after each of its first words rather than shared by a
#: separate alternative when the copies add at most this many characters (see `_factored`).
_SHARED_TAIL_MAX = 64


def _factored(words: list[str], accents: bool, first_upper: bool, ignore_case: bool = False) -> str:
    """Trie pattern where multiword entries sharing all continuations share one branch.

    Verb lexicons hold every auxiliary form times every participle (`a dit`, `avait dit`,
    `a-t-il dit`...); grouping first words by their set of continuations writes that product once
    (`(?:a|avait|a-t-il)\\s+(?:dit|déclaré)`), which keeps the pattern small and fast to compile.
    Every entry ending in a word character ends with a word boundary.

    A first word that is alone in its group (most multiword entries of a list of names), or whose
    group's continuations are short enough to be copied after each of its words, joins one trie of such
    words, each followed by its own continuation, instead of being one more alternative tried at
    every position: scanning then costs about the same whatever the number of entries. This changes no match, nor the order in which a match's candidates are tried: a first
    word must be followed by whitespace, so it spans the whole run of non-space characters where it
    starts, and at most one first word can match at a position unless two of them match the same
    text (same letters up to case and accent folding), in which case nothing is merged.
    """
    single = [w for w in words if " " not in w]
    rests: dict[str, set[str]] = {}
    for w in words:
        if " " in w:
            head, rest = w.split(" ", 1)
            rests.setdefault(head, set()).add(rest)
    by_continuations: dict[frozenset[str], list[str]] = {}
    for head, rest in rests.items():
        by_continuations.setdefault(frozenset(rest), []).append(head)
    merge = not ignore_case and _distinct_texts(rests, accents, first_upper)
    parts = []
    lone: dict[str, str] = {}
    for rest, heads in sorted(by_continuations.items(), key=lambda kv: sorted(kv[1])):
        tail = _factored(sorted(rest), accents, False, ignore_case)
        if merge and (len(heads) == 1 or len(tail) * (len(heads) - 1) <= _SHARED_TAIL_MAX):
            for head in heads:
                lone[head] = r"\s+" + f"(?:{tail})"
        else:
            parts.append(trie_pattern(heads, accents, first_upper) + r"\s+" + f"(?:{tail})")
    if len(lone) == 1:
        (head, tail), = lone.items()
        parts.append(trie_pattern([head], accents, first_upper) + tail)
    elif lone:
        parts.append(trie_pattern_with_tails(lone, accents, first_upper))
    if single:
        parts.append(trie_pattern(single, accents, first_upper, bound_end=True))
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _distinct_texts(heads: Iterable[str], accents: bool, first_upper: bool) -> bool:
    """Whether no two of `heads` can match the same text in a trie pattern (with the same options).

    Accent-insensitive patterns match folded keys; `first_upper` lets a first letter match its
    upper-case form too, so a key is compared with its first letter in upper case.
    """
    seen: set[str] = set()
    for head in heads:
        key = fold_accents(head) if accents else head
        if first_upper and key and len(key[0].upper()) == 1:
            key = key[0].upper() + key[1:]
        if key in seen:
            return False
        seen.add(key)
    return True


_WORD_START = regex.compile(r"\w")  # compiled once: lexicons test tens of thousands of forms


def _bounded(words: list[str], case: str, accents: bool) -> str:
    """Lexicon pattern: a word boundary before entries starting with a word character (and, from
    the trie, after entries ending with one)."""
    starting_word = sorted(w for w in words if _WORD_START.match(w))
    other = sorted(w for w in words if not _WORD_START.match(w))
    parts = []
    if starting_word:
        parts.append("\\b(?:" + _factored(starting_word, accents, case == "first", case == "any") + ")")
    if other:
        parts.append("(?:" + _factored(other, accents, case == "first", case == "any") + ")")
    if not parts:
        return "(?!)"
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return f"(?i:{body})" if case == "any" else body


def compile_lexicon(lex: ast.Lexicon, file_text: str | None, sink: ErrorSink) -> CompiledLexicon:
    """Build a `CompiledLexicon` from its declaration (and file text); errors go to `sink`."""
    options = {o.name: o for o in lex.options}
    out = CompiledLexicon(lex.name)
    for opt in lex.options:
        if opt.name not in LEXICON_OPTIONS:
            sink.error("E301", f"unknown lexicon option '{opt.name}'", opt.loc, "options: verbs, case=..., accents=...")
            continue
        allowed = LEXICON_OPTIONS[opt.name]
        if allowed is None:
            if opt.value is not None:
                sink.error("E302", f"option '{opt.name}' takes no value", opt.loc)
        elif opt.value not in allowed:
            sink.error("E302", f"invalid value {opt.value!r} for '{opt.name}'", opt.loc, f"one of: {', '.join(allowed)}")
    out.verbs = "verbs" in options
    out.case = str(options["case"].value) if "case" in options and options["case"].value in LEXICON_OPTIONS["case"] else "first"
    out.accents = str(options["accents"].value) if "accents" in options and options["accents"].value in LEXICON_OPTIONS["accents"] else "exact"

    raw: list[tuple[str, SourceLocation]] = list(lex.entries)
    if file_text is not None:
        for number, line in enumerate(file_text.splitlines(), start=1):
            entry = line.split("#", 1)[0].strip()
            if entry:
                raw.append((entry, SourceLocation(f"{lex.file}", number, 1)))
    if not raw:
        sink.error("E308", f"lexicon '@{lex.name}' has no entries", lex.loc)
        return out
    for text, loc in raw:
        entry = " ".join(text.replace("’", "'").split())
        if not entry:
            sink.error("E307", "empty lexicon entry", loc if lex.file is None else lex.loc)
            continue
        if not out.verbs:
            out.entries.setdefault(entry, frozenset())
            continue
        from ruleie.compile.morph_fr import MorphologyError, expand_verb

        try:
            forms = expand_verb(entry)
        except MorphologyError as err:
            where = loc if lex.file is None else lex.loc
            note = f" (line {loc.line} of {lex.file})" if lex.file else ""
            sink.error("E307", f"cannot conjugate '{entry}'{note}: {err}", where)
            continue
        for vf in forms:
            out.entries[vf.form] = out.entries.get(vf.form, frozenset()) | form_tags(vf.form, vf.tense)
            key = normalize_key(vf.form)
            lemma, tenses = out.lemmas.get(key, (vf.lemma, ""))
            if lemma == vf.lemma and vf.tense not in tenses.split("|"):
                out.lemmas[key] = (lemma, f"{tenses}|{vf.tense}" if tenses else vf.tense)
    return out
