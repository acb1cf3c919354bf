"""The caseload page: municipality names, last contact and next deadline through the gate,
sorting (an unknown sort lists by name), search by name as the list writes it and by identity
number (posted, never in the address), registering a youth, all logged, at a fixed query count."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cases import services
from cases.models import AddressProtection, Youth
from consent.categories import Category
from consent.models import AccessLogEntry
from coordination.models import Deadline
from tests import factories
from tests.factories import derived

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _client(user: Any, language: str = "nb") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _names(response: Any) -> list[str]:
    """The youths listed, in the page's order ("Etternavn, Fornavn")."""
    return [f"{row['last_name']}, {row['first_name']}" for row in response.context["rows"]]


def _youth(people: Any, first: str, last: str, **extra: Any) -> Youth:
    """A youth NAV has followed for 60 days (so follow-up can be logged in that time)."""
    extra.setdefault("started_on", timezone.localdate() - 60 * DAY)
    return derived(
        factories.register_youth(
            people.nav_advisor, people.nav, first_name=first, last_name=last, **extra
        )
    )


def _entry(user: Any, youth: Youth, service: Any, days_ago: int, category: str) -> Any:
    return services.entry_log(
        actor=user,
        youth=youth,
        service=service,
        occurred_on=timezone.localdate() - days_ago * DAY,
        kind="CONVERSATION",
        category=category,
        text="Samtale.",
    )


def test_the_list_names_the_municipality_instead_of_its_number(people: Any) -> None:
    _youth(people, "Selma", "Ahmed", municipality_number="4601")
    content = _client(people.nav_advisor).get("/youths/").content.decode()
    assert "Bergen" in content and "Skien" in content
    assert not re.search(r"<td[^>]*>\s*(4601|4003)\s*</td>", content)


@pytest.mark.parametrize("q", ["Ahmed, Selma", "Selma Ahmed", "ahmed, sel", "Ahmed,Selma"])
def test_a_search_finds_a_youth_by_the_lists_own_format_and_by_first_name_first(
    people: Any, q: str
) -> None:
    _youth(people, "Selma", "Ahmed")
    _youth(people, "Ali", "Ahmed")
    _youth(people, "Selma", "Berg")
    response = _client(people.nav_advisor).get("/youths/", {"q": q})
    assert response.status_code == 200
    assert _names(response) == ["Ahmed, Selma"]


def test_etternavn_comma_fornavn_reads_the_last_name_before_the_comma(people: Any) -> None:
    _youth(people, "Ahmed", "Selma")  # first name Ahmed, last name Selma
    _youth(people, "Selma", "Ahmed")
    response = _client(people.nav_advisor).get("/youths/", {"q": "Ahmed, Selma"})
    assert _names(response) == ["Ahmed, Selma"]


def test_a_double_last_name_is_found_by_either_part(people: Any) -> None:
    _youth(people, "Selma", "Ahmed Khan")
    for q in ("Selma Khan", "Khan, Selma", "Ahmed Khan, Selma"):
        assert _names(_client(people.nav_advisor).get("/youths/", {"q": q})) == [
            "Ahmed Khan, Selma"
        ]


def test_the_api_searches_names_by_the_same_rule(people: Any, client_for: Any) -> None:
    _youth(people, "Selma", "Ahmed")
    _youth(people, "Ali", "Ahmed")
    response = client_for(people.nav_advisor).get("/api/v1/youths/", {"q": "Ahmed, Selma"})
    assert [y["first_name"] for y in response.json()["results"]] == ["Selma"]


def test_the_list_sorts_by_name_either_way(people: Any) -> None:
    _youth(people, "Åse", "Aas")
    _youth(people, "Per", "Berg")
    client = _client(people.nav_advisor)
    assert _names(client.get("/youths/")) == ["Aas, Åse", "Berg, Per", "Hansen, Emma"]
    assert _names(client.get("/youths/", {"sort": "-name"})) == [
        "Hansen, Emma",
        "Berg, Per",
        "Aas, Åse",
    ]


def test_the_list_sorts_by_municipality_name(people: Any) -> None:
    _youth(people, "Per", "Oslo", municipality_number="0301")
    _youth(people, "Kari", "Bergen", municipality_number="4601")
    _youth(people, "Ola", "Tromsø", municipality_number="5501")
    client = _client(people.nav_advisor)
    by_place = _names(client.get("/youths/", {"sort": "municipality"}))
    # Bergen, Oslo, Skien (Emma Hansen), Tromsø: by name, not by number.
    assert by_place == ["Bergen, Kari", "Oslo, Per", "Hansen, Emma", "Tromsø, Ola"]
    assert _names(client.get("/youths/", {"sort": "-municipality"})) == by_place[::-1]


