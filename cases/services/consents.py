"""Consent on a youth, recorded by staff: resolves who gives it and calls the consent app.

Only the holder opens its records (domain.md §7): a flow *from* a service is recorded by staff of
that service (or given by the youth on their own page), never by a third service, for a service
has a duty of confidentiality over what it holds and decides, with the youth, whether to share it
(NAV-loven § 7, helsepersonelloven §§ 21-22, barnevernsloven § 13-1). A flow names services that
follow the youth, or a kind of service with the reason a kind is named; at most
``consent.services.MAX_FLOWS`` flows.

Who may withdraw a consent: the youth, or a guardian who gave it, on their own page (``portal``);
and staff of a service whose records the consent opens (a *from* service of one of its flows),
which includes the service that recorded it. No one else: a service the consent lets read
cannot close another holder's sharing. The youth need not go through the receiving service,
since the page, or the service they gave it to, is as easy as giving it (GDPR art. 7(3)).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cases import access, dates
from cases.events import fact_changed
from cases.models import FollowUpPeriod, Guardian, ServiceKind, Youth
from consent import services as consent_services
from consent.models import Consent, Giver, Method
from core.errors import ApplicationError

# How far from today a consent's start and end may lie (``cases.dates``); that the end comes
# after the start is the consent app's rule.
DATE_WINDOWS = {"valid_from": dates.CONSENT_START, "valid_until": dates.CONSENT_END}


def needed_guardians(youth: Youth) -> list[Guardian]:
    """The guardians whose own consent a guardians' consent needs: every guardian with parental
    responsibility. One suffices where only one holds it (sole parental responsibility,
    barnelova §§ 34-35); where two hold it jointly, both consent (barnelova § 30: those with
    parental responsibility decide together; domain.md §7). Barnelova § 37 lets the parent the
    child lives with decide larger matters of daily care alone (kindergarten, where in Norway
    the child lives); lifting another service's duty of confidentiality is not daily care, so
    it does not make one parent's consent enough."""
    guardians = [g for g in youth.guardians.all() if g.has_parental_responsibility]
    if not guardians:
        message = _("Registrer foresatte med foreldreansvar før de kan samtykke.")
        raise ApplicationError(message, code="no_guardians", fields={"giver": message})
    return guardians


def _answers(
    youth: Youth,
    guardians: Sequence[Any],
    *,
    decision: str,
    method: str,
    documented_by: Any,
) -> list[consent_services.GuardianAnswer]:
    """The answers of ``guardians`` (Guardian rows or ids) of the youth, each their own."""
    by_id = {str(g.pk): g for g in youth.guardians.all()}
    answers = []
    for ref in guardians:
        guardian = by_id.get(str(getattr(ref, "pk", ref)))
        if guardian is None:
            message = _("Foresatt hører ikke til ungdommen.")
            raise ApplicationError(message, code="wrong_guardian", fields={"guardians": message})
        answers.append(
            consent_services.GuardianAnswer(
                guardian=guardian,
                name=guardian.full_name,
                decision=decision,
                method=method,
                documented_by=documented_by,
            )
        )
    return answers


@transaction.atomic
def consent_give(
    *,
    actor: Any,
    youth: Youth,
    decision: str,
    giver: str,
    purpose_code: str,
    purpose: str,
    method: str,
    agreed_text: str,
    flows: Sequence[consent_services.Flow],
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
    documented_by: Any = None,
    child_view: str = "",
    replaces: Consent | None = None,
    guardians: Sequence[Any] = (),
    referred_to: Any = None,
    holder: Any = None,
    assurance_level: str = "",
) -> Consent:
    """Record a consent or refusal the youth (or the guardians of a minor) gave a service.

    For a guardians' consent, ``guardians`` are the guardians who answered now (``decision``,
    each in their own name); it counts once every needed guardian gave it
    (``needed_guardians``; the others answer with ``consent_guardian_answer``). Oral consent is
    documented by the recording staff member unless another is named. ``referred_to``: the
    receiver of the referral the consent is recorded for (``referral_send_with_consent``).
    ``holder``: the staff member of the sharing service who asked the youth for the consent
    that the youth now gives on their own page (``consent_request_answer``); the holder rule is
    theirs to meet. ``assurance_level``: the log-in's, for a digital answer.
    """
    dates.check_date_windows({"valid_from": valid_from, "valid_until": valid_until}, DATE_WINDOWS)
    _check_flows(access.viewer_for(holder or actor), youth, flows, referred_to=referred_to)
    if method == Method.ORAL and documented_by is None:
        documented_by = actor
    answers: list[consent_services.GuardianAnswer] = []
    needed: list[Guardian] = []
    if giver == Giver.GUARDIANS:
        needed = needed_guardians(youth)
        answers = _answers(
            youth,
            guardians,
            decision=decision,
            method=method,
            documented_by=documented_by,
        )
    elif guardians:
        message = _("Foresatte svarer bare på samtykker som foresatte gir.")
        raise ApplicationError(message, code="guardians_not_givers", fields={"guardians": message})
    consent = consent_services.consent_record(
        subject=youth,
        subject_birth_date=youth.birth_date,
        municipality_number=youth.municipality_number,
        recorded_by=actor,
        decision=decision,
        giver=giver,
        giver_names=youth.full_name if giver == Giver.SUBJECT else "",
        purpose_code=purpose_code,
        purpose=purpose,
        method=method,
        agreed_text=agreed_text,
        flows=flows,
        valid_from=valid_from,
        valid_until=valid_until,
        documented_by=documented_by,
        child_view=child_view,
        replaces=replaces,
        guardian_answers=answers,
        guardians_needed={g.pk for g in needed},
        assurance_level=assurance_level,
    )
    fact_changed(youth.pk, "consent.recorded")
    return consent


