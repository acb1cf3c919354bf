"""Domain errors raised by services in every app and mapped to one HTTP shape by the API layer."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A rule of the domain said no. ``message`` is translatable; ``code`` is for machines."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        fields: Mapping[str, str | Promise] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        self.fields = dict(fields or {})


class ConflictError(ApplicationError):
    """The state moved on since the caller read it (optimistic concurrency)."""

    status = 409
    code = "conflict"

    def __init__(self, message: str | Promise, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version
