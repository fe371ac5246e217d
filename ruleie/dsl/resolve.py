"""Load a rule folder or file, follow includes, and check that every name resolves.

Owns the safety contract of includes (a rule set never reads a file outside its rule folder,
symlinks included) and the semantic checks that need only the syntax tree: unknown lexicons,
macros, span labels and captures, duplicate names, cyclic macros and includes. Every problem is
collected; `RuleErrors` is raised once with all of them.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ruleie.dsl import ast
from ruleie.dsl.errors import ErrorSink, RuleErrors, SourceLocation, did_you_mean
from ruleie.dsl.limits import MAX_EXPANDED_DEPTH
from ruleie.dsl.parser import parse

#: Built-in macros every rule file can use (quote marks, words, numbers, punctuation).
PRELUDE = Path(__file__).with_name("prelude.rules")
PRELUDE_NAME = "<built-in>"

#: Reading more than this from one rule or lexicon file is refused (a rule folder is not a corpus).
MAX_RULE_FILE_BYTES = 64 * 1024 * 1024


@dataclass
class MergedPhase:
    """All blocks of one phase name, in source order, with the options of the phase."""

    name: str
    options: tuple[ast.Option, ...]
    rules: list[ast.Rule]
    loc: SourceLocation


@dataclass
class Program:
    """Every declaration of a rule set after includes, with its sources for error messages."""

    root: Path
    files: list[ast.RuleFile] = field(default_factory=list)
    lexicons: dict[str, ast.Lexicon] = field(default_factory=dict)
    lexicon_files: dict[str, tuple[Path, str]] = field(default_factory=dict)
    macros: dict[str, ast.Macro] = field(default_factory=dict)
    phases: list[MergedPhase] = field(default_factory=list)
    tests: list[ast.TestBlock] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    file_paths: dict[str, Path] = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def display_path(path: Path, root: Path) -> str:
    """How a rule file is named in messages: relative to the working directory when possible."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        try:
            return str(Path(root.name) / path.relative_to(root))
        except ValueError:
            return str(path)


