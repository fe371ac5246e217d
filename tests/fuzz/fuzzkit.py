"""Shared pieces of the fuzz targets: example budgets, a grammar-aware rule-file strategy, token
mutations, and the checks every compile failure must pass.

Budgets: each target runs a small number of examples in the default test run. Set
`RULEIE_FUZZ_EXAMPLES` (e.g. `RULEIE_FUZZ_EXAMPLES=100000 python -m pytest tests/fuzz`) to run
every target that many examples instead. Hypothesis keeps no example database (`database=None`),
so nothing is written inside the repository.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ruleie.dsl.errors import CATALOGUE, RuleErrors
from ruleie.records import Record, Span

#: Examples per target when set; otherwise each target uses its own small default.
FUZZ_EXAMPLES = int(os.environ.get("RULEIE_FUZZ_EXAMPLES", "0") or 0)

PACK = Path(__file__).resolve().parents[2] / "rules" / "fr"

PARAGRAPH = (
    "Le ministre de l'Intérieur, Gérald Martin, a déclaré lundi 3 mars 2024 : « Nous ne céderons pas. » "
    "Selon la préfète, « la situation est sous contrôle », a-t-elle ajouté. Marie Dupont accuse le maire "
    "de corruption depuis l'an dernier. « C'est faux », répond-il, avant d'affirmer qu'il portera plainte."
)


def fuzz_settings(default: int) -> settings:
    """Hypothesis settings for a fuzz target: `default` examples unless RULEIE_FUZZ_EXAMPLES says more."""
    return settings(
        max_examples=FUZZ_EXAMPLES or default,
        deadline=None,
        database=None,
        derandomize=not FUZZ_EXAMPLES,  # the default run is reproducible; long runs explore
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# ---------------------------------------------------------------- checks


def assert_clean_errors(errors: RuleErrors) -> None:
    """Every error has a catalogue code, a 1-based position, and renders with `file:line:col` and a caret."""
    assert errors.errors
    rendered = str(errors)
    assert "Traceback" not in rendered
    for e in errors.errors:
        assert e.code in CATALOGUE, e.code
        assert e.loc.line >= 1 and e.loc.col >= 1, e.loc
        assert f"{e.loc.file}:{e.loc.line}:{e.loc.col}: error {e.code}:" in rendered
        block = e.render().splitlines()
        if e.source_line:
            assert len(block) == 3 and block[2].strip()[0] == "^", block
    assert rendered.endswith(f"\n{len(errors.errors)} error{'s' if len(errors.errors) != 1 else ''}")


def record_spans(record: Record) -> list[Span]:
    """Every span a record carries: its own, its captures', and Span-typed fields."""
    out = [record.span, *record.captures.values()]
    out.extend(v for v in record.__dict__.values() if isinstance(v, Span))
    return out


def assert_exact_spans(text: str, records: list[Record]) -> None:
    """Each span indexes `text` exactly."""
    for record in records:
        for span in record_spans(record):
            assert 0 <= span.start <= span.end <= len(text), span
            assert text[span.start : span.end] == span.text, (record.type, span)


# ---------------------------------------------------------------- tokens and mutations

