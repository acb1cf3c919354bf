"""Writes of the consent app: record and withdraw consents, record disclosures and accesses.

Each runs in one transaction and writes its audit entry in it. Callers (the upper apps) resolve
who the guardians are and pass the subject's birth date; this app applies the age rules.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Collection, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent import ages
from consent.categories import Category
from consent.coverage import party_kind
from consent.models import (
    AccessLogEntry,
    Consent,
    ConsentScope,
    Decision,
    DisclosedItem,
    Disclosure,
    Giver,
    GuardianDecision,
    LegalBasis,
    LegalBasisFlow,
    Method,
)
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
    kind_reason: str = ""


# A consent names the flows between the services that work with the youth: a handful, each for
# some categories. More than this is a mistake (or an attempt to open everything), not a need.
MAX_FLOWS = 30
# A disclosure gives chosen items, not a record: the law's duty is to tell what is needed.
MAX_DISCLOSED_ITEMS = 50


@dataclass(frozen=True)
class GuardianAnswer:
    """One guardian's own answer on a guardians' consent: who, what, how and when."""

    guardian: Any
    name: str
    decision: str
    method: str
    documented_by: Any = None
    at: datetime.datetime | None = None


def _error(message: Any, code: str, field: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: message})


def guardians_decision(answers: Iterable[tuple[Any, str]], needed: Collection[Any]) -> str:
    """A guardians' consent from (guardian id, answer) pairs: refused when one needed guardian
    refused, given when every needed guardian gave it, pending until then. Which guardians are
    needed is the caller's (in Samordna, every guardian with parental responsibility:
    ``cases.services.consents.needed_guardians``)."""
    given: set[Any] = set()
    for guardian_id, decision in answers:
        if guardian_id not in needed:
            continue
        if decision == Decision.REFUSED:
            return Decision.REFUSED
        given.add(guardian_id)
    return Decision.GIVEN if set(needed) <= given else Decision.PENDING


def _check_answers(
    answers: Sequence[GuardianAnswer], needed: Collection[Any], answered: Collection[Any] = ()
) -> None:
    if not answers:
        raise _error(
            _("Oppgi hvilke foresatte som har svart, hver for seg."),
            "guardians_must_answer",
            "guardians",
        )
    seen = set(answered)
    for answer in answers:
        guardian_id = answer.guardian.pk
        if guardian_id not in needed:
            raise _error(
                _("Bare foresatte med foreldreansvar svarer på samtykket."),
                "not_a_needed_guardian",
                "guardians",
            )
        if guardian_id in seen:
            raise _error(
                _("Hver foresatt svarer én gang på et samtykke."),
                "guardian_already_answered",
                "guardians",
            )
        seen.add(guardian_id)
        if answer.decision not in (Decision.GIVEN, Decision.REFUSED):
            raise _error(_("Svaret må være ja eller nei."), "invalid_answer", "decision")
        if answer.method == Method.ORAL and answer.documented_by is None:
            raise _error(
                _("Muntlig samtykke må dokumenteres av en navngitt ansatt."),
                "oral_needs_documentation",
                "documented_by",
            )


def _save_answers(
    consent: Consent, answers: Sequence[GuardianAnswer], recorded_by: Any, now: datetime.datetime
) -> None:
    GuardianDecision.objects.bulk_create(
        GuardianDecision(
            consent=consent,
            guardian=answer.guardian,
            guardian_name=answer.name,
            decision=answer.decision,
            method=answer.method,
            decided_at=answer.at or now,
            recorded_by=recorded_by,
            documented_by=answer.documented_by,
        )
        for answer in answers
    )


def _names(answers: Iterable[str]) -> str:
    return " og ".join(sorted(answers))


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
    giver_names: str = "",
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
    guardian_answers: Sequence[GuardianAnswer] = (),
    guardians_needed: Collection[Any] = (),
    assurance_level: str = "",
) -> Consent:
    """Record a consent (or a refusal) with the flows it covers.

    A digital answer keeps its log-in's ``assurance_level`` (ID-porten's ``acr``, or ``local``),
    in the consent and its audit entry.

    A guardians' consent is the guardians' answers, each their own (``guardian_answers``, of
    the guardians in ``guardians_needed``); its decision follows from them
    (``guardians_decision``), so ``decision`` is the youth's alone, and ``giver_names`` are
    the guardians who answered. With a guardians' consent the child's view is recorded, and
    from 12 it must be (barnelova § 31).

    A consent is never edited: ``replaces`` withdraws the old one in the same transaction (one
    that starts later leaves the old one until it lapses or is withdrawn); a
    pending guardians' consent later takes the other answers (``guardian_answer_record``).
    """
    now = timezone.now()
    valid_from = valid_from or now
    if not flows or not all(flow.categories for flow in flows):
        raise _error(_("Oppgi minst én flyt med kategorier."), "no_flows", "flows")
    if len(flows) > MAX_FLOWS:
        raise _error(too_many_flows(), "too_many_flows", "flows")
    if method == Method.ORAL and documented_by is None:
        raise _error(
            _("Muntlig samtykke må dokumenteres av en navngitt ansatt."),
            "oral_needs_documentation",
            "documented_by",
        )
    if valid_until is not None and valid_until <= valid_from:
        raise _error(_("Sluttdato må være etter startdato."), "invalid_period", "valid_until")
    categories = {category for flow in flows for category in flow.categories}
    on = timezone.localdate(valid_from)
    _check_giver(
        giver=giver,
        categories=categories,
        birth_date=subject_birth_date,
        municipality_number=municipality_number,
        on=on,
    )
    if giver == Giver.GUARDIANS:
        _check_answers(guardian_answers, guardians_needed)
        decision = guardians_decision(
            ((a.guardian.pk, a.decision) for a in guardian_answers), guardians_needed
        )
        giver_names = _names(a.name for a in guardian_answers)
        if not child_view.strip() and ages.child_view_required(subject_birth_date, on):
            raise _error(
                _("Fra 12 år skal barnets mening være skrevet ned (barnelova § 31)."),
                "child_view_required",
                "child_view",
            )
    elif guardian_answers:
        raise _error(
            _("Foresatte svarer bare på samtykker som foresatte gir."),
            "guardians_not_givers",
            "guardians",
        )
    elif decision not in (Decision.GIVEN, Decision.REFUSED):
        raise _error(_("Svaret må være ja eller nei."), "invalid_answer", "decision")
    if replaces is not None:
        if replaces.subject_id != subject.pk:
            raise _error(_("Samtykket gjelder en annen person."), "wrong_subject", "replaces")
        # A replacement that starts later (the youth's own consent from the day they take
        # over) leaves the old one counting until then: it lapses on its own
        # (``competent_until``) or is withdrawn; there is no day without cover.
        if (
            replaces.withdrawn_at is None
            and replaces.decision != Decision.REFUSED
            and valid_from <= now
        ):
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
        assurance_level=assurance_level,
    )
    consent.full_clean()
    consent.save(force_insert=True)
    _save_answers(consent, guardian_answers, recorded_by, now)
    ConsentScope.objects.bulk_create(
        ConsentScope(
            consent=consent,
            subject=subject,
            from_party=flow.from_party,
            from_kind="" if flow.from_party is not None else flow.from_kind,
            to_party=flow.to_party,
            to_kind="" if flow.to_party is not None else flow.to_kind,
            category=category,
            kind_reason=flow.kind_reason,
            competent_until=(
                ages.guardians_competent_until(subject_birth_date, category, municipality_number)
                if giver == Giver.GUARDIANS
                else None
            ),
        )
        for flow in flows
        for category in sorted(set(flow.categories))
    )
    audit_record(
        actor=recorded_by,
        action=AUDIT_ACTIONS[decision],
        subject=subject,
        target=consent,
        data={
            "categories": sorted(categories),
            "giver": giver,
            "method": method,
            **({"assurance_level": assurance_level} if assurance_level else {}),
        },
    )
    return consent


AUDIT_ACTIONS: dict[str, str] = {
    Decision.GIVEN: "consent.recorded",
    Decision.REFUSED: "consent.refused",
    Decision.PENDING: "consent.pending",
}


@transaction.atomic
def guardian_answer_record(
    *,
    consent: Consent,
    answer: GuardianAnswer,
    guardians_needed: Collection[Any],
    recorded_by: Any,
) -> Consent:
    """Record one more guardian's own answer on a pending guardians' consent; the consent is
    given once every needed guardian gave it, refused if one refuses. Locks the consent row,
    so two answers at once are counted in turn."""
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.giver != Giver.GUARDIANS or locked.decision != Decision.PENDING:
        raise _error(_("Samtykket venter ikke på svar fra foresatte."), "not_pending", "guardians")
    if locked.withdrawn_at is not None:
        raise _error(_("Samtykket er trukket tilbake."), "already_withdrawn", "guardians")
    previous = list(locked.guardian_decisions.values_list("guardian_id", "decision"))
    _check_answers([answer], guardians_needed, [guardian for guardian, _d in previous])
    now = timezone.now()
    _save_answers(locked, [answer], recorded_by, now)
    names = [*locked.guardian_decisions.values_list("guardian_name", flat=True)]
    locked.decision = guardians_decision(
        [*previous, (answer.guardian.pk, answer.decision)], guardians_needed
    )
    locked.giver_names = _names(names)
    locked.full_clean()
    locked.save(update_fields=["decision", "giver_names"])
    audit_record(
        actor=recorded_by,
        action="consent.guardian_answered",
        subject=locked.subject,
        target=locked,
        data={"decision": answer.decision, "method": answer.method, "now": locked.decision},
    )
    return locked


@transaction.atomic
def consent_withdraw(
    *,
    consent: Consent,
    by: Any,
    method: str,
    at: datetime.datetime | None = None,
    assurance_level: str = "",
) -> Consent:
    """Withdraw a consent with effect from now (GDPR art. 7(3)). The row lock makes two
    withdrawals at once harmless. A digital withdrawal keeps its log-in's
    ``assurance_level``."""
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.decision == Decision.REFUSED:
        raise ApplicationError(_("En nektelse kan ikke trekkes tilbake."), code="not_a_consent")
    if locked.withdrawn_at is not None:
        raise ApplicationError(
            _("Samtykket er allerede trukket tilbake."), code="already_withdrawn"
        )
    locked.withdrawn_at = at or timezone.now()
    locked.withdrawn_by = by
    locked.withdrawal_method = method
    locked.withdrawal_assurance_level = assurance_level
    locked.save(
        update_fields=[
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_method",
            "withdrawal_assurance_level",
        ]
    )
    audit_record(
        actor=by,
        action="consent.withdrawn",
        subject=locked.subject,
        target=locked,
        data={"assurance_level": assurance_level} if assurance_level else None,
    )
    return locked


def too_many_flows() -> Any:
    return _("Et samtykke kan ha høyst %(max)s flyter.") % {"max": MAX_FLOWS}


@dataclass(frozen=True)
class Item:
    """One item to disclose: its type (the word the access log uses), id and category."""

    type: str
    id: Any
    category: str


@transaction.atomic
def disclosure_record(
    *,
    subject: Any,
    subject_birth_date: datetime.date,
    from_party: Any,
    to_party: Any,
    basis_code: str,
    reason: str,
    report: str,
    items: Sequence[Item],
    disclosed_by: Any,
    role: str = "",
) -> Disclosure:
    """Record that ``from_party`` disclosed ``items`` (and/or a written report) about
    ``subject`` to ``to_party`` on a legal basis, and log it.

    The basis must be in force, let a party of the holder's kind disclose each item's category
    to a party of the recipient's kind (``LegalBasisFlow``), and apply at the subject's age
    today (``subject_under_age``: barnevernsloven § 13-2 and helsepersonelloven § 33 concern a
    child, under 18). The caller checks that the holder holds the items and that the staff
    member works for it. The disclosure and its access-log row are written in one transaction.
    """
    now = timezone.now()
    basis = LegalBasis.objects.filter(code=basis_code, is_active=True).first()
    if basis is None:
        raise _error(_("Ukjent rettslig grunnlag."), "unknown_basis", "basis")
    if from_party.pk == to_party.pk:
        raise _error(_("Velg en annen tjeneste som mottaker."), "same_party", "to_service")
    if not reason.strip():
        raise _error(_("Skriv hvorfor vilkårene i loven er oppfylt."), "no_reason", "reason")
    if not items and not report.strip():
        raise _error(
            _("Velg opplysninger eller skriv en melding som skal gis."),
            "nothing_disclosed",
            "items",
        )
    if len(items) > MAX_DISCLOSED_ITEMS:
        raise _error(
            _("En utlevering kan ha høyst %(max)s opplysninger.") % {"max": MAX_DISCLOSED_ITEMS},
            "too_many_items",
            "items",
        )
    if basis.subject_under_age is not None and (
        ages.age_on(subject_birth_date, timezone.localdate(now)) >= basis.subject_under_age
    ):
        raise _error(
            _("%(law)s gjelder bare for barn under %(age)s år.")
            % {"law": basis.law_and_section, "age": basis.subject_under_age},
            "subject_too_old",
            "basis",
        )
    routes = set(
        LegalBasisFlow.objects.filter(
            basis=basis, from_kind=party_kind(from_party), to_kind=party_kind(to_party)
        ).values_list("category", flat=True)
    )
    if not routes:
        raise _error(
            _("%(law)s gir ikke denne tjenesten grunnlag for å gi opplysninger til mottakeren.")
            % {"law": basis.law_and_section},
            "basis_does_not_apply",
            "to_service",
        )
    outside = sorted({item.category for item in items} - routes)
    if outside:
        raise _error(
            _("%(law)s gjelder ikke opplysninger i kategorien «%(category)s».")
            % {"law": basis.law_and_section, "category": Category(outside[0]).label},
            "category_not_covered",
            "items",
        )
    disclosure = Disclosure(
        subject=subject,
        from_party=from_party,
        to_party=to_party,
        basis=basis,
        reason=reason,
        report=report,
        disclosed_by=disclosed_by,
        disclosed_at=now,
    )
    disclosure.full_clean()
    disclosure.save(force_insert=True)
    DisclosedItem.objects.bulk_create(
        DisclosedItem(
            disclosure=disclosure,
            subject=subject,
            to_party=to_party,
            item_type=item.type,
            item_id=item.id,
            category=item.category,
        )
        for item in items
    )
    audit_record(
        actor=disclosed_by,
        action="disclosure.made",
        subject=subject,
        target=disclosure,
        data={"basis": basis.code, "items": len(items), "report": bool(report.strip())},
    )
    access_log_record(
        actor=disclosed_by,
        accesses=[
            Access(
                subject_id=subject.pk,
                granted=True,
                purpose="disclosure",
                party_id=from_party.pk,
                role=role,
                categories=sorted({item.category for item in items}),
                items=[disclosure_log_item(disclosure, basis.code)]
                + [
                    {
                        "type": item.type,
                        "id": str(item.id),
                        "category": item.category,
                        "basis": f"legal:{basis.code}",
                        "disclosure": str(disclosure.pk),
                    }
                    for item in items
                ],
                bases=[f"legal:{basis.code}"],
            )
        ],
    )
    return disclosure


def disclosure_log_item(disclosure: Disclosure, basis_code: str) -> dict[str, Any]:
    """A disclosure as an access-log item: the disclosure itself, with its basis."""
    return {
        "type": "disclosure",
        "id": str(disclosure.pk),
        "category": Category.GENERAL,
        "basis": f"legal:{basis_code}",
        "disclosure": str(disclosure.pk),
    }


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


# At most this many rows in one ``INSERT … VALUES`` (PostgreSQL takes 65,535 parameters in a
# statement; SQLite 999, which ``bulk_batch_size`` knows).
_ROWS_PER_STATEMENT = 1000


def access_log_record(*, actor: Any, accesses: Iterable[Access]) -> None:
    """Append access-log rows, one per subject, in one statement.

    Every read of youth data writes here, so this is the product's hottest write. One
    statement is one round trip, and on its own needs no transaction around it (a statement is
    atomic); ``bulk_create`` would build a model per row and prepare every value through its
    field, which cost more than the read the row records (docs/performance.md).
    On PostgreSQL the rows go in as one JSON document (``INSERT … SELECT … FROM
    jsonb_to_recordset``, the record's columns typed as the model's fields): one parameter,
    encoded by ``json`` in C, and a statement whose text is the same whatever the number of
    rows, so the driver converts it once. A ``VALUES`` list of one parameter per value cost the
    driver more than the rest of the write, and arrays per column as much again.
    Elsewhere (the embedded SQLite) as ``INSERT … VALUES (…), (…)``, in batches where there
    are more rows than one statement takes, in one transaction.
    Every row of a write has the same time and actor; lists are written sorted and each word
    once."""
    rows = list(accesses)
    if not rows:
        return
    meta = AccessLogEntry._meta
    fields: list[Any] = [meta.get_field(name) for name in _LOG_COLUMNS]
    at = fields[0].get_db_prep_save(timezone.now(), connection)
    name = (actor.get_full_name() or actor.get_username()) if actor is not None else ""
    shared = (at, actor.pk if actor is not None else None, name)
    # Per row, the columns after the three every row shares, as JSON values.
    values = [
        (
            None if access.party_id is None else str(access.party_id),
            access.role,
            str(access.subject_id),
            access.purpose,
            access.granted,
            sorted(set(access.categories)),
            list(access.items),
            sorted(set(access.bases)),
        )
        for access in rows
    ]
    quote = connection.ops.quote_name
    # Names and types from the model's meta, quoted; every value is a parameter.
    insert = "INSERT INTO {} ({}) ".format(
        quote(meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    if connection.vendor == "postgresql":
        columns = [field.column for field in fields[3:]]
        record = ", ".join(
            f"{quote(field.column)} {field.db_type(connection)}" for field in fields[3:]
        )
        select = f"SELECT %s, %s, %s, r.* FROM jsonb_to_recordset(%s::jsonb) AS r({record})"  # noqa: S608
        document = json.dumps([dict(zip(columns, row, strict=True)) for row in values])
        with connection.cursor() as cursor:
            cursor.execute(insert + select, [*shared, document])
        return
    party, subject = fields[3].target_field, fields[5].target_field
    prepared = [
        (
            *shared,
            party.get_db_prep_value(party_id, connection),
            role,
            subject.get_db_prep_value(subject_id, connection),
            purpose,
            granted,
            *(json.dumps(words) for words in lists),
        )
        for party_id, role, subject_id, purpose, granted, *lists in values
    ]
    row = "({})".format(", ".join(["%s"] * len(fields)))
    size = max(1, min(connection.ops.bulk_batch_size(fields, prepared), _ROWS_PER_STATEMENT))
    batches = [prepared[start : start + size] for start in range(0, len(prepared), size)]
    together = transaction.atomic(savepoint=False) if len(batches) > 1 else nullcontext()
    with together, connection.cursor() as cursor:
        for batch in batches:
            cursor.execute(
                insert + "VALUES " + ", ".join([row] * len(batch)),
                [value for written_row in batch for value in written_row],
            )
