"""Interpret one French date expression found by the rules: TIMEX3-style value, kind, modifier.

`interpret(expression, doc_date, before, after)` is called once per field of every `DateMention`,
so it is built for speed: the expression is parsed once (`parse`, cached on the expression) into
a `Parsed` (kind, modifier, a resolver), and the value is computed once per (expression, document
date, clause tense, preposition, part of day) (`_evaluate`, cached). Only small features of the
context are read (`ruleie.dates.context`), and the tense only when the expression needs it.
Parsing is done with this module's own regexes and tables; `dateparser` is not used at all (every
form the rules find is covered here, and an unknown form gets value None rather than a guess).

The conventions (the rule file `rules/fr/50_dates.rules` documents the spans):

- values: `2023-05-12` day, `2023-05` month, `2023` year, `2023-W19` ISO week, `2023-W19-WE`
  weekend, `2022-SP|SU|FA|WI` season (winter labelled by the year it starts in), `199X` decade,
  `19XX` century, `2023-05-12T14:30` day and time, `XXXX-XX-XXT14:30` a time with no day,
  `XXXX-05-12` / `XXXX-05` a day or month without year when there is no document date;
  durations `P3Y`, `P2W`, `PT30M`, `PXM` (vague quantity), `P1.5D`; sets `XXXX-WXX-1` (every
  Monday), `P1Y` (every year), `XXXX-07-14` (every 14 July); intervals `start/end`; vague
  references `PAST_REF` / `FUTURE_REF` (`il y a quelques jours`, `dans quelques jours`).
- relative expressions (hier, vendredi, la semaine prochaine, il y a trois jours...) are resolved
  against the document date only; without one their value is None (kind is still set).
- a bare weekday follows the tense of its clause: past -> the latest such day on or before the
  document date (so `vendredi` in a Friday's paper, past tense, is that Friday); future or present
  -> the next one on or after it; no verb -> the nearest one. `vendredi dernier` is strictly
  before, `lundi prochain` strictly after the document date. `depuis lundi` counts as past,
  `d'ici vendredi` / `jusqu'à vendredi` as future, whatever the verb. `ce lundi` without tense is
  the Monday of the document's ISO week. `vendredi 12` is the nearby Friday the 12th.
- a day and month without year (`le 14 juillet`), a month without year (`en mars`), a holiday
  (`Noël`) and a season (`à l'automne`) take the occurrence consistent with the tense (past -> on or
  before the document date, future -> on or after), else the nearest one; `dernier` / `prochain`
  -> strictly before / after.
- `le lundi 3 avril 2023 à 14h30` is one `time` mention with value `2023-04-03T14:30`;
  `14 heures` is a clock time after `à`, `vers`, `dès`, `avant`, `après`, `jusqu'à`... (the
  preposition is outside the span) and a duration otherwise (`pendant 14 heures`).
- `ce matin`, `cette nuit`: the document day with modifier morning / night (`cette nuit` is the
  document date whatever the tense: the night that ends on it or starts on it).
- `Noël`, `la Toussaint`... are days and months like `le 25 décembre` (same year policy).
- a bare quantity is a duration (`trois ans`), a date after `dans` / `d'ici` (`dans deux
  semaines`), and `il y a` + quantity is a date; vague quantities give PAST_REF / FUTURE_REF.
- anaphoric expressions (`la veille`, `le lendemain`, `le lundi suivant`, `le 6 septembre
  suivant`, `l'année suivante`) are relative to another event, not to the document date: value None.
- units of relative offsets keep their granularity: `il y a trois jours` -> a day, `il y a deux
  semaines` -> an ISO week, `dans deux mois` -> a month, `il y a vingt ans` -> a year.
- modifier: TIMEX3 `mod` in upper case for fuzzy and relational parts (START, MID, END, APPROX,
  MORE_THAN, LESS_THAN, EQUAL_OR_MORE, BEFORE, AFTER, ON_OR_BEFORE, ON_OR_AFTER), a part of the day in
  lower case (morning, midday, afternoon, evening, night). One modifier per mention: the
  expression's own (début, vers, plus de, ce matin) first, then a part of day written just after
  the day (`dimanche soir`), then the preposition before it (`avant`, `à partir du`, `jusqu'au`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Callable, Optional

from ruleie.dates import context
from ruleie.dates.tables import (
    APPROX_NUMBERS,
    HOLIDAYS,
    MONTHS,
    PARTS_OF_DAY,
    QUANTITY_MODS,
    SEASON_BOUNDS,
    SEASONS,
    UNITS,
    VAGUE_QUANTITIES,
    WEEKDAYS,
    number_value,
    roman_value,
)

KINDS = ("date", "time", "duration", "set", "interval")


@dataclass(frozen=True)
class DateValue:
    """What a date expression means: TIMEX3-style `value` (None when unresolved), `kind`, `modifier`."""

    value: Optional[str]
    kind: str
    modifier: Optional[str] = None


# --------------------------------------------------------------------------- document date


@dataclass(frozen=True)
class Doc:
    """The document date: year and month always, day and time when known."""

    year: int
    month: int
    day: Optional[int] = None
    hour: Optional[int] = None
    minute: Optional[int] = None

    @property
    def date(self) -> Optional[date]:
        """The day as a `date`, or None for a month-only document date."""
        return date(self.year, self.month, self.day) if self.day else None

    @property
    def pivot(self) -> date:
        """A day to compare with: the document day, or the middle of its month."""
        return date(self.year, self.month, self.day or 15)


_DOC_RE = re.compile(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?)?")


@lru_cache(maxsize=256)
def parse_doc_date(text: Optional[str]) -> Optional[Doc]:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY-MM-DDTHH:MM` (seconds and zone ignored) -> Doc, else None."""
    if not text:
        return None
    m = _DOC_RE.match(text)
    if not m:
        return None
    y, mo = int(m.group(1)), int(m.group(2))
    d = int(m.group(3)) if m.group(3) else None
    try:
        date(y, mo, d or 1)
    except ValueError:
        return None
    h = int(m.group(4)) if m.group(4) else None
    mi = int(m.group(5)) if m.group(5) else None
    return Doc(y, mo, d, h, mi)


# --------------------------------------------------------------------------- formatting


def fmt_day(d: date) -> str:
    """`2023-05-12`."""
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def fmt_month(y: int, m: int) -> str:
    """`2023-05`."""
    return f"{y:04d}-{m:02d}"


def fmt_week(d: date) -> str:
    """ISO week of a day: `2023-W19` (the ISO year, which differs near 1 January)."""
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def fmt_time(h: int, mi: int) -> str:
    """`T14:30`."""
    return f"T{h:02d}:{mi:02d}"


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    """(year, month) shifted by k months."""
    idx = y * 12 + (m - 1) + k
    return idx // 12, idx % 12 + 1


def _valid(y: int, m: int, d: int) -> Optional[date]:
    try:
        return date(y, m, d)
    except ValueError:
        return None


# --------------------------------------------------------------------------- choosing a year


def choose_day(doc: Doc, month: int, day: int, tense: Optional[str], rel: Optional[str],
               weekday: Optional[int] = None) -> Optional[date]:
    """The occurrence of day/month consistent with `rel` (last/next) or the tense, else the nearest.

    A weekday written with the date (`mercredi 20 janvier`) keeps only the years where it fits,
    which usually settles the year whatever the tense.
    """
    pivot = doc.pivot
    cands = [c for y in range(doc.year - 6, doc.year + 7) if (c := _valid(y, month, day))]
    if weekday is not None:
        fitting = [c for c in cands if c.weekday() == weekday]
        near = [c for c in fitting if abs((c - pivot).days) <= 200]
        if len(near) == 1:
            return near[0]
        cands = fitting or cands
    if not cands:
        return None
    if rel == "last":
        pool = [c for c in cands if c < pivot]
        if pool:
            return max(pool)
    elif rel == "next":
        pool = [c for c in cands if c > pivot]
        if pool:
            return min(pool)
    elif tense == "past":
        pool = [c for c in cands if c <= pivot]
        if pool:
            return max(pool)
    elif tense == "future":
        pool = [c for c in cands if c >= pivot]
        if pool:
            return min(pool)
    near = [c for c in cands if abs(c.year - doc.year) <= 1]
    return min(near or cands, key=lambda c: (abs((c - pivot).days), c.year != doc.year))


