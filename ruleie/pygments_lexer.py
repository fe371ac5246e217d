"""Syntax highlighting of ruleie rule files (`*.rules`) for Pygments, and where a rule's source ends.

`RulesLexer` is registered as the Pygments lexer `ruleie` (aliases `ruleie`, `rules`; file names
`*.rules`) through the `pygments.lexers` entry point, so anything built on Pygments highlights rule
files once ruleie is installed: `pygmentize -l rules my.rules`, Sphinx and MkDocs code blocks
(```` ```rules ````), `rich.syntax.Syntax(code, "rules")`. `ruleie explain` uses it to show the
source of the rules that fired.

Token kinds: comments, strings (with escapes; triple-quoted documentation strings), regexes
`/.../`, lexicon references `@NAME` (and their filters `[compound]`), span references `<Label>`,
UPPER_CASE macros, CamelCase record types and labels, keywords, captures `name:`, fields
`name=`, field functions `lemma(...)`, options `[overlap=all]`, quantifiers and operators.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

__all__ = ["RulesLexer", "rule_extent"]

_KEYWORDS = ("include", "lexicon", "macro", "phase", "rule", "match", "mark", "emit", "test", "expect", "file")
_TEST_WORDS = ("text", "date", "no")


class RulesLexer(RegexLexer):
    """Pygments lexer for ruleie rule files."""

    name = "ruleie rules"
    aliases = ["ruleie", "rules"]
    filenames = ["*.rules"]
    mimetypes = ["text/x-ruleie"]
    url = "https://pypi.org/project/ruleie/"

    tokens = {
        "root": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"""', String.Doc, "longstring"),
            (r'"', String.Double, "string"),
            (r"/(?![/*])(?:[^/\\\n]|\\.)+/[imsx]*", String.Regex),
            (r"(@[A-Z][A-Z0-9_]*)(\[)([a-z_][a-z0-9_, ]*)(\])", bygroups(Name.Variable, Punctuation, Name.Attribute, Punctuation)),
            (r"@[A-Z][A-Z0-9_]*", Name.Variable),
            (r"<[A-Z][A-Za-z0-9_]*>", Name.Tag),
            (r"(rule)(\s+)([a-z_][a-z0-9_]*)", bygroups(Keyword, Whitespace, Name.Function)),
            (r"(phase)(\s+)([a-z_][a-z0-9_]*)", bygroups(Keyword, Whitespace, Name.Namespace)),
            (r"(macro|lexicon)(\s+)([A-Z][A-Z0-9_]*)", bygroups(Keyword, Whitespace, Name.Constant)),
            (r"(mark|emit|expect)(\s+)(no)(\s+)([A-Z][A-Za-z0-9_]*)",
             bygroups(Keyword, Whitespace, Keyword, Whitespace, Name.Class)),
            (r"(mark|emit|expect)(\s+)([A-Z][A-Za-z0-9_]*)", bygroups(Keyword, Whitespace, Name.Class)),
            (r"(?:not\s+)?(?:ahead|behind)(?=\s*\()", Keyword.Pseudo),
            (r"[a-z_][a-z0-9_]*(?=\s*\()", Name.Builtin),
            (r"[a-z_][a-z0-9_]*(?=\s*=)", Name.Attribute),
            (r"([a-z_][a-z0-9_]*)(\s*)(:)", bygroups(Name.Label, Whitespace, Punctuation)),
            (words(_KEYWORDS, suffix=r"\b"), Keyword),
            (words(_TEST_WORDS, suffix=r"\b"), Keyword.Pseudo),
            (r"null\b", Keyword.Constant),
            (r"[A-Z][A-Z0-9_]*(?![A-Za-z0-9_])", Name.Constant),
            (r"[A-Z][A-Za-z0-9_]*", Name.Class),
            (r"[a-z_][a-z0-9_]*", Name),
            (r"\{\d+(?:,\d*)?\}\??|[?*+]\??", Operator),
            (r"\d+", Number.Integer),
            (r"[|~=]", Operator),
            (r"[{}()\[\],]", Punctuation),
            (r".", Text),
        ],
        "string": [
            (r'\\(?:["\\/nt]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})', String.Escape),
            (r'\\.', String.Double),  # an invalid escape (E003): shown as string text
            (r'"', String.Double, "#pop"),
            (r'[^"\\\n]+', String.Double),
            (r"\n", Text, "#pop"),  # unterminated string (E002): stop at the line end
        ],
        "longstring": [
            (r'\\(?:["\\/nt]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})', String.Escape),
            (r'"""', String.Doc, "#pop"),
            (r'[^"\\]+|"|\\.', String.Doc),
        ],
    }


_ENDS_RULE = {"rule", "phase", "test", "macro", "lexicon", "include"}


def rule_extent(source: str, line: int) -> tuple[int, int]:
    """First and last line (1-based) of the rule whose `rule` keyword is on `line` of `source`.

    The rule runs to its last token before the next `rule`, the `}` closing its phase, or a
    top-level statement; comments and blank lines after it are not part of it. When no `rule`
    keyword is on `line`, the extent is that line alone.
    """
    lines = source.splitlines(keepends=True)
    if not 1 <= line <= len(lines):
        return line, line
    offset = sum(len(x) for x in lines[: line - 1])
    rest = source[offset:]
    started = False
    depth = 0
    last_end = 0
    for pos, token, value in RulesLexer().get_tokens_unprocessed(rest):
        if token in Whitespace or token in Comment or not value.strip():
            continue
        if not started:
            if "\n" in rest[:pos]:
                break  # no `rule` on the line itself
            if token is Keyword and value == "rule":
                started = True
                last_end = pos + len(value)
            continue
        if depth == 0 and ((token is Keyword and value in _ENDS_RULE) or value == "}"):
            break
        if value in ("(", "["):
            depth += 1
        elif value in (")", "]"):
            depth = max(0, depth - 1)
        last_end = pos + len(value)
    if not started:
        return line, line
    return line, line + rest[:last_end].count("\n")
