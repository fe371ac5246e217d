"""Unit tests of `ruleie.dates.interpret`: expression + document date + context -> value, kind, modifier.

Table-driven: each row is (expression, document date, text before, text after, value, kind). Friday
12 May 2023 (ISO week 19) is the usual document date.
"""

from __future__ import annotations

import dataclasses

import pytest

from ruleie.dates import DateValue, interpret, parse_doc_date
from ruleie.dates.context import clause_tense, part_of_day_after, preposition

FRI = "2023-05-12"

ROWS = [
    # absolute days
    ("le 9 mai", FRI, "", "", "2023-05-09", "date"),
    ("le 1er janvier 2024", FRI, "", "", "2024-01-01", "date"),
    ("le 1 er janvier 2016", FRI, "", "", "2016-01-01", "date"),
    ("Le lundi 3 avril 2023", FRI, "", "", "2023-04-03", "date"),
    ("le premier mai 1886", FRI, "", "", "1886-05-01", "date"),
    ("14-Juillet", FRI, "", "", "2023-07-14", "date"),
    ("9/05/2023", FRI, "", "", "2023-05-09", "date"),
    ("09.05.2023", FRI, "", "", "2023-05-09", "date"),
    ("2023-05-09", FRI, "", "", "2023-05-09", "date"),
    ("mercredi 20 janvier", "2016-03-10", "publiés ", "", "2016-01-20", "date"),  # the weekday fixes the year
    ("le 15 septembre dernier", FRI, "", "", "2022-09-15", "date"),
    ("le 3 juin prochain", FRI, "", "", "2023-06-03", "date"),
    ("le 6 septembre suivant", FRI, "", "", None, "date"),
    # months, years
    ("en mars 2021", FRI, "", "", "2021-03", "date"),
    ("Mai 2023", FRI, "", "", "2023-05", "date"),
    ("mai 68", FRI, "", "", "1968-05", "date"),
    ("en octobre", "2021-01-04", "Le couvre-feu avait été instauré ", ".", "2020-10", "date"),
    ("en mars", "2021-01-04", "Le vaccin arrivera ", ".", "2021-03", "date"),
    ("en mars dernier", FRI, "", "", "2023-03", "date"),
    ("en 2019", FRI, "", "", "2019", "date"),
    ("L'an 2000", FRI, "", "", "2000", "date"),
    # times
    ("Le lundi 3 avril 2023 à 14h30", FRI, "", "", "2023-04-03T14:30", "time"),
    ("1er janvier 2016, 14h30", FRI, "", "", "2016-01-01T14:30", "time"),
    ("à 14 heures", FRI, "", "", "XXXX-XX-XXT14:00", "time"),
    ("14h30", FRI, "", "", "XXXX-XX-XXT14:30", "time"),
    ("vers midi", FRI, "", "", "XXXX-XX-XXT12:00", "time"),
    ("à minuit", FRI, "", "", "XXXX-XX-XXT00:00", "time"),
    ("8 heures du soir", FRI, "à ", "", "XXXX-XX-XXT20:00", "time"),
    ("midi et demi", FRI, "à ", "", "XXXX-XX-XXT12:30", "time"),
    ("hier soir à 22 h", FRI, "", "", "2023-05-11T22:00", "time"),
    ("hier soir à 10 h", FRI, "", "", "2023-05-11T22:00", "time"),
    ("ce soir à 20 heures", FRI, "", "", "2023-05-12T20:00", "time"),
    ("mardi à 18 h 30", FRI, "Le conseil se réunira ", "", "2023-05-16T18:30", "time"),
    # relative days, against the document date only
    ("hier", FRI, "", "", "2023-05-11", "date"),
    ("Avant-hier", FRI, "", "", "2023-05-10", "date"),
    ("aujourd'hui", FRI, "", "", "2023-05-12", "date"),
    ("aujourd’hui", FRI, "", "", "2023-05-12", "date"),
    ("demain", FRI, "", "", "2023-05-13", "date"),
    ("après-demain", FRI, "", "", "2023-05-14", "date"),
    ("hier", "2024-01-01", "", "", "2023-12-31", "date"),
    ("hier", "2024-03-01", "", "", "2024-02-29", "date"),
    ("demain", "2023-02-28", "", "", "2023-03-01", "date"),
    ("demain", "2024-02-28", "", "", "2024-02-29", "date"),
    ("hier", None, "", "", None, "date"),
    ("hier", "2023-05", "", "", None, "date"),  # a month-only document date has no day
    ("la veille", FRI, "", "", None, "date"),
    ("ce matin", FRI, "", "", "2023-05-12", "date"),
    ("la nuit dernière", FRI, "", "", "2023-05-11", "date"),
    ("la journée d'hier", FRI, "", "", "2023-05-11", "date"),
    ("la nuit de samedi à dimanche", FRI, "Dans ", ", un incendie a détruit", "2023-05-06", "date"),
    ("la nuit du 3 au 4 mai", FRI, "", "", "2023-05-03", "date"),
    # weekdays and the tense of the clause
    ("vendredi", FRI, "Le président a annoncé ", " sa démission.", "2023-05-12", "date"),
    ("Mardi", FRI, "", ", les syndicats ont manifesté.", "2023-05-09", "date"),
    ("Lundi", FRI, "", ", les élèves retrouveront l'école.", "2023-05-15", "date"),
    ("jeudi", FRI, "Le sommet se tiendra ", " à Bruxelles.", "2023-05-18", "date"),
    ("jeudi", FRI, "Le sommet se tient ", ".", "2023-05-18", "date"),  # present: the next one
    ("samedi", FRI, "", "", "2023-05-13", "date"),  # no verb: the nearest one
    ("mardi", FRI, "", "", "2023-05-09", "date"),
    ("vendredi dernier", FRI, "", "", "2023-05-05", "date"),
    ("vendredi prochain", FRI, "", "", "2023-05-19", "date"),
    ("lundi prochain", "2023-12-31", "", "", "2024-01-01", "date"),
    ("dimanche dernier", "2024-01-01", "", "", "2023-12-31", "date"),
    ("vendredi", None, "Il a annoncé ", "", None, "date"),
    ("Samedi 13", FRI, "", "", "2023-05-13", "date"),
    ("le lundi", FRI, "Le musée est fermé ", ".", "XXXX-WXX-1", "set"),
    ("le mardi", FRI, "Les faits se sont produits ", ".", "2023-05-09", "date"),
    ("le lundi suivant", FRI, "", "", None, "date"),
    # weeks, months, years
    ("la semaine prochaine", FRI, "", "", "2023-W20", "date"),
    ("la semaine prochaine", "2023-12-28", "", "", "2024-W01", "date"),
    ("la semaine dernière", "2021-01-04", "", "", "2020-W53", "date"),
    ("cette semaine", "2021-01-01", "", "", "2020-W53", "date"),
    ("cette semaine", "2024-12-30", "", "", "2025-W01", "date"),
    ("le mois dernier", "2024-01-15", "", "", "2023-12", "date"),
    ("le mois prochain", "2023-12-15", "", "", "2024-01", "date"),
    ("le mois dernier", "2023-05", "", "", "2023-04", "date"),
    ("l'an dernier", FRI, "", "", "2022", "date"),
    ("L'année prochaine", "2023-12-31", "", "", "2024", "date"),
    ("ce week-end", FRI, "", "", "2023-W19-WE", "date"),
    ("le week-end dernier", FRI, "", "", "2023-W18-WE", "date"),
    ("la semaine prochaine", None, "", "", None, "date"),
    # offsets
    ("il y a trois jours", FRI, "", "", "2023-05-09", "date"),
    ("il y a trois jours", "2024-03-01", "", "", "2024-02-27", "date"),
    ("il y a deux semaines", FRI, "", "", "2023-W17", "date"),
    ("il y a un mois", "2024-03-31", "", "", "2024-02", "date"),
    ("il y a vingt ans", FRI, "", "", "2003", "date"),
    ("il y a quelques jours", FRI, "", "", "PAST_REF", "date"),
    ("il y a trois jours", None, "", "", None, "date"),
    ("deux semaines", FRI, "sera terminé dans ", "", "2023-W21", "date"),
    ("trois jours", "2023-12-30", "dans ", "", "2024-01-02", "date"),
    ("un mois", "2024-01-31", "dans ", "", "2024-02", "date"),
    ("deux heures", "2023-05-12T23:30", "dans ", "", "2023-05-13T01:30", "time"),
    ("trente minutes", "2023-05-12T14:30", "il y a ", "", "2023-05-12T14:00", "time"),
    ("deux heures", FRI, "dans ", "", None, "time"),  # no time of day in the document date
    # fuzzy, seasons, decades, centuries, quarters
    ("début juin", FRI, "", "", "2023-06", "date"),
    ("fin 2020", FRI, "", "", "2020", "date"),
    ("la mi-mars", FRI, "sera voté à ", "", "2024-03", "date"),
    ("en fin d'année", FRI, "", "", "2023", "date"),
    ("début des années 1990", FRI, "", "", "199X", "date"),
    ("printemps 2022", FRI, "", "", "2022-SP", "date"),
    ("l'été dernier", FRI, "", "", "2022-SU", "date"),
    ("cet hiver", "2023-02-10", "", "", "2022-WI", "date"),
    ("cet hiver", "2023-11-10", "", "", "2023-WI", "date"),
    ("l'hiver prochain", "2023-02-10", "", "", "2023-WI", "date"),
    ("les années 1990", FRI, "", "", "199X", "date"),
    ("les années 80", FRI, "", "", "198X", "date"),
    ("les années 2000", FRI, "", "", "200X", "date"),
    ("le XXe siècle", FRI, "", "", "19XX", "date"),
    ("XXIe siècle", FRI, "", "", "20XX", "date"),
    ("20e siècle", FRI, "", "", "19XX", "date"),
    ("le siècle dernier", FRI, "", "", "19XX", "date"),
    ("troisième trimestre", "2017-10-09", "", "", "2017-Q3", "date"),
    ("premier semestre 2024", FRI, "", "", "2024-H1", "date"),
    # durations
    ("depuis plusieurs mois", FRI, "", "", "PXM", "duration"),
    ("trois ans", FRI, "pendant ", "", "P3Y", "duration"),
    ("48 heures", FRI, "pendant ", "", "PT48H", "duration"),
    ("une heure et demie", FRI, "", "", "PT90M", "duration"),
    ("un an et demi", FRI, "", "", "P18M", "duration"),
    ("deux ans et trois mois", FRI, "", "", "P2Y3M", "duration"),
    ("1 heure 46 minutes et 28 secondes", FRI, "", "", "PT1H46M28S", "duration"),
    ("vingt-quatre heures", FRI, "en ", "", "PT24H", "duration"),
    ("quatre-vingt-dix jours", FRI, "", "", "P90D", "duration"),
    ("une vingtaine d'années", FRI, "", "", "P20Y", "duration"),
    ("trois décennies", FRI, "", "", "P30Y", "duration"),
    ("ces dernières années", FRI, "", "", "PXY", "duration"),
    ("les trois derniers mois", FRI, "", "", "P3M", "duration"),
    # sets
    ("chaque lundi", FRI, "", "", "XXXX-WXX-1", "set"),
    ("tous les samedis", FRI, "", "", "XXXX-WXX-6", "set"),
    ("tous les ans", FRI, "", "", "P1Y", "set"),
    ("toutes les deux semaines", FRI, "", "", "P2W", "set"),
    ("chaque 14 juillet", FRI, "", "", "XXXX-07-14", "set"),
    ("deux fois par an", FRI, "", "", "P1Y", "set"),
    ("chaque été", FRI, "", "", "XXXX-SU", "set"),
    # intervals
    ("3 au 5 mai", FRI, "du ", "", "2023-05-03/2023-05-05", "interval"),
    ("28 décembre 2022 au 3 janvier 2023", FRI, "", "", "2022-12-28/2023-01-03", "interval"),
    ("19 décembre au 3 janvier", "2021-01-04", "se sont déroulées du ", ".", "2020-12-19/2021-01-03", "interval"),
    ("2019 et 2021", FRI, "entre ", "", "2019/2021", "interval"),
    ("1914-1918", FRI, "", "", "1914/1918", "interval"),
    ("2023-05", FRI, "", "", "2023-05", "date"),  # ISO year-month: 05 cannot be a later year
    ("2010-11", FRI, "", "", "2010/2011", "interval"),  # a season: 11 can
    ("1995-96", FRI, "", "", "1995/1996", "interval"),
    ("14h à 16h", FRI, "de ", "", "XXXX-XX-XXT14:00/XXXX-XX-XXT16:00", "interval"),
    ("14 et 16 heures", FRI, "entre ", "", "XXXX-XX-XXT14:00/XXXX-XX-XXT16:00", "interval"),
    ("mars à mai 2024", FRI, "", "", "2024-03/2024-05", "interval"),
    ("les 3 et 4 mai", FRI, "", "", "2023-05-03/2023-05-04", "interval"),
    # holidays
    ("Noël", FRI, "À ", ", les enfants recevront des cadeaux.", "2023-12-25", "date"),
    ("Noël", FRI, "Les ventes de ", " ont baissé.", "2022-12-25", "date"),
    ("Noël dernier", FRI, "", "", "2022-12-25", "date"),
    ("Noël 2020", FRI, "", "", "2020-12-25", "date"),
    ("la veille de Noël", "2023-12-31", "", "", "2023-12-24", "date"),
    ("le 14-Juillet", FRI, "", "", "2023-07-14", "date"),
    ("la Toussaint", FRI, "", "", "2023-11-01", "date"),
    ("le 1er-Mai", FRI, "", "", "2023-05-01", "date"),
    ("la Saint-Sylvestre", FRI, "", "", "2022-12-31", "date"),
    ("le Nouvel An", FRI, "", "", "2023-01-01", "date"),  # no verb: the nearest one
    ("le Nouvel An", FRI, "", " sera célébré sans feu.", "2024-01-01", "date"),
    ("l'Armistice", "2022-11-20", "", "", "2022-11-11", "date"),
    ("le jour de l'An", "2024-03-05", "", "", "2024-01-01", "date"),
    # leap days
    ("le 29 février", "2023-05-12", "", "", "2024-02-29", "date"),
    ("le 29 février", "2023-05-12", "Il est né ", ".", "2020-02-29", "date"),
    ("le 29 février 2023", FRI, "", "", None, "date"),  # no such day
    ("le 29 février 2024", FRI, "", "", "2024-02-29", "date"),
]


