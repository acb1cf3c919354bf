"""Recording state changes in the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from core.models import AuditEntry

MASK = "***"
SENSITIVE_KEYS = frozenset(
    {"national_id", "identity_number", "fodselsnummer", "password", "token", "secret"}
)


def mask_sensitive(data: Mapping[str, Any]) -> dict[str, Any]:
    """Copy ``data`` with the values of sensitive keys masked, at any depth."""
    masked: dict[str, Any] = {}
    for key, value in data.items():
        if key.lower() in SENSITIVE_KEYS:
            masked[key] = MASK
        elif isinstance(value, Mapping):
            masked[key] = mask_sensitive(value)
        else:
            masked[key] = value
    return masked


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model | None = None,
    target: models.Model | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry. Call inside the transaction that makes the change."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        subject=subject,  # type: ignore[misc]  # the subject model named in settings
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=mask_sensitive(data or {}),
    )
