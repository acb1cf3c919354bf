"""*Min side*: who may log in for a youth, who may withdraw which consent, and that withdrawal
takes effect at once (domain.md §7: the one who decides now may withdraw; GDPR art. 7(3))."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cases import portal, services
from cases.models import Guardian
from consent.categories import Category
from consent.models import AccessLogEntry, Consent, Giver, Method
from consent.services import Flow
from core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _consent(people: Any, youth: Any, giver: str, category: str = Category.EDUCATION) -> Consent:
    guardians = list(youth.guardians.all()) if giver == Giver.GUARDIANS else []
    return services.consent_give(
        guardians=guardians,
        child_view="Sara vil at de samarbeider." if guardians else "",
        actor=people.ot_counsellor,
        youth=youth,
        decision="GIVEN",
        giver=giver,
        purpose_code="SAMARBEID",
        purpose="OT og NAV samarbeider.",
        method=Method.SIGNED_FORM,
        agreed_text="Vi samtykker.",
        flows=[Flow(categories=[category], from_party=people.ot, to_party=people.nav)],
    )


def _minor(people: Any, age: int = 16) -> tuple[Any, Guardian]:
    youth = factories.register_youth(
        people.cw_caseworker,
        people.child_welfare,
        birth_date=factories.years_ago(age),
        first_name="Sara",
    )
    factories.follow(people.ot_counsellor, people.ot, youth)
    factories.follow(people.nav_advisor, people.nav, youth)  # the consents share OT → NAV
    guardian = services.guardian_add(
        actor=people.cw_caseworker,
        youth=youth,
        full_name="Kari Mor",
        relation="PARENT",
        has_parental_responsibility=True,
    )
    return youth, guardian


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_youth_sees_their_page_and_withdraws_with_one_click(people: Any) -> None:
    consent = _consent(people, people.youth, Giver.SUBJECT)
    account = portal.account_create(youth=people.youth, username="emma", password="x-123456")
    _logged_in(people.nav_advisor).get(f"/youths/{people.youth.pk}/")  # a look to show
    client = _logged_in(account.user)

    assert client.get("/")["Location"] == "/me/"
    assert client.get("/me/")["Location"] == f"/me/{people.youth.pk}/"
    looks = AccessLogEntry.objects.count()
    content = client.get(f"/me/{people.youth.pk}/").content.decode()
    assert AccessLogEntry.objects.count() == looks  # the youth's own look is not a service's
    assert "NAV Skien" in content and "OT Skien" in content  # who follows me
    assert people.nav_advisor.get_full_name() in content  # who looked
    assert "OT Skien deler utdanning med NAV Skien" in content

    response = client.post(f"/me/{people.youth.pk}/consents/{consent.pk}/withdraw/", follow=True)
    assert "Samtykket er trukket tilbake." in response.content.decode()
    consent.refresh_from_db()
    assert not consent.is_active()
    assert (consent.withdrawn_by, consent.withdrawal_method) == (account.user, Method.DIGITAL)
    assert AuditEntry.objects.filter(action="consent.withdrawn", actor=account.user).exists()


def test_nobody_else_reaches_the_youths_page_or_consents(people: Any) -> None:
    consent = _consent(people, people.youth, Giver.SUBJECT)
    other = factories.register_youth(people.nav_advisor, people.nav, first_name="Per")
    stranger = portal.account_create(youth=other, username="per", password="x-123456")
    client = _logged_in(stranger.user)
    assert client.get(f"/me/{people.youth.pk}/").status_code == 404
    response = client.post(f"/me/{people.youth.pk}/consents/{consent.pk}/withdraw/")
    assert response.status_code == 404
    response = client.post(f"/me/{other.pk}/consents/{consent.pk}/withdraw/")
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.is_active()
    assert _logged_in(people.nav_advisor).get(f"/me/{people.youth.pk}/").status_code == 404
    assert _logged_in(stranger.user).get("/day/").status_code == 403  # no staff pages


def test_a_guardian_withdraws_the_guardians_consent_of_a_minor(people: Any) -> None:
    youth, guardian = _minor(people, age=14)
    by_guardians = _consent(people, youth, Giver.GUARDIANS)
    account = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )
    today = timezone.localdate()
    assert portal.may_withdraw(account, by_guardians, today)
    youth_account = portal.account_create(youth=youth, username="sara", password="x-123456")
    assert not portal.may_withdraw(youth_account, by_guardians, today)  # not hers to withdraw
    content = _logged_in(account.user).get(f"/me/{youth.pk}/").content.decode()
    assert "Du ser dette som foresatt." in content and "Trekk tilbake samtykket" in content


def test_health_consent_is_the_youths_own_from_16(people: Any) -> None:
    youth, guardian = _minor(people)
    own = _consent(people, youth, Giver.SUBJECT, Category.HEALTH)
    guardian_account = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )
    youth_account = portal.account_create(youth=youth, username="sara", password="x-123456")
    today = timezone.localdate()
    assert portal.may_withdraw(youth_account, own, today)
    assert not portal.may_withdraw(guardian_account, own, today)


def test_a_guardians_way_in_ends_at_18_or_without_responsibility(people: Any) -> None:
    youth, guardian = _minor(people)
    account = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )
    today = timezone.localdate()
    assert portal.in_force(account, today)
    eighteen = youth.birth_date.replace(year=youth.birth_date.year + 18)
    assert not portal.in_force(account, eighteen)
    assert portal.in_force(account, eighteen - datetime.timedelta(days=1))
    Guardian.objects.filter(pk=guardian.pk).update(has_parental_responsibility=False)
    account.refresh_from_db()
    assert not portal.in_force(account, today)
    assert _logged_in(account.user).get("/me/").status_code == 403


@pytest.mark.parametrize(("age", "sees_health"), [(16, False), (14, True)])
def test_a_guardian_does_not_see_health_matters_from_16(
    people: Any, age: int, sees_health: bool
) -> None:
    youth, guardian = _minor(people, age=age)
    factories.follow(people.health_nurse, people.health, youth)
    giver = Giver.SUBJECT if age >= 16 else Giver.GUARDIANS
    services.consent_give(
        guardians=[guardian] if giver == Giver.GUARDIANS else [],
        child_view="Sara vil at de samarbeider." if giver == Giver.GUARDIANS else "",
        actor=people.health_nurse,
        youth=youth,
        decision="GIVEN",
        giver=giver,
        purpose_code="SAMARBEID",
        purpose="Helsestasjonen deler med OT.",
        method=Method.SIGNED_FORM,
        agreed_text="Ja.",
        flows=[Flow(categories=[Category.HEALTH], from_party=people.health, to_party=people.ot)],
    )
    nurse = Client()
    nurse.force_login(people.health_nurse)
    nurse.get(f"/youths/{youth.pk}/")  # the health service's look is in the log
    account = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )
    content = _logged_in(account.user).get(f"/me/{youth.pk}/").content.decode()
    assert ("Helsestasjon" in content) is sees_health
    assert "OT Skien" in content  # the rest is there
    own = portal.account_create(youth=youth, username="sara", password="x-123456")
    assert "Helsestasjon" in _logged_in(own.user).get(f"/me/{youth.pk}/").content.decode()


def test_a_guardian_is_addressed_as_the_guardian_and_the_youth_as_you(people: Any) -> None:
    youth, guardian = _minor(people, age=14)
    guardian_account = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )
    page = _logged_in(guardian_account.user).get(f"/me/{youth.pk}/").content.decode()
    assert "Hvem følger opp Sara" in page and "Hvem følger deg opp" not in page
    assert "Samtykkene for Sara" in page and "Samtykkene dine" not in page
    assert "Hvem har sett opplysningene om Sara" in page
    assert "kontaktpersonen din" not in page
    own = portal.account_create(youth=youth, username="sara", password="x-123456")
    page = _logged_in(own.user).get(f"/me/{youth.pk}/").content.decode()
    assert "Hvem følger deg opp" in page and "Samtykkene dine" in page
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(guardian_account.user)
    assert "Who follows up Sara" in english.get(f"/me/{youth.pk}/").content.decode()


def test_withdrawing_asks_first_and_says_what_stops(people: Any) -> None:
    consent = _consent(people, people.youth, Giver.SUBJECT)
    account = portal.account_create(youth=people.youth, username="emma", password="x-123456")
    client = _logged_in(account.user)
    url = f"/me/{people.youth.pk}/"
    page = client.get(url).content.decode()
    assert f'href="?withdraw={consent.pk}#withdraw-confirm"' in page
    assert "Vil du trekke tilbake samtykket?" not in page
    confirm = client.get(url, {"withdraw": str(consent.pk)}).content.decode()
    assert "Vil du trekke tilbake samtykket?" in confirm
    assert "NAV Skien får ikke lenger se utdanning fra OT Skien" in confirm
    assert f'action="/me/{people.youth.pk}/consents/{consent.pk}/withdraw/"' in confirm
    consent.refresh_from_db()
    assert consent.is_active()  # asking is not withdrawing
    # A consent the reader may not withdraw gets no confirmation step.
    other = _consent(people, people.youth, Giver.SUBJECT)
    services.consent_withdraw(actor=people.ot_counsellor, consent=other, method=Method.ORAL)
    assert "Vil du trekke" not in client.get(url, {"withdraw": str(other.pk)}).content.decode()
    assert "Vil du trekke" not in client.get(url, {"withdraw": "nonsense"}).content.decode()


def test_an_ended_consent_reads_in_the_past_tense_with_its_last_day(people: Any) -> None:
    consent = _consent(people, people.youth, Giver.SUBJECT)
    moment = datetime.datetime(2027, 3, 3, 10, 0, tzinfo=datetime.UTC)
    services.consent_withdraw(actor=people.ot_counsellor, consent=consent, method=Method.ORAL)
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=moment)
    account = portal.account_create(youth=people.youth, username="emma", password="x-123456")
    page = _logged_in(account.user).get(f"/me/{people.youth.pk}/").content.decode()
    assert "OT Skien kunne dele utdanning med NAV Skien til 3. mars 2027" in page
    assert "OT Skien deler utdanning med NAV Skien" not in page
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(account.user)
    assert "OT Skien could share education with NAV Skien until March 3, 2027" in (
        english.get(f"/me/{people.youth.pk}/").content.decode()
    )


@pytest.mark.parametrize(
    ("age", "objects", "rule"),
    [
        (16, False, "pasient- og brukerrettighetsloven § 4-3 første ledd bokstav b"),
        (14, True, "pasient- og brukerrettighetsloven § 3-4 andre ledd"),
        (14, False, None),
    ],
)
def test_a_guardian_is_told_why_health_matters_are_not_shown(
    people: Any, age: int, objects: bool, rule: str | None
) -> None:
    youth, guardian = _minor(people, age=age)
    if objects:
        factories.follow(people.health_nurse, people.health, youth)
        services.health_objection_record(
            actor=people.health_nurse, youth=youth, service=people.health
        )
    account = portal.account_create(
        youth=youth, guardian=guardian, username="kari", password="x-123456"
    )
    page = _logged_in(account.user).get(f"/me/{youth.pk}/").content.decode()
    if rule is None:
        assert 'id="withheld"' not in page
    else:
        assert "Dette ser du ikke om Sara" in page and rule in page
    own = portal.account_create(youth=youth, username="sara", password="x-123456")
    assert 'id="withheld"' not in _logged_in(own.user).get(f"/me/{youth.pk}/").content.decode()