@pytest.mark.parametrize("expression, doc_date, before, after, value, kind", ROWS, ids=[f"{r[0]}@{r[1]}" for r in ROWS])
def test_value_and_kind(expression: str, doc_date: str | None, before: str, after: str, value: str | None, kind: str) -> None:
    got = interpret(expression, doc_date, before, after)
    assert (got.value, got.kind) == (value, kind)


MODIFIERS = [
    ("début juin", "", "", "START"),
    ("la mi-mars", "", "", "MID"),
    ("fin 2020", "", "", "END"),
    ("vers midi", "", "", "APPROX"),
    ("midi", "vers ", "", "APPROX"),
    ("plus de quatre ans", "", "", "MORE_THAN"),
    ("une dizaine de jours", "", "", "APPROX"),
    ("ce matin", "", "", "morning"),
    ("cette nuit", "", "", "night"),
    ("dimanche", "", " soir, la police", "evening"),
    ("hier", "", " après-midi", "afternoon"),
    ("9 mai", "à partir du ", "", "ON_OR_AFTER"),
    ("le 9 mai", "avant ", "", "BEFORE"),
    ("28 février", "jusqu'au ", "", "ON_OR_BEFORE"),
    ("2010", "depuis ", "", "ON_OR_AFTER"),
    ("le 9 mai", "", "", None),
    ("courant mai", "", "", None),
]


