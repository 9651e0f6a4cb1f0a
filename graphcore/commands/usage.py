"""The command line's one refusal of its own: a bad command line (exit 2, one line)."""


class UsageError(Exception):
    """A bad command line: exit 2 with one line."""
