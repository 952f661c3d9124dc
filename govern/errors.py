"""The one family of errors govern raises; the CLI root maps each to an exit code.

Exit codes (every command): 0 pass, 1 policy violation, 2 could not evaluate,
3 integrity or authenticity failure.
"""
from __future__ import annotations

PASS, VIOLATION, CANNOT_EVALUATE, INTEGRITY = 0, 1, 2, 3


class GovernError(Exception):
    """Base error: a message for people, an optional hint, an exit code."""

    exit_code = CANNOT_EVALUATE

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(GovernError):
    """The command was asked for something it cannot do (bad name, missing store...)."""


class InputError(GovernError):
    """Input data or a config file is malformed; names the file and line."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 hint: str | None = None):
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(where + message, hint)
        self.file, self.line = file, line


class ScanError(GovernError):
    """A scanner could not evaluate every record (fail closed)."""


class ConflictError(GovernError):
    """Another process holds what we need; retrying later will work."""


class MissingDependency(GovernError):
    """An optional library is not installed."""


class PolicyViolation(GovernError):
    """Evaluation succeeded and found something the policy forbids."""

    exit_code = VIOLATION


class NameTaken(GovernError):
    """A snapshot name or tag already names another snapshot (the loser of a race gets this)."""

    exit_code = VIOLATION


class IntegrityError(GovernError):
    """Stored bytes, signatures or digests do not match what they claim."""

    exit_code = INTEGRITY
