"""Notices without content (``coordination.reminders.notices``): who is told of a new message
or a change to the plan, on which channel, when (batched, never at night, across summer-time
changes and month ends), what the e-mail and the SMS say (nothing but that something waits),
and the LINK Mobility gateway against a real HTTP server in its own process."""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from cases import portal, services
from cases.models import FactChange, FollowUpPeriod
from coordination.deadlines import ledger
from coordination.models import NoticeSettings, Reminder, ReminderStatus
from coordination.reminders import delivery, notices, preferences, sms
from tests import factories
from tests.sms_gateway import SmsGatewayServer
from tests.smtp import free_port

pytestmark = pytest.mark.django_db
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)  # type: ignore[misc]


# --- When ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (oslo(2026, 6, 10, 12, 0), oslo(2026, 6, 10, 12, 0)),  # daytime: at once
        (oslo(2026, 6, 10, 21, 59), oslo(2026, 6, 10, 21, 59)),
        (oslo(2026, 6, 10, 22, 0), oslo(2026, 6, 11, 7, 0)),  # night: at 07:00
        (oslo(2026, 6, 11, 6, 59), oslo(2026, 6, 11, 7, 0)),
        (oslo(2026, 6, 11, 7, 0), oslo(2026, 6, 11, 7, 0)),
        # Summer time begins 29 March 2026 (02:00 → 03:00): 07:00 is +02:00 that morning.
        (oslo(2026, 3, 28, 23, 30), oslo(2026, 3, 29, 7, 0)),
        (oslo(2026, 3, 29, 1, 30), oslo(2026, 3, 29, 7, 0)),
        # Summer time ends 25 October 2026 (03:00 → 02:00): 07:00 is +01:00 that morning.
        (oslo(2026, 10, 24, 22, 15), oslo(2026, 10, 25, 7, 0)),
        (oslo(2026, 10, 25, 2, 30), oslo(2026, 10, 25, 7, 0)),
        # Month and year ends.
        (oslo(2026, 1, 31, 23, 0), oslo(2026, 2, 1, 7, 0)),
        (oslo(2026, 2, 28, 22, 0), oslo(2026, 3, 1, 7, 0)),
        (oslo(2026, 12, 31, 23, 59), oslo(2027, 1, 1, 7, 0)),
    ],
)
def test_a_notice_due_at_night_goes_at_seven_oslo_time(
    now: datetime.datetime, expected: datetime.datetime
) -> None:
    at = notices.notice_time(now, None)
    assert at == expected
    assert at.utcoffset() == expected.astimezone(OSLO).utcoffset()
    assert not notices.is_quiet(at)


def test_the_offsets_on_the_summer_time_mornings_are_the_local_ones() -> None:
    spring = notices.after_quiet_hours(oslo(2026, 3, 29, 1, 0))
    autumn = notices.after_quiet_hours(oslo(2026, 10, 25, 1, 0))
    assert spring.astimezone(datetime.UTC).hour == 5  # 07:00 +02:00
    assert autumn.astimezone(datetime.UTC).hour == 6  # 07:00 +01:00


def test_a_quarter_of_an_hour_between_notices_and_the_quarter_does_not_run_into_the_night() -> None:
    sent = oslo(2026, 6, 10, 12, 0)
    assert notices.notice_time(oslo(2026, 6, 10, 12, 5), sent) == oslo(2026, 6, 10, 12, 15)
    assert notices.notice_time(oslo(2026, 6, 10, 12, 30), sent) == oslo(2026, 6, 10, 12, 30)
    late = oslo(2026, 6, 10, 21, 50)
    assert notices.notice_time(oslo(2026, 6, 10, 21, 55), late) == oslo(2026, 6, 11, 7, 0)
    # The last one sent at 21:59 on the last day of October, summer time over: 07:00 +01:00.
    assert notices.notice_time(oslo(2026, 10, 31, 21, 59), oslo(2026, 10, 31, 21, 50)) == oslo(
        2026, 11, 1, 7, 0
    )


