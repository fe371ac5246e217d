"""French word tables for date interpretation: months, weekdays, numbers, units, seasons, holidays.

Pure data plus two small helpers (`number_value`, `roman_value`). Keys are lower case, with
straight apostrophes; accented and unaccented spellings are both listed where news text uses both.
"""

from __future__ import annotations

MONTHS: dict[str, int] = {
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9,
    "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "décembre": 12, "decembre": 12,
    "déc": 12, "dec": 12,
}

WEEKDAYS: dict[str, int] = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}

#: Season name -> TIMEX3 season code (`2022-SP`).
SEASONS: dict[str, str] = {"printemps": "SP", "été": "SU", "ete": "SU", "automne": "FA", "hiver": "WI"}
#: Season code -> (first month, first day), (last month, last day); winter is labelled by the
#: year in which it starts (December).
SEASON_BOUNDS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "SP": ((3, 20), (6, 20)), "SU": ((6, 21), (9, 22)), "FA": ((9, 23), (12, 20)), "WI": ((12, 21), (3, 19)),
}

#: Fixed-date holidays (lower case, as written after the determiner) -> (month, day).
HOLIDAYS: dict[str, tuple[int, int]] = {
    "noël": (12, 25), "noel": (12, 25),
    "nouvel an": (1, 1), "jour de l'an": (1, 1),
    "saint-sylvestre": (12, 31), "saint-valentin": (2, 14),
    "toussaint": (11, 1), "armistice": (11, 11), "assomption": (8, 15), "halloween": (10, 31),
    "chandeleur": (2, 2), "fête nationale": (7, 14), "fête du travail": (5, 1),
    "fête de la musique": (6, 21),
}

#: Number words (1..99 are built below; `cent`, `mille` added).
_UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
          "douze", "treize", "quatorze", "quinze", "seize"]
_TENS = {20: "vingt", 30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante"}


def _number_words() -> dict[str, int]:
    out: dict[str, int] = {w: i for i, w in enumerate(_UNITS)}
    out["une"] = 1
    for n in range(17, 20):
        out["dix-" + _UNITS[n - 10]] = n
    for tens, word in _TENS.items():
        out[word] = tens
        for u in range(1, 10):
            if u == 1:
                forms = [f"{word} et un", f"{word}-et-un", f"{word} et une", f"{word}-et-une"]
            else:
                forms = [f"{word}-{_UNITS[u]}"]
            for f in forms:
                out[f] = tens + u
    for u in range(10, 20):  # soixante-dix .. soixante-dix-neuf
        word = _UNITS[u] if u <= 16 else "dix-" + _UNITS[u - 10]
        if u == 11:
            out["soixante et onze"] = out["soixante-et-onze"] = 71
        out[f"soixante-{word}"] = 60 + u
    out["quatre-vingts"] = out["quatre-vingt"] = 80
    for u in range(1, 20):
        word = _UNITS[u] if u <= 16 else "dix-" + _UNITS[u - 10]
        out[f"quatre-vingt-{word}"] = 80 + u
    out["cent"] = 100
    out["mille"] = 1000
    return out


NUMBER_WORDS: dict[str, int] = _number_words()

#: `une dizaine de` -> 10 (approximate quantities; the value gets the APPROX modifier).
APPROX_NUMBERS: dict[str, int] = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
    "cinquantaine": 50, "soixantaine": 60, "centaine": 100,
}

#: Vague quantities: the number in the value becomes `X` (`depuis plusieurs mois` -> `PXM`).
VAGUE_QUANTITIES = frozenset({
    "plusieurs", "quelques", "des", "de nombreux", "de nombreuses", "nombreux", "nombreuses", "de longs",
    "de longues", "longs", "longues", "certains", "certaines", "de longs et", "bien des",
})

#: Unit word (singular or plural) -> (TIMEX3 unit letter, multiplier, is a time-of-day unit).
UNITS: dict[str, tuple[str, int, bool]] = {}
for _words, _spec in (
    (("seconde", "secondes"), ("S", 1, True)),
    (("minute", "minutes", "min"), ("M", 1, True)),
    (("heure", "heures", "h"), ("H", 1, True)),
    (("jour", "jours", "journée", "journées"), ("D", 1, False)),
    (("nuit", "nuits"), ("D", 1, False)),
    (("semaine", "semaines"), ("W", 1, False)),
    (("week-end", "week-ends", "weekend", "weekends"), ("WE", 1, False)),
    (("mois",), ("M", 1, False)),
    (("trimestre", "trimestres"), ("M", 3, False)),
    (("semestre", "semestres"), ("M", 6, False)),
    (("an", "ans", "année", "années"), ("Y", 1, False)),
    (("décennie", "décennies"), ("Y", 10, False)),
    (("siècle", "siècles"), ("Y", 100, False)),
):
    for _w in _words:
        UNITS[_w] = _spec

#: Part of the day -> modifier value.
PARTS_OF_DAY: dict[str, str] = {
    "matin": "morning", "matinée": "morning", "après-midi": "afternoon", "midi": "midday",
    "soir": "evening", "soirée": "evening", "nuit": "night",
}

#: Quantity modifiers inside a duration or an `il y a` phrase -> TIMEX3 mod.
QUANTITY_MODS: dict[str, str | None] = {
    "plus de": "MORE_THAN", "plus d'": "MORE_THAN", "moins de": "LESS_THAN", "moins d'": "LESS_THAN",
    "près de": "APPROX", "près d'": "APPROX", "environ": "APPROX", "presque": "APPROX", "quelque": "APPROX",
    "au moins": "EQUAL_OR_MORE", "un peu plus de": "MORE_THAN", "un peu moins de": "LESS_THAN",
    "pas moins de": "EQUAL_OR_MORE", "quasiment": "APPROX", "bientôt": "APPROX", "à peine": "EQUAL_OR_LESS",
    "seulement": None, "déjà": None, "au total": None, "tout juste": None,
}

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def roman_value(text: str) -> int | None:
    """Integer value of a Roman numeral (`XXI` -> 21), or None when `text` is not one."""
    text = text.lower()
    if not text or any(ch not in _ROMAN for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        v = _ROMAN[ch]
        if i + 1 < len(text) and _ROMAN[text[i + 1]] > v:
            total -= v
        else:
            total += v
    return total


def number_value(text: str) -> int | None:
    """Value of a number written in digits (`12`, `1 000`) or in French words (`vingt-quatre`)."""
    key = " ".join(text.lower().split())
    digits = key.replace(" ", "")
    if digits.isdigit():
        return int(digits)
    if key in NUMBER_WORDS:
        return NUMBER_WORDS[key]
    # "deux cents", "trois mille" and the like
    parts = key.split()
    if len(parts) == 2 and parts[1] in ("cent", "cents", "mille") and parts[0] in NUMBER_WORDS:
        return NUMBER_WORDS[parts[0]] * (100 if parts[1].startswith("cent") else 1000)
    return None