def _refuse(message: Any, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"flows": message})


def _check_flows(
    viewer: access.Viewer,
    youth: Youth,
    flows: Sequence[consent_services.Flow],
    *,
    referred_to: Any = None,
) -> None:
    """The holder rule and the follow rule for each flow (one query for who follows). A
    consent recorded to send a referral may name its receiver (``referred_to``), who does not
    follow the youth yet."""
    if len(flows) > consent_services.MAX_FLOWS:
        raise _refuse(consent_services.too_many_flows(), "too_many_flows")
    following = set(
        FollowUpPeriod.objects.filter(youth=youth, ended_on__isnull=True).values_list(
            "service_id", flat=True
        )
    )
    for flow in flows:
        if flow.from_party is None:
            raise _refuse(
                _(
                    "Oppgi tjenesten din som den som deler: bare den som har opplysningene kan "
                    "åpne dem."
                ),
                "holder_must_record",
            )
        if not access.works_in(viewer, flow.from_party.pk):
            raise _refuse(
                _(
                    "Bare tjenesten som har opplysningene kan registrere et samtykke som deler "
                    "dem: «%(service)s» må registrere det selv."
                )
                % {"service": flow.from_party.name},
                "holder_must_record",
            )
        for party, side in ((flow.from_party, "from"), (flow.to_party, "to")):
            if (
                party is not None
                and party.pk not in following
                and (side, party)
                != (
                    "to",
                    referred_to,
                )
            ):
                raise _refuse(
                    _("«%(service)s» følger ikke opp ungdommen.") % {"service": party.name},
                    f"{side}_not_following",
                )
        if flow.to_party is None:
            if flow.to_kind not in ServiceKind.values:
                raise _refuse(
                    _("Ukjent tjenestetype: %(kind)s.") % {"kind": flow.to_kind}, "unknown_kind"
                )
            if not flow.kind_reason.strip():
                raise _refuse(
                    _(
                        "Skriv hvorfor samtykket gjelder en tjenestetype og ikke en tjeneste som "
                        "følger opp ungdommen."
                    ),
                    "kind_needs_reason",
                )


def may_withdraw(viewer: access.Viewer, consent: Consent) -> bool:
    """Staff may withdraw a consent when they work in a service whose records it opens."""
    holders = {scope.from_party_id for scope in consent.scopes.all() if scope.from_party_id}
    kinds = {scope.from_kind for scope in consent.scopes.all() if not scope.from_party_id}
    return any(
        access.works_in(viewer, membership.service_id)
        and (membership.service_id in holders or membership.service_kind in kinds)
        for membership in viewer.memberships
    )


@transaction.atomic
def consent_guardian_answer(
    *,
    actor: Any,
    consent: Consent,
    guardian: Any,
    decision: str,
    method: str,
    documented_by: Any = None,
) -> Consent:
    """Record one more guardian's own answer on a pending guardians' consent (the one who
    answers later, e.g. the other parent). Oral answers are documented by the recording staff
    member unless another is named."""
    youth = Youth.objects.get(pk=consent.subject_id)
    if method == Method.ORAL and documented_by is None:
        documented_by = actor
    needed = needed_guardians(youth)
    [answer] = _answers(
        youth, [guardian], decision=decision, method=method, documented_by=documented_by
    )
    answered = consent_services.guardian_answer_record(
        consent=consent, answer=answer, guardians_needed={g.pk for g in needed}, recorded_by=actor
    )
    fact_changed(youth.pk, "consent.recorded")
    return answered


@transaction.atomic
def consent_withdraw(
    *,
    actor: Any,
    consent: Consent,
    method: str,
    on_own_page: bool = False,
    assurance_level: str = "",
) -> Consent:
    """Withdraw a consent. Staff must work in a service whose records it opens; the youth's
    page (``on_own_page``) has checked the youth or guardian itself (``portal.may_withdraw``)
    and passes the log-in's ``assurance_level``."""
    if not on_own_page and not may_withdraw(access.viewer_for(actor), consent):
        message = _(
            "Bare tjenesten som deler opplysningene, eller ungdommen og foresatte på Min side, "
            "kan trekke tilbake dette samtykket."
        )
        raise ApplicationError(message, code="not_holder", fields={"consent": message})
    withdrawn = consent_services.consent_withdraw(
        consent=consent, by=actor, method=method, assurance_level=assurance_level
    )
    fact_changed(withdrawn.subject_id, "consent.withdrawn")
    return withdrawn
