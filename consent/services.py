"""Writes of the consent app: record and withdraw consents, record accesses.

Each runs in one transaction and writes its audit entry in it. Callers (the upper apps) resolve
who the guardians are and pass the subject's birth date; this app applies the age rules.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent import ages
from consent.categories import Category
from consent.models import AccessLogEntry, Consent, ConsentScope, Decision, Giver, Method
from core.audit import audit_record
from core.errors import ApplicationError


@dataclass(frozen=True)
class Flow:
    """From a party (or any party of a kind) to a party (or kind), for some categories."""

    categories: Sequence[str]
    from_party: Any = None
    from_kind: str = ""
    to_party: Any = None
    to_kind: str = ""


def _error(message: Any, code: str, field: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: message})


def _check_giver(
    *,
    giver: str,
    categories: Iterable[str],
    birth_date: datetime.date,
    municipality_number: str | None,
    on: datetime.date,
) -> None:
    """The age rules of domain.md §7: the right giver for every category, or a clear error."""
    for category in sorted(set(categories)):
        if ages.giver_for([category], birth_date, on, municipality_number) == giver:
            continue
        label = Category(category).label
        if giver == Giver.GUARDIANS:
            raise _error(
                _("Ungdommen samtykker selv for kategorien «%(category)s».") % {"category": label},
                "youth_must_consent",
                "giver",
            )
        raise _error(
            _("Foresatte med foreldreansvar må samtykke for kategorien «%(category)s».")
            % {"category": label},
            "guardians_must_consent",
            "giver",
        )


@transaction.atomic
def consent_record(
    *,
    subject: Any,
    subject_birth_date: datetime.date,
    municipality_number: str | None,
    recorded_by: Any,
    decision: str,
    giver: str,
    giver_names: str,
    purpose_code: str,
    purpose: str,
    method: str,
    agreed_text: str,
    flows: Sequence[Flow],
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
    documented_by: Any = None,
    child_view: str = "",
    replaces: Consent | None = None,
) -> Consent:
    """Record a consent (or a refusal) with the flows it covers.

    A consent is never edited: ``replaces`` withdraws the old one in the same transaction.
    """
    now = timezone.now()
    valid_from = valid_from or now
    if not flows or not all(flow.categories for flow in flows):
        raise _error(_("Oppgi minst én flyt med kategorier."), "no_flows", "flows")
    if method == Method.ORAL and documented_by is None:
        raise _error(
            _("Muntlig samtykke må dokumenteres av en navngitt ansatt."),
            "oral_needs_documentation",
            "documented_by",
        )
    if valid_until is not None and valid_until <= valid_from:
        raise _error(_("Sluttdato må være etter startdato."), "invalid_period", "valid_until")
    categories = {category for flow in flows for category in flow.categories}
    _check_giver(
        giver=giver,
        categories=categories,
        birth_date=subject_birth_date,
        municipality_number=municipality_number,
        on=timezone.localdate(valid_from),
    )
    if replaces is not None:
        if replaces.subject_id != subject.pk:
            raise _error(_("Samtykket gjelder en annen person."), "wrong_subject", "replaces")
        if replaces.withdrawn_at is None and replaces.decision == Decision.GIVEN:
            consent_withdraw(consent=replaces, by=recorded_by, method=method, at=now)

    consent = Consent(
        subject=subject,
        decision=decision,
        giver=giver,
        giver_names=giver_names,
        child_view=child_view,
        purpose_code=purpose_code,
        purpose=purpose,
        method=method,
        documented_by=documented_by,
        agreed_text=agreed_text,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=recorded_by,
        recorded_at=now,
        replaces=replaces,
    )
    consent.full_clean()
    consent.save(force_insert=True)
    ConsentScope.objects.bulk_create(
        ConsentScope(
            consent=consent,
            subject=subject,
            from_party=flow.from_party,
            from_kind="" if flow.from_party is not None else flow.from_kind,
            to_party=flow.to_party,
            to_kind="" if flow.to_party is not None else flow.to_kind,
            category=category,
            competent_until=(
                ages.guardians_competent_until(subject_birth_date, category)
                if giver == Giver.GUARDIANS
                else None
            ),
        )
        for flow in flows
        for category in sorted(set(flow.categories))
    )
    audit_record(
        actor=recorded_by,
        action="consent.recorded" if decision == Decision.GIVEN else "consent.refused",
        subject=subject,
        target=consent,
        data={"categories": sorted(categories), "giver": giver, "method": method},
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, by: Any, method: str, at: datetime.datetime | None = None
) -> Consent:
    """Withdraw a consent with effect from now (GDPR art. 7(3)). The row lock makes two
    withdrawals at once harmless."""
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.decision != Decision.GIVEN:
        raise ApplicationError(_("En nektelse kan ikke trekkes tilbake."), code="not_a_consent")
    if locked.withdrawn_at is not None:
        raise ApplicationError(
            _("Samtykket er allerede trukket tilbake."), code="already_withdrawn"
        )
    locked.withdrawn_at = at or timezone.now()
    locked.withdrawn_by = by
    locked.withdrawal_method = method
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_method"])
    audit_record(actor=by, action="consent.withdrawn", subject=locked.subject, target=locked)
    return locked


@dataclass(frozen=True)
class Access:
    """One look at one subject's information, to be written to the access log."""

    subject_id: Any
    granted: bool
    purpose: str
    party_id: Any = None
    role: str = ""
    categories: Sequence[str] = ()
    items: Sequence[dict[str, Any]] = ()
    bases: Sequence[str] = ()


# The access log's columns, in the order ``access_log_record`` writes them.
_LOG_COLUMNS = (
    *("at", "actor", "actor_name", "party", "role", "subject", "purpose", "granted"),
    *("categories", "items", "bases"),
)


def access_log_record(*, actor: Any, accesses: Iterable[Access]) -> None:
    """Append access-log rows, one per subject: one INSERT statement executed for all rows.

    Every read of youth data writes here, so this is the product's hottest write. It executes
    one plain ``INSERT … VALUES`` for all rows (``executemany``: psycopg sends them in one
    pipeline) rather than ``bulk_create``, which builds a model per row and prepares every value
    through its field, and so cost more than the read the row records (docs/performance.md).
    Values are prepared as the fields would prepare them: the time and the references through
    their fields, the lists as JSON text (which ``jsonb`` on PostgreSQL and ``JSONField`` on
    SQLite both take). The rows are written in one transaction: the caller's, or their own."""
    rows = list(accesses)
    if not rows:
        return
    meta = AccessLogEntry._meta
    fields: list[Any] = [meta.get_field(name) for name in _LOG_COLUMNS]
    at = fields[0].get_db_prep_save(timezone.now(), connection)
    name = (actor.get_full_name() or actor.get_username()) if actor is not None else ""
    actor_id = actor.pk if actor is not None else None
    party, subject = fields[3], fields[5]
    values = [
        (
            at,
            actor_id,
            name,
            party.get_db_prep_save(access.party_id, connection),
            access.role,
            subject.get_db_prep_save(access.subject_id, connection),
            access.purpose,
            access.granted,
            json.dumps(sorted(set(access.categories))),
            json.dumps(list(access.items)),
            json.dumps(sorted(set(access.bases))),
        )
        for access in rows
    ]
    quote = connection.ops.quote_name
    # Names from the model's meta, quoted; every value is a parameter.
    insert = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.executemany(insert, values)
