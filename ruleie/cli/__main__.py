"""`python -m ruleie.cli`: the `ruleie` command."""

from ruleie.cli import main

main()