def test_a_strengt_fortrolig_youth_is_not_placed_by_the_municipality_it_hides(
    people: Any,
) -> None:
    hidden = _youth(people, "Skjult", "Aas", municipality_number="0301")
    services.membership_clearances_set(
        actor=people.manager,
        service=people.nav,
        user=people.nav_advisor,
        cleared_strengt_fortrolig=True,
    )
    services.membership_clearances_set(
        actor=people.manager,
        service=people.nav,
        user=people.manager,
        cleared_strengt_fortrolig=True,
    )
    services.youth_protection_set(
        actor=people.manager,
        youth=hidden,
        version=hidden.version,
        address_protection=AddressProtection.STRENGT_FORTROLIG,
        shielded=False,
    )
    _youth(people, "Kari", "Bergen", municipality_number="4601")
    response = _client(people.nav_advisor).get("/youths/", {"sort": "municipality"})
    assert _names(response) == ["Bergen, Kari", "Hansen, Emma", "Aas, Skjult"]
    content = response.content.decode()
    assert "Oslo" not in content


def test_last_contact_is_the_newest_entry_the_viewer_may_see(people: Any) -> None:
    youth = _youth(people, "Selma", "Ahmed")
    factories.follow(
        people.health_nurse, people.health, youth, started_on=timezone.localdate() - 60 * DAY
    )
    mine = _entry(people.nav_advisor, youth, people.nav, 10, Category.WORK_AND_WELFARE)
    _entry(people.health_nurse, youth, people.health, 2, Category.HEALTH)  # not NAV's to see
    before = AccessLogEntry.objects.count()
    response = _client(people.nav_advisor).get("/youths/", {"q": "Ahmed, Selma"})
    (row,) = response.context["rows"]
    assert row["last_contact"] == mine.occurred_on
    assert (timezone.localdate() - 2 * DAY).strftime("%d.%m.%Y") not in response.content.decode()
    (logged,) = AccessLogEntry.objects.order_by("pk")[before:]
    assert logged.purpose == "caseload" and logged.subject_id == youth.pk
    item = {"type": "entry", "id": str(mine.pk), "category": "WORK_AND_WELFARE", "basis": "own"}
    assert item in logged.items
    # The health nurse sees her own, newer entry.
    nurse = _client(people.health_nurse).get("/youths/", {"q": "Ahmed, Selma"})
    assert nurse.context["rows"][0]["last_contact"] == timezone.localdate() - 2 * DAY


def test_the_list_sorts_by_last_contact_longest_ago_first(people: Any) -> None:
    recent = _youth(people, "Per", "Nylig")
    old = _youth(people, "Kari", "Lenge")
    _entry(people.nav_advisor, recent, people.nav, 1, Category.WORK_AND_WELFARE)
    _entry(people.nav_advisor, old, people.nav, 30, Category.WORK_AND_WELFARE)
    client = _client(people.nav_advisor)
    # Never contacted first, then the longest ago.
    assert _names(client.get("/youths/", {"sort": "contact"})) == [
        "Hansen, Emma",
        "Lenge, Kari",
        "Nylig, Per",
    ]
    assert _names(client.get("/youths/", {"sort": "-contact"})) == [
        "Nylig, Per",
        "Lenge, Kari",
        "Hansen, Emma",
    ]


def test_a_contact_the_viewer_may_not_see_does_not_sort_the_list(people: Any) -> None:
    seen = _youth(people, "Selma", "Ahmed")
    other = _youth(people, "Kari", "Lenge")
    factories.follow(
        people.health_nurse, people.health, seen, started_on=timezone.localdate() - 60 * DAY
    )
    _entry(people.health_nurse, seen, people.health, 1, Category.HEALTH)
    _entry(people.nav_advisor, other, people.nav, 30, Category.WORK_AND_WELFARE)
    _entry(people.nav_advisor, people.youth, people.nav, 0, Category.WORK_AND_WELFARE)
    # For NAV, Selma has had no contact it may see: she comes first.
    response = _client(people.nav_advisor).get("/youths/", {"sort": "contact"})
    assert _names(response) == ["Ahmed, Selma", "Lenge, Kari", "Hansen, Emma"]


