"""Compile checked rule programs into regex-based rule-set specs (lexicons, patterns, cache)."""
