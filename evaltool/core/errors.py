"""Errors that reach the clerk: each carries a Chinese message that says what to do."""


class InputError(ValueError):
    """Unusable input (file, rule set, case). The CLI prints the message and exits with 2."""