def _activity_deadline(people: Any, youth: Youth, due: datetime.date) -> Deadline:
    plan = services.activity_plan_create(actor=people.nav_advisor, youth=youth, service=people.nav)
    activity = derived(
        services.activity_add(
            actor=people.nav_advisor, plan=plan, type="EGEN", title="Søke jobb", deadline=due
        )
    )
    return Deadline.objects.get(subject_id=activity.pk)


def test_next_deadline_is_the_earliest_live_deadline_of_my_services(people: Any) -> None:
    today = timezone.localdate()
    deadline = _activity_deadline(people, people.youth, today + 5 * DAY)
    earliest = (
        Deadline.objects.filter(youth=people.youth, service=people.nav, closed_at__isnull=True)
        .order_by("due_on")
        .first()
    )
    assert earliest is not None
    before = AccessLogEntry.objects.count()
    response = _client(people.nav_advisor).get("/youths/")
    (row,) = response.context["rows"]
    assert row["next_deadline"].pk == earliest.pk
    assert earliest.due_on <= deadline.due_on
    (logged,) = AccessLogEntry.objects.order_by("pk")[before:]
    assert any(i["type"] == "deadline" and i["id"] == str(earliest.pk) for i in logged.items)
    # OT does not hold NAV's deadlines.
    ot_row = _client(people.ot_counsellor).get("/youths/").context["rows"][0]
    assert ot_row["next_deadline"] is None or ot_row["next_deadline"].service_id == people.ot.pk


def test_the_list_sorts_by_next_deadline_soonest_first(people: Any) -> None:
    today = timezone.localdate()
    soon = _youth(people, "Per", "Snart")
    later = _youth(people, "Kari", "Senere")
    _activity_deadline(people, soon, today + 3 * DAY)
    _activity_deadline(people, later, today + 20 * DAY)

    def first_due(youth: Youth) -> datetime.date | None:
        live = Deadline.objects.filter(
            youth=youth, service=people.nav, closed_at__isnull=True
        ).exclude(status="CANCELLED")
        return live.order_by("due_on").values_list("due_on", flat=True).first()

    youths = [people.youth, soon, later]
    due = {f"{y.last_name}, {y.first_name}": first_due(y) for y in youths}
    expected = sorted(due, key=lambda name: (due[name] is None, due[name] or today, name))
    client = _client(people.nav_advisor)
    response = client.get("/youths/", {"sort": "deadline"})
    assert _names(response) == expected
    assert [
        row["next_deadline"] and row["next_deadline"].due_on for row in response.context["rows"]
    ] == [due[name] for name in expected]
    with_due = [name for name in expected if due[name] is not None]
    descending = _names(client.get("/youths/", {"sort": "-deadline"}))
    assert [due[name] for name in descending[: len(with_due)]] == sorted(
        (due[name] for name in with_due), reverse=True
    )


@pytest.mark.parametrize("sort", ["bogus", "-", "name;drop", "--name", "youth__national_id"])
def test_an_unknown_sort_lists_by_name(people: Any, sort: str) -> None:
    _youth(people, "Per", "Berg")
    response = _client(people.nav_advisor).get("/youths/", {"sort": sort})
    assert response.status_code == 200
    assert _names(response) == ["Berg, Per", "Hansen, Emma"]
    assert "sort=" not in response.context["params"]


def test_the_sorted_list_has_a_fixed_query_count(people: Any, count_queries: Any) -> None:
    client = _client(people.nav_advisor)
    _entry(people.nav_advisor, people.youth, people.nav, 0, Category.WORK_AND_WELFARE)
    for sort in ("name", "-name", "municipality", "contact", "deadline"):
        with count_queries() as few:
            assert client.get("/youths/", {"sort": sort}).status_code == 200
        counted = len(few.captured_queries)
        youths = [_youth(people, f"Ola{n}{sort}", "Berg") for n in range(8)]
        for youth in youths:
            _entry(people.nav_advisor, youth, people.nav, 2, Category.WORK_AND_WELFARE)
        with count_queries() as many:
            assert client.get("/youths/", {"sort": sort}).status_code == 200
        assert len(many.captured_queries) == counted, sort


