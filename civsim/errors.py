"""The one exception civsim raises for bad input: it names the file, the key or row, and what was expected."""

from __future__ import annotations


class CivsimError(ValueError):
    """A user-facing error with a single-line message: ``file: key: problem (expected …)``."""

    def __init__(self, file: object = None, key: object = None, problem: str = "", expected: str = ""):
        self.file, self.key, self.problem, self.expected = file, key, problem, expected
        parts = [str(p) for p in (file, key) if p not in (None, "")]
        message = ": ".join(parts + [problem])
        if expected:
            message += f" (expected {expected})"
        super().__init__(" ".join(message.split()))  # always one line
