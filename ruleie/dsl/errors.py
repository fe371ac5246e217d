"""Errors in rule files: one structured type, a catalogue of codes, compiler-style rendering.

Every problem found in a rule file (syntax, unknown name, bad option, invalid regex, ...) becomes a
`RuleError` with a code from `CATALOGUE`, a 1-based line and column, the source line and, where one
is known, a fix-it hint. Stages collect errors and raise them together as `RuleErrors`, so a user
sees every mistake of a file at once, each rendered like a good compiler would:

    rules/fr/quotes.rules:12:8: error E102: unknown macro 'SPEKER' (did you mean 'SPEAKER'?)
        match SPEKER ":" QUOTE
              ^
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable

#: Error (E) and warning (W) codes and their one-line meaning; docs/language.md lists them with examples.
CATALOGUE: dict[str, str] = {
    "E001": "syntax error",
    "E002": "unterminated string or regex",
    "E003": "invalid escape in a string",
    "E004": "parentheses nested too deeply",
    "E101": "unknown lexicon",
    "E102": "unknown macro",
    "E103": "unknown capture",
    "E104": "unknown span label",
    "E105": "unknown record type",
    "E106": "unknown record field",
    "E107": "field given a value of the wrong shape",
    "E108": "unknown field function",
    "E109": "missing required record field",
    "E110": "invalid field value",
    "E111": "unknown lexicon filter",
    "E201": "duplicate name",
    "E202": "cyclic macro",
    "E203": "cyclic include",
    "E204": "include outside the rule folder",
    "E205": "file not found",
    "E206": "unreadable file",
    "E301": "unknown option",
    "E302": "invalid option value",
    "E303": "invalid regular expression",
    "E304": "span reference in a nested position",
    "E305": "pattern can match the empty string",
    "E306": "invalid repetition bounds",
    "E307": "invalid lexicon entry",
    "E308": "empty lexicon",
    "E309": "pattern too complex",
    "E310": "pattern can backtrack without end",
    "E401": "test block without text",
    # warnings: reported by `ruleie check`, errors only with --strict
    "W501": "unused macro",
    "W502": "unused lexicon",
    "W503": "repetition with polynomial backtracking",
    "W504": "rule that can never fire",
    "W505": "unused capture",
    "W506": "duplicate lexicon entry",
    "W507": "record field no rule fills",
}


#: Control characters and line separators (a lone \r, NUL, U+2028...) are shown as spaces: printed
#: raw they would move the caret or break the line.
_CONTROLS = {c: " " for c in [*range(32), *range(127, 160), 0x2028, 0x2029]}
#: Longest source line shown in full under an error message.
_SHOWN_LINE = 200


@dataclass(frozen=True)
class SourceLocation:
    """A 1-based position in a rule file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass
class RuleError:
    """One problem in a rule file, with enough context to print it like a compiler does."""

    code: str
    message: str
    loc: SourceLocation
    source_line: str = ""
    hint: str | None = None
    severity: str = "error"
    width: int = 1

    def render(self) -> str:
        """The error as `file:line:col: error CODE: message`, the source line and a caret."""
        text = f"{self.loc}: {self.severity} {self.code}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.source_line:
            line = self.source_line.rstrip("\n").expandtabs(1).translate(_CONTROLS)
            col = self.loc.col
            if len(line) > _SHOWN_LINE:  # a window around the column, not megabytes of one line
                start = 0 if col <= _SHOWN_LINE * 2 // 3 else col - 1 - _SHOWN_LINE // 3
                end = start + _SHOWN_LINE
                line = ("..." if start else "") + line[start:end] + ("..." if end < len(line) else "")
                col += (3 if start else 0) - start
            caret = " " * (col - 1) + "^" + "~" * max(0, min(self.width, 80) - 1)
            text += f"\n    {line}\n    {caret}"
        return text

    def as_dict(self) -> dict[str, object]:
        """Structured fields for machine consumers (editors, CI annotations)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.loc.file,
            "line": self.loc.line,
            "col": self.loc.col,
            "hint": self.hint,
        }


class RuleErrors(Exception):
    """Raised with every error found in a set of rule files; `str()` renders them all."""

    def __init__(self, errors: Iterable[RuleError]):
        self.errors = sorted(errors, key=lambda e: (e.loc.file, e.loc.line, e.loc.col, e.code))
        super().__init__(self.render())

    def render(self) -> str:
        """All errors, one rendered block each, followed by a count."""
        body = "\n".join(e.render() for e in self.errors)
        count = len(self.errors)
        return f"{body}\n{count} error{'s' if count != 1 else ''}"


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean ...?' hint naming the closest candidate, or None when none is close."""
    pool = list(candidates)
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not close:
        folded = {c.lower(): c for c in pool}
        close = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.6)
        close = [folded[c] for c in close]
    return f"did you mean '{close[0]}'?" if close else None


@dataclass
class ErrorSink:
    """Collects errors of one stage; `raise_if_any` turns them into one `RuleErrors`."""

    sources: dict[str, str] = field(default_factory=dict)
    errors: list[RuleError] = field(default_factory=list)
    warnings: list[RuleError] = field(default_factory=list)

    def line_of(self, file: str, line: int) -> str:
        """The text of a 1-based line of a known source file ('' when unknown)."""
        # lines end at "\n" only, as the parser counts them (`splitlines` would also cut at \x0c, \u2028...)
        lines = self.sources.get(file, "").split("\n")
        return lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""

    def error(
        self,
        code: str,
        message: str,
        loc: SourceLocation,
        hint: str | None = None,
        width: int = 1,
    ) -> None:
        """Record an error at `loc`."""
        self.errors.append(
            RuleError(code, message, loc, self.line_of(loc.file, loc.line), hint, "error", width)
        )

    def warn(self, code: str, message: str, loc: SourceLocation, hint: str | None = None) -> None:
        """Record a warning at `loc` (reported by `ruleie check`, never fatal)."""
        self.warnings.append(
            RuleError(code, message, loc, self.line_of(loc.file, loc.line), hint, "warning")
        )

    def raise_if_any(self) -> None:
        """Raise `RuleErrors` when at least one error was recorded."""
        if self.errors:
            raise RuleErrors(self.errors)
