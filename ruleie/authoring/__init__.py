"""Tools for rule authors: questions about how a rule set behaves on a text, answered from its rules."""