def test_a_posted_identity_number_opens_the_youths_page_and_is_logged(people: Any) -> None:
    number = people.youth.national_id
    before = AccessLogEntry.objects.count()
    response = _client(people.nav_advisor).post(
        "/youths/", {"national_id": f"{number[:6]} {number[6:]}"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/youths/{people.youth.pk}/"
    assert number not in response["Location"]
    logged = list(AccessLogEntry.objects.order_by("pk")[before:])
    assert [(e.purpose, e.subject_id, e.granted) for e in logged] == [
        ("caseload-lookup", people.youth.pk, True)
    ]


def test_a_lookup_never_finds_a_youth_the_viewer_may_not_see_and_logs_the_attempt(
    people: Any,
) -> None:
    before = AccessLogEntry.objects.count()
    response = _client(people.outsider).post("/youths/", {"national_id": people.youth.national_id})
    assert response.status_code == 404
    content = response.content.decode()
    assert "Fant ingen ungdom med dette nummeret" in content
    assert people.youth.first_name not in content and str(people.youth.pk) not in content
    logged = list(AccessLogEntry.objects.order_by("pk")[before:])
    assert [(e.subject_id, e.granted, e.actor_id) for e in logged] == [
        (people.youth.pk, False, people.outsider.pk)
    ]


def test_a_malformed_identity_number_is_a_400_with_the_error_in_norwegian_and_english(
    people: Any,
) -> None:
    response = _client(people.nav_advisor).post("/youths/", {"national_id": "12345678901"})
    assert response.status_code == 400
    assert response.context["lookup"].errors["national_id"]
    english = _client(people.nav_advisor, "en").post("/youths/", {"national_id": "123"})
    assert english.status_code == 400
    assert "Ugyldig" not in english.content.decode() or "invalid" in english.content.decode()


def test_the_lookup_form_is_posted_not_in_the_address(people: Any) -> None:
    content = _client(people.nav_advisor).get("/youths/").content.decode()
    form = re.search(r'<form method="post" action="/youths/"[^>]*>.*?</form>', content, re.S)
    assert form is not None and 'name="national_id"' in form.group(0)
    assert 'autocomplete="off"' in form.group(0)


def test_a_youth_is_registered_from_the_page(people: Any) -> None:
    number = factories.synthetic_number(factories.years_ago(18))
    body = {
        "service": str(people.nav.pk),
        "national_id": number,
        "first_name": "Selma",
        "last_name": "Ahmed",
        "municipality_number": "4601",
        "reason": "Arbeidssøker",
        "registration_reason": "",
    }
    client = _client(people.nav_advisor)
    assert client.get("/youths/new/").status_code == 200
    response = client.post("/youths/new/", body)
    youth = Youth.objects.get(first_name="Selma", last_name="Ahmed")
    assert response.status_code == 302 and response["Location"] == f"/youths/{youth.pk}/"
    assert youth.national_id == number and youth.municipality_number == "4601"
    assert youth.periods.get().service == people.nav
    page = client.get(response["Location"])
    assert "Ungdommen er registrert." in page.content.decode()


def test_registering_refuses_bad_input_with_field_errors_and_writes_nothing(
    people: Any,
) -> None:
    before = Youth.objects.count()
    response = _client(people.nav_advisor).post(
        "/youths/new/",
        {
            "service": str(people.nav.pk),
            "national_id": "12345678901",
            "first_name": "",
            "last_name": "Ahmed",
            "municipality_number": "9999",
            "reason": "Arbeidssøker",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"national_id", "first_name", "municipality_number"} <= set(errors)
    assert Youth.objects.count() == before


def test_ot_must_give_a_registration_reason_on_the_page(people: Any) -> None:
    body = {
        "service": str(people.ot.pk),
        "national_id": factories.synthetic_number(factories.years_ago(17)),
        "first_name": "Jonas",
        "last_name": "Lund",
        "municipality_number": "4003",
        "reason": "Sluttet på skolen",
        "registration_reason": "",
    }
    response = _client(people.ot_counsellor).post("/youths/new/", body)
    assert response.status_code == 400
    assert response.context["form"].errors["registration_reason"]
    body["registration_reason"] = "OT_DROPPED_OUT"
    assert _client(people.ot_counsellor).post("/youths/new/", body).status_code == 302


def test_registering_a_known_youth_follows_the_same_record(people: Any) -> None:
    body = {
        "service": str(people.elsewhere.pk),
        "national_id": people.youth.national_id,
        "first_name": people.youth.first_name,
        "last_name": people.youth.last_name,
        "municipality_number": "4003",
        "reason": "Flyttet",
    }
    response = _client(people.outsider).post("/youths/new/", body)
    assert response.status_code == 302 and response["Location"] == f"/youths/{people.youth.pk}/"
    assert Youth.objects.filter(pk=people.youth.pk).count() == 1


def test_registering_needs_a_caseload_role(people: Any) -> None:
    assert _client(people.privacy_officer).get("/youths/new/").status_code == 403
    assert _client(people.nav_admin).post("/youths/new/", {}).status_code == 403