def inside(path: Path, root: Path) -> bool:
    """True when `path`, with symlinks resolved, lies within `root`."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def read_text(path: Path) -> str:
    """Read a UTF-8 rule or lexicon file (BOM allowed); raise OSError/ValueError when unreadable."""
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        raise ValueError("not a regular file")
    if info.st_size > MAX_RULE_FILE_BYTES:
        raise ValueError(f"larger than {MAX_RULE_FILE_BYTES // (1024 * 1024)} MB")
    return path.read_bytes().decode("utf-8-sig")


def _chain(names: list[str]) -> str:
    """`a -> b -> c`, with the middle of a long chain elided (a cycle can run through thousands)."""
    if len(names) > 8:
        return " -> ".join([*names[:4], "...", *names[-3:]]) + f" ({len(names) - 1} steps)"
    return " -> ".join(names)


def _bad_path(path: str) -> str | None:
    """Why a path written in a rule file can name no file, or None."""
    if "\x00" in path:
        return "contains a NUL character"
    return None


class _Loader:
    """Reads files depth-first through includes, each file once, detecting include cycles."""

    def __init__(self, root: Path, sink: ErrorSink):
        self.root = root.resolve()
        self.sink = sink
        self.loaded: dict[Path, ast.RuleFile] = {}
        self.stack: list[Path] = []
        self.order: list[ast.RuleFile] = []
        self.paths: dict[str, Path] = {}

    def load(self, path: Path, loc: SourceLocation | None) -> None:
        """Read `path` and, depth first, every file it includes.

        Iterative, with an explicit stack of open files: an include chain thousands of files long
        must not exhaust Python's stack.
        """
        first = self._open(path, loc)
        if first is None:
            return
        frames: list[tuple[ast.RuleFile, Iterator[ast.Include]]] = [(first, iter(first.includes))]
        while frames:
            rule_file, includes = frames[-1]
            inc = next(includes, None)
            if inc is None:
                frames.pop()
                self.stack.pop()
                self.order.append(rule_file)
                continue
            target = self._target(inc, self.stack[-1])
            child = self._open(target, inc.loc) if target is not None else None
            if child is not None:
                frames.append((child, iter(child.includes)))

    def _target(self, inc: ast.Include, including: Path) -> Path | None:
        """The file an include names, or None (reported) when it may not be read."""
        problem = _bad_path(inc.path)
        if problem:
            self.sink.error("E206", f"cannot read {inc.path!r}: the path {problem}", inc.loc)
            return None
        target = including.parent / inc.path
        if not inside(target, self.root):
            self.sink.error(
                "E204",
                f"include '{inc.path}' leaves the rule folder {display_path(self.root, self.root)}",
                inc.loc,
                "rule files may only include files inside their own folder",
            )
            return None
        return target

    def _open(self, path: Path, loc: SourceLocation | None) -> ast.RuleFile | None:
        """Read and parse a file not seen yet and push it on the include stack; None otherwise."""
        real = path.resolve()
        if real in self.stack:
            cycle = _chain([display_path(p, self.root) for p in [*self.stack[self.stack.index(real):], real]])
            self.sink.error("E203", f"cyclic include: {cycle}", loc or SourceLocation(str(path), 1, 1))
            return None
        if real in self.loaded:
            return None
        name = display_path(real, self.root)
        try:
            source = read_text(real)
        except FileNotFoundError:
            self.sink.error("E205", f"rule file not found: {path}", loc or SourceLocation(str(path), 1, 1))
            return None
        except (OSError, ValueError) as err:
            self.sink.error("E206", f"cannot read {path}: {err}", loc or SourceLocation(str(path), 1, 1))
            return None
        self.sink.sources[name] = source
        try:
            rule_file = parse(source, name)
        except RuleErrors as errs:
            self.sink.errors.extend(errs.errors)
            return None
        self.loaded[real] = rule_file
        self.paths[name] = real
        self.stack.append(real)
        return rule_file


def rule_files_of(path: Path) -> tuple[Path, list[Path]]:
    """The rule folder and the entry files for a path: a file, or every *.rules in a folder."""
    if path.is_dir():
        return path, sorted(p for p in path.glob("*.rules") if p.is_file())
    return path.parent, [path]


def load_program(path: str | Path, strict: bool = True) -> Program:
    """Load rule files from a file or folder, resolve includes, and check every name.

    Syntax errors and unreadable files raise at once. Name errors raise too, unless `strict` is
    False: then they are left in `program.errors` so that the compiler can add its own and report
    everything together.
    """
    path = Path(path)
    root, entries = rule_files_of(path)
    sink = ErrorSink()
    if not path.exists():
        sink.error("E205", f"no rule file or folder at {path}", SourceLocation(str(path), 1, 1))
        sink.raise_if_any()
    if not entries:
        sink.error("E205", f"no .rules file in {path}", SourceLocation(str(path), 1, 1))
        sink.raise_if_any()
    loader = _Loader(root, sink)
    loader.order.append(parse(PRELUDE.read_text(encoding="utf-8"), PRELUDE_NAME))
    for entry in entries:
        if path.is_dir() and not inside(entry, root):  # a *.rules symlink leading out of the folder
            sink.error("E204", f"rule file '{entry.name}' leaves the rule folder {display_path(root.resolve(), root.resolve())}",
                       SourceLocation(display_path(entry, root), 1, 1),
                       "rule files may only include files inside their own folder")
            continue
        loader.load(entry, None)
    sink.raise_if_any()  # a file that does not parse would make every later check cascade
    program = Program(root=root.resolve(), files=loader.order, sources=sink.sources, file_paths=loader.paths)
    _collect(program, sink)
    depths = _check_macro_graph(program.macros, sink)
    if _check_depths(program, depths, sink):
        sink.raise_if_any()  # later stages expand macros recursively: too deep must stop here
    _check_names(program, sink)
    program.warnings = sink.warnings
    program.errors = sink.errors
    if strict:
        sink.raise_if_any()
    return program


def _collect(program: Program, sink: ErrorSink) -> None:
    """Gather declarations of all files; duplicates are errors, phases merge by name."""
    rule_names: dict[str, ast.Rule] = {}
    phases: dict[str, MergedPhase] = {}
    for rule_file in program.files:
        for lex in rule_file.lexicons:
            if lex.name in program.lexicons:
                sink.error("E201", f"lexicon '{lex.name}' is already defined at {program.lexicons[lex.name].loc}", lex.loc)
                continue
            program.lexicons[lex.name] = lex
            if lex.file is not None:
                _read_lexicon_file(program, lex, rule_file, sink)
        for macro in rule_file.macros:
            if macro.name in program.macros:
                where = program.macros[macro.name].loc
                what = "is built in" if where.file == PRELUDE_NAME else f"is already defined at {where}"
                sink.error("E201", f"macro '{macro.name}' {what}", macro.loc, "choose another name" if where.file == PRELUDE_NAME else None)
                continue
            program.macros[macro.name] = macro
        for block in rule_file.phases:
            merged = phases.get(block.name)
            if merged is None:
                merged = phases[block.name] = MergedPhase(block.name, block.options, [], block.loc)
                program.phases.append(merged)
            elif block.options and merged.options and _option_map(block.options) != _option_map(merged.options):
                sink.error("E302", f"phase '{block.name}' was declared with other options at {merged.loc}", block.loc)
            elif block.options:
                merged.options = block.options
            for rule in block.rules:
                if rule.name in rule_names:
                    sink.error("E201", f"rule '{rule.name}' is already defined at {rule_names[rule.name].loc}", rule.loc)
                    continue
                rule_names[rule.name] = rule
                merged.rules.append(rule)
        program.tests.extend(rule_file.tests)


def _option_map(options: tuple[ast.Option, ...]) -> dict[str, object]:
    return {o.name: o.value for o in options}


def _read_lexicon_file(program: Program, lex: ast.Lexicon, rule_file: ast.RuleFile, sink: ErrorSink) -> None:
    """Read the entries of `lexicon NAME = file "..."`, one per line, `#` comments allowed."""
    assert lex.file is not None
    problem = _bad_path(lex.file)
    if problem:
        sink.error("E206", f"cannot read lexicon file {lex.file!r}: the path {problem}", lex.loc)
        return
    target = program.file_paths[rule_file.path].parent / lex.file
    if not inside(target, program.root):
        sink.error("E204", f"lexicon file '{lex.file}' is outside the rule folder", lex.loc,
                   "lexicon files must live inside the rule folder")
        return
    try:
        text = read_text(target)
    except FileNotFoundError:
        sink.error("E205", f"lexicon file not found: {lex.file}", lex.loc)
        return
    except (OSError, ValueError) as err:
        sink.error("E206", f"cannot read lexicon file {lex.file}: {err}", lex.loc)
        return
    program.lexicon_files[lex.name] = (target.resolve(), text)


# ------------------------------------------------------------------ name checks


def pattern_children(node: ast.Pattern) -> tuple[ast.Pattern, ...]:
    """Direct sub-patterns of a pattern node."""
    if isinstance(node, (ast.Repeat, ast.Capture, ast.Look)):
        return (node.item,)
    if isinstance(node, ast.Sequence):
        return node.items
    if isinstance(node, ast.Alternation):
        return node.options
    return ()


def walk(node: ast.Pattern, macros: dict[str, ast.Macro] | None = None, _seen: set[str] | None = None):
    """Every node of a pattern, depth first; with `macros`, also the body of each macro it uses
    (once per call: a macro used twice is not walked twice, so nested macros cost linear time)."""
    if macros is not None and _seen is None:
        _seen = set()
    yield node
    if macros is not None and isinstance(node, ast.MacroRef) and node.name in macros and node.name not in _seen:
        _seen.add(node.name)
        yield from walk(macros[node.name].pattern, macros, _seen)
    for child in pattern_children(node):
        yield from walk(child, macros, _seen)


def captures_of(pattern: ast.Pattern, macros: dict[str, ast.Macro]) -> set[str]:
    """Names of every capture a pattern defines, including inside macros."""
    return {n.name for n in walk(pattern, macros) if isinstance(n, ast.Capture)}


def pattern_depth(node: ast.Pattern, macro_depths: dict[str, int]) -> int:
    """Levels of nodes of a pattern, a macro reference counting as its macro's depth plus one."""
    if isinstance(node, ast.MacroRef):
        return 1 + macro_depths.get(node.name, 0)
    return 1 + max((pattern_depth(c, macro_depths) for c in pattern_children(node)), default=0)


