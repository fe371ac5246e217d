"""Read the words around a date expression: the tense of its clause, the preposition before it,
and a part of the day after it.

Everything here is a handful of compiled regexes over at most a few hundred characters; nothing
is cached (the callers cache on the small features these functions return, never on the text).

Tense (`past`, `future`, `present`, or None when the clause has no recognisable verb) is the
tense of the verb nearest to the expression inside its clause (the text between the previous and
the next `.`, `;`, `!`, `?` or line break):

- past: a compound tense (`a annoncé`, `est arrivée`, `avaient été`, `s'est tenu`), an imperfect
  (`annonçait`, `étaient`), a simple past (`annonça`, `vinrent`, `fut`);
- future: a simple future (`sera`, `annoncera`, `viendront`), `aller` + infinitive (`va annoncer`),
  `devoir` (`doit`, `devrait`) and the scheduling participles (`prévu`, `programmée`, `attendu`);
- present: any other finite form of the common verbs (`est`, `a`, `se rend`, `annonce`).
"""

from __future__ import annotations

import re

#: Ends of the clause around the expression.
_CLAUSE_BREAK = re.compile(r"[.;!?\n]\s|[\n«»]")

_AUX_AVOIR = r"(?:ai|as|a|avons|avez|ont|avais|avait|avions|aviez|avaient|eut|eurent|aurait|auraient)"
_AUX_ETRE = r"(?:suis|es|est|sommes|êtes|sont|étais|était|étions|étiez|étaient|fut|furent)"
_ADVERBS = r"(?:(?:\w+ment|pas|plus|jamais|déjà|toujours|aussi|bien|encore|enfin|ainsi|même|pourtant|également|d'abord|ensuite|alors|finalement|notamment|été)\s+)"
_PARTICIPLE = r"\w+(?:é|ée|és|ées|i|ie|is|ies|u|ue|us|ues|it|ite|its|ites|ert|erte|erts|ertes|ort|orte|orts|ortes|eint|einte|aint|ainte|ait|aite|ris|rise|rises|uit|uite)"
#: Participles that, after `être`, describe a plan rather than a past event.
_PLANNED = r"(?:prévu|prévue|prévus|prévues|programmé|programmée|programmés|programmées|attendu|attendue|attendus|attendues|fixé|fixée|fixés|fixées|convoqué|convoquée|convoqués|convoquées|censé|censée|censés|censées|planifié|planifiée|planifiés|planifiées)"

#: Verbs conjugated with `être` in compound tenses: `est arrivé` is a past event, `est fermé` a state.
_ETRE_VERBS = (r"(?:allée?s?|arrivée?s?|venue?s?|partie?s?|née?s?|morte?s?|décédée?s?|tombée?s?|entrée?s?|"
               r"sortie?s?|restée?s?|devenue?s?|revenue?s?|retournée?s?|montée?s?|descendue?s?|passée?s?|"
               r"rentrée?s?|intervenue?s?|survenue?s?|parvenue?s?|apparue?s?|disparue?s?)")
#: Participles that, after `avoir`, schedule something (`a fixé l'audience au 6 juillet`).
_SCHEDULING = (r"(?:fixé|programmé|reporté|repoussé|renvoyé|ajourné|convoqué|planifié|prévu|avancé|décalé|"
               r"annoncé pour|donné rendez-vous)")

