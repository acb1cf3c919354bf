"""The rules of dialogue (``cases.models.dialogue``): who may start which kind of thread, who
may post in one. Who sees a thread is the access policy's (``cases.access.visible``: a thread is
its service's record in its category); on *Min side*, ``cases.portal.thread_shown``.

- A thread with the youth (``YOUTH``) is between the youth and the contact persons of a service
  that follows them: the staff responsible for the service's open follow-up periods with the
  youth (``FollowUpPeriod.responsible``). The youth, or a contact person, starts it; only they
  post in it, while the service follows the youth. It is in the service's own category
  (``cases.models.kind_category``): what a youth writes to the health service is health
  information.
- A thread between services (``STAFF``) is started by staff of a service that follows the youth,
  in a category they choose (their service's own by default); staff of every service the policy
  lets see that category from the owning service may read and post in it.
- Only the service's own staff read a thread with the youth, whatever a consent lets another
  service see of its category: it is the youth's conversation with that service, not its
  information to share (``seen_by``). What it leads to is shared the usual way, as follow-up.
- A guardian reads the youth's threads with their contact persons where *Min side* shows the
  service and the category to the guardian, and writes in none.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import Any

from django.db.models import Q

from cases.models import ThreadKind


def may_start(
    kind: str,
    *,
    user_id: Any,
    service_id: Any,
    works_in: Collection[Any],
    following: Collection[Any],
    contacts: Collection[Any],
    is_youth: bool = False,
) -> bool:
    """Whether someone may start a thread of ``kind`` held by the service ``service_id``.

    ``works_in``: the services the staff member works in with a caseload role; ``following``: the
    services that follow the youth now; ``contacts``: the users responsible for the service's
    open periods with the youth; ``is_youth``: the youth on their own page."""
    if service_id not in following:
        return False
    if kind == ThreadKind.YOUTH:
        return bool(contacts) and (is_youth or user_id in contacts)
    return not is_youth and service_id in works_in


def may_post(
    kind: str,
    *,
    user_id: Any,
    follows: bool,
    contacts: Collection[Any],
    sees: bool,
    is_youth: bool = False,
) -> bool:
    """Whether someone may post in a thread: in one with the youth, the youth and the service's
    contact persons while the service follows the youth (``follows``); in one between services,
    staff who see it (``sees``: the access policy)."""
    if kind == ThreadKind.YOUTH:
        return follows and (is_youth or user_id in contacts)
    return not is_youth and sees


def answer_by_valid(answer_by: datetime.date | None, today: datetime.date) -> bool:
    """An answer asked for by a day that has not passed (or none asked for)."""
    return answer_by is None or answer_by >= today


def seen_by(reach: Collection[Any]) -> Q:
    """Of the threads the access policy lets a viewer see (``access.visible``), those they may
    read: every thread between services, and a thread with the youth only in the viewer's own
    services (``reach``)."""
    return Q(kind=ThreadKind.STAFF) | Q(service_id__in=reach)