def choose_month(doc: Doc, month: int, tense: Optional[str], rel: Optional[str]) -> int:
    """The year of a month named without year, by the same policy as `choose_day`."""
    here = doc.year * 12 + doc.month
    cands = [(y, y * 12 + month) for y in (doc.year - 1, doc.year, doc.year + 1)]
    if rel == "last":
        return max(y for y, i in cands if i < here)
    if rel == "next":
        return min(y for y, i in cands if i > here)
    if tense == "past":
        return max(y for y, i in cands if i <= here)
    if tense == "future":
        return min(y for y, i in cands if i >= here)
    return min(cands, key=lambda c: (abs(c[1] - here), c[0] != doc.year))[0]


def season_span(code: str, year: int) -> tuple[date, date]:
    """First and last day of a season labelled `year` (winter runs into the next year)."""
    (m1, d1), (m2, d2) = SEASON_BOUNDS[code]
    return date(year, m1, d1), date(year + 1 if code == "WI" else year, m2, d2)


def choose_season(doc: Doc, code: str, tense: Optional[str], rel: Optional[str]) -> int:
    """The year label of a season named without year (current one for `ce`/no tense)."""
    pivot = doc.pivot
    spans = [(y, *season_span(code, y)) for y in range(doc.year - 2, doc.year + 2)]
    if rel == "last":
        return max(y for y, s, e in spans if e < pivot)
    if rel == "next":
        return min(y for y, s, e in spans if s > pivot)
    current = [y for y, s, e in spans if s <= pivot <= e]
    if current:
        return current[0]
    if tense == "past":
        return max(y for y, s, e in spans if e < pivot)
    if tense == "future":
        return min(y for y, s, e in spans if s > pivot)
    # nearest season of that name
    return min(spans, key=lambda t: min(abs((t[1] - pivot).days), abs((t[2] - pivot).days)))[0]


def choose_weekday(doc: Doc, wd: int, tense: Optional[str], rel: Optional[str]) -> Optional[date]:
    """A named weekday relative to the document day (see the module docstring for the policy)."""
    d = doc.date
    if d is None:
        return None
    back = (d.weekday() - wd) % 7
    ahead = (wd - d.weekday()) % 7
    if rel == "last":
        return d - timedelta(days=back or 7)
    if rel == "next":
        return d + timedelta(days=ahead or 7)
    if rel == "this":  # `ce vendredi`: the tense decides, else the day of the current week
        if tense == "past":
            return d - timedelta(days=back)
        if tense == "future":
            return d + timedelta(days=ahead)
        return d + timedelta(days=wd - d.weekday())
    if tense == "past":
        return d - timedelta(days=back)
    if tense in ("future", "present"):
        return d + timedelta(days=ahead)
    return d - timedelta(days=back) if back <= ahead else d + timedelta(days=ahead)


# --------------------------------------------------------------------------- parsed expressions

Resolver = Callable[[Optional[Doc], Optional[str]], Optional[str]]


@dataclass(frozen=True)
class Parsed:
    """An expression understood without context: kind, own modifier, and how to compute the value.

    `needs_tense`: the value depends on the clause's tense; `day_level`: a part of the day written
    after the expression applies to it (`dimanche soir`); `relation`: a preposition before it may
    add a modifier (`avant le 9 mai`); `kind_by_tense`: (kind if past, kind otherwise) for the
    habitual/specific `le lundi`; `dated_kind`: for a bare quantity (`deux semaines`), the value
    depends on the preposition before it (`dans`, `d'ici` -> a date; otherwise a duration) and
    this is its kind as a date.
    """

    kind: str
    resolve: Resolver
    modifier: Optional[str] = None
    needs_tense: bool = False
    day_level: bool = False
    relation: bool = True
    kind_by_tense: Optional[tuple[str, str]] = None
    dated_kind: Optional[str] = None  # kind when a preposition makes it a date (`dans deux jours`)


def _const(value: Optional[str]) -> Resolver:
    return lambda doc, tense: value


# -- building blocks (regex sources; groups are named per use)

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WD_ALT = "|".join(WEEKDAYS)
_DAYNUM = r"(?:1er|premier|3[01]|[12]\d|0?[1-9])"
_YEAR = r"(?:1\d{3}|20\d{2})"
_REL_WORDS = {
    "dernier": "last", "dernière": "last", "passé": "last", "passée": "last",
    "prochain": "next", "prochaine": "next",
}
_REL = r"(?:dernier|dernière|passé|passée|prochain|prochaine)"


def _daynum(text: str) -> int:
    return 1 if text in ("1er", "premier") else int(text)


_TIME_SRC = (
    r"(?:(?P<H>[01]?\d|2[0-4]) ?(?:h|heures?)(?: ?(?P<MI>[0-5]\d)(?: ?(?:min|minutes))?)?"
    r"(?: (?P<HALF>et demie?|et quart|moins le quart))?"
    r"|(?P<H2>[01]?\d|2[0-4]):(?P<MI2>[0-5]\d)"
    r"|(?P<NOON>midi|minuit)(?: (?P<HALF2>et demie?|et quart|moins le quart))?)"
    r"(?: (?P<POD>du matin|du soir|de l'après-midi|de la nuit|de l'aprem))?"
)
_TIME_RE = re.compile(_TIME_SRC)


def _time_of(m: re.Match[str]) -> Optional[tuple[int, int]]:
    """(hour, minute) of a `_TIME_SRC` match, or None when out of range."""
    if m.group("NOON"):
        h, mi = (12 if m.group("NOON") == "midi" else 0), 0
        half = m.group("HALF2")
    elif m.group("H2") is not None:
        h, mi = int(m.group("H2")), int(m.group("MI2"))
        half = None
    else:
        h, mi = int(m.group("H")), int(m.group("MI") or 0)
        half = m.group("HALF")
    if half:
        if half.startswith("et demi"):
            mi += 30
        elif half == "et quart":
            mi += 15
        else:
            h, mi = h - 1, mi + 45
    pod = m.group("POD")
    if pod in ("du soir", "de l'après-midi", "de l'aprem") and h < 12:
        h += 12
    if h == 24 and mi == 0:
        h = 0
    if not (0 <= h <= 23 and 0 <= mi <= 59):
        return None
    return h, mi


def parse_time(text: str) -> Optional[tuple[int, int]]:
    """(hour, minute) of a clock time (`14h30`, `14 heures`, `midi et demi`, `8 h du soir`)."""
    m = _TIME_RE.fullmatch(text)
    return _time_of(m) if m else None


# -- day points: something that resolves to one day