_PAST = re.compile(
    rf"\b(?:n')?{_AUX_AVOIR}\s+{_ADVERBS}{{0,2}}(?!(?:lieu|peu|tort|beau|feu|jeu)\b)(?!{_SCHEDULING}\b){_PARTICIPLE}\b"
    rf"|\b(?:n')?{_AUX_ETRE}\s+{_ADVERBS}{{0,2}}{_ETRE_VERBS}\b"
    rf"|\b(?:s'est|se sont|s'était|s'étaient|s'y est|s'en est)\s+{_ADVERBS}{{0,2}}{_PARTICIPLE}\b"
    r"|\b(?:a|ont|avait|avaient)\s+(?:eu|été|fait|dit|pris|mis)\b"
    r"|\b(?:a|ont|avait|avaient|est|sont|était|étaient)-(?:t-)?(?:il|elle|on|ils|elles)\s+\w+\b"
    r"|\b\w{2,}(?<!er)(?<!ir)(?<!dr)(?<!vr)(?<!rr)(?:ait|aient)\b(?<!\bfait)(?<!\bsait)(?<!\btrait)(?<!\bretrait)(?<!\bportrait)(?<!\bextrait)(?<!\bforfait)(?<!\bsouhait)(?<!\battrait)(?<!\bparfait)(?<!\bsatisfait)(?<!\bméfait)(?<!\bbienfait)(?<!\bdistrait)(?<!\babstrait)(?<!\bplait)(?<!\bplaît)"
    r"|\b(?:étai[st]|étaient|avai[st]|avaient|fut|furent|eut|eurent|fit|firent|dit|vint|vinrent|prit|prirent|mit|mirent)\b"
    r"|\b\w{3,}(?:èrent|irent|urent|âmes|îmes)\b"
    r"|\bil y a eu\b|\bont eu lieu\b|\ba eu lieu\b"
)
_FUTURE = re.compile(
    r"\b\w*(?:er|ir|ur|dr|rr|vr)(?:ai|as|a|ons|ez|ont)\b"
    r"(?<!\bvrai)(?<!\bcaméra)(?<!\bopéra)(?<!\barras)(?<!\benvirons)(?<!\bsierra)(?<!\blaura)(?<!\bextra)"
    r"|\b(?:aur|ser|fer|ir|pourr|devr|viendr|tiendr|verr|saur|faudr|voudr|vaudr|enverr)(?:ai|as|a|ons|ez|ont)\b"
    r"|\b\w*(?:er|ir|dr|rr|vr|aur|ser|fer)(?:ait|aient)\b(?<!\bserrait)"  # conditional: a plan or a guess
    r"|\b(?:va|vont|vais|allons|allez|allait|allaient)\s+(?:\w+\s+){0,2}?\w+(?:er|ir|re|oir)\b"
    r"|\b(?:doit|doivent)\b"
    r"|\b(?:prévu|prévue|prévus|prévues|programmé|programmée|programmés|programmées)\b"
    rf"|\b{_AUX_AVOIR}\s+(?:\w+\s+)?{_SCHEDULING}\b"
    rf"|\b(?:est|sont|sera|seront|était|étaient)\s+{_PLANNED}\b|\b(?:prévoit|prévoient|envisage|envisagent)\b|\bà venir\b|\bprochaine?s?\b"
)
_PRESENT = re.compile(
    r"\b(?:est|sont|a|ont|fait|font|va|vont|vient|viennent|reste|restent|demeure|demeurent|commence|"
    r"commencent|continue|continuent|devient|deviennent|peut|peuvent|veut|veulent|sait|savent|ouvre|ouvrent|"
    r"ferme|ferment|débute|débutent|démarre|démarrent|reprend|reprennent|tient|tiennent|reçoit|reçoivent|"
    r"accueille|accueillent|organise|organisent|lance|lancent|présente|présentent|rencontre|rencontrent|"
    r"affronte|affrontent|joue|jouent|part|partent|arrive|arrivent|rend|rendent|entre|entrent|sort|sortent|"
    r"examine|examinent|vote|votent|publie|publient|signe|signent|visite|visitent|inaugure|inaugurent|"
    r"manifeste|manifestent|célèbre|célèbrent|expire|expirent|s'achève|s'ouvre|s'achèvent|s'ouvrent)\b"
    r"|\b(?:se|s')\s*\w+(?:e|es|ent|t|d)\b"
    r"|\b(?:il|elle|on|ils|elles|qui|je|nous|vous)\s+(?:ne\s+|n')?(?:se\s+|s'|me\s+|m'|le\s+|la\s+|les\s+|l')?\w+(?:e|es|ent|t|d|ons|ez)\b"
)


def _clause(before: str, after: str) -> tuple[str, str]:
    """The parts of the expression's clause before and after it."""
    cut = None
    for m in _CLAUSE_BREAK.finditer(before):
        cut = m.end()
    left = before[cut:] if cut is not None else before
    m = _CLAUSE_BREAK.search(after)
    right = after[: m.start()] if m else after
    return left, right


_PARTICIPLE_BEFORE = re.compile(r"\b\w{3,}(?:é|ée|és|ées)\s*,?\s*$")
_PLANNED_RE = re.compile(rf"\b{_PLANNED}\s*,?\s*$")
_AUX_BEFORE = re.compile(rf"\b(?:{_AUX_AVOIR}|{_AUX_ETRE}|sera|seront|serait|seraient|aura|auront|été|être|soit|soient)\s+(?:\w+ment\s+|pas\s+|déjà\s+|bien\s+)?$")