def test_a_daily_digest_reader_gets_a_staff_notice_at_the_send_hour() -> None:
    assert notices.notice_time(oslo(2026, 6, 10, 12, 0), None, "DAILY") == oslo(2026, 6, 11, 7, 0)
    assert notices.notice_time(oslo(2026, 6, 10, 6, 0), None, "DAILY") == oslo(2026, 6, 10, 7, 0)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("91234567", "+4791234567"),
        ("912 34 567", "+4791234567"),
        ("+47 412 34 567", "+4741234567"),
        ("0047 91234567", "+4791234567"),
        ("22 33 44 55", None),  # a landline
        ("9123456", None),
        ("+46 91234567", None),
        ("abc", None),
    ],
)
def test_norwegian_mobile_numbers(value: str, number: str | None) -> None:
    assert notices.norwegian_mobile(value) == number


# --- Who -----------------------------------------------------------------------------------------


def _youth_user(people: Any) -> Any:
    return portal.account_create(youth=people.youth, username="emma", password="x-123456").user


def _settings(people: Any, *, email: bool = True, sms_on: bool = True) -> NoticeSettings:
    return NoticeSettings.objects.create(
        youth=people.youth,
        email="emma@example.test",
        mobile="+4791234567",
        email_on=email,
        sms_on=sms_on,
    )


def _notices() -> list[tuple[str, str, str]]:
    return sorted(
        Reminder.objects.filter(stage="NOTICE").values_list(
            "recipient_key", "channel", "notice_about"
        )
    )


def _thread(people: Any, youth_user: Any, *, clear: bool = True) -> Any:
    """The youth's thread with NAV; its first notice (to the advisor) gone unless ``clear``
    is False."""
    thread = services.thread_start(
        actor=youth_user,
        youth=people.youth,
        service=people.nav,
        kind="YOUTH",
        subject="Møte",
        text="Når er neste møte?",
    )
    if clear:
        ledger.derive_changed()
        Reminder.objects.all().delete()
    return thread


def test_an_answer_to_the_youth_is_one_notice_per_channel_the_youth_turned_on(
    people: Any,
) -> None:
    youth_user = _youth_user(people)
    _settings(people)
    thread = _thread(people, youth_user, clear=False)
    ledger.derive_changed()
    # The youth wrote: their contact person at NAV is told, by e-mail.
    assert _notices() == [(f"user:{people.nav_advisor.pk}", "EMAIL", "message")]
    Reminder.objects.all().delete()
    services.message_post(actor=people.nav_advisor, thread=thread, text="Tirsdag kl. 10.")
    services.message_post(actor=people.nav_advisor, thread=thread, text="Ta med CV.")
    ledger.derive_changed()
    key = f"youth:{people.youth.pk}"
    # Two messages, one pending notice per channel.
    assert _notices() == [(key, "EMAIL", "message"), (key, "SMS", "message")]
    assert not FactChange.objects.exists()


def test_no_notice_to_an_address_the_youth_did_not_give_or_turned_off(people: Any) -> None:
    youth_user = _youth_user(people)
    thread = _thread(people, youth_user)
    services.message_post(actor=people.nav_advisor, thread=thread, text="Hei")
    ledger.derive_changed()
    assert _notices() == []  # no settings: nothing
    _settings(people, email=False)
    services.message_post(actor=people.nav_advisor, thread=thread, text="Hei igjen")
    ledger.derive_changed()
    assert _notices() == [(f"youth:{people.youth.pk}", "SMS", "message")]
    # Turning SMS off takes the pending notice with it.
    preferences.notice_settings_set(
        actor=youth_user, youth=people.youth, email="", mobile="", email_on=False, sms_on=False
    )
    assert not Reminder.objects.filter(stage="NOTICE", status="PENDING").exists()


def test_a_claim_goes_to_its_recipients_address_as_it_is_when_sent(
    people: Any, django_assert_num_queries: Any
) -> None:
    """A staff member's e-mail, else the service's notification address, else the address the
    youth gave for the channel while it is turned on: read when the claim is delivered, in one
    query."""

    def address(channel: str = "EMAIL", **recipient: Any) -> str:
        ids = {"user_id": None, "service_id": None, "youth_id": None, **recipient}
        with django_assert_num_queries(1):
            return delivery.recipient_address(channel=channel, **ids)

    advisor, nav, youth = people.nav_advisor, people.nav, people.youth
    assert address(user_id=advisor.pk, service_id=nav.pk) == advisor.email != ""
    assert address(service_id=nav.pk) == nav.notification_email != ""
    assert address(youth_id=youth.pk) == ""  # no settings: nowhere
    _settings(people)
    assert address(youth_id=youth.pk) == "emma@example.test"
    assert address("SMS", youth_id=youth.pk) == "+4791234567"
    NoticeSettings.objects.filter(youth=youth).update(email_on=False)
    assert address(youth_id=youth.pk) == ""
    assert address("SMS", youth_id=youth.pk) == "+4791234567"
    type(advisor).objects.filter(pk=advisor.pk).update(email="")
    assert address(user_id=advisor.pk, service_id=nav.pk) == ""  # not the service's