#: The tokens of the rule language, longest first where they overlap; anything else is one character.
TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|/(?![/*])(?:[^/\\\n]|\\.)+/[imsx]*"
    r"|#[^\n]*"
    r"|@[A-Z][A-Z0-9_]*|<[A-Z][A-Za-z0-9_]*>"
    r"|[A-Za-z_][A-Za-z0-9_]*"
    r"|\{\d+(?:,\d*)?\}\??|[?*+]\??"
    r"|\d+|\s+|."
)


def tokens(source: str) -> list[str]:
    """`source` split into tokens (whitespace runs included), so that `"".join(tokens(s)) == s`."""
    return TOKEN.findall(source)


#: One edit: (kind, position, other position); positions are taken modulo the token count.
EDITS = st.lists(
    st.tuples(st.sampled_from(["delete", "duplicate", "swap", "truncate"]), st.integers(0, 10**6), st.integers(0, 10**6)),
    min_size=1,
    max_size=4,
)


def mutate(source: str, edits: list[tuple[str, int, int]]) -> str:
    """Apply token edits to a rule file: delete, duplicate or swap tokens, or cut the file."""
    toks = tokens(source)
    for kind, a, b in edits:
        if not toks:
            break
        i, j = a % len(toks), b % len(toks)
        if kind == "delete":
            del toks[i]
        elif kind == "duplicate":
            toks.insert(i, toks[i])
        elif kind == "swap":
            toks[i], toks[j] = toks[j], toks[i]
        else:
            del toks[i:]
    return "".join(toks)


# ---------------------------------------------------------------- grammar-aware rule files

LOWER = st.sampled_from(["p", "q", "dates", "r", "s", "who", "what", "cue", "x"])
UPPER = st.sampled_from(["NAME", "SAY", "WORDS", "M", "WORD", "CAPWORD", "OPEN_QUOTE"])
LABEL = st.sampled_from(["Speaker", "Name", "Cue", "Title"])
WORDS = st.sampled_from(["ministre", "a déclaré", "dit", "«", "»", ":", "selon", "le", "Marie", "l'", "maire", "’", ""])
#: Regexes that cannot run away: no nested or adjacent unbounded repeats.
SIMPLE_REGEX = st.sampled_from([r"\w+", r"\d{1,4}", r"\p{Lu}\p{Ll}+", r"«[^»]{1,80}»", r"[A-Z]\w*", r"[.!?]", r"\s"])
#: Anything at all between slashes: for compile-only targets.
WILD_REGEX = st.one_of(SIMPLE_REGEX, st.text(st.sampled_from(list("ab()[]{}?*+|\\.^$-,0123456789pPLu<>=!&#:")), min_size=1, max_size=12))
QUANT = st.sampled_from(["?", "*", "+", "{1,3}", "{2}", "{0,2}", "+?", "{3,1}", "{0}", "{1,99999}"])
SAFE_QUANT = st.sampled_from(["?", "{1,2}", "+", "{2}"])


def _string(words: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return words.map(lambda w: '"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"')


def patterns(safe: bool) -> st.SearchStrategy[str]:
    """Pattern sources; `safe` ones only use regexes and repeats that run in linear time."""
    regexes = SIMPLE_REGEX if safe else WILD_REGEX
    atom = st.one_of(
        _string(WORDS),
        regexes.map(lambda r: "/" + r.replace("/", "\\/") + "/"),
        UPPER.map(lambda n: "@" + n),
        UPPER,
        LABEL.map(lambda n: f"<{n}>"),
    )
    quant = SAFE_QUANT if safe else QUANT
    item = st.tuples(st.one_of(st.just(""), LOWER.map(lambda n: n + ":")), atom, st.one_of(st.just(""), quant)).map("".join)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        group_quant = st.sampled_from(["", "?"]) if safe else st.one_of(st.just(""), quant)
        return st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(" ".join),
            st.lists(inner, min_size=2, max_size=3).map(" | ".join),
            st.tuples(inner, group_quant).map(lambda t: f"({t[0]}){t[1]}"),
            st.tuples(st.sampled_from(["ahead", "behind", "not ahead", "not behind"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]} ~ {t[1]}"),
        )

    return st.recursive(item, extend, max_leaves=6)


def actions() -> st.SearchStrategy[str]:
    return st.one_of(
        LABEL.map(lambda n: f"mark {n}"),
        LOWER.map(lambda c: f'emit Mention(label="m", span={c})'),
        st.just('emit Mention(label="m")'),
        LOWER.map(lambda c: f'emit Quote(content={c}, kind="direct")'),
    )


def rule_files(safe: bool = True) -> st.SearchStrategy[str]:
    """Syntactically plausible rule files built from the language's constructs."""
    lexicon = st.tuples(UPPER, st.sampled_from(["", "[verbs]", "[case=any]", "[accents=insensitive]", "[case=exact]"]),
                        st.lists(_string(WORDS), max_size=4)).map(lambda t: f"lexicon {t[0]} {t[1]} = {{ {', '.join(t[2])} }}")
    macro = st.tuples(UPPER, patterns(safe)).map(lambda t: f"macro {t[0]} = {t[1]}")
    rule = st.tuples(LOWER, st.sampled_from(["", "[priority=2]", '"doc"']), patterns(safe), st.lists(actions(), min_size=1, max_size=2)).map(
        lambda t: f"  rule {t[0]} {t[1]} match {t[2]} {' '.join(t[3])}"
    )
    phase = st.tuples(LOWER, st.sampled_from(["", "[overlap=all]", "[overlap=first]"]), st.lists(rule, min_size=1, max_size=3)).map(
        lambda t: f"phase {t[0]} {t[1]} {{\n" + "\n".join(t[2]) + "\n}"
    )
    test = st.tuples(WORDS, st.sampled_from(["expect no Quote", 'expect Mention(label="m")', "expect Speaker"])).map(
        lambda t: f'test "t"\n  text "{t[0]} a dit"\n  {t[1]}'
    )
    return st.lists(st.one_of(lexicon, macro, phase, test), min_size=1, max_size=5).map("\n".join)
