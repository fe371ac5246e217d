"""Date normalisation for `DateMention` records: French date expressions -> TIMEX3-style values.

Detection is done by the rules (`rules/fr/50_dates.rules`); this package only interprets what
they found, against the document date and a little context. See `ruleie.dates.interpret` for the
conventions (values, kinds, modifiers, how relative expressions and bare weekdays are resolved).
"""

from ruleie.dates.interpret import DateValue, interpret, parse_doc_date

__all__ = ["DateValue", "interpret", "parse_doc_date"]