@dataclass(frozen=True)
class DayPoint:
    """A day as written: any of year, month, day, weekday; `rel` last/next/this."""

    year: Optional[int] = None
    month: Optional[int] = None
    day: Optional[int] = None
    weekday: Optional[int] = None
    rel: Optional[str] = None

    @property
    def complete(self) -> bool:
        """Year, month and day are all written."""
        return None not in (self.year, self.month, self.day)

    def resolve(self, doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
        """`2023-05-09`, `XXXX-05-09` (no year, no document date) or None."""
        d = self.resolve_date(doc, tense)
        if d is not None:
            return fmt_day(d)
        if self.month and self.day and self.year is None and doc is None and self.rel != "anaphoric":
            return f"XXXX-{self.month:02d}-{self.day:02d}"
        return None

    def resolve_date(self, doc: Optional[Doc], tense: Optional[str]) -> Optional[date]:
        """The day as a `date` when it can be determined."""
        if self.rel == "anaphoric":
            return None
        if self.month and self.day:
            if self.year is not None:
                return _valid(self.year, self.month, self.day)
            if doc is None:
                return None
            return choose_day(doc, self.month, self.day, tense, self.rel, self.weekday)
        if self.day and self.weekday is not None:  # `vendredi 12`: the nearby month where the 12th is a Friday
            if doc is None:
                return None
            pivot = doc.pivot
            best = None
            for k in (0, -1, 1, -2, 2):
                y, m = add_months(pivot.year, pivot.month, k)
                c = _valid(y, m, self.day)
                if c and c.weekday() == self.weekday and (best is None or abs((c - pivot).days) < abs((best - pivot).days)):
                    best = c
            return best
        if self.weekday is not None:
            if doc is None:
                return None
            return choose_weekday(doc, self.weekday, tense, self.rel)
        return None

    @property
    def needs_tense(self) -> bool:
        """Whether the year or the week depends on the clause's tense."""
        return self.year is None and self.rel in (None, "this")


_DAY_POINT_RES = [
    # le lundi 3 avril 2023 / 3 avril / 14-juillet / 1er mai dernier
    re.compile(
        rf"(?:(?:le|ce|au|du|dès le) )?(?:(?P<wd>{_WD_ALT}),? )?(?P<d>{_DAYNUM}) ?(?:-|–)? ?(?P<m>{_MONTH_ALT})\.?"
        rf"(?:(?: ?-|,)? (?:de l'an |de l'année )?(?P<y>{_YEAR}|\d{{2}}))?(?: (?P<rel>{_REL}|suivant|précédent))?"
    ),
    # 09/05/2023, 9.05.2023, 9-5-2023
    re.compile(r"(?:le )?(?P<d>[0-3]?\d)(?P<sep>[/.-])(?P<m>[01]?\d)(?P=sep)(?P<y>\d{4}|\d{2})"),
    # 2023-05-09
    re.compile(r"(?:le )?(?P<y>\d{4})-(?P<m>[01]\d)-(?P<d>[0-3]\d)"),
    # vendredi 12 / lundi / ce lundi / lundi dernier / lundi prochain
    re.compile(rf"(?:(?P<ce>ce|le) )?(?P<wd>{_WD_ALT})(?: (?P<d>{_DAYNUM}))?(?: (?P<rel>{_REL}|qui vient|qui arrive))?"),
]


def parse_day_point(text: str) -> Optional[DayPoint]:
    """A day written with a date, a weekday or both; None for anything else."""
    for i, rx in enumerate(_DAY_POINT_RES):
        m = rx.fullmatch(text)
        if not m:
            continue
        g = m.groupdict()
        year = month = day = wd = None
        if g.get("m"):
            month = MONTHS.get(g["m"]) if not g["m"].isdigit() else int(g["m"])
            if not month or not 1 <= month <= 12:
                return None
        if g.get("d"):
            day = _daynum(g["d"])
        if g.get("y"):
            year = int(g["y"])
            if year < 100:
                year += 1900 if year >= 30 else 2000
        if g.get("wd"):
            wd = WEEKDAYS[g["wd"]]
        rel = g.get("rel")
        if rel in ("suivant", "précédent"):
            rel = "anaphoric"  # `le 6 septembre suivant`: relative to another event
        else:
            rel = _REL_WORDS.get(rel, "next" if rel in ("qui vient", "qui arrive") else None) if rel else None
        if rel is None and g.get("ce") == "ce":
            rel = "this"
        if i == 3 and g.get("ce") == "le" and day is None:
            return None  # `le lundi` alone is handled as a habit/specific day elsewhere
        if month and day and not _valid(year or 2000, month, day):
            return None
        if year is not None and rel is not None:
            rel = None
        return DayPoint(year, month, day, wd, rel)
    return None


# -- relative days

_REL_DAYS = {"hier": -1, "avant-hier": -2, "aujourd'hui": 0, "demain": 1, "après-demain": 2,
             "aujourd'hui même": 0, "ce jour": 0, "hier même": -1}


def _shift_days(k: int) -> Resolver:
    def resolve(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
        if doc is None or doc.date is None:
            return None
        return fmt_day(doc.date + timedelta(days=k))
    return resolve


def _day_resolver(text: str) -> Optional[tuple[Resolver, bool]]:
    """A resolver for anything naming one day (date, weekday, hier, Noël...), and needs_tense."""
    if text in _REL_DAYS:
        return _shift_days(_REL_DAYS[text]), False
    dp = parse_day_point(text)
    if dp is not None:
        return dp.resolve, dp.needs_tense
    hol = _holiday(text)
    if hol is not None:
        return hol.resolve, hol.needs_tense
    return None


# -- holidays

_HOLIDAY_RE = re.compile(
    r"(?:(?:le|la|l'|à la|au) ?)?(?:(?P<pre>jour|veille|soir|nuit|réveillon|lendemain|matin|fêtes|fête|vacances|trêve|période) (?:de |du |des |d')?(?:la |le |l')?)?"
    r"(?P<name>noël|noel|nouvel an|jour de l'an|saint-sylvestre|saint-valentin|toussaint|armistice|assomption|halloween|"
    r"chandeleur|fête nationale|fête du travail|fête de la musique|(?P<d>1er|14|8|11)-(?P<m>mai|juillet|novembre))"
    rf"(?: (?P<y>{_YEAR})| (?P<rel>{_REL}))?"
)


def _holiday(text: str) -> Optional[Parsed]:
    m = _HOLIDAY_RE.fullmatch(text)
    if not m:
        return None
    if m.group("d"):
        month, day = MONTHS[m.group("m")], _daynum(m.group("d"))
    else:
        month, day = HOLIDAYS[m.group("name")]
    pre = m.group("pre")
    modifier = None
    if pre == "veille":
        d0 = date(2001, month, day) - timedelta(days=1)
        month, day = d0.month, d0.day
    elif pre == "lendemain":
        d0 = date(2001, month, day) + timedelta(days=1)
        month, day = d0.month, d0.day
    elif pre == "réveillon" and (month, day) == (12, 25):
        month, day = 12, 24
    if pre in ("soir", "réveillon"):
        modifier = "evening"
    elif pre == "nuit":
        modifier = "night"
    elif pre == "matin":
        modifier = "morning"
    year = int(m.group("y")) if m.group("y") else None
    rel = _REL_WORDS.get(m.group("rel") or "")
    dp = DayPoint(year, month, day, None, rel)
    return Parsed("date", dp.resolve, modifier, needs_tense=dp.needs_tense, day_level=True)


# -- fuzzy prefixes: début / mi- / fin / courant

_FUZZY_RE = re.compile(
    r"(?:(?:en|à la|au|à|la|le|l'|dès le|dès la|dès|depuis le|depuis la|vers la|vers le) )?"
    r"(?P<f>tout début|tout au début|tout début|début|fin|mi|milieu|courant|moitié|première moitié|seconde moitié|deuxième moitié|"
    r"premier semestre|second semestre|deuxième semestre|premier trimestre|deuxième trimestre|troisième trimestre|quatrième trimestre|"
    r"dernier trimestre|premiers jours|derniers jours|premières semaines|dernières semaines|premiers mois|derniers mois)"
    r"(?:-| )(?:(?:de la |du mois de |du mois d'|de l'|du |des |de |d')?)(?P<rest>.+)"
)
_FUZZY_MODS = {
    "début": "START", "tout début": "START", "tout au début": "START", "fin": "END", "mi": "MID", "milieu": "MID",
    "courant": None, "moitié": None, "première moitié": "START", "seconde moitié": "END", "deuxième moitié": "END",
    "premiers jours": "START", "derniers jours": "END", "premières semaines": "START", "dernières semaines": "END",
    "premiers mois": "START", "derniers mois": "END",
}
_QUARTERS = {"premier trimestre": "Q1", "deuxième trimestre": "Q2", "second trimestre": "Q2", "troisième trimestre": "Q3",
             "quatrième trimestre": "Q4", "dernier trimestre": "Q4", "premier semestre": "H1",
             "second semestre": "H2", "deuxième semestre": "H2", "dernier semestre": "H2"}


# -- months, years, seasons, decades, centuries

_MONTH_RE = re.compile(
    rf"(?:(?:en|au mois de|au mois d'|le mois de|le mois d'|mois de|mois d'|ce mois de|ce mois d'|courant|dès) ?)?"
    rf"(?P<m>{_MONTH_ALT})\.?(?:(?: de l'année| de l'an)?(?: |-)(?P<y>{_YEAR})| (?P<y2>\d{{2}})| (?P<rel>{_REL}))?"
)
_YEAR_RE = re.compile(rf"(?:(?P<pre>en|l'an|l'année|année|an|vers|dès|depuis|courant|cette année|jusqu'en) )?(?P<y>{_YEAR})")
_SEASON_RE = re.compile(
    rf"(?:(?P<det>en|le|l'|au|cet|ce|cette|à l') ?)?(?P<s>printemps|été|ete|automne|hiver)"
    rf"(?: (?:de l'année |de |d')?(?P<y>{_YEAR})| (?P<rel>{_REL}|prochain|qui vient))?"
)
_DECADE_RE = re.compile(r"(?:(?:les|des|aux|dans les) )?années (?P<y>\d{4}|\d{2})|(?:la )?décennie (?P<y2>\d{4})")
_CENTURY_RE = re.compile(
    r"(?:(?:le|au|du) )?(?P<n>[ivx]+|\d{1,2})(?:e|ème|eme|è|er|ᵉ) siècle(?: (?P<era>avant j\.-c\.|av\. j\.-c\.|avant jésus-christ))?"
    r"|(?:le |au |du )?(?P<last>siècle dernier|siècle précédent|siècle passé|présent siècle|siècle en cours)"
)
_REL_UNIT_RE = re.compile(
    r"(?P<det>la|le|l'|cette|ce|cet|cette même|ce même)? ?(?P<u>semaine|mois|an|année|week-end|weekend|trimestre|saison|décennie)"
    r"(?:(?P<ci>-ci| en cours| courante?)| (?P<rel>dernier|dernière|passé|passée|prochain|prochaine|précédent|précédente|suivant|suivante|écoulée?))?"
)


def _month_value(year: Optional[int], month: int, doc: Optional[Doc], tense: Optional[str], rel: Optional[str]) -> Optional[str]:
    if year is not None:
        return fmt_month(year, month)
    if doc is None:
        return f"XXXX-{month:02d}"
    return fmt_month(choose_month(doc, month, tense, rel), month)


def _parse_month(text: str) -> Optional[Parsed]:
    m = _MONTH_RE.fullmatch(text)
    if not m:
        return None
    month = MONTHS[m.group("m")]
    year: Optional[int] = int(m.group("y")) if m.group("y") else None
    if m.group("y2"):
        if not (m.group("m") == "mai" and m.group("y2") == "68"):
            return None  # `mai 68` only: other two-digit years are too often something else
        year = 1968
    rel = _REL_WORDS.get(m.group("rel") or "")
    needs = year is None and rel is None
    return Parsed("date", lambda doc, tense: _month_value(year, month, doc, tense, rel), needs_tense=needs)


_ISO_MONTH_RE = re.compile(r"((?:1[0-9]|20)([0-9]{2}))-(0[1-9]|1[0-2])")


def _parse_iso_month(text: str) -> Optional[Parsed]:
    """`2023-05`: a year and a month, written the ISO way. When the two digits can be a later year
    (`2010-11`, a season), the year range reads it instead."""
    m = _ISO_MONTH_RE.fullmatch(text)
    if not m or int(m.group(3)) > int(m.group(2)):
        return None
    return Parsed("date", _const(f"{m.group(1)}-{m.group(3)}"))


def _parse_year(text: str) -> Optional[Parsed]:
    m = _YEAR_RE.fullmatch(text)
    if not m:
        return None
    mod = "APPROX" if m.group("pre") == "vers" else None
    return Parsed("date", _const(m.group("y")), mod)


def _parse_season(text: str) -> Optional[Parsed]:
    m = _SEASON_RE.fullmatch(text)
    if not m:
        return None
    code = SEASONS[m.group("s")]
    if m.group("y"):
        return Parsed("date", _const(f"{m.group('y')}-{code}"))
    rel = m.group("rel")
    rel_code = "next" if rel in ("prochain", "prochaine", "qui vient") else ("last" if rel else None)

    def resolve(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
        if doc is None:
            return None
        return f"{choose_season(doc, code, tense, rel_code):04d}-{code}"

    return Parsed("date", resolve, needs_tense=rel_code is None)


def _parse_decade(text: str) -> Optional[Parsed]:
    m = _DECADE_RE.fullmatch(text)
    if not m:
        return None
    y = m.group("y") or m.group("y2")
    if len(y) == 2:  # `les années 80` -> 198X; `les années 2000` must be written out
        y = ("20" if y == "00" else "19") + y
    if y[-1] != "0":
        return None
    return Parsed("date", _const(y[:3] + "X"))


def _parse_century(text: str) -> Optional[Parsed]:
    m = _CENTURY_RE.fullmatch(text)
    if not m:
        return None
    if m.group("last"):
        word = m.group("last")
        shift = 0 if word in ("présent siècle", "siècle en cours") else -1

        def resolve(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
            if doc is None:
                return None
            c = doc.year // 100 + shift
            return f"{c:02d}XX"

        return Parsed("date", resolve)
    n = m.group("n")
    num = int(n) if n.isdigit() else roman_value(n)
    if not num or num > 21:
        return None
    if m.group("era"):
        return Parsed("date", _const(f"BC{num - 1:02d}XX"))
    return Parsed("date", _const(f"{num - 1:02d}XX"))


def _rel_unit_value(unit: str, k: int, doc: Optional[Doc]) -> Optional[str]:
    """The calendar unit `k` units away from the document date, at that unit's granularity."""
    if doc is None:
        return None
    if unit in ("an", "année"):
        return f"{doc.year + k:04d}"
    if unit == "décennie":
        return f"{(doc.year // 10 + k):03d}X"
    if unit == "mois":
        return fmt_month(*add_months(doc.year, doc.month, k))
    if unit == "trimestre":
        q = (doc.month - 1) // 3 + k
        return f"{doc.year + q // 4:04d}-Q{q % 4 + 1}"
    if unit == "saison":
        return None
    d = doc.date
    if d is None:
        return None
    if unit == "semaine":
        return fmt_week(d + timedelta(weeks=k))
    if unit in ("week-end", "weekend"):
        return fmt_week(d + timedelta(weeks=k)) + "-WE"
    return None


def _parse_rel_unit(text: str) -> Optional[Parsed]:
    m = _REL_UNIT_RE.fullmatch(text)
    if not m:
        return None
    det, unit, rel = m.group("det"), m.group("u"), m.group("rel")
    if det is None and rel is None and not m.group("ci"):
        return None
    if rel in ("précédent", "précédente", "suivant", "suivante"):
        return Parsed("date", _const(None))  # anaphoric: relative to another event, not to the document date
    if rel in ("dernier", "dernière", "passé", "passée", "écoulé", "écoulée"):
        k = -1
    elif rel in ("prochain", "prochaine"):
        k = 1
    elif det in ("la", "le", "l'") and not m.group("ci"):
        return None  # `le mois`, `la semaine` alone
    else:
        k = 0
    if unit in ("week-end", "weekend"):
        def resolve_we(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
            if doc is None or doc.date is None:
                return None
            d = doc.date
            weekend = d.weekday() >= 5
            if k == -1:
                shift = -1
            elif k == 1:
                shift = 1 if weekend else 0
            else:
                shift = -1 if (tense == "past" and not weekend) else 0
            return fmt_week(d + timedelta(weeks=shift)) + "-WE"
        return Parsed("date", resolve_we, needs_tense=k == 0)
    return Parsed("date", lambda doc, tense: _rel_unit_value(unit, k, doc))


# -- parts of the day and relative days

_PART_RE = re.compile(
    r"(?P<det>ce|cette|cet|en|dans la|la|le|l') ?(?P<p>matin|matinée|soir|soirée|nuit|après-midi|midi|nuit dernière)"
    r"(?: (?:de |d'|du )(?P<rest>.+))?"
)


def _parse_part(text: str) -> Optional[Parsed]:
    m = _PART_RE.fullmatch(text)
    if m:
        part = m.group("p")
        if part == "nuit dernière":
            return Parsed("date", _shift_days(-1), "night", relation=False)
        mod = PARTS_OF_DAY[part]
        rest = m.group("rest")
        if rest:  # la nuit de samedi à dimanche, la soirée de mardi, la nuit du 3 au 4 mai
            day = _day_resolver(rest) or _day_resolver(_strip_det(rest))
            if day is None and re.search(r" (?:à|au) ", rest):
                span = _parse_interval(rest)
                if span is not None:  # the night starts on the first day
                    span_resolve = span.resolve
                    first: Resolver = lambda doc, tense: (v.split("/")[0] if (v := span_resolve(doc, tense)) else None)
                    return Parsed("date", first, mod, needs_tense=span.needs_tense, relation=False)
                day = _day_resolver(re.sub(r" (?:à|au) .*$", "", rest))
            if day is None:
                return None
            return Parsed("date", day[0], mod, needs_tense=day[1], relation=False)
        if m.group("det") in ("ce", "cette", "cet"):
            return Parsed("date", _shift_days(0), mod, relation=False)
        return None
    m = re.fullmatch(r"(?:la |dans la )?(?P<p>journée|matinée|soirée|nuit) (?:d'|de |du )(?P<rest>.+)", text)
    if m:
        day = _day_resolver(m.group("rest"))
        if day is None:
            return None
        mod = None if m.group("p") == "journée" else PARTS_OF_DAY[m.group("p")]
        return Parsed("date", day[0], mod, needs_tense=day[1], relation=False)
    return None


def _strip_det(text: str) -> str:
    return re.sub(r"^(?:le|la|l'|les|ce|cette) ", "", text)


_ANAPHORIC = frozenset({
    "la veille", "le lendemain", "le surlendemain", "l'avant-veille", "le jour même", "le même jour",
    "ce jour-là", "ce même jour", "la même année", "l'année suivante", "l'année précédente", "le mois suivant",
    "le mois précédent", "la semaine suivante", "la semaine précédente", "l'an suivant", "l'an d'après",
    "le lendemain matin", "le lendemain soir", "la veille au soir", "la veille au matin", "le lendemain au soir",
})


# -- quantities and durations

def _build_num_alt() -> str:
    from ruleie.dates.tables import NUMBER_WORDS

    words = sorted((w for w in NUMBER_WORDS if w != "zéro"), key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


_NUM_ALT = _build_num_alt()
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_QMOD_ALT = "|".join(sorted((re.escape(q) for q in QUANTITY_MODS), key=len, reverse=True))
_VAGUE_ALT = "|".join(sorted((re.escape(v) for v in VAGUE_QUANTITIES), key=len, reverse=True))
_APPROX_ALT = "|".join(APPROX_NUMBERS)

_QUANTITY_SRC = (
    rf"(?:(?P<qmod>{_QMOD_ALT}) ?)?"
    rf"(?:(?P<num>\d+(?:[.,]\d+)?(?: \d{{3}})?|{_NUM_ALT})"
    rf"|(?P<vague>{_VAGUE_ALT})"
    rf"|(?:une |un )(?P<approx>{_APPROX_ALT}|bonne dizaine|petite dizaine|bonne vingtaine) (?:de |d')"
    rf"|(?P<one>quelque))"
    rf" ?(?P<unit>{_UNIT_ALT})(?P<half> et demie?| et quart)?"
)
_DURATION_RE = re.compile(rf"(?P<depuis>depuis |voilà |voici |cela fait |ça fait )?{_QUANTITY_SRC}")
_AGO_RE = re.compile(rf"il y a {_QUANTITY_SRC}(?: de cela| de ça)?")
_LAST_N_RE = re.compile(
    rf"(?:(?:les|ces|des|aux) )?(?:(?P<num>\d+|{_NUM_ALT}) )?(?P<dir>derniers|dernières|prochains|prochaines|premiers|premières) (?P<unit>{_UNIT_ALT})"
    rf"|(?:(?:les|ces|des|aux) )?(?:(?P<num2>\d+|{_NUM_ALT}) )?(?P<unit2>{_UNIT_ALT}) (?P<dir2>derniers|dernières|écoulés|écoulées|passés|passées|à venir|qui viennent)"
)


@dataclass(frozen=True)
class Quantity:
    """A count of units: `n` None for a vague quantity (`plusieurs`), `mod` a TIMEX3 mod."""

    n: Optional[float]
    unit: str  # TIMEX3 letter: S M H D W WE M Y (time units flagged by `time`)
    time: bool
    mod: Optional[str]


def _quantity(m: re.Match[str]) -> Optional[Quantity]:
    unit_word = m.group("unit")
    letter, mult, is_time = UNITS[unit_word]
    mod = QUANTITY_MODS.get(m.group("qmod") or "", None)
    n: Optional[float]
    if m.group("num"):
        raw = m.group("num")
        n = number_value(raw) if not re.search(r"[.,]", raw) else float(raw.replace(",", ".").replace(" ", ""))
        if n is None:
            return None
        if n == 1 and unit_word in ("ans", "jours", "heures", "semaines", "années", "minutes"):
            return None  # `1 ans`: a typo or a misread number
    elif m.group("approx"):
        word = m.group("approx").split()[-1]
        n = APPROX_NUMBERS[word]
        mod = mod or "APPROX"
    elif m.group("one"):
        n = None
    else:
        n = None
    if n is not None:
        n = n * mult
        if m.group("half"):
            n += 0.5 * mult if "demi" in m.group("half") else 0.25 * mult
    elif mult != 1 and letter == "Y":
        letter = {10: "DE", 100: "CE"}.get(mult, letter)
    return Quantity(n, letter, is_time, mod)


def _fmt_number(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def duration_value(q: Quantity) -> str:
    """TIMEX3 duration of a quantity: P3Y, P2W, PT30M, PXM, P18M (`un an et demi`)."""
    n, unit = q.n, q.unit
    if n is not None and not float(n).is_integer():
        if unit == "Y":
            n, unit = n * 12, "M"
        elif unit == "H" and q.time:
            n, unit = n * 60, "M"
        elif unit == "D":
            n, unit = n * 24, "H"
            return f"PT{_fmt_number(n)}H"
    num = "X" if n is None else _fmt_number(n)
    if unit == "WE":
        return f"P{num}WE"
    return f"PT{num}{unit}" if q.time else f"P{num}{unit}"


def offset_value(q: Quantity, sign: int, doc: Optional[Doc]) -> Optional[str]:
    """The date `q` before (sign -1) or after (+1) the document date, at the unit's granularity."""
    if doc is None:
        return None
    if q.n is None:
        return "PAST_REF" if sign < 0 else "FUTURE_REF"
    n = q.n
    if q.time:
        if doc.date is None:
            return None
        if doc.hour is None:
            return None
        base = datetime(doc.year, doc.month, doc.day, doc.hour, doc.minute or 0)
        delta = {"S": timedelta(seconds=n), "M": timedelta(minutes=n), "H": timedelta(hours=n)}[q.unit]
        t = base + sign * delta
        return f"{fmt_day(t.date())}T{t.hour:02d}:{t.minute:02d}"
    if q.unit == "Y":
        if not float(n).is_integer():
            return None
        return f"{doc.year + sign * int(n):04d}"
    if q.unit == "M":
        if not float(n).is_integer():
            return None
        return fmt_month(*add_months(doc.year, doc.month, sign * int(n)))
    d = doc.date
    if d is None:
        return None
    if q.unit == "D":
        return fmt_day(d + timedelta(days=sign * n))
    if q.unit == "W":
        return fmt_week(d + timedelta(weeks=sign * n))
    if q.unit == "WE":
        return fmt_week(d + timedelta(weeks=sign * n)) + "-WE"
    return None


_COMPONENT_RE = re.compile(rf"(?P<num>\d+|{_NUM_ALT}) ?(?P<unit>{_UNIT_ALT})")
_COMPOUND_RE = re.compile(
    rf"(?P<pre>depuis |il y a )?(?:(?P<qmod>{_QMOD_ALT}) ?)?(?P<body>(?:(?:\d+|{_NUM_ALT}) ?(?:{_UNIT_ALT})(?:,? et |, | )?){{2,4}})"
)
_TIMEX_ORDER = {"Y": 0, "M": 1, "W": 2, "D": 3, "H": 4, "TM": 5, "S": 6}


def _parse_compound(text: str) -> Optional[Parsed]:
    """`deux ans et trois mois` (P2Y3M), `1 heure 46 minutes et 28 secondes` (PT1H46M28S)."""
    m = _COMPOUND_RE.fullmatch(text)
    if not m:
        return None
    parts: dict[str, int] = {}
    for c in _COMPONENT_RE.finditer(m.group("body")):
        n = number_value(c.group("num"))
        letter, mult, is_time = UNITS[c.group("unit")]
        if n is None or letter == "WE":
            return None
        key = "TM" if (letter == "M" and is_time) else letter
        if key in parts:
            return None
        parts[key] = n * mult
    if len(parts) < 2:
        return None
    if "W" in parts and len(parts) > 1:
        parts["D"] = parts.get("D", 0) + 7 * parts.pop("W")
    ordered = sorted(parts.items(), key=lambda kv: _TIMEX_ORDER[kv[0]])
    date_part = "".join(f"{n}{k}" for k, n in ordered if k in ("Y", "M", "W", "D"))
    time_part = "".join(f"{n}{'M' if k == 'TM' else k}" for k, n in ordered if k in ("H", "TM", "S"))
    value = "P" + date_part + ("T" + time_part if time_part else "")
    mod = QUANTITY_MODS.get(m.group("qmod") or "", None)
    if m.group("pre") == "il y a":
        return None
    return Parsed("duration", _const(value), mod, relation=False)


def _parse_duration(text: str) -> Optional[Parsed]:
    compound = _parse_compound(text)
    if compound is not None:
        return compound
    m = _AGO_RE.fullmatch(text)
    if m:
        q = _quantity(m)
        if q is None:
            return None
        mod = {"MORE_THAN": "BEFORE", "LESS_THAN": "AFTER", "EQUAL_OR_MORE": "ON_OR_BEFORE"}.get(q.mod or "", q.mod)
        kind = "time" if q.time else "date"
        return Parsed(kind, lambda doc, tense: offset_value(q, -1, doc), mod, relation=False)
    m = _DURATION_RE.fullmatch(text)
    if m:
        q = _quantity(m)
        if q is None:
            return None
        if m.group("depuis"):
            return Parsed("duration", _const(duration_value(q)), q.mod, relation=False)

        # `dans deux semaines`, `d'ici trois ans` (the preposition is outside the span): a date;
        # otherwise (`pendant trois ans`, `en deux heures`) a duration.
        kind_of = "time" if q.time else "date"

        def resolve(doc: Optional[Doc], prep: Optional[str]) -> Optional[str]:
            if prep in ("dans", "d'ici", "d'ici à"):
                return offset_value(q, +1, doc)
            if prep == "il y a":
                return offset_value(q, -1, doc)
            return duration_value(q)

        return Parsed("duration", resolve, q.mod, relation=False, dated_kind=kind_of)
    m = _LAST_N_RE.fullmatch(text)
    if m:
        num = m.group("num") or m.group("num2")
        unit_word = m.group("unit") or m.group("unit2")
        direction = m.group("dir") or m.group("dir2")
        if direction in ("premiers", "premières"):
            return None
        letter, mult, is_time = UNITS[unit_word]
        n = None if num is None else (number_value(num) or 0) * mult
        if num is None and mult != 1 and letter == "Y":
            letter = {10: "DE", 100: "CE"}.get(mult, letter)
        q = Quantity(n, letter, is_time, None)
        return Parsed("duration", _const(duration_value(q)), relation=False)
    return None


# -- sets

_SET_RE = re.compile(
    rf"(?P<q>chaque|tous les|toutes les|le|les) (?:(?P<n>\d+|{_NUM_ALT}|) ?)?"
    rf"(?P<what>{_WD_ALT}|lundis|mardis|mercredis|jeudis|vendredis|samedis|dimanches|{_UNIT_ALT}|matin|matins|soir|soirs|nuit|nuits|midi|midis|"
    rf"printemps|été|étés|automne|automnes|hiver|hivers|(?P<d>{_DAYNUM}) (?P<m>{_MONTH_ALT})|(?P<m2>{_MONTH_ALT}))"
    rf"(?: (?P<pod>matin|soir|après-midi|midi))?"
)
_PER_RE = re.compile(rf"(?P<n>une|un|deux|trois|quatre|cinq|six|\d+) fois par (?P<u>{_UNIT_ALT})")


def _parse_set(text: str) -> Optional[Parsed]:
    m = _PER_RE.fullmatch(text)
    if m:
        letter, mult, is_time = UNITS[m.group("u")]
        return Parsed("set", _const(duration_value(Quantity(mult, letter, is_time, None))), relation=False)
    m = _SET_RE.fullmatch(text)
    if not m:
        return None
    q, what = m.group("q"), m.group("what")
    if m.group("n") and not m.group("d"):  # `chaque 14 juillet`: the number is a day, not a count
        dm = re.fullmatch(rf"(?:chaque|tous les) (?P<d>{_DAYNUM}) (?P<m>{_MONTH_ALT})", text)
        if dm:
            return Parsed("set", _const(f"XXXX-{MONTHS[dm.group('m')]:02d}-{_daynum(dm.group('d')):02d}"), relation=False)
    n = number_value(m.group("n")) if m.group("n") else None
    pod = PARTS_OF_DAY.get(m.group("pod") or "")
    wd_word = what[:-1] if what.endswith("s") and what[:-1] in WEEKDAYS else what
    if q == "le":
        if wd_word not in WEEKDAYS:
            return None
        wd = WEEKDAYS[wd_word]
        # `le lundi`: a habit (every Monday) unless the clause is in the past (that Monday)
        dp = DayPoint(weekday=wd)

        def resolve(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
            if tense == "past":
                return dp.resolve(doc, tense)
            return f"XXXX-WXX-{wd + 1}"

        return Parsed("set", resolve, pod, needs_tense=True, kind_by_tense=("date", "set"), relation=False)
    if q == "les" and wd_word not in WEEKDAYS:
        return None
    if wd_word in WEEKDAYS:
        return Parsed("set", _const(f"XXXX-WXX-{WEEKDAYS[wd_word] + 1}"), pod, relation=False)
    if m.group("d"):
        return Parsed("set", _const(f"XXXX-{MONTHS[m.group('m')]:02d}-{_daynum(m.group('d')):02d}"), relation=False)
    if m.group("m2"):
        return Parsed("set", _const(f"XXXX-{MONTHS[m.group('m2')]:02d}"), relation=False)
    base = what.rstrip("s") if what not in UNITS else what
    if what in UNITS or base in UNITS:
        letter, mult, is_time = UNITS[what if what in UNITS else base]
        count = (n or 1) * mult
        return Parsed("set", _const(duration_value(Quantity(count, letter, is_time, None))), relation=False)
    if base in ("matin", "soir", "nuit", "midi"):
        return Parsed("set", _const("P1D"), PARTS_OF_DAY[base], relation=False)
    if base in SEASONS or what in SEASONS:
        return Parsed("set", _const(f"XXXX-{SEASONS[base if base in SEASONS else what]}"), relation=False)
    return None


# -- times and day + time

_APPROX_TIME = re.compile(r"(?P<pre>vers|aux alentours de|aux environs de|autour de|environ|peu avant|peu après|dès|à partir de|"
                          r"avant|après|jusqu'à|depuis|à) (?P<t>.+)")
_DAY_TIME_RE = re.compile(
    r"(?P<day>.+?)(?: (?P<pod>matin|soir|après-midi|midi|au matin|au soir|dans la nuit|dans la soirée|dans la matinée|en soirée|en matinée|en fin de matinée|en début d'après-midi|en fin d'après-midi|en début de soirée))?"
    r"(?:,? (?P<pre>à|vers|aux alentours de|aux environs de|autour de|dès|peu avant|peu après) |, ?)(?P<t>.+)"
)
_TIME_MODS = {"vers": "APPROX", "aux alentours de": "APPROX", "aux environs de": "APPROX", "autour de": "APPROX",
              "environ": "APPROX", "peu avant": "BEFORE", "peu après": "AFTER", "dès": "ON_OR_AFTER",
              "à partir de": "ON_OR_AFTER", "avant": "BEFORE", "après": "AFTER", "jusqu'à": "ON_OR_BEFORE",
              "depuis": "ON_OR_AFTER"}


def _parse_time_expr(text: str) -> Optional[Parsed]:
    hm = parse_time(text)
    mod = None
    if hm is None:
        m = _APPROX_TIME.fullmatch(text)
        if not m:
            return None
        hm = parse_time(m.group("t"))
        if hm is None:
            return None
        mod = _TIME_MODS.get(m.group("pre"))
    value = "XXXX-XX-XX" + fmt_time(*hm)
    return Parsed("time", _const(value), mod)


def _parse_day_time(text: str) -> Optional[Parsed]:
    m = _DAY_TIME_RE.fullmatch(text)
    if not m:
        return None
    hm = parse_time(m.group("t"))
    if hm is None:
        return None
    day_text = m.group("day")
    pod_word = m.group("pod")
    if day_text in _ANAPHORIC:  # `la veille au soir à 22 h`: a time of another day
        return Parsed("time", _const(None), context.part_of_day_after(" " + pod_word) if pod_word else None)
    day = _day_resolver(day_text)
    pod = None
    if day is None:
        # `ce soir à 20 heures`: the part of the day belongs to the day phrase
        part = _parse_part(day_text) or (_parse_part(f"{day_text} {pod_word}") if pod_word else None)
        if part is None:
            return None
        if not _parse_part(day_text):
            pod_word = None
        day, pod = (part.resolve, part.needs_tense), part.modifier
    if pod_word:
        pod = context.part_of_day_after(" " + pod_word)
    h, mi = hm
    if pod in ("evening", "afternoon", "night") and h < 12 and not (pod == "night" and h < 6):
        h += 12 if pod != "night" or h >= 6 else 0
    mod = _TIME_MODS.get(m.group("pre")) or pod
    resolve_day = day[0]

    def resolve(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
        d = resolve_day(doc, tense)
        if d is None or len(d) != 10:
            return None
        return d + fmt_time(h, mi)

    return Parsed("time", resolve, mod, needs_tense=day[1])


# -- intervals

def _fill(left: str, right: DayPoint) -> Optional[DayPoint]:
    """A partial left bound (`3`, `lundi 3`, `le 3`) completed by the right bound (`5 mai 2023`)."""
    m = re.fullmatch(rf"(?:(?:le|du) )?(?:(?P<wd>{_WD_ALT}) )?(?P<d>{_DAYNUM})", left)
    if m and right.month:
        wd = WEEKDAYS[m.group("wd")] if m.group("wd") else None
        return DayPoint(right.year, right.month, _daynum(m.group("d")), wd, right.rel)
    m = re.fullmatch(rf"(?:(?:le|du) )?(?:(?P<wd>{_WD_ALT}) )?(?P<d>{_DAYNUM}) (?P<m>{_MONTH_ALT})", left)
    if m and right.year is not None:
        month = MONTHS[m.group("m")]
        year = right.year - 1 if right.month is not None and month > right.month else right.year
        return DayPoint(year, month, _daynum(m.group("d")), None, None)
    return None


def _interval(a: str, b: str) -> Optional[Parsed]:
    # day + day (the left side may borrow month and year from the right one)
    right = parse_day_point(b)
    if right is not None and right.month:
        left = parse_day_point(a)
        if left is not None and left.month is not None and left.year is None and right.year is not None:
            left = _fill(a, right)
        elif left is None or left.month is None:
            left = _fill(a, right)
        if left is None:
            return None
        lp, rp = left, right

        def resolve_days(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
            if rp.year is None and doc is not None:
                r = rp.resolve_date(doc, tense)
                if r is None:
                    return None
                l_year = r.year - 1 if (lp.month or 0) > (rp.month or 0) else r.year
                ld = _valid(l_year, lp.month or r.month, lp.day or 1) if lp.year is None else lp.resolve_date(doc, tense)
                return None if ld is None else f"{fmt_day(ld)}/{fmt_day(r)}"
            lv, rv = lp.resolve(doc, tense), rp.resolve(doc, tense)
            return None if lv is None or rv is None else f"{lv}/{rv}"

        return Parsed("interval", resolve_days, needs_tense=rp.needs_tense, relation=False)
    # years: 2019 et 2021, 2014-2015, 2014-15
    ya, yb = re.fullmatch(rf"(?:en |l'an |l'année )?({_YEAR})", a), re.fullmatch(rf"({_YEAR}|\d{{2}})", b)
    if ya and yb:
        y1 = int(ya.group(1))
        y2s = yb.group(1)
        y2 = int(str(y1)[:2] + y2s) if len(y2s) == 2 else int(y2s)
        if y2 <= y1 or y2 - y1 > 200:
            return None
        return Parsed("interval", _const(f"{y1}/{y2}"), relation=False)
    # months: mars et mai 2022, de janvier à mars
    ma = re.fullmatch(rf"(?:(?:en|le mois de|mois de) )?(?P<m>{_MONTH_ALT})(?: (?P<y>{_YEAR}))?", a)
    mb = re.fullmatch(rf"(?:(?:en|le mois de|mois de) )?(?P<m>{_MONTH_ALT})(?: (?P<y>{_YEAR}))?", b)
    if ma and mb:
        m1, m2 = MONTHS[ma.group("m")], MONTHS[mb.group("m")]
        y1 = int(ma.group("y")) if ma.group("y") else None
        y2 = int(mb.group("y")) if mb.group("y") else None

        def resolve_months(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
            yb_ = y2
            if yb_ is None:
                if y1 is not None:
                    yb_ = y1 if m2 >= m1 else y1 + 1
                elif doc is not None:
                    yb_ = choose_month(doc, m2, tense, None)
            if yb_ is None:
                return f"XXXX-{m1:02d}/XXXX-{m2:02d}"
            ya_ = y1 if y1 is not None else (yb_ if m1 <= m2 else yb_ - 1)
            return f"{fmt_month(ya_, m1)}/{fmt_month(yb_, m2)}"

        return Parsed("interval", resolve_months, needs_tense=y1 is None and y2 is None, relation=False)
    # times: 14h à 16h, 14 et 16 heures
    tb = parse_time(b)
    if tb is not None:
        ta = parse_time(a)
        if ta is None and re.fullmatch(r"[01]?\d|2[0-4]", a) and re.search(r"h|heures?$", b):
            ta = (int(a), 0)
            if b.endswith("du soir") or b.endswith("de l'après-midi"):
                ta = (ta[0] + 12 if ta[0] < 12 else ta[0], 0)
        if ta is not None:
            return Parsed("interval", _const(f"XXXX-XX-XX{fmt_time(*ta)}/XXXX-XX-XX{fmt_time(*tb)}"), relation=False)
    # weekdays or relative days: de lundi à mercredi, d'hier à aujourd'hui
    da, db = _day_resolver(a), _day_resolver(b)
    if da is not None and db is not None:
        ra, rb = da[0], db[0]

        def resolve_any(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
            x, y = ra(doc, tense), rb(doc, tense)
            return None if x is None or y is None else f"{x}/{y}"

        return Parsed("interval", resolve_any, needs_tense=da[1] or db[1], relation=False)
    return None


def _parse_interval(text: str) -> Optional[Parsed]:
    text = re.sub(r"^(?:du|de|d'|entre|depuis|les|des) ", "", text)
    # try every split point (the left side is short), the first that parses wins
    seps = [m for m in re.finditer(r" (?:au|à|et|jusqu'au|jusqu'à|jusqu'en) | ?(?:-|–|/) ?", text)]
    for m in seps:
        a, b = text[: m.start()].strip(), text[m.end():].strip()
        b = re.sub(r"^(?:le|la) ", "", b) if re.match(r"(?:le|la) \d", b) else b
        a = re.sub(r"^(?:le|la|l') ", "", a) if re.match(r"(?:le|la) \d", a) else a
        if a.endswith(",") or not a or not b:
            continue
        a = re.sub(r",$", "", a)
        # `les 3, 4 et 5 mai`: the first of a list
        a = a.split(",")[0].strip()
        parsed = _interval(a, b)
        if parsed is not None:
            return parsed
    return None


# --------------------------------------------------------------------------- the parser


_CANON_SUBS = [
    (re.compile(r"\b1 ?(?:er|ᵉʳ)\b"), "1er"),
    (re.compile(r"(\d)\s*(?:ème|eme|e)\b(?= siècle)"), r"\1e"),
    (re.compile(r"\s*-\s*(?=\d)"), "-"),
]


@lru_cache(maxsize=8192)
def canonical(expression: str) -> str:
    """Lower case, straight apostrophes, single spaces, `1 er` -> `1er`, no edge punctuation.

    Memoised: the parser, the kind guesser and the clock-time check ask for the same expressions."""
    s = expression.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ").replace("—", "–")
    s = " ".join(s.split()).lower()
    for rx, rep in _CANON_SUBS:
        s = rx.sub(rep, s)
    s = re.sub(r"(?<=\d) h(?= \d| ?$| )", " h", s)
    return s.strip(" ,;:.()")


_PARSERS: tuple[Callable[[str], Optional[Parsed]], ...]


def _parse_day_expr(text: str) -> Optional[Parsed]:
    """Single days: dates, weekdays, hier/demain, holidays."""
    if text in _REL_DAYS:
        return Parsed("date", _shift_days(_REL_DAYS[text]), day_level=True)
    if text in _ANAPHORIC:
        return Parsed("date", _const(None), relation=False)
    m = re.fullmatch(rf"(?:le |ce )?(?P<wd>{_WD_ALT}) (?:suivant|précédent|d'après|d'avant)", text)
    if m:
        return Parsed("date", _const(None), relation=False)
    dp = parse_day_point(text)
    if dp is not None:
        return Parsed("date", dp.resolve, needs_tense=dp.needs_tense, day_level=True)
    if text.startswith("mai 68") or text == "mai 1968":
        return Parsed("date", _const("1968-05"))
    return _holiday(text)


_QUARTER_RE = re.compile(
    rf"(?:le |au )?(?P<q>premier|deuxième|second|troisième|quatrième|dernier) (?P<u>trimestre|semestre)"
    rf"(?: (?:de l'année )?(?P<y>{_YEAR})| de l'année)?"
)


def _parse_quarter(text: str) -> Optional[Parsed]:
    """`le troisième trimestre` (of the document year, by tense), `premier semestre 2024`."""
    m = _QUARTER_RE.fullmatch(text)
    if not m:
        return None
    code = _QUARTERS.get(f"{m.group('q')} {m.group('u')}")
    if code is None:
        return None
    year = int(m.group("y")) if m.group("y") else None
    if year is not None:
        return Parsed("date", _const(f"{year}-{code}"))

    def resolve(doc: Optional[Doc], tense: Optional[str]) -> Optional[str]:
        if doc is None:
            return None
        return f"{doc.year:04d}-{code}"

    return Parsed("date", resolve)


def _parse_fuzzy(text: str) -> Optional[Parsed]:
    m = _FUZZY_RE.fullmatch(text)
    if not m:
        return None
    f, rest = m.group("f"), m.group("rest")
    if f in _QUARTERS:
        inner = _parse_year(rest) or _parse_rel_unit(rest if rest not in ("année", "an") else "cette année")
        if inner is None:
            return None
        code = _QUARTERS[f]
        inner_resolve = inner.resolve
        return Parsed("date", lambda doc, tense: (v + "-" + code) if (v := inner_resolve(doc, tense)) and len(v) == 4 else None)
    mod = _FUZZY_MODS.get(f)
    if rest in ("année", "an", "l'année", "l'an", "cette année", "mois", "ce mois", "semaine", "la semaine", "cette semaine", "siècle"):
        rest = {"année": "cette année", "an": "cette année", "l'année": "cette année", "l'an": "cette année",
                "mois": "ce mois-ci", "ce mois": "ce mois-ci", "semaine": "cette semaine", "la semaine": "cette semaine",
                "siècle": "présent siècle"}.get(rest, rest)
    if rest in ("matinée", "soirée", "après-midi", "journée", "nuit", "matin", "soir"):
        return None
    inner = None
    for parser in (_parse_month, _parse_year, _parse_season, _parse_decade, _parse_century, _parse_rel_unit, _parse_day_expr):
        inner = parser(rest)
        if inner is not None:
            break
    if inner is None or inner.kind != "date":
        return None
    return Parsed("date", inner.resolve, mod if mod else inner.modifier, needs_tense=inner.needs_tense)


_PARSERS = (
    _parse_day_expr,
    _parse_month,
    _parse_iso_month,
    _parse_year,
    _parse_season,
    _parse_decade,
    _parse_century,
    _parse_rel_unit,
    _parse_quarter,
    _parse_part,
    _parse_duration,
    _parse_set,
    _parse_time_expr,
    _parse_fuzzy,
    _parse_day_time,
    _parse_interval,
)


def _parse_approx_date(text: str) -> Optional[Parsed]:
    """`vers 1950`, `aux alentours du 15 mai`, `autour de Noël`: the date with APPROX."""
    m = re.fullmatch(r"(?:vers|aux alentours de|aux alentours du|aux environs de|aux environs du|autour de|autour du|environ) (?P<rest>.+)", text)
    if not m:
        return None
    rest = m.group("rest")
    inner = _parse_uncached(rest) or _parse_uncached("le " + rest)
    if inner is None or inner.kind not in ("date", "time"):
        return None
    return Parsed(inner.kind, inner.resolve, "APPROX", needs_tense=inner.needs_tense, relation=False)


def _parse_uncached(text: str) -> Optional[Parsed]:
    for parser in _PARSERS:
        parsed = parser(text)
        if parsed is not None:
            return parsed
    return None


@lru_cache(maxsize=8192)
def parse(expression: str) -> Optional[Parsed]:
    """What an expression means without its context; None when it is not a date expression."""
    text = canonical(expression)
    if not text:
        return None
    return _parse_uncached(text) or _parse_approx_date(text)


# --------------------------------------------------------------------------- entry point


_KIND_HINTS = (
    ("set", re.compile(r"\b(?:chaque|tous les|toutes les|fois par)\b")),
    ("time", re.compile(r"\b(?:à|vers) (?:\d|midi|minuit)|\d ?h ?\d\d|\d:\d\d")),
    ("duration", re.compile(rf"\b(?:{_UNIT_ALT})\b")),
)


def _guess_kind(expression: str) -> str:
    """The kind of an expression the parser could not read (its value stays None)."""
    text = canonical(expression)
    for kind, rx in _KIND_HINTS:
        if rx.search(text):
            return kind
    return "date"


@lru_cache(maxsize=8192)
def _evaluate(expression: str, doc_date: Optional[str], tense: Optional[str], prep: Optional[str], part: Optional[str]) -> DateValue:
    parsed = parse(expression)
    if parsed is None:
        return DateValue(None, _guess_kind(expression), None)
    doc = parse_doc_date(doc_date)
    kind = parsed.kind
    if parsed.dated_kind:
        value = parsed.resolve(doc, prep)
        if prep in ("dans", "d'ici", "d'ici à", "il y a"):
            kind = parsed.dated_kind
    else:
        value = parsed.resolve(doc, tense)
        if parsed.kind_by_tense:
            kind = parsed.kind_by_tense[0] if tense == "past" else parsed.kind_by_tense[1]
    modifier = parsed.modifier
    if modifier is None and parsed.day_level and part:
        modifier = part
    if modifier is None and parsed.relation and kind in ("date", "time") and prep:
        modifier = context.RELATION_MODS.get(prep)
    if kind not in KINDS:
        kind = "date"
    return DateValue(value, kind, modifier)


#: Prepositions that fix the direction of an expression whose year or week depends on the tense.
_PAST_PREPS = frozenset({"depuis"})
_FUTURE_PREPS = frozenset({"d'ici", "d'ici à", "jusqu'à", "jusqu'au", "jusqu'en"})

#: Prepositions that make `14 heures` a clock time rather than a duration.
_TIME_CUES = frozenset({"à", "vers", "dès", "avant", "après", "jusqu'à", "aux alentours de", "aux environs de",
                        "autour de", "peu avant", "peu après", "à partir de"})


@lru_cache(maxsize=64)
def _interpret(expression: str, doc_date: Optional[str], before: str, after: str) -> DateValue:
    parsed = parse(expression)
    if parsed is None:
        return DateValue(None, _guess_kind(expression), None)
    if parsed.kind == "duration" and parse_time(canonical(expression)) is not None:
        # `14 heures` is a duration, `à 14 heures` a clock time: the preposition (outside the span) decides
        cue = context.preposition(before)
        if cue in _TIME_CUES:
            return _evaluate(f"{cue} {expression}", doc_date, None, None, None)
    prep = context.preposition(before) if (parsed.relation or parsed.dated_kind or parsed.needs_tense) else None
    if prep in _PAST_PREPS and (parsed.needs_tense or parsed.kind_by_tense):
        tense = "past"  # `depuis lundi`: a starting point, so not in the future
    elif prep in _FUTURE_PREPS and (parsed.needs_tense or parsed.kind_by_tense):
        tense = "future"  # `d'ici lundi`, `jusqu'à vendredi`
    else:
        tense = context.clause_tense(before, after) if (parsed.needs_tense or parsed.kind_by_tense) else None
    if not (parsed.relation or parsed.dated_kind):
        prep = None
    part = context.part_of_day_after(after) if parsed.day_level else None
    return _evaluate(expression, doc_date, tense, prep, part)


def interpret(expression: str, doc_date: Optional[str], before: str = "", after: str = "") -> DateValue:
    """Value, kind and modifier of a date expression found by the rules.

    `expression` is the matched text (normalised), `doc_date` the document date (`YYYY-MM-DD`,
    `YYYY-MM` or `YYYY-MM-DDTHH:MM`) or None, `before`/`after` up to 200 characters of text on each
    side, used for the tense of the clause, the preposition before and a part of the day after.
    Relative expressions have value None without a document date; `kind` is always one of
    date/time/duration/set/interval. The small cache on the whole call only serves the three field
    functions asking about the same mention in a row; the real caches are `parse` (expression)
    and `_evaluate` (expression, document date and three context features).
    """
    return _interpret(expression, doc_date, before, after)