def _check_names(program: Program, sink: ErrorSink) -> None:
    macros, lexicons = program.macros, program.lexicons
    used_macros: set[str] = set()
    used_lexicons: set[str] = set()

    def check_pattern(pattern: ast.Pattern) -> None:
        for node in walk(pattern):
            if isinstance(node, ast.MacroRef):
                used_macros.add(node.name)
                if node.name not in macros:
                    sink.error("E102", f"unknown macro '{node.name}'", node.loc,
                               did_you_mean(node.name, macros), len(node.name))
            elif isinstance(node, ast.LexiconRef):
                used_lexicons.add(node.name)
                if node.name not in lexicons:
                    sink.error("E101", f"unknown lexicon '@{node.name}'", node.loc,
                               did_you_mean(node.name, lexicons), len(node.name) + 1)

    for macro in macros.values():
        check_pattern(macro.pattern)
        for node in walk(macro.pattern):
            if isinstance(node, ast.SpanRef):
                sink.error("E304", f"macro '{macro.name}' refers to <{node.label}>", node.loc,
                           "span references may only appear at the top level of a rule's pattern")

    produced: set[str] = set()
    for phase in program.phases:
        produced_here: set[str] = set()
        for rule in phase.rules:
            check_pattern(rule.pattern)
            _check_span_refs(rule, produced, sink)
            names = captures_of(rule.pattern, macros)
            for action in rule.actions:
                produced_here.add(action.label)
                for field_name, value in action.fields:
                    ref = value.value if value.kind == "capture" else value.argument
                    if value.kind != "const" and ref not in names:
                        sink.error("E103", f"rule '{rule.name}' has no capture '{ref}'", value.loc,
                                   did_you_mean(ref or "", names) or (f"captures here: {', '.join(sorted(names))}" if names else "the pattern defines no capture"))
        produced |= produced_here

    for name, macro in macros.items():
        if name not in used_macros and macro.loc.file != PRELUDE_NAME:
            sink.warn("W501", f"macro '{name}' is never used", macro.loc)
    for name, lex in lexicons.items():
        if name not in used_lexicons:
            sink.warn("W502", f"lexicon '@{name}' is never used", lex.loc)


