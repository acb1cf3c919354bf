"""Helpers shared by the services of ``cases``: locking at a version and common checks."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import access
from core.errors import ApplicationError, ConflictError

M = TypeVar("M", bound=models.Model)


def locked_at_version(model: type[M], pk: Any, version: int) -> M:
    """Lock the row and check the caller edited the version it read (optimistic concurrency).

    Must run inside a transaction: the row lock holds until it commits.
    """
    obj = model._default_manager.select_for_update().get(pk=pk)
    current = obj.version  # type: ignore[attr-defined]
    if current != version:
        raise ConflictError(
            _("Noen andre har endret dette i mellomtiden. Last inn på nytt og prøv igjen."),
            current_version=current,
        )
    return obj


def check_responsible(responsible: Any, service_id: Any) -> None:
    """The responsible named for a period works in its service (with a caseload role)."""
    if responsible is not None and not access.works_in(access.viewer_for(responsible), service_id):
        raise ApplicationError(
            _("Den ansvarlige må jobbe i tjenesten."),
            code="responsible_not_in_service",
            fields={"responsible": _("Den ansvarlige må jobbe i tjenesten.")},
        )


def check_actor_works_in(viewer: access.Viewer, service_id: Any) -> None:
    """The actor (``viewer``, made at the service's entry) works in the service."""
    if not access.works_in(viewer, service_id):
        raise ApplicationError(
            _("Du jobber ikke i denne tjenesten."),
            code="not_member_of_service",
            fields={"service": _("Du jobber ikke i denne tjenesten.")},
        )


def field_error(field: str, message: Any, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})
