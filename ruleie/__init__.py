"""ruleie: rule-based information extraction for French text.

Rules written in the ruleie language compile to `regex` matchers; running them over text yields
typed records (quotes, accusations, dates, reporting verbs) with exact offsets into the original.
"""

from ruleie.api import Document, Outcome, RuleSet, builtin_rules_path, compile_rules, load
from ruleie.dsl.errors import RuleError, RuleErrors
from ruleie.records import Accusation, DateMention, Mention, Quote, Record, ReportingVerb, Span

__version__ = "0.1.0"

__all__ = [
    "Accusation", "DateMention", "Document", "Mention", "Outcome", "Quote", "Record", "ReportingVerb",
    "RuleError", "RuleErrors", "RuleSet", "Span", "builtin_rules_path", "compile_rules", "load",
]
