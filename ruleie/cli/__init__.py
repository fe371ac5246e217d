"""The `ruleie` command: extract, check, test, explain, profile, stats, schema.

Exit codes: 0 ok; 1 some documents failed (each reported on stderr, the rest processed) or a test
failed; 2 usage or rule errors (reported as `file:line:col` with a caret, never a traceback).
"""

from __future__ import annotations

import json
import sys

import typer

# Each module registers its commands on `app`, in the order `ruleie --help` lists them.
from ruleie.cli import extract, rules, corpus  # noqa: F401,I001
from ruleie.cli.common import _err, app

__all__ = ["app", "main"]


@app.command()
def schema() -> None:
    """Print the JSON Schema of every record type."""
    from ruleie.records import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def main() -> None:
    """Entry point of the `ruleie` console script."""
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