def test_a_message_between_services_tells_the_others_who_wrote_in_it(people: Any) -> None:
    thread = services.thread_start(
        actor=people.nav_advisor,
        youth=people.youth,
        service=people.nav,
        kind="STAFF",
        subject="Samarbeid",
        text="Skal vi møtes?",
        category="GENERAL",
    )
    ledger.derive_changed()
    assert _notices() == []  # nobody else in it yet
    services.message_post(actor=people.ot_counsellor, thread=thread, text="Ja, onsdag.")
    ledger.derive_changed()
    assert _notices() == [(f"user:{people.nav_advisor.pk}", "EMAIL", "message")]


def test_staff_are_told_only_of_threads_they_may_read_now(people: Any) -> None:
    """OT wrote in NAV's thread while it followed the youth; once OT no longer follows the
    youth, the gate hides the thread from OT, and so does the notice of a new message."""
    thread = services.thread_start(
        actor=people.nav_advisor,
        youth=people.youth,
        service=people.nav,
        kind="STAFF",
        subject="Samarbeid",
        text="Skal vi møtes?",
        category="GENERAL",
    )
    services.message_post(actor=people.ot_counsellor, thread=thread, text="Ja, onsdag.")
    ledger.derive_changed()
    Reminder.objects.all().delete()
    period = FollowUpPeriod.objects.get(youth=people.youth, service=people.ot)
    services.period_close(
        actor=people.ot_counsellor, period=period, version=period.version, end_reason="Ferdig"
    )
    services.message_post(actor=people.nav_advisor, thread=thread, text="Onsdag kl. 10.")
    ledger.derive_changed()
    assert _notices() == []


def test_a_change_to_the_activity_plan_tells_the_youth_and_folds(people: Any) -> None:
    _settings(people, sms_on=False)
    plan = services.activity_plan_create(
        actor=people.nav_advisor, youth=people.youth, service=people.nav
    )
    for title in ("Jobbsøking", "Kurs"):
        services.activity_add(actor=people.nav_advisor, plan=plan, type="EGEN", title=title)
    ledger.derive_changed()
    assert _notices() == [(f"youth:{people.youth.pk}", "EMAIL", "plan")]


def test_news_folds_into_the_pending_notice_and_the_next_waits_a_quarter(people: Any) -> None:
    youth_user = _youth_user(people)
    _settings(people, sms_on=False)
    thread = _thread(people, youth_user)
    noon = oslo(2026, 6, 10, 12, 0)
    services.message_post(actor=people.nav_advisor, thread=thread, text="Én")
    ledger.derive_changed(now=noon)
    services.message_post(actor=people.nav_advisor, thread=thread, text="To")
    ledger.derive_changed(now=noon + datetime.timedelta(minutes=3))
    row = Reminder.objects.get(stage="NOTICE")
    assert row.send_after == noon
    assert delivery.deliver(_claim(noon + datetime.timedelta(minutes=4)), now=noon) == 1
    services.message_post(actor=people.nav_advisor, thread=thread, text="Tre")
    ledger.derive_changed(now=noon + datetime.timedelta(minutes=5))
    later = Reminder.objects.get(stage="NOTICE", status="PENDING")
    assert later.send_after == noon + datetime.timedelta(minutes=15)


def _claim(now: datetime.datetime) -> Any:
    claims = delivery.claim_due(now=now)
    assert len(claims) == 1
    return claims[0].token


def test_planning_runs_in_a_fixed_number_of_queries(
    people: Any, django_assert_num_queries: Any
) -> None:
    youth_user = _youth_user(people)
    _settings(people)
    thread = _thread(people, youth_user)
    ledger.derive_changed()
    for n in range(5):
        services.message_post(actor=people.nav_advisor, thread=thread, text=f"Melding {n}")
    changes = list(FactChange.objects.values_list("youth_id", "fact", "ref"))
    # Messages; the youth's settings; the pending notices locked; the last sent; the insert.
    with django_assert_num_queries(5):
        notices.plan_notices(changes, now=oslo(2026, 6, 10, 12, 0))
    assert len(_notices()) == 2  # the youth's e-mail and SMS


