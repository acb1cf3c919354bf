"""The access log's daily digest goes by e-mail to the privacy officers, and to nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from cases import services
from cases.models import ServiceKind, StaffMembership, StaffRole
from consent import chain
from consent.models import AccessLogDigest, AccessLogSeal
from coordination import tasks
from coordination.access_log import digest_and_send, privacy_officer_addresses
from tests import factories
from tests.consent.chain_helpers import SUBJECT, at, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers() -> dict[str, Any]:
    """Privacy officers of two services, and staff who are not (any more) privacy officers."""
    nav = factories.make_service(ServiceKind.NAV, "NAV Skien")
    ot = factories.make_service(ServiceKind.OT, "OT Skien", county_number="40")
    left = factories.make_staff(nav, StaffRole.PRIVACY_OFFICER, email="gone@nav.test")
    membership = StaffMembership.objects.get(user=left)
    services.membership_end(actor=left, membership=membership)
    inactive = factories.make_staff(ot, StaffRole.PRIVACY_OFFICER, email="off@ot.test")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    both = factories.make_staff(nav, StaffRole.PRIVACY_OFFICER, email="po@nav.test")
    services.membership_add(actor=None, user=both, service=ot, role=StaffRole.PRIVACY_OFFICER)
    return {
        "nav": factories.make_staff(nav, StaffRole.PRIVACY_OFFICER, email="per@nav.test"),
        "ot": factories.make_staff(ot, StaffRole.PRIVACY_OFFICER, email="po@ot.test"),
        "both": both,
        "caseworker": factories.make_staff(nav, email="ingrid@nav.test"),
        "manager": factories.make_staff(nav, StaffRole.MANAGER, email="hilde@nav.test"),
        "no_address": factories.make_staff(ot, StaffRole.PRIVACY_OFFICER, email=""),
    }


def rows_on_two_days(actor: Any) -> None:
    write(at("2027-03-13", 9), 3, actor)
    write(at("2027-03-14", 14), 2, actor)


def test_only_privacy_officers_in_office_are_sent_the_digest(officers: dict[str, Any]) -> None:
    assert privacy_officer_addresses() == ["per@nav.test", "po@nav.test", "po@ot.test"]


def test_the_days_digests_are_stored_and_e_mailed_to_each_privacy_officer(
    officers: dict[str, Any], travel: Any
) -> None:
    write(at("2027-03-12", 9), 1, officers["caseworker"])
    travel("2027-03-13", 0, 20)
    assert digest_and_send() == 1
    assert len(mail.outbox) == 3
    rows_on_two_days(officers["caseworker"])
    mail.outbox.clear()
    travel("2027-03-15", 0, 20)  # the worker was down on the 14th: two days in one e-mail

    assert digest_and_send() == 2

    digests = list(AccessLogDigest.objects.filter(day__gte="2027-03-13").order_by("day"))
    assert [(str(d.day), d.rows) for d in digests] == [("2027-03-13", 3), ("2027-03-14", 2)]
    assert sorted(m.to[0] for m in mail.outbox) == ["per@nav.test", "po@nav.test", "po@ot.test"]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    message = mail.outbox[0]
    assert message.subject.startswith("Samordna: innsynsloggens dagssum for 13.03.2027–14.03.2027")
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
    for digest in digests:
        given = f"{digest.day:%Y-%m-%d}:{digest.head_id}:{bytes(digest.head).hex()}"
        assert f"python manage.py verify_access_log --digest {given}" in message.body
    # Dates, counts and hashes: nobody's name, no youth.
    caseworker = officers["caseworker"]
    for private in (str(SUBJECT), SUBJECT.hex, caseworker.get_full_name(), caseworker.username):
        assert private not in message.body

    # Hourly runs after that send nothing until the next day has ended.
    travel("2027-03-15", 1, 20)
    assert digest_and_send() == 0
    assert len(mail.outbox) == 3


def test_the_e_mailed_digest_verifies_the_chain(officers: dict[str, Any], travel: Any) -> None:
    rows_on_two_days(officers["caseworker"])
    travel("2027-03-15", 0, 20)
    digest_and_send()
    e_mailed = next(
        line.split("--digest ")[1]
        for line in mail.outbox[0].body.splitlines()
        if "--digest 2027-03-14" in line
    )

    report = chain.verify(given=[chain.GivenDigest.parse(e_mailed)])

    assert (report.intact, report.digests) == (True, 2)


def test_a_digest_that_cannot_be_sent_is_not_stored_and_goes_at_the_next_run(
    officers: dict[str, Any], travel: Any, smtp: Any
) -> None:
    rows_on_two_days(officers["caseworker"])
    smtp.stop()
    travel("2027-03-15", 0, 20)

    assert tasks.access_log_digest() == 0

    assert not AccessLogDigest.objects.exists()
    smtp.start()
    travel("2027-03-15", 1, 20)
    assert tasks.access_log_digest() == 1
    assert sorted(m["To"] for m in smtp.inbox.messages) == [
        "per@nav.test",
        "po@nav.test",
        "po@ot.test",
    ]
    assert "2027-03-14:" in smtp.inbox.messages[0].get_content()


def test_the_digest_is_stored_when_there_is_no_privacy_officer(travel: Any) -> None:
    write(at("2027-03-14", 14), 2)
    travel("2027-03-15", 0, 20)

    assert digest_and_send() == 1
    assert mail.outbox == []
    assert AccessLogDigest.objects.get().rows == 2


def test_the_sealer_task_links_new_rows(travel: Any) -> None:
    ids = write(at("2027-03-14", 9), 2)
    travel("2027-03-14", 9, 5)

    assert tasks.access_log_seal() == 2
    assert list(AccessLogSeal.objects.values_list("entry_id", flat=True)) == ids
    assert tasks.access_log_seal() == 0


def test_the_sealer_runs_every_minute_and_the_digest_hourly() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["access-log-seal"] == {
        "task": "coordination.tasks.access_log_seal",
        "schedule": 60,
    }
    digest = schedule["access-log-digest"]
    assert digest["task"] == "coordination.tasks.access_log_digest"
    assert (digest["schedule"].minute, digest["schedule"].hour) == ({20}, set(range(24)))
