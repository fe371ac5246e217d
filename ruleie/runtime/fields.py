"""Field functions of `emit` (`lemma(cue)`, `tense(cue)`, `text(x)`, `lower(x)`).

They compute record fields from a capture's text using tables the compiler built (the verb-form
table), so no lemmatiser runs at extraction time. A verb group with words between auxiliary and
participle (`avait d'abord affirmé`) is resolved from its last known form plus its auxiliary; an
elided word is read without its elided clitic or preposition (`vient d'annoncer`, `l'a dit`).
"""

from __future__ import annotations

import regex

from ruleie.compile.lexicons import normalize_key

#: Auxiliary forms (avoir, être) -> the compound tense they build with a past participle.
_AUX_TENSE: dict[str, str] = {}
for _tense, _forms in {
    "passe_compose": "ai as a avons avez ont suis es est sommes êtes sont",
    "plus_que_parfait": "avais avait avions aviez avaient étais était étions étiez étaient",
    "future_perfect": "aurai auras aura aurons aurez auront serai seras sera serons serez seront",
    "conditional_perfect": "aurais aurait aurions auriez auraient serais serait serions seriez seraient",
    "subjunctive_past": "aie aies ait ayons ayez aient sois soit soyons soyez soient",
    "past_infinitive": "avoir être",
}.items():
    for _form in _forms.split():
        _AUX_TENSE[_form] = _tense
_INVERSION = regex.compile(r"-(?:t-)?(?:il|elle|on|ils|elles)$")
_ELIDED = regex.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)'(?=\w)")
_CLITIC = regex.compile(r"^(?:(?:me|te|se|nous|vous)\s+|[mts]')(?:en\s+)?")


#: Pronouns that `antecedent()` resolves (subject, stressed and demonstrative forms).
PRONOUNS = frozenset(
    "il elle ils elles lui eux celui-ci celle-ci ceux-ci celles-ci celui-là celle-là".split()
    + ["ce dernier", "cette dernière", "ces derniers", "ces dernières"]
)
#: Characters of context on each side of a date expression given to the date interpreter.
DATE_CONTEXT = 200
#: Label of the spans `antecedent()` chooses from; a rule set marks them (`mark Antecedent`).
ANTECEDENT_LABEL = "Antecedent"
#: The date field functions and the part of a `ruleie.dates.DateValue` each returns.
DATE_FIELDS = {
    "date_value": lambda d: d.value,
    "date_kind": lambda d: d.kind,
    "date_modifier": lambda d: d.modifier,
}
_interpret = None  # ruleie.dates.interpret, bound by `FieldFunctions.date_of`


class FieldFunctions:
    """Evaluates field functions against one rule set's tables."""

    def __init__(self, lemmas: dict[str, tuple[str, str]]):
        self.lemmas = lemmas

    def analyse(self, text: str) -> tuple[str, str | None] | None:
        """(lemma, tense) of a verb group as written, or None when no known form is in it."""
        key = normalize_key(text)
        if key in self.lemmas:
            lemma, tenses = self.lemmas[key]
            return lemma, tenses.split("|")[0]
        words = key.split(" ")
        for i in range(len(words)):
            hit = self.lemmas.get(" ".join(words[i:])) if i else None
            if hit is None:  # `d'annoncer`, `l'a dit`: the word without its elided clitic or preposition
                bare = _ELIDED.sub("", words[i])
                hit = self.lemmas.get(" ".join([bare, *words[i + 1 :]])) if bare != words[i] else None
            if hit is None:
                continue
            lemma, tenses = hit
            aux = _INVERSION.sub("", _CLITIC.sub("", words[0]))
            if "past_participle" in tenses.split("|") and aux in _AUX_TENSE:
                return lemma, _AUX_TENSE[aux]
            return lemma, tenses.split("|")[0]
        return None

    @staticmethod
    def antecedent(text: str, start: int, candidates: list[tuple[int, int, str]]) -> str | None:
        """For a pronoun at `start`, the closest earlier candidate span's text (else None).

        `candidates` are `(start, end, original text)` of spans marked `Antecedent`, sorted by start.
        Rule-based on purpose: the nearest preceding mention a rule set considers a possible
        speaker (a named person, an organisation) is the antecedent; non-pronouns resolve to None.
        """
        if normalize_key(text) not in PRONOUNS:
            return None
        best = None
        for c_start, c_end, c_text in candidates:
            if c_end > start:
                break
            best = c_text
        return best

    @staticmethod
    def date_field(name: str, text: str, loc: tuple[int, int], doc_date: str | None) -> str | None:
        """`date_value`, `date_kind` or `date_modifier` of the date expression at `loc` in `text`.

        The expression is interpreted by `ruleie.dates` against the document date, with the words
        around it as context (the tense of the clause decides whether a bare weekday is past or next).
        """
        return DATE_FIELDS[name](FieldFunctions.date_of(text, loc, doc_date))

    @staticmethod
    def date_of(text: str, loc: tuple[int, int], doc_date: str | None):
        """The `DateValue` (value, kind, modifier) of the date expression at `loc` in `text`.

        One interpretation serves the three date fields of a record (see `date_field`).
        """
        global _interpret
        if _interpret is None:  # imported on first use: rule sets without dates never load it
            from ruleie.dates import interpret as _interpret
        start, end = loc
        return _interpret(text[start:end], doc_date, text[max(0, start - DATE_CONTEXT) : start], text[end : end + DATE_CONTEXT])

    def call(self, name: str, text: str, original: str) -> str | None:
        """Value of `name(capture)` for a capture: normalised `text`, `original` as written."""
        if name == "text":
            return original
        if name == "lower":
            return original.lower()
        found = self.analyse(text)
        if name == "lemma":
            return found[0] if found else normalize_key(text)
        if name == "tense":
            return found[1] if found else None
        raise KeyError(name)