# --- What and how ---------------------------------------------------------------------------


def test_the_notice_says_nothing_but_that_something_waits(
    people: Any, settings: Any, tmp_path: Path
) -> None:
    settings.SMS_FILE_PATH = tmp_path
    youth_user = _youth_user(people)
    _settings(people)
    thread = _thread(people, youth_user)
    services.message_post(actor=people.nav_advisor, thread=thread, text="Hemmelig innhold")
    noon = oslo(2026, 6, 10, 12, 0)
    ledger.derive_changed(now=noon)
    mail.outbox.clear()
    sent = sum(delivery.deliver(c.token, now=noon) for c in delivery.claim_due(now=noon))
    assert sent == 2  # the youth's e-mail and SMS
    texts = [m.subject + m.body + str(m.alternatives) for m in mail.outbox]
    texts.append((tmp_path / "sms.jsonl").read_text())
    youth = people.youth
    for text in texts:
        assert "Hemmelig" not in text and "Når er neste møte" not in text
        assert "NAV" not in text and "Møte" not in text
        assert youth.first_name not in text and youth.national_id not in text
    to_youth = next(m for m in mail.outbox if m.to == ["emma@example.test"])
    assert to_youth.subject == "Du har en ny melding i Samordna"
    assert "/me/" in to_youth.body
    assert "Du har en ny melding i Samordna" in texts[-1] and "+4791234567" in texts[-1]
    assert set(Reminder.objects.filter(stage="NOTICE").values_list("status", flat=True)) == {"SENT"}


def test_no_notice_is_claimed_or_sent_at_night(people: Any) -> None:
    youth_user = _youth_user(people)
    _settings(people, sms_on=False)
    thread = _thread(people, youth_user)
    services.message_post(actor=people.nav_advisor, thread=thread, text="Hei")
    evening = oslo(2026, 10, 24, 21, 50)
    ledger.derive_changed(now=evening)
    token = _claim(evening)
    # The claim reaches a worker after 22:00 (summer time ends that night): to the morning.
    assert delivery.deliver(token, now=oslo(2026, 10, 24, 22, 5)) == 0
    row = Reminder.objects.get(stage="NOTICE")
    assert row.status == "PENDING" and row.claim_token is None
    assert row.send_after == oslo(2026, 10, 25, 7, 0)
    assert delivery.claim_due(now=oslo(2026, 10, 25, 6, 59)) == []
    assert delivery.deliver(_claim(oslo(2026, 10, 25, 7, 0)), now=oslo(2026, 10, 25, 7, 0)) == 1


def test_a_number_the_gateway_refuses_is_a_final_failure_on_the_row(
    people: Any, settings: Any, tmp_path: Path
) -> None:
    server = SmsGatewayServer(free_port(), tmp_path / "received.jsonl")
    server.start()
    try:
        settings.SMS_GATEWAY = "coordination.reminders.sms.LinkMobilityGateway"
        settings.SMS_GATEWAY_URL = server.url
        settings.SMS_GATEWAY_USER, settings.SMS_GATEWAY_PASSWORD = "samordna", "hemmelig"
        settings.SMS_PLATFORM_PARTNER_ID = "1234"
        youth_user = _youth_user(people)
        _settings(people, email=False)
        NoticeSettings.objects.update(mobile="+479999")  # stored before validation existed
        thread = _thread(people, youth_user)
        Reminder.objects.all().delete()
        services.message_post(actor=people.nav_advisor, thread=thread, text="Hei")
        noon = oslo(2026, 6, 10, 12, 0)
        ledger.derive_changed(now=noon)
        assert delivery.deliver(_claim(noon), now=noon) == 0
        row = Reminder.objects.get(stage="NOTICE")
        assert row.status == ReminderStatus.FAILED and "400" in row.last_error
        assert "Invalid destination" in row.last_error and "479999" not in row.last_error
        assert server.received() == []
    finally:
        server.stop()


