"""What every command shares: the typer app, error output, rule loading, the version option."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from ruleie import __version__
from ruleie.api import RuleSet, load
from ruleie.dsl.errors import RuleErrors
from ruleie.io.readers import valid_date

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Rule-based information extraction for French text: who said what, who accused whom, and when.",
    pretty_exceptions_enable=False,
)


#: While a progress bar is shown, messages go through its console, above the bar.
_LIVE_CONSOLE = None


def _err(message: str) -> None:
    if _LIVE_CONSOLE is not None:
        _LIVE_CONSOLE.print(message, markup=False, highlight=False, soft_wrap=True)
    else:
        typer.echo(message, err=True)


def _load_or_exit(rules: Optional[Path], use_cache: bool = True, thorough: bool = False) -> RuleSet:
    try:
        return load(rules, use_cache=use_cache, thorough=thorough)
    except RuleErrors as errors:
        _err(errors.render())
        raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ruleie {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Rule-based information extraction for French text."""


#: Files taken from folders when no --glob is given.
DEFAULT_GLOBS = ("*.txt", "*.txt.gz")


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that the exit flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover
        pass


def _check_input_options(input_format: str, encoding_errors: str, doc_date: Optional[str]) -> None:
    """Exit 2 with a message when an option of the commands that read documents has a bad value."""
    if input_format not in ("auto", "txt", "jsonl"):
        _err(f"error: unknown input format {input_format!r} (auto, txt or jsonl)")
        raise typer.Exit(2)
    if encoding_errors not in ("strict", "replace"):
        _err("error: --encoding-errors takes strict or replace")
        raise typer.Exit(2)
    if doc_date is not None and valid_date(doc_date) is None:
        _err(f"error: --doc-date {doc_date!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        raise typer.Exit(2)