def clause_tense(before: str, after: str) -> str | None:
    """`past`, `future` or `present`: the tense of the verb nearest to the expression, else None.

    The verb before the expression in its clause wins (`Le texte sera publié le 31 mai, a précisé
    le rectorat`: the incise after it is about the speech, not the event); the clause after it
    counts only when nothing before it is a verb (`Vendredi, le président a annoncé ...`). A bare
    participle right before the expression is a past event (`interpellé mardi soir`) unless it
    schedules (`prévue vendredi`).
    """
    left, right = _clause(before[-160:], after[:120])
    left_l, right_l = left.lower(), right.lower()
    bare = _PARTICIPLE_BEFORE.search(left_l)
    if bare and not _AUX_BEFORE.search(left_l, 0, bare.start()):
        return "future" if _PLANNED_RE.search(left_l) else "past"
    best: tuple[int, int, str] | None = None  # (distance, rank, tense)
    for rank, (tense, pattern) in enumerate((("past", _PAST), ("future", _FUTURE), ("present", _PRESENT))):
        for m in pattern.finditer(left_l):
            cand = (len(left_l) - m.end(), rank, tense)
            if best is None or cand < best:
                best = cand
    if best is not None:
        return best[2]
    for rank, (tense, pattern) in enumerate((("past", _PAST), ("future", _FUTURE), ("present", _PRESENT))):
        m = pattern.search(right_l)
        if m:
            cand = (m.start(), rank, tense)
            if best is None or cand < best:
                best = cand
    return best[2] if best else None


#: Prepositions read just before an expression, longest first (so `jusqu'à` wins over `à`).
PREPOSITIONS: tuple[str, ...] = tuple(sorted((
    "à partir du", "à partir de", "à partir d'", "à compter du", "à compter de", "depuis", "dès", "avant", "après",
    "jusqu'au", "jusqu'à", "jusqu'en", "jusqu'aux", "d'ici à", "d'ici au", "d'ici", "dans", "pendant", "durant", "pour",
    "vers", "au cours des", "au cours de", "au bout de", "en l'espace de", "sur", "en", "il y a", "aux alentours de",
    "aux alentours du", "aux environs de", "aux environs du", "autour de", "autour du", "peu avant", "peu après", "à",
), key=len, reverse=True))
_WORD_CHAR = re.compile(r"[\w'-]")
_LONGEST_PREPOSITION = max(map(len, PREPOSITIONS))


#: Preposition before a date -> modifier of the date (TIMEX3 `mod`).
RELATION_MODS: dict[str, str] = {
    "à partir du": "ON_OR_AFTER", "à partir de": "ON_OR_AFTER", "à partir d'": "ON_OR_AFTER",
    "à compter du": "ON_OR_AFTER", "à compter de": "ON_OR_AFTER", "dès": "ON_OR_AFTER", "depuis": "ON_OR_AFTER",
    "avant": "BEFORE", "après": "AFTER", "jusqu'au": "ON_OR_BEFORE", "jusqu'à": "ON_OR_BEFORE",
    "jusqu'en": "ON_OR_BEFORE", "jusqu'aux": "ON_OR_BEFORE", "d'ici": "ON_OR_BEFORE", "d'ici à": "ON_OR_BEFORE",
    "d'ici au": "ON_OR_BEFORE", "vers": "APPROX", "aux alentours de": "APPROX", "aux environs de": "APPROX",
    "autour de": "APPROX",
}


#: A preposition ending a text, not glued to a word before it. Searched leftmost, so the longest
#: one that fits wins (the order of `PREPOSITIONS`), in one scan instead of one test per entry.
_PREPOSITION_END = re.compile("(?<![\\w'-])(?:" + "|".join(re.escape(p) for p in PREPOSITIONS) + ")\\Z")


def preposition(before: str) -> str | None:
    """The preposition that ends `before` (`dans`, `pendant`, `à partir du`...), lower case, or None."""
    tail = " ".join(before[-40:].split()).lower()
    m = _PREPOSITION_END.search(tail, max(0, len(tail) - _LONGEST_PREPOSITION))
    return m.group() if m else None


_PART_AFTER = re.compile(
    r"\s*,?\s*(?:(?P<w>matin|soir|après-midi|midi)\b"
    r"|(?:dans|en|au|en début de|en fin de|en début d'|en fin d'|tard dans|tôt dans) ?(?:la |l')?(?P<w2>matinée|soirée|nuit|matin|soir|après-midi)\b)",
)


def part_of_day_after(after: str) -> str | None:
    """The part of the day written right after a day expression (`dimanche soir`), as a modifier."""
    m = _PART_AFTER.match(after)
    if not m:
        return None
    word = m.group("w") or m.group("w2")
    return {"matin": "morning", "matinée": "morning", "après-midi": "afternoon", "midi": "midday",
            "soir": "evening", "soirée": "evening", "nuit": "night"}[word]
