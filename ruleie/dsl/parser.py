"""Parse rule-file text into the typed AST of `ruleie.dsl.ast`.

Owns the lark grammar (`grammar.lark`) and the translation of lark's exceptions into `RuleError`s
with `file:line:col`, a caret and a plain message naming what was expected. This stage checks
syntax only; names are resolved by `ruleie.dsl.resolve`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import regex
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from ruleie.dsl import ast
from ruleie.dsl.errors import ErrorSink, RuleErrors, SourceLocation
from ruleie.dsl.limits import MAX_NESTING, MAX_REPEAT, deepest_parenthesis

_GRAMMAR = Path(__file__).with_name("grammar.lark")

#: How terminals are named in "expected ..." messages.
_TERMINAL_NAMES: dict[str, str] = {
    "STRING": "a string",
    "LONG_STRING": 'a """string"""',
    "REGEX": "a /regex/",
    "LEXREF": "a @LEXICON",
    "SPANREF": "a <Label>",
    "UNAME": "an UPPER_CASE name",
    "LABEL": "a CamelCase label",
    "NAME": "a lowercase name",
    "INT": "a number",
    "NEG_INT": "a negative number",
    "QUANT": "a quantifier",
    "LOOK": "ahead(...) or behind(...)",
    "ADJACENT": "'~'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "EQUAL": "'='",
    "COLON": "':'",
    "VBAR": "'|'",
    "NULL": "null",
    "$END": "end of file",
}

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/"}
_ESCAPE_RE = regex.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", regex.DOTALL)


@lru_cache(maxsize=1)
def _lark() -> Lark:
    """The grammar, built once per process."""
    return Lark(
        _GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def _unescape(body: str, loc: SourceLocation, sink: ErrorSink) -> str:
    """Resolve backslash escapes of a string body; unknown escapes are errors (E003).

    `loc` is where the body starts (just after the opening quote); an error points at the
    backslash itself, also inside a multi-line triple-quoted string.
    """

    def sub(m: regex.Match[str]) -> str:
        code = m.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        before = body[: m.start()]
        newlines = before.count("\n")
        col = loc.col + len(before) if not newlines else len(before) - before.rfind("\n")
        where = SourceLocation(loc.file, loc.line + newlines, col)
        if code[0] in "uU" and len(code) > 1:
            point = int(code[1:], 16)
            if point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF:
                return chr(point)
            # a surrogate or a number past Unicode: no text can hold it (nor can UTF-8 encode it)
            sink.error("E003", f"'\\{code}' is not a Unicode character", where,
                       "code points go up to 10FFFF, surrogates D800-DFFF excluded", 1 + len(code))
            return "\ufffd"
        sink.error("E003", f"invalid escape '\\{code}' in a string", where, 'use \\\\ for a backslash', 1 + len(code))
        return code

    return _ESCAPE_RE.sub(sub, body) if "\\" in body else body


class _ToAst(Transformer):
    """Turns lark's parse tree into `ruleie.dsl.ast` nodes."""

    def __init__(self, path: str, sink: ErrorSink):
        super().__init__()
        self.path = path
        self.sink = sink

    def _loc(self, node: Tree | Token) -> SourceLocation:
        if isinstance(node, Token):
            return SourceLocation(self.path, node.line or 1, node.column or 1)
        meta = node.meta
        return SourceLocation(self.path, getattr(meta, "line", 1), getattr(meta, "column", 1))

    def _int(self, tok: Token, code: str, what: str, limit: int = 10**9) -> int:
        """The value of an INT token; above `limit` it is an error (`code`) and counts as `limit`."""
        digits = str(tok).lstrip("0") or "0"
        if len(digits) > len(str(limit)) or int(digits) > limit:
            self.sink.error(code, f"{what}: {digits[:12]}{'...' if len(digits) > 12 else ''} is too large",
                            self._loc(tok), f"at most {limit}", len(str(tok)))
            return limit
        return int(digits)

    def _bound(self, digits: str, quant: Token) -> int:
        """A bound of a `{m,n}` repetition, at most MAX_REPEAT (E306 above)."""
        shown = str(quant) if len(quant) <= 24 else str(quant)[:20] + "..."
        return self._int(Token("INT", digits, line=quant.line, column=quant.column), "E306",
                         f"repetition {shown}", MAX_REPEAT)

    def _string(self, tok: Token) -> str:
        raw = str(tok)
        quote = 3 if raw.startswith('"""') else 1
        body = raw[quote:-quote]
        start = self._loc(tok)
        return _unescape(body, SourceLocation(start.file, start.line, start.col + quote), self.sink)

    # -- top level

    @v_args(tree=True)
    def start(self, tree: Tree) -> list[object]:
        return list(tree.children)

    @v_args(tree=True)
    def include(self, tree: Tree) -> ast.Include:
        return ast.Include(self._string(tree.children[0]), self._loc(tree))

    @v_args(tree=True)
    def lexicon(self, tree: Tree) -> ast.Lexicon:
        name, *rest = tree.children
        options: tuple[ast.Option, ...] = ()
        if rest and isinstance(rest[0], _Options):
            options = rest.pop(0)
        kind, payload = rest[0]
        entries = payload if kind == "inline" else ()
        file = payload if kind == "file" else None
        return ast.Lexicon(str(name), options, entries, file, self._loc(name))

    def lexicon_inline(self, children: list[Token]) -> tuple[str, object]:
        return "inline", tuple((self._string(t), self._loc(t)) for t in children)

    def lexicon_file(self, children: list[Token]) -> tuple[str, object]:
        return "file", self._string(children[0])

    @v_args(tree=True)
    def macro(self, tree: Tree) -> ast.Macro:
        name, pattern = tree.children
        return ast.Macro(str(name), pattern, self._loc(name))

    @v_args(tree=True)
    def phase(self, tree: Tree) -> ast.Phase:
        name, *rest = tree.children
        options: tuple[ast.Option, ...] = ()
        if rest and isinstance(rest[0], _Options):
            options = rest.pop(0)
        return ast.Phase(str(name), options, tuple(rest), self._loc(name))

    @v_args(tree=True)
    def rule(self, tree: Tree) -> ast.Rule:
        name, *rest = tree.children
        options: tuple[ast.Option, ...] = ()
        doc = None
        if rest and isinstance(rest[0], _Options):
            options = rest.pop(0)
        if rest and isinstance(rest[0], _Doc):
            doc = rest.pop(0).text
        pattern, *actions = rest
        return ast.Rule(str(name), options, doc, pattern, tuple(actions), self._loc(name))

    def doc(self, children: list[Token]) -> "_Doc":
        return _Doc(" ".join(self._string(children[0]).split()))

    @v_args(tree=True)
    def mark(self, tree: Tree) -> ast.Action:
        label, *fields = tree.children
        return ast.Action("mark", str(label), tuple(f for f in fields if f is not None), self._loc(label))

    @v_args(tree=True)
    def emit(self, tree: Tree) -> ast.Action:
        label, *fields = tree.children
        return ast.Action("emit", str(label), tuple(fields), self._loc(label))

    def field(self, children: list[object]) -> tuple[str, ast.FieldValue]:
        name, value = children
        return str(name), value

    def const(self, children: list[Token]) -> ast.FieldValue:
        return ast.FieldValue("const", self._string(children[0]), None, self._loc(children[0]))

    def capref(self, children: list[Token]) -> ast.FieldValue:
        return ast.FieldValue("capture", str(children[0]), None, self._loc(children[0]))

    def call(self, children: list[Token]) -> ast.FieldValue:
        func, arg = children
        return ast.FieldValue("call", str(func), str(arg), self._loc(func))

    def options(self, children: list[ast.Option]) -> "_Options":
        return _Options(children)

    def option(self, children: list[Token]) -> ast.Option:
        name = children[0]
        value: str | int | None = None
        if len(children) > 1:
            tok = children[1]
            if tok.type == "INT":
                value = self._int(tok, "E302", f"option '{name}'")
            elif tok.type == "NEG_INT":  # `[priority=-1]`: below the default of 0
                digits = Token("INT", str(tok)[1:], line=tok.line, column=tok.column)
                value = -self._int(digits, "E302", f"option '{name}'")
            elif tok.type == "STRING":
                value = self._string(tok)
            else:
                value = str(tok)
        return ast.Option(str(name), value, self._loc(name))

    # -- tests

    @v_args(tree=True)
    def test(self, tree: Tree) -> ast.TestBlock:
        name, *items = tree.children
        text = date = None
        expectations = []
        for kind, value in items:
            if kind == "text":
                text = value
            elif kind == "date":
                date = value
            else:
                expectations.append(value)
        return ast.TestBlock(self._string(name), text, date, tuple(expectations), self._loc(tree))

    def test_text(self, children: list[Token]) -> tuple[str, str]:
        return "text", self._string(children[0])

    def test_date(self, children: list[Token]) -> tuple[str, str]:
        return "date", self._string(children[0])

    @v_args(tree=True)
    def expect(self, tree: Tree) -> tuple[str, ast.Expectation]:
        label, *fields = tree.children
        return "expect", ast.Expectation(str(label), tuple(fields), False, self._loc(label))

    @v_args(tree=True)
    def expect_none(self, tree: Tree) -> tuple[str, ast.Expectation]:
        label = tree.children[0]
        return "expect", ast.Expectation(str(label), (), True, self._loc(label))

    def expect_field(self, children: list[Token]) -> tuple[str, str | None]:
        name, value = children
        return str(name), None if value.type == "NULL" else self._string(value)

    # -- patterns

    @v_args(tree=True)
    def alt(self, tree: Tree) -> ast.Pattern:
        if len(tree.children) == 1:
            return tree.children[0]
        return ast.Alternation(tuple(tree.children), self._loc(tree))

    @v_args(tree=True)
    def seq(self, tree: Tree) -> ast.Pattern:
        items: list[ast.Pattern] = []
        joins: list[bool] = []
        glue_next = False
        for child in tree.children:
            if isinstance(child, Token) and child.type == "ADJACENT":
                glue_next = True
                continue
            if items:
                joins.append(not glue_next)
            glue_next = False
            items.append(child)
        if len(items) == 1:
            return items[0]
        return ast.Sequence(tuple(items), tuple(joins), self._loc(tree))

    @v_args(tree=True)
    def capture(self, tree: Tree) -> ast.Capture:
        name, item = tree.children
        return ast.Capture(str(name), item, self._loc(name))

    @v_args(tree=True)
    def quantified(self, tree: Tree) -> ast.Pattern:
        if len(tree.children) == 1:
            return tree.children[0]
        item, quant = tree.children
        text = str(quant)
        lazy = len(text) > 1 and text.endswith("?")
        core = text[:-1] if lazy else text
        loc = self._loc(quant)
        if core == "?":
            lo, hi = 0, 1
        elif core == "*":
            lo, hi = 0, None
        elif core == "+":
            lo, hi = 1, None
        else:
            inner = core[1:-1]
            if "," in inner:
                a, b = inner.split(",", 1)
                lo, hi = self._bound(a, quant), (self._bound(b, quant) if b else None)
            else:
                lo = hi = self._bound(inner, quant)
            if hi is not None and hi < lo:
                self.sink.error("E306", f"repetition {core}: the maximum is below the minimum", loc)
                hi = lo
            elif hi == 0:
                self.sink.error("E306", f"repetition {core} matches nothing", loc, "remove the item")
                hi = 1
        return ast.Repeat(item, lo, hi, lazy, loc)

    def literal(self, children: list[Token]) -> ast.Literal:
        tok = children[0]
        return ast.Literal(self._string(tok), self._loc(tok))

    def regex(self, children: list[Token]) -> ast.RegexAtom:
        tok = children[0]
        raw = str(tok)
        end = raw.rfind("/")
        return ast.RegexAtom(raw[1:end].replace("\\/", "/"), raw[end + 1 :], self._loc(tok))

    def lexref(self, children: list[object]) -> ast.LexiconRef:
        tok = children[0]
        tags = children[1] if len(children) > 1 else ()
        return ast.LexiconRef(str(tok)[1:], tuple(tags), self._loc(tok))

    def filter(self, children: list[Token]) -> tuple[str, ...]:
        return tuple(str(c) for c in children)

    def macroref(self, children: list[Token]) -> ast.MacroRef:
        return ast.MacroRef(str(children[0]), self._loc(children[0]))

    def spanref(self, children: list[Token]) -> ast.SpanRef:
        return ast.SpanRef(str(children[0])[1:-1], self._loc(children[0]))

    def group(self, children: list[ast.Pattern]) -> ast.Pattern:
        return children[0]

    @v_args(tree=True)
    def look(self, tree: Tree) -> ast.Look:
        tok, item = tree.children
        words = str(tok).split()
        return ast.Look(item, words[-1] == "ahead", words[0] == "not", self._loc(tok))


