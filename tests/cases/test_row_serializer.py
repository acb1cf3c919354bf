"""List rows are shown by ``RowSerializer``s: a dict row of values gives exactly what DRF's own
field-by-field reading gives (the API's JSON does not depend on how a row was read)."""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace
from typing import Any

from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from cases.api.base import RowSerializer, StaffRefSerializer
from cases.api.referral_serializers import ReferralSerializer
from cases.api.serializers import ServiceRefSerializer, YouthListSerializer
from cases.api.timeline_serializers import TimelineItemSerializer


def _drf(serializer: serializers.Serializer, row: Any) -> Any:
    """What DRF's ``Serializer.to_representation`` gives for the row."""
    return serializers.Serializer.to_representation(serializer, row)


SERVICE = {"id": uuid.uuid4(), "kind": "NAV", "name": "NAV Skien"}
STAFF = {"username": "ingrid.nav", "first_name": "Ingrid", "last_name": "Berg"}


def test_a_caseload_row_is_shown_as_drf_shows_it() -> None:
    born = datetime.date(2008, 5, 17)
    row = {
        "id": uuid.uuid4(),
        "first_name": "Åse",
        "last_name": "Aas",
        "birth_date": born,
        "municipality_number": "",
        "open_periods": [
            {
                "id": uuid.uuid4(),
                "started_on": datetime.date(2026, 1, 5),
                "service": SERVICE,
                "responsible": None,
            },
            {
                "id": uuid.uuid4(),
                "started_on": datetime.date(2025, 3, 1),
                "service": {**SERVICE, "id": uuid.uuid4(), "kind": "OT", "name": "OT Skien"},
                "responsible": STAFF,
            },
        ],
    }
    context = {"today": datetime.date(2026, 6, 1)}
    shown = YouthListSerializer([row], many=True, context=context).data
    serializer = YouthListSerializer(context=context)
    follow_up = serializer.fields["follow_up"]
    period = follow_up.child  # type: ignore[attr-defined]
    expected = {
        **_drf(serializer, row),
        "follow_up": [
            {
                **_drf(period, p),
                "service": _drf(period.fields["service"], p["service"]),
                "responsible": p["responsible"]
                and _drf(period.fields["responsible"], p["responsible"]),
            }
            for p in row["open_periods"]
        ],
    }
    assert shown == [expected]
    assert shown[0]["age"] == 18 and shown[0]["follow_up"][1]["responsible"] == {
        "username": "ingrid.nav",
        "name": "Ingrid Berg",
    }
    assert JSONRenderer().render(shown) == JSONRenderer().render([expected])


def test_a_ref_read_from_values_or_from_an_object_is_the_same() -> None:
    assert (
        ServiceRefSerializer(SERVICE).data
        == ServiceRefSerializer(SimpleNamespace(**SERVICE)).data
        == {"id": str(SERVICE["id"]), "kind": "NAV", "name": "NAV Skien"}
    )
    nameless = {**STAFF, "first_name": "", "last_name": ""}
    assert StaffRefSerializer(nameless).data == {"username": "ingrid.nav", "name": "ingrid.nav"}
    assert StaffRefSerializer(SimpleNamespace(**STAFF)).data == StaffRefSerializer(STAFF).data


def test_a_timeline_row_with_no_service_is_shown_as_drf_shows_it() -> None:
    row = {
        "type": "consent",
        "id": uuid.uuid4(),
        "day": datetime.date(2026, 2, 3),
        "at": datetime.datetime(2026, 2, 3, 9, 30, tzinfo=datetime.UTC),
        "category": "GENERAL",
        "basis": "general",
        "disclosed": False,
        "service": None,
        "summary": "Samtykke gitt",
        "text": "",
    }
    serializer = TimelineItemSerializer()
    assert TimelineItemSerializer(row).data == _drf(serializer, row)
    assert TimelineItemSerializer(row).data["service"] is None


class _Sourced(RowSerializer):
    """Sources that are not one key of the row: a dotted one, the whole row, a missing key."""

    service_name = serializers.CharField(source="service.name", read_only=True)
    label = serializers.SerializerMethodField()
    missing = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    def get_label(self, row: Any) -> str:
        return f"{row['service']['name']} ({row['version']})"


def test_sources_that_are_not_a_key_are_read_as_drf_reads_them() -> None:
    row = {"service": SERVICE, "version": 3}
    shown = _Sourced(row).data
    assert shown == _drf(_Sourced(), row)
    assert shown == {"service_name": "NAV Skien", "label": "NAV Skien (3)", "version": 3}


def test_a_referral_row_has_every_declared_field() -> None:
    declared = set(ReferralSerializer().fields)
    row = {name: None for name in declared} | {
        "id": uuid.uuid4(),
        "youth": {"id": uuid.uuid4(), "first_name": "A", "last_name": "B", "birth_date": None},
        "from_service": SERVICE,
        "to_service": SERVICE,
        "sent_by": STAFF,
        "state": "SENT",
        "respond_by": datetime.date(2026, 1, 1),
        "categories": ["GENERAL"],
        "period_id": None,
        "rerouted_to_id": None,
    }
    shown = ReferralSerializer(row, context={"today": datetime.date(2026, 1, 2)}).data
    assert set(shown) == declared and shown["overdue"] is True