def test_the_link_mobility_gateway_against_a_real_server(settings: Any, tmp_path: Path) -> None:
    server = SmsGatewayServer(free_port(), tmp_path / "received.jsonl")
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_USER, settings.SMS_GATEWAY_PASSWORD = "samordna", "hemmelig"
    settings.SMS_PLATFORM_PARTNER_ID, settings.SMS_SENDER = "1234", "Samordna"
    settings.SMS_TIMEOUT = 2
    gateway = sms.LinkMobilityGateway()
    with pytest.raises(sms.SmsUnavailable):  # not running: connection refused
        gateway.send(to="+4791234567", text="Hei", reference="r1")
    server.start()
    try:
        message_id = gateway.send(to="+4791234567", text="Du har en ny melding", reference="r1")
        [got] = server.received()
        assert got["messageId"] == message_id
        assert got["destination"] == "+4791234567" and got["source"] == "Samordna"
        assert got["userData"] == "Du har en ny melding" and got["refId"] == "r1"
        assert got["platformId"] == "COMMON_API" and got["platformPartnerId"] == "1234"
        server.outage(True)
        with pytest.raises(sms.SmsUnavailable):
            gateway.send(to="+4791234567", text="Hei", reference="r2")
        server.outage(False)
        with pytest.raises(sms.SmsRejected):
            gateway.send(to="+47123", text="Hei", reference="r3")
        settings.SMS_GATEWAY_PASSWORD = "feil"
        with pytest.raises(sms.SmsRejected):  # 401: wrong credentials are not retried
            sms.LinkMobilityGateway().send(to="+4791234567", text="Hei", reference="r4")
        assert len(server.received()) == 1
    finally:
        server.stop()


# --- The settings page ------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_youth_sets_where_notices_go(people: Any, django_assert_num_queries: Any) -> None:
    client = _client(_youth_user(people))
    url = f"/me/{people.youth.pk}/notices/"
    client.get(url)
    with django_assert_num_queries(7):
        page = client.get(url)
    assert page.status_code == 200 and "Varsling" in page.content.decode()
    saved = client.post(
        url, {"email": "emma@example.test", "email_on": "on", "mobile": "912 34 567"}
    )
    assert saved.status_code == 302
    row = NoticeSettings.objects.get(youth=people.youth)
    assert (row.email, row.email_on, row.mobile, row.sms_on) == (
        "emma@example.test",
        True,
        "+4791234567",
        False,
    )


@pytest.mark.parametrize(
    ("body", "field", "norwegian", "english"),
    [
        (
            {"mobile": "22 33 44 55", "sms_on": "on"},
            "mobile",
            "norsk mobilnummer",
            "Norwegian mobile",
        ),
        ({"sms_on": "on"}, "mobile", "Skriv mobilnummeret", "Enter the mobile number"),
        (
            {"email": "ikke-en-adresse", "email_on": "on"},
            "email",
            "gyldig e-postadresse",
            "valid e-mail",
        ),
        ({"email_on": "on"}, "email", "Skriv e-postadressen", "Enter the e-mail address"),
    ],
)
def test_bad_input_is_400_with_field_errors_in_norwegian_and_english(
    people: Any, body: dict[str, str], field: str, norwegian: str, english: str
) -> None:
    client = _client(_youth_user(people))
    url = f"/me/{people.youth.pk}/notices/"
    response = client.post(url, body)
    assert response.status_code == 400
    assert norwegian in response.content.decode()
    assert field in response.context["form"].errors
    client.cookies["django_language"] = "en"
    english_response = client.post(url, body)
    assert english_response.status_code == 400
    assert english in english_response.content.decode()
    assert not NoticeSettings.objects.exists()


def test_a_guardian_neither_sees_nor_sets_the_youths_notices(people: Any) -> None:
    child = factories.register_youth(
        people.nav_advisor, people.nav, birth_date=factories.years_ago(14), first_name="Sara"
    )
    guardian = factories.parent(people.nav_advisor, child)
    account = portal.account_create(
        youth=child, username="mor", password="x-123456", guardian=guardian
    )
    client = _client(account.user)
    assert client.get(f"/me/{child.pk}/notices/").status_code == 404
    assert (
        client.post(f"/me/{child.pk}/notices/", {"email_on": "on", "email": "a@b.no"}).status_code
        == 404
    )
    assert not NoticeSettings.objects.exists()
