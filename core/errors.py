"""Errors of the domain layer. The web layer turns them into HTTP answers (422, 404, 409, 403);
the CLI into a one-line message. None of them is ever a traceback for the user."""
from __future__ import annotations


class KehuError(Exception):
    status = 400

    def __init__(self, message: str, *, fields: dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra


class InvalidInput(KehuError):
    """Bad data; ``fields`` maps each field to its messages."""

    status = 422


class NotFound(KehuError):
    status = 404


class Conflict(KehuError):
    status = 409


class Forbidden(KehuError):
    status = 403
