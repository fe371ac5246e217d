"""The `ruleie` command: extract, check, test, explain, profile, stats, schema, cache.

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


@app.command("cache")
def cache_command(
    clear: bool = typer.Option(False, "--clear", help="Remove every cached rule set (they are rebuilt when next loaded)."),
) -> None:
    """Show where compiled rule sets are cached and the room they take; --clear empties the cache."""
    from ruleie.compile import cache

    if clear:
        removed = cache.prune(limit=0)
        typer.echo(f"removed {removed} file{'s' if removed != 1 else ''} from {cache.cache_dir()}")
        return
    found = cache.entries()
    total = sum(size for _, size, _ in found)
    typer.echo(f"directory: {cache.cache_dir()}")
    typer.echo(f"entries: {len(found)}, {total / 2**20:,.1f} MB "
               f"(limit {cache.max_bytes() / 2**20:,.0f} MB, $RULEIE_CACHE_MAX_MB; least recently used go first)")


def main() -> None:
    """Entry point of the `ruleie` console script."""
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