@pytest.mark.parametrize("expression, before, after, modifier", MODIFIERS, ids=[m[0] + "|" + m[1] for m in MODIFIERS])
def test_modifier(expression: str, before: str, after: str, modifier: str | None) -> None:
    assert interpret(expression, FRI, before, after).modifier == modifier


def test_kind_is_always_valid_even_without_value() -> None:
    for expression in ("hier", "n'importe quoi", "", "le 9", "la semaine prochaine", "dans la nuit"):
        got = interpret(expression, None)
        assert got.kind in ("date", "time", "duration", "set", "interval")


def test_date_value_is_a_frozen_dataclass() -> None:
    got = interpret("hier", FRI)
    assert got == DateValue("2023-05-11", "date", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.value = "x"  # type: ignore[misc]


def test_relative_values_need_the_document_date() -> None:
    for expression in ("hier", "demain", "vendredi", "la semaine prochaine", "le mois dernier", "l'an dernier",
                       "il y a trois jours", "ce matin", "cet été", "lundi prochain", "dans la nuit de mardi"):
        assert interpret(expression, None).value is None, expression
    # absolute ones keep their value (a year unknown without a document date is written XXXX)
    assert interpret("le 9 mai 2023", None).value == "2023-05-09"
    assert interpret("le 9 mai", None).value == "XXXX-05-09"
    assert interpret("en mars", None).value == "XXXX-03"
    assert interpret("à 14 heures", None).value == "XXXX-XX-XXT14:00"
    assert interpret("Noël", None).value == "XXXX-12-25"  # a fixed-date holiday is a day and month


def test_document_date_forms() -> None:
    doc = parse_doc_date("2023-05-12")
    assert (doc.year, doc.month, doc.day, doc.hour) == (2023, 5, 12, None)
    assert parse_doc_date("2023-05").day is None
    doc = parse_doc_date("2023-05-12T14:30:00+02:00")
    assert (doc.hour, doc.minute) == (14, 30)
    assert parse_doc_date("2023-02-30") is None
    assert parse_doc_date("not a date") is None
    assert interpret("hier", "garbage").value is None


def test_results_are_cached_on_small_keys() -> None:
    from ruleie.dates.interpret import _evaluate, parse

    parse.cache_clear()
    _evaluate.cache_clear()
    for before in ("Il a annoncé ", "Elle a déclaré ", "On a appris "):
        assert interpret("vendredi", FRI, before, ".").value == "2023-05-12"
    assert parse.cache_info().currsize == 1
    assert _evaluate.cache_info().currsize == 1  # same (expression, date, tense, preposition, part of day)


TENSES = [
    ("Le président a annoncé ", " sa démission.", "past"),
    ("Le président annoncera ", ".", "future"),
    ("Le sommet se tiendra ", "", "future"),
    ("", ", le sommet a réuni 20 pays.", "past"),
    ("La réunion est prévue ", ".", "future"),
    ("Il avait neigé ", "", "past"),
    ("Le ministre se rend ", " à Berlin.", "present"),
    ("Le ministre pourrait annoncer ", "", "future"),
    ("Les résultats seront publiés ", ", a précisé le rectorat.", "future"),
    ("Le suspect, interpellé ", " soir, sera présenté", "past"),
    ("Le musée est fermé ", ".", "present"),
    ("Le juge a fixé l'audience au ", ".", "future"),
    ("Elle est arrivée ", "", "past"),
    ("« Nous partirons ", " », a-t-il dit.", "future"),
    ("Il pleut. Le texte ", "", None),
]


@pytest.mark.parametrize("before, after, tense", TENSES)
def test_clause_tense(before: str, after: str, tense: str | None) -> None:
    assert clause_tense(before, after) == tense


def test_context_helpers() -> None:
    assert preposition("Il reviendra dans ") == "dans"
    assert preposition("valable à partir du ") == "à partir du"
    assert preposition("Le ministre ") is None
    assert part_of_day_after(" soir, la police") == "evening"
    assert part_of_day_after(" en fin de matinée.") == "morning"
    assert part_of_day_after(" dans la nuit") == "night"
    assert part_of_day_after(" à Paris") is None
