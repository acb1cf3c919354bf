"""A request for access made on paper: the privacy officer produces the youth's copy.

The privacy officer's production is a read of everything in the copy: it is written to the
access log like any read (purpose ``access-request``, in the privacy-officer role, through
their service, basis ``access-request``, the rows it showed), and to the audit trail with who
produced it. A refused attempt on a youth out of their reach is logged too
(``cases.selectors.youth_for_access_request``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from cases import access, selectors
from cases.selectors.access_requests import PURPOSE
from consent.categories import Category
from coordination.export import downloads
from coordination.export.copy import YouthCopy, youth_copy
from coordination.export.sections import SECTIONS
from core.audit import audit_record

BASIS = "access-request"


def items(copy: YouthCopy) -> Iterator[dict[str, Any]]:
    """The access-log items of a copy: each row of a section with an item type, and the
    sections without one (the access log, the audit trail) as one item each."""
    for section in SECTIONS:
        rows = copy.sections.get(section.key)
        if rows is None:
            continue
        if section.item_type is None:
            if rows:
                yield {
                    "type": section.key.replace("_", "-"),
                    "id": str(copy.youth.pk),
                    "category": Category.GENERAL,
                    "basis": BASIS,
                    "rows": len(rows),
                }
            continue
        for row in rows:
            category = row.get("category")
            yield {
                "type": section.item_type,
                "id": str(row["id"]),
                "category": category if isinstance(category, str) else Category.GENERAL,
                "basis": BASIS,
            }


def categories(copy: YouthCopy) -> list[str]:
    """Every category the copy showed (a consent's rows name several)."""
    found = {Category.GENERAL}
    for rows in copy.sections.values():
        for row in rows:
            for key in ("category", "categories"):
                value = row.get(key)
                found |= set(value) if isinstance(value, list) else {value} if value else set()
    return sorted(found & set(Category.values))


def access_request_refused(*, viewer: access.Viewer, national_id: str) -> None:
    """A request for access by someone who is no privacy officer: the attempt on a registered
    youth is written to the access log as refused (before any transaction)."""
    selectors.youth_for_access_request(viewer=viewer, national_id=national_id)


def access_request_answer(
    *, viewer: access.Viewer, national_id: str, file_format: str
) -> tuple[YouthCopy, bytes] | None:
    """The copy of the youth with this identity number, produced by the viewer as privacy
    officer, and its file (``downloads.FORMATS``); None when no such youth is in their reach.

    Raises PermissionDenied for a viewer who is no privacy officer. The look-up (and a refused
    attempt's log row) happens before the transaction; the copy, its file, its access-log row
    and its audit entry in one, so a copy that was not logged was not produced."""
    officer = selectors.privacy_officer(viewer)
    if not officer.memberships:
        access_request_refused(viewer=viewer, national_id=national_id)
        raise PermissionDenied
    youth = selectors.youth_for_access_request(viewer=viewer, national_id=national_id)
    if youth is None:
        return None
    user: Any = viewer.user
    services = [m.service_id for m in officer.memberships]
    with transaction.atomic():
        copy = youth_copy(
            youth=youth,
            produced_by=_("%(name)s, personvernombud, etter innsynskrav")
            % {"name": user.get_full_name() or user.get_username()},
        )
        body = downloads.render(copy, file_format)
        read = access.Read(
            youth_id=youth.pk,
            following_service_ids=services,
            items=list(items(copy)),
            categories=categories(copy),
        )
        access.log_reads(officer, PURPOSE, [read])
        audit_record(
            actor=user,
            action="youth.access_copy_produced",
            subject=youth,
            data={
                "format": file_format,
                "rows": {key: len(rows) for key, rows in copy.sections.items()},
            },
        )
    return copy, body
