"""The youth's timeline: a page of it read and logged, and what a row of it shows."""

from __future__ import annotations

from typing import Any

from cases import access, labels, refs, timeline
from cases.models import FollowUpEntry, Referral
from consent.models import Consent


def timeline_read(
    *,
    viewer: access.Viewer,
    allowed: access.Allowed,
    purpose: str,
    cursor: timeline.Key | None,
    limit: int,
) -> tuple[list[timeline.Item], timeline.Key | None, set[Any]]:
    """A page of the consent-filtered timeline, logged item by item with its basis.

    Returns the items, the key of the next page and the viewer's own service ids (which decide
    whether a referral's message is shown)."""
    items, next_key = timeline.timeline(viewer=viewer, allowed=allowed, cursor=cursor, limit=limit)
    following = [m.service_id for m in viewer.memberships]
    access.log_reads(
        viewer,
        purpose,
        [
            access.Read(
                youth_id=allowed.youth_id,
                following_service_ids=following,
                items=[
                    {
                        "type": i.type,
                        "id": str(i.obj["id"]),
                        "category": i.category,
                        "basis": i.basis,
                    }
                    for i in items
                ],
            )
        ],
    )
    return items, next_key, set(following)


def timeline_fields(item: timeline.Item, my_services: set[Any]) -> dict[str, Any]:
    """What a timeline row shows; a referral's message only to the two services in it."""
    obj = item.obj
    day, at = item.key[0], item.key[1]
    row = {
        "type": item.type,
        "id": obj["id"],
        "day": day,
        "at": at,
        "category": item.category,
        "basis": item.basis,
        "disclosed": access.is_disclosed(item.basis),
    }
    if item.type == "entry":
        summary = labels.display_value(FollowUpEntry, "kind", obj["kind"])
        row.update(service=refs.service(obj), summary=summary, text=obj["text"])
    elif item.type == "referral":
        between = {obj["from_service_id"], obj["to_service_id"]} & my_services
        state = labels.display_value(Referral, "state", obj["state"])
        row.update(
            service=refs.service(obj, "from_service"),
            summary=f"{obj['from_service__name']} → {obj['to_service__name']}: {state}",
            text=obj["message"] if between else "",
        )
    elif item.type == "period":
        row.update(service=refs.service(obj), summary=obj["reason"], text=obj["end_reason"])
    else:
        row.update(
            service=None,
            summary=labels.display_value(Consent, "decision", obj["decision"]),
            text=obj["purpose"],
        )
    return row