def _check_span_refs(rule: ast.Rule, produced: set[str], sink: ErrorSink) -> None:
    """Span references must name an earlier phase's label and sit at the pattern's top level."""
    top = rule.pattern.items if isinstance(rule.pattern, ast.Sequence) else (rule.pattern,)
    allowed = set()
    for index, item in enumerate(top):
        found = ast.as_span_ref(item)
        if found is None:
            continue
        ref, _, optional = found
        allowed.add(id(ref))
        if optional and index == 0:
            sink.error("E304", f"a rule cannot start with an optional <{ref.label}>", ref.loc,
                       "start with a required item, or write two rules", len(ref.label) + 2)
    for node in walk(rule.pattern):
        if not isinstance(node, ast.SpanRef):
            continue
        if id(node) not in allowed:
            sink.error("E304", f"<{node.label}> may only appear at the top level of a rule's pattern", node.loc,
                       "write a separate rule for each alternative", len(node.label) + 2)
        if node.label not in produced:
            sink.error("E104", f"no earlier phase marks or emits <{node.label}>", node.loc,
                       did_you_mean(node.label, produced), len(node.label) + 2)


def _check_macro_graph(macros: dict[str, ast.Macro], sink: ErrorSink) -> dict[str, int]:
    """Report macro cycles (E202); return each macro's depth with its macros expanded.

    Iterative: a chain of thousands of macros must not exhaust the stack. A reference that closes
    a cycle counts as depth 0 (the cycle is an error of its own).
    """
    deps = {name: list(dict.fromkeys(n.name for n in walk(m.pattern) if isinstance(n, ast.MacroRef) and n.name in macros))
            for name, m in macros.items()}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    depths: dict[str, int] = {}
    for root in macros:
        if root in state:
            continue
        state[root] = 1
        path, stack = [root], [iter(deps[root])]
        while stack:
            name = next(stack[-1], None)
            if name is None:
                done = path.pop()
                stack.pop()
                state[done] = 2
                depths[done] = pattern_depth(macros[done].pattern, depths)
            elif state.get(name) == 1:
                sink.error("E202", f"macro cycle: {_chain(path[path.index(name):] + [name])}", macros[name].loc)
            elif name not in state:
                state[name] = 1
                path.append(name)
                stack.append(iter(deps[name]))
    return depths


def _check_depths(program: Program, depths: dict[str, int], sink: ErrorSink) -> bool:
    """Report macros and rules nested too deeply once macros are expanded (E309); True if any.

    Only the innermost offender of a chain is reported: a macro or rule whose own macros are
    within the limit.
    """
    found = False

    def refs_ok(pattern: ast.Pattern) -> bool:
        return all(depths.get(n.name, 0) <= MAX_EXPANDED_DEPTH for n in walk(pattern) if isinstance(n, ast.MacroRef))

    for name, macro in program.macros.items():
        if depths.get(name, 0) > MAX_EXPANDED_DEPTH:
            found = True
            if refs_ok(macro.pattern):
                sink.error("E309", f"macro '{name}' nests more than {MAX_EXPANDED_DEPTH} levels deep with its macros expanded",
                           macro.loc, "flatten the chain of macros")
    for phase in program.phases:
        for rule in phase.rules:
            if pattern_depth(rule.pattern, depths) > MAX_EXPANDED_DEPTH:
                found = True
                if refs_ok(rule.pattern):
                    sink.error("E309", f"the pattern of rule '{rule.name}' nests more than {MAX_EXPANDED_DEPTH} levels deep "
                               "with its macros expanded", rule.loc, "flatten the chain of macros")
    return found
