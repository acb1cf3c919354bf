"""The benchmark data generator (bench/generate.py): valid rows in every state, readable by the
application's own pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F
from django.test import Client

from bench import generate
from cases import identity
from cases.models import FollowUpPeriod, Referral, StaffMembership, Youth
from consent.models import Consent
from coordination.models import Deadline, Reminder

pytestmark = pytest.mark.django_db


def test_generator_fills_every_state_and_the_pages_read_it(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    counts = generate.generate(300, progress=False)
    assert counts["cases.Youth"] == Youth.objects.count() == 300
    assert all(
        identity.parse(n).kind == identity.NumberKind.SYNTETISK
        for n in (youth.national_id for youth in Youth.objects.all()[:50])
    )
    consents = Consent.objects.all()
    assert consents.filter(withdrawn_at__isnull=False).exists()
    assert consents.filter(valid_until__isnull=False, withdrawn_at__isnull=True).exists()
    assert consents.filter(giver="GUARDIANS").exists()
    assert any(c.is_active() for c in consents)
    assert set(Referral.objects.values_list("state", flat=True)) == set(generate.REFERRAL_STATES)
    assert set(Deadline.objects.values_list("status", flat=True)) >= {"OPEN", "MET", "MISSED"}
    assert set(Reminder.objects.values_list("status", flat=True)) == {
        "PENDING",
        "SENT",
        "CANCELLED",
    }
    # The caseload's sort key: every period carries its youth's name.
    periods = FollowUpPeriod.objects.all()
    assert not periods.exclude(youth_last_name=F("youth__last_name")).exists()
    assert not periods.exclude(youth_first_name=F("youth__first_name")).exists()
    # 300 youths over 50 municipalities: pick an office that follows someone.
    followed = (
        FollowUpPeriod.objects.filter(service__kind="NAV", ended_on__isnull=True)
        .order_by("pk")
        .first()
    )
    assert followed is not None
    advisor = StaffMembership.objects.filter(role="CASEWORKER", service=followed.service).first()
    assert advisor is not None
    client = Client()
    client.force_login(advisor.user)
    caseload = client.get("/youths/")
    assert caseload.status_code == 200
    assert client.get(f"/youths/{followed.youth_id}/").status_code == 200
