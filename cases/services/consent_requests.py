"""A consent asked for on *Min side*: staff of the service that holds the information prepare
the request from a consent template (``cases.consent_texts``); the youth, or the guardians of a
minor where they decide, answer yes or no on their page. The answer is an ordinary consent or
refusal (``consent_give``), given digitally, with the log-in's assurance level.

Who answers is who consents for the categories on the day (``consent.ages.giver_for``): the
youth from the age they decide; before it each guardian with parental responsibility in their
own name, and the consent counts once every one of them said yes (``needed_guardians``). From
12 the child's view must be written down with a guardians' consent (barnelova § 31), which the
service does with the family, so a guardian answers on the page only for a child under 12.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, consent_texts
from cases.models import (
    ConsentRequest,
    ConsentRequestState,
    FollowUpPeriod,
    PortalAccount,
    Service,
    Youth,
)
from cases.services.common import check_actor_works_in, field_error
from cases.services.consents import consent_give, consent_guardian_answer
from cases.services.registry import check_cleared
from consent import ages
from consent import services as consent_services
from consent.categories import Category
from consent.models import Decision, Giver, Method
from core.audit import audit_record
from core.errors import ApplicationError


def _refuse(message: Any, code: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: message} if field else None)


def targets(viewer: access.Viewer, youth: Youth) -> list[FollowUpPeriod]:
    """The open periods (with their active services) in which the viewer may see a service
    following the youth (``access.shown_periods``): the services a request may share with.
    Whether a health or child-welfare service follows the youth is itself confidential. Three
    queries."""
    periods = FollowUpPeriod.objects.filter(
        youth=youth, ended_on__isnull=True, service__is_active=True
    ).select_related("service")
    return access.shown_periods(access.allowed_for(viewer, youth.pk), periods)


def consent_request_prepare(
    *,
    actor: Any,
    youth: Youth,
    template_code: str,
    from_service: Service,
    to_service: Service,
    categories: Sequence[str] = (),
    purpose: str = "",
    agreed_text: str = "",
) -> ConsentRequest:
    """Ask the youth for a consent: ``from_service`` (the actor's, which holds the information)
    shares ``categories`` (the template's by default) with ``to_service``; both follow the youth
    as the actor may see it (``targets``). The purpose and the text start from the template.

    The actor must be cleared for the youth's protected identity in ``from_service``, as the
    gate reaches such a youth only through a service cleared for them; a refused attempt is
    written to the access log (before the request's transaction, so its rollback keeps it)."""
    viewer = access.viewer_for(actor)
    check_actor_works_in(viewer, from_service.pk)
    check_cleared(
        viewer, youth, from_service.pk, field="from_service", purpose="consent-request-prepare"
    )
    return _consent_request_prepare(
        viewer=viewer,
        actor=actor,
        youth=youth,
        template_code=template_code,
        from_service=from_service,
        to_service=to_service,
        categories=categories,
        purpose=purpose,
        agreed_text=agreed_text,
    )


@transaction.atomic
def _consent_request_prepare(
    *,
    viewer: access.Viewer,
    actor: Any,
    youth: Youth,
    template_code: str,
    from_service: Service,
    to_service: Service,
    categories: Sequence[str],
    purpose: str,
    agreed_text: str,
) -> ConsentRequest:
    chosen = consent_texts.template(template_code)
    if chosen is None:
        raise field_error("template", _("Velg en mal."), "unknown_template")
    if from_service.pk == to_service.pk:
        raise _refuse(_("Velg en annen tjeneste å dele med."), "same_service", "to_service")
    following = {period.service_id for period in targets(viewer, youth)}
    for service, field in ((from_service, "from_service"), (to_service, "to_service")):
        # A service the actor may not see following the youth is refused in the same words as
        # one that does not follow them: the answer tells no more than the gate shows.
        if service.pk not in following:
            raise _refuse(
                _("«%(service)s» følger ikke opp ungdommen.") % {"service": service.name},
                "not_following",
                field,
            )
    chosen_categories = sorted(set(categories or chosen.categories))
    if not chosen_categories or not set(chosen_categories) <= set(Category.values):
        raise field_error("categories", _("Velg minst én kategori."), "no_categories")
    if not set(chosen_categories) <= set(chosen.categories):
        # The youth agrees to the template's words: a category they do not speak of is not
        # asked for under them.
        raise field_error(
            "categories",
            _("Malens tekst sier ikke noe om de valgte kategoriene; velg en annen mal."),
            "outside_template",
        )
    text = consent_texts.template_text(chosen)
    request = ConsentRequest(
        youth=youth,
        from_service=from_service,
        to_service=to_service,
        categories=chosen_categories,
        template_code=chosen.code,
        purpose=purpose.strip() or text.purpose,
        agreed_text=agreed_text.strip() or text.agreed_text,
        requested_by=actor,
    )
    request.full_clean()
    request.save(force_insert=True)
    audit_record(
        actor=actor,
        action="consent_request.prepared",
        subject=youth,
        target=request,
        data={"categories": chosen_categories, "template": chosen.code},
    )
    return request


def sentences(request: ConsentRequest, *, named: bool = True) -> list[str]:
    """What the request asks, in plain words: "OT Skien vil dele utdanning med NAV Skien"."""
    source = request.from_service.name if named else request.from_service.get_kind_display()
    target = request.to_service.name if named else request.to_service.get_kind_display()
    what = consent_texts.categories_in_words(request.categories) or str(
        consent_texts.WORDS[Category.GENERAL]
    )
    return [
        str(_("%(source)s vil dele %(what)s med %(target)s"))
        % {"source": source, "what": what, "target": target}
    ]


def answerer(request: ConsentRequest, youth: Youth, today: datetime.date) -> str | None:
    """Who answers the request today: ``Giver.SUBJECT``, ``Giver.GUARDIANS``, or None where the
    categories split between them (the service asks each giver separately)."""
    return ages.giver_for(request.categories, youth.birth_date, today, youth.municipality_number)


def may_answer(account: PortalAccount, request: ConsentRequest, today: datetime.date) -> bool:
    """The youth answers when they decide for every category; a guardian with parental
    responsibility when the guardians decide and the child is under 12 (from 12 the child's
    view is written down with the service), once each."""
    if not request.is_open or request.youth_id != account.youth_id:
        return False
    giver = answerer(request, account.youth, today)
    if account.guardian is None:
        return giver == Giver.SUBJECT
    return (
        giver == Giver.GUARDIANS
        and account.guardian.has_parental_responsibility
        and not ages.child_view_required(account.youth.birth_date, today)
        and not (
            request.consent is not None
            and any(
                d.guardian_id == account.guardian_id
                for d in request.consent.guardian_decisions.all()
            )
        )
    )


@transaction.atomic
def consent_request_answer(
    *,
    actor: Any,
    account: PortalAccount,
    request: ConsentRequest,
    decision: str,
    assurance_level: str,
) -> ConsentRequest:
    """The youth (or a guardian) answers yes (``Decision.GIVEN``) or no (``Decision.REFUSED``)
    on their page: an ordinary consent or refusal, given digitally, with the log-in's
    ``assurance_level`` (ID-porten's ``acr``, or ``local`` for a local log-in), recorded under
    the holder's request (``consent_give``'s ``holder``)."""
    locked = (
        ConsentRequest.objects.select_for_update(of=("self",))
        .select_related("from_service", "to_service", "consent", "requested_by")
        .get(pk=request.pk)
    )
    if decision not in (Decision.GIVEN, Decision.REFUSED):
        raise field_error("decision", _("Svaret må være ja eller nei."), "invalid_answer")
    if not may_answer(account, locked, timezone.localdate()):
        raise _refuse(_("Du kan ikke svare på denne forespørselen her."), "not_answerable")
    if not access.works_in(access.viewer_for(locked.requested_by), locked.from_service_id):
        raise _refuse(
            _("Den som spurte, jobber ikke lenger i tjenesten. Tjenesten må spørre på nytt."),
            "requester_left",
        )
    youth = account.youth
    if account.guardian is not None and locked.consent is not None:
        consent = consent_guardian_answer(
            actor=actor,
            consent=locked.consent,
            guardian=account.guardian,
            decision=decision,
            method=Method.DIGITAL,
        )
    else:
        consent = consent_give(
            actor=actor,
            youth=youth,
            decision=decision,
            giver=Giver.GUARDIANS if account.guardian is not None else Giver.SUBJECT,
            guardians=[account.guardian] if account.guardian is not None else [],
            purpose_code=consent_texts.COOPERATION,
            purpose=locked.purpose,
            method=Method.DIGITAL,
            agreed_text=locked.agreed_text,
            flows=[
                consent_services.Flow(
                    categories=list(locked.categories),
                    from_party=locked.from_service,
                    to_party=locked.to_service,
                )
            ],
            holder=locked.requested_by,
            assurance_level=assurance_level,
        )
    locked.consent = consent
    if consent.decision != Decision.PENDING:
        locked.state = (
            ConsentRequestState.GIVEN
            if consent.decision == Decision.GIVEN
            else ConsentRequestState.REFUSED
        )
        locked.answered_at, locked.answered_by = timezone.now(), actor
    locked.version += 1
    locked.save(update_fields=["consent", "state", "answered_at", "answered_by", "version"])
    audit_record(
        actor=actor,
        action="consent_request.answered",
        subject=youth,
        target=locked,
        data={
            "decision": decision,
            "consent": str(consent.pk),
            "assurance_level": assurance_level,
        },
    )
    return locked
