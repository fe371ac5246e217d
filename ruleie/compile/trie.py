"""Trie-ordered regular expressions for word lists.

A flat alternation `a|b|c` of thousands of words makes the regex engine try every word at every
position; grouping words by shared prefix (`d(?:it|éclar(?:e|ait))`) lets it reject a position after
one character. This module turns a word list into such a pattern, with optional accent- and
case-insensitive letters and whitespace inside entries matching any run of whitespace.
"""

from __future__ import annotations

from functools import lru_cache

import regex

#: Letters that accent-insensitive lexicons treat as one.
ACCENT_CLASSES: dict[str, str] = {
    "a": "aàâä", "c": "cç", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "y": "yÿ", "œ": "œ",
}
_FOLD = {ch: base for base, group in ACCENT_CLASSES.items() for ch in group}
for _base, _group in list(ACCENT_CLASSES.items()):
    for _ch in _group:
        _FOLD[_ch.upper()] = _base.upper()


def fold_accents(text: str) -> str:
    """`text` with French accented letters replaced by their base letter (É -> E, ç -> c)."""
    return "".join(_FOLD.get(ch, ch) for ch in text)


_END = ""  # marks the end of an entry in the trie
WORD_END = "\uE000"  # pseudo-character for a word boundary after an entry; sorts after letters
_WORD_LAST = regex.compile(r"\w\Z")  # an entry ending in a word character
#: A pattern that `?` can follow without a group: one character, one escape, or one class.
_SINGLE_ATOM = regex.compile(r"[^\\\[\]()|?*+{}]|\\.|\[(?:[^\]\\]|\\.)*\]", regex.DOTALL)


def _insert(trie: dict, word: str) -> None:
    node = trie
    for ch in word:
        node = node.setdefault(ch, {})
    node[_END] = {}


@lru_cache(maxsize=4096)
def _atom(ch: str, accents: bool, either_case: bool = False) -> str:
    """Regex for one character of an entry (`either_case`: also its upper-case form); memoised,
    as big lexicons ask for the same few characters tens of thousands of times."""
    if ch == " ":
        return r"\s+"
    if ch == WORD_END:
        return r"\b"
    if either_case and accents and ch in ACCENT_CLASSES:
        group = ACCENT_CLASSES[ch]
        return "[" + group + group.upper() + "]"
    if either_case and ch.upper() != ch and len(ch.upper()) == 1:
        return "[" + regex.escape(ch + ch.upper(), special_only=True) + "]"
    if accents:
        lower = ACCENT_CLASSES.get(ch)
        upper = ACCENT_CLASSES.get(ch.lower()) if ch.isupper() else None
        if lower:
            return "[" + lower + "]"
        if upper:
            return "[" + upper.upper() + "]"
    return regex.escape(ch, special_only=True)


def _emit(node: dict, accents: bool, either_case: bool = False) -> str:
    """Pattern for the sub-trie `node` (entries continuing from here)."""
    optional = _END in node
    branches = [(ch, child) for ch, child in node.items() if ch != _END]
    if not branches:
        return ""
    # single characters that end an entry with nothing after them fold into one class
    leaves = [
        ch for ch, child in branches
        if set(child) == {_END} and len(_atom(ch, accents)) <= 2 and not either_case and ch != WORD_END
    ]
    others = [(ch, child) for ch, child in branches if ch not in leaves and ch != WORD_END]
    parts = [_atom(ch, accents, either_case) + _emit(child, accents) for ch, child in sorted(others)]
    if len(leaves) == 1:
        parts.append(_atom(leaves[0], accents))
    elif leaves:
        parts.append("[" + "".join(regex.escape(c, special_only=True) for c in sorted(leaves)) + "]")
    if WORD_END in node:  # the entry may end here: tried after every longer continuation
        parts.append(_atom(WORD_END, accents) + _emit(node[WORD_END], accents))
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    if optional:
        if len(parts) == 1 and _SINGLE_ATOM.fullmatch(body):
            return body + "?"
        return ("(?:" + body + ")?") if len(parts) == 1 else body + "?"
    return body


def trie_pattern(
    words: list[str] | set[str], accents_insensitive: bool = False, first_upper: bool = False, bound_end: bool = False
) -> str:
    """A regex matching exactly the given words, prefix-grouped.

    `first_upper` also accepts each word with a capital first letter (sentence starts) without
    listing it twice; `bound_end` puts a word boundary after each word ending in a word character,
    inside the trie, so that `M` cannot win over `M.` in "M. Dupont".
    """
    trie: dict = {}
    for word in words:
        if word:
            key = fold_accents(word) if accents_insensitive else word
            if bound_end and _WORD_LAST.search(word):
                key += WORD_END
            _insert(trie, key)
    if not trie:
        return r"(?!)"
    return _emit(trie, accents_insensitive, first_upper)


def trie_pattern_with_tails(
    entries: dict[str, str], accents_insensitive: bool = False, first_upper: bool = False
) -> str:
    """A regex matching each word followed by its own pattern (`entries`: word -> pattern after
    it), prefix-grouped like `trie_pattern`.

    Meant for words of which at most one can match at any position (the first words of multiword
    lexicon entries, each followed by whitespace): the order of the alternatives is then
    irrelevant, and one trie replaces one alternative per word. Raises ValueError when two words
    have the same key (after folding accents).
    """
    trie: dict = {}
    for word, tail in entries.items():
        node = trie
        for ch in fold_accents(word) if accents_insensitive else word:
            node = node.setdefault(ch, {})
        if _END in node:
            raise ValueError(f"two entries share the key of {word!r}")
        node[_END] = tail
    if not trie:
        return r"(?!)"
    return _emit_tails(trie, accents_insensitive, first_upper)


def _emit_tails(node: dict, accents: bool, either_case: bool = False) -> str:
    parts = [_atom(ch, accents, either_case) + _emit_tails(child, accents) for ch, child in sorted(node.items()) if ch != _END]
    if _END in node:
        parts.append(node[_END])
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