class _Options(tuple):
    """Marker type for a parsed `[...]` option list while transforming."""


class _Doc:
    """Marker for a rule's documentation string while transforming."""

    def __init__(self, text: str):
        self.text = text


def _syntax_message(err: UnexpectedInput) -> tuple[str, str | None, int]:
    """A plain message, a hint and a caret width for a lark syntax error."""
    expected = sorted(
        {_TERMINAL_NAMES.get(t, f"'{t.lower()}'" if t.isupper() else repr(t)) for t in getattr(err, "accepts", None) or getattr(err, "expected", None) or getattr(err, "allowed", None) or ()},
        key=lambda name: (not name.strip("'").isalpha(), name),  # keywords first: they survive the cut below
    )
    hint = f"expected {', '.join(expected[:8])}" if expected else None
    if isinstance(err, UnexpectedToken):
        tok = err.token
        if tok.type == "$END":
            return "unexpected end of file", hint, 1
        return f"unexpected {tok.value!r}", hint, max(1, len(str(tok.value)))
    if isinstance(err, UnexpectedCharacters):
        char = err.char
        if char in '"':
            return "unterminated string", "close it with \" on the same line, or use \"\"\"...\"\"\"", 1
        if char == "/":
            return "unterminated or empty regex", "a regex is written /.../ on one line", 1
        return f"unexpected character {char!r}", hint, 1
    return "unexpected end of file", hint, 1


def parse(source: str, path: str = "<string>") -> ast.RuleFile:
    """Parse one rule file's text; raise `RuleErrors` on any syntax error."""
    sink = ErrorSink({path: source})
    too_deep = deepest_parenthesis(source)
    if too_deep is not None:  # refused before parsing: the tree transformer is recursive
        line = source.count("\n", 0, too_deep) + 1
        col = too_deep - (source.rfind("\n", 0, too_deep) + 1) + 1
        sink.error("E004", f"parentheses nested more than {MAX_NESTING} levels deep", SourceLocation(path, line, col),
                   "simplify the pattern")
        sink.raise_if_any()
    try:
        tree = _lark().parse(source)
    except UnexpectedInput as err:
        message, hint, width = _syntax_message(err)
        line, col = err.line, err.column
        if isinstance(err, UnexpectedEOF) or line is None or line < 1:
            lines = source.rstrip("\n").split("\n")  # as lark counts lines: at "\n" only
            line, col = len(lines), len(lines[-1]) + 1
        code = "E002" if message.startswith("unterminated") else "E001"
        sink.error(code, message, SourceLocation(path, line, col), hint, width)
        sink.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover
    try:
        items = _ToAst(path, sink).transform(tree)
    except VisitError as err:  # a transformer bug, never a user error
        raise err.orig_exc from None
    sink.raise_if_any()
    rule_file = ast.RuleFile(path=path, source=source)
    for item in items:
        rule_file.order.append(item)
        if isinstance(item, ast.Include):
            rule_file.includes.append(item)
        elif isinstance(item, ast.Lexicon):
            rule_file.lexicons.append(item)
        elif isinstance(item, ast.Macro):
            rule_file.macros.append(item)
        elif isinstance(item, ast.Phase):
            rule_file.phases.append(item)
        elif isinstance(item, ast.TestBlock):
            rule_file.tests.append(item)
    return rule_file


__all__ = ["parse", "RuleErrors"]
