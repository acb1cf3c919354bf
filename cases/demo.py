"""Demo data: a realistic municipality (Skien) with named staff and some 300 youths.

Made through the services, so the demo obeys the same rules as real use. Identity numbers are
Skatteetaten-style synthetic numbers (month + 80) only. Proportions follow domain.md §9: OT
registration reasons from one county's 2020-21 counts, NAV youths split between job seekers and
reduced work capacity.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from cases import identity, services
from cases.models import (
    CASELOAD_ROLES,
    ActivityPlan,
    AddressProtection,
    GuardianRelation,
    OtRegistrationReason,
    Service,
    ServiceKind,
    StaffRole,
    Youth,
    national_id_matches,
)
from consent import ages
from consent.categories import Category
from consent.models import Decision, Giver, Method
from consent.services import Flow

DEMO_PASSWORD = "samordna-demo"
SKIEN = "4003"
TELEMARK = "40"

SERVICES = [
    (ServiceKind.NAV, "NAV Skien", SKIEN, "", "nav.skien@samordna.local"),
    (
        ServiceKind.OT,
        "OT Vestfold og Telemark avd. Skien",
        SKIEN,
        TELEMARK,
        "ot.skien@samordna.local",
    ),
    (ServiceKind.SCHOOL, "Skien videregående skole", SKIEN, TELEMARK, "skien.vgs@samordna.local"),
    (ServiceKind.HEALTH, "Helsestasjon for ungdom Skien", SKIEN, "", "hfu.skien@samordna.local"),
    (
        ServiceKind.CHILD_WELFARE,
        "Barneverntjenesten i Skien",
        SKIEN,
        "",
        "barnevern@samordna.local",
    ),
    (ServiceKind.OTHER, "PPT Skien", SKIEN, "", "ppt.skien@samordna.local"),
]


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    service: str
    role: StaffRole
    description: str


STAFF = [
    DemoStaff("ingrid.nav", "Ingrid", "Haugen", "NAV Skien", StaffRole.CASEWORKER, "NAV-veileder"),
    DemoStaff("lars.nav", "Lars", "Berg", "NAV Skien", StaffRole.CASEWORKER, "NAV-veileder"),
    DemoStaff("hilde.nav", "Hilde", "Aas", "NAV Skien", StaffRole.MANAGER, "leder NAV Skien"),
    DemoStaff(
        "ola.ot",
        "Ola",
        "Lie",
        "OT Vestfold og Telemark avd. Skien",
        StaffRole.CASEWORKER,
        "OT-rådgiver",
    ),
    DemoStaff(
        "siri.ot",
        "Siri",
        "Moen",
        "OT Vestfold og Telemark avd. Skien",
        StaffRole.MANAGER,
        "leder OT",
    ),
    DemoStaff(
        "marte.skole",
        "Marte",
        "Dahl",
        "Skien videregående skole",
        StaffRole.CASEWORKER,
        "rådgiver på skolen",
    ),
    DemoStaff(
        "anne.helse",
        "Anne",
        "Strand",
        "Helsestasjon for ungdom Skien",
        StaffRole.CASEWORKER,
        "helsesykepleier",
    ),
    DemoStaff(
        "jonas.bv",
        "Jonas",
        "Bakke",
        "Barneverntjenesten i Skien",
        StaffRole.CASEWORKER,
        "saksbehandler i barnevernet",
    ),
    DemoStaff("eva.koord", "Eva", "Lunde", "NAV Skien", StaffRole.COORDINATOR, "koordinator"),
    DemoStaff("per.ppt", "Per", "Vik", "PPT Skien", StaffRole.CASEWORKER, "PPT-rådgiver"),
    DemoStaff(
        "tone.nav",
        "Tone",
        "Bråten",
        "NAV Skien",
        StaffRole.CASEWORKER,
        "NAV-veileder med tilgang til skjermede personer og strengt fortrolig adresse",
    ),
    DemoStaff(
        "kari.personvern",
        "Kari",
        "Nilsen",
        "NAV Skien",
        StaffRole.PRIVACY_OFFICER,
        "personvernombud NAV Skien",
    ),
]
ADMIN_USERNAME = "admin"

FIRST_NAMES = [
    "Emma",
    "Nora",
    "Sara",
    "Ingrid",
    "Thea",
    "Maja",
    "Ida",
    "Sofie",
    "Emilie",
    "Julie",
    "Amalie",
    "Aurora",
    "Hedda",
    "Selma",
    "Live",
    "Frida",
    "Noah",
    "Jakob",
    "Emil",
    "Lucas",
    "Filip",
    "William",
    "Oskar",
    "Henrik",
    "Mathias",
    "Aksel",
    "Magnus",
    "Tobias",
    "Sander",
    "Elias",
    "Jonas",
    "Adrian",
    "Markus",
    "Ali",
    "Mohammed",
    "Amina",
    "Yasmin",
    "Daniel",
    "Kristian",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Ahmed",
]
# OT registration reasons with one county's counts 2020-21 (domain.md §3), as weights.
# "Other reasons (no apprenticeship place, moved, registered in error)" are OT_OTHER.
OT_REASONS = [
    (OtRegistrationReason.OT_NOT_APPLIED.value, 1381),
    (OtRegistrationReason.OT_DECLINED_PLACE.value, 460),
    (OtRegistrationReason.OT_DROPPED_OUT.value, 581),
    (OtRegistrationReason.OT_OTHER.value, 517),
]
# NAV under-30s in one county, May 2021 (domain.md §9): job seekers vs reduced work capacity.
NAV_REASONS = [
    ("Arbeidssøker, helt ledig", 2080),
    ("Arbeidssøker, delvis ledig", 1246),
    ("Arbeidssøker på tiltak", 454),
    ("Nedsatt arbeidsevne", 3497),
]


def synthetic_national_id(rng: random.Random, birth_date: datetime.date) -> str:
    """A Skatteetaten-style synthetic number (month + 80) for the birth date."""
    day, month, yy = birth_date.day, birth_date.month + 80, birth_date.year % 100
    low, high = (500, 999) if birth_date.year >= 2000 else (0, 499)
    while True:
        individual = rng.randint(low, high)
        number = identity.with_check_digits(f"{day:02d}{month:02d}{yy:02d}{individual:03d}")
        if number is not None:
            return number


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _birth_date(
    rng: random.Random, today: datetime.date, min_age: int, max_age: int
) -> datetime.date:
    age_days = rng.randint(min_age * 365 + 10, (max_age + 1) * 365 - 10)
    return today - datetime.timedelta(days=age_days)


def _youth_rng(seed_value: int, index: int) -> random.Random:
    """Each demo youth draws from a stream of its own, so youth ``index`` is the same person
    (the same age in days, the same services) whatever the date and whatever the youths before
    it became on that date."""
    return random.Random(seed_value * 1_000_003 + index)


# The first youths reach an age where the rules change hands on the day the demo is made: 16
# (the youth consents in health matters, pbrl § 4-3) and 18 (the youth consents to everything).
MILESTONE_AGES = (16, 18)


def _draw_birth(rng: random.Random, today: datetime.date, index: int) -> tuple[bool, datetime.date]:
    """Whether the youth comes through OT (15-21) or NAV (17-29), and the birth date."""
    in_ot = rng.random() < 0.4
    birth = _birth_date(rng, today, 15, 21) if in_ot else _birth_date(rng, today, 17, 29)
    if index < len(MILESTONE_AGES):
        return True, ages.latest_birth_date(today, MILESTONE_AGES[index])
    return in_ot, birth


def seed(
    *, youths: int = 300, seed_value: int = 2026, progress: Callable[[Iterator[int]], Iterator[int]]
) -> dict[str, int]:
    """Create the demo municipality. Returns counts of what was made."""
    today = timezone.localdate()
    user_model = get_user_model()

    by_name: dict[str, Service] = {}
    for kind, name, municipality, county, email in SERVICES:
        by_name[name] = services.service_create(
            kind=kind,
            name=name,
            municipality_number=municipality,
            county_number=county,
            notification_email=email,
        )
    staff_by_service: dict[str, list] = {name: [] for name in by_name}
    advisors_by_service: dict[str, list] = {}
    # One hash for the shared demo password: hashing it per user costs seconds each.
    password_hash = make_password(DEMO_PASSWORD)
    for person in STAFF:
        user = user_model.objects.create(
            username=person.username,
            password=password_hash,
            first_name=person.first_name,
            last_name=person.last_name,
            email=f"{person.username}@samordna.local",
        )
        services.membership_add(
            actor=None, user=user, service=by_name[person.service], role=person.role
        )
        if person.username == CLEARED_USERNAME:
            continue  # follows only the youths with a protected identity (``seed_protected``)
        if person.role in CASELOAD_ROLES:  # the privacy officer follows no youth
            staff_by_service[person.service].append(user)
        if person.role == StaffRole.CASEWORKER:
            advisors_by_service.setdefault(person.service, []).append(user)
    user_model.objects.create(
        username=ADMIN_USERNAME,
        password=password_hash,
        email="admin@samordna.local",
        is_staff=True,
        is_superuser=True,
    )

    nav, ot = by_name["NAV Skien"], by_name["OT Vestfold og Telemark avd. Skien"]
    school = by_name["Skien videregående skole"]
    health, cw = by_name["Helsestasjon for ungdom Skien"], by_name["Barneverntjenesten i Skien"]
    counts = {"youths": 0, "periods": 0, "guardians": 0, "decisions": 0, "activities": 0}

    def follow(
        rng: random.Random, youth: Youth, service: Service, reason: str, started_on: datetime.date
    ) -> None:
        worker = rng.choice(staff_by_service[service.name])
        services.period_open(
            actor=worker,
            youth=youth,
            service=service,
            reason=reason,
            started_on=started_on,
            responsible=worker,
        )
        counts["periods"] += 1

    for index in progress(iter(range(youths))):
        rng = _youth_rng(seed_value, index)
        if index == len(MILESTONE_AGES):
            _child_heard(rng, today, health, cw, staff_by_service, counts)
            continue
        in_ot, birth = _draw_birth(rng, today, index)
        sixteenth = ages.birthday(birth, 16)
        started = today - datetime.timedelta(
            days=rng.randint(0, max(0, min(700, (today - sixteenth).days)))
        )
        first_service = ot if in_ot else nav
        code = _weighted(rng, OT_REASONS) if in_ot else ""
        reason = str(OtRegistrationReason(code).label) if in_ot else _weighted(rng, NAV_REASONS)
        worker = rng.choice(staff_by_service[first_service.name])
        number = synthetic_national_id(rng, birth)
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        phone = f"4{rng.randint(1000000, 9999999)}"
        if Youth.objects.filter(national_id_matches(number)).exists():
            continue  # a synthetic number drawn twice: that youth is already made
        youth, _period, _created = services.youth_register(
            actor=worker,
            service=first_service,
            national_id=number,
            first_name=first_name,
            last_name=last_name,
            municipality_number=SKIEN,
            email="",
            phone=phone,
            reason=reason,
            registration_reason=code,
            started_on=started,
            responsible=worker,
        )
        counts["youths"] += 1
        counts["periods"] += 1
        age = youth.age_on(today)
        # 1,236 of 2,939 OT youths were actually outside school and work: NAV follows those too.
        if in_ot and age >= 18 and rng.random() < 1236 / 2939:
            follow(rng, youth, nav, _weighted(rng, NAV_REASONS), started)
        if age <= 19 and rng.random() < 0.3:
            follow(rng, youth, school, "Fare for å avbryte opplæringen", started)
        if rng.random() < 0.15:
            follow(rng, youth, health, "Oppfølging av psykisk helse", started)
        if age <= 24 and rng.random() < 0.08:
            follow(rng, youth, cw, "Ettervern", started)
        if youth.periods.filter(service=nav, ended_on__isnull=True).exists():
            _nav_follow_up(rng, youth, nav, advisors_by_service[nav.name], started, today, counts)
        if age < 18:
            # The parents' identity numbers draw from a stream of their own, so the youth's
            # draws stay as they were.
            parents = random.Random(seed_value * 104_729 + index)
            for relation_name in ("mor", "far"):
                services.guardian_add(
                    actor=worker,
                    youth=youth,
                    full_name=f"{rng.choice(FIRST_NAMES)} {youth.last_name} ({relation_name})",
                    relation=GuardianRelation.PARENT,
                    has_parental_responsibility=True,
                    phone=f"9{rng.randint(1000000, 9999999)}",
                    national_id=synthetic_national_id(
                        parents, _birth_date(parents, youth.birth_date, 25, 40)
                    ),
                )
                counts["guardians"] += 1
    counts["disclosures"] = _disclosure_to_child_welfare(ot, cw, staff_by_service, today)
    return counts


CHILD_AGE = 13


def _child_heard(
    rng: random.Random,
    today: datetime.date,
    health: Service,
    cw: Service,
    staff_by_service: dict[str, list],
    counts: dict[str, int],
) -> None:
    """A youth of 13 followed by the health service and child welfare: the guardians consent
    to the health service sharing health and family matters with child welfare, each parent in
    turn (the mother on a signed
    form, the father digitally later), with the child's view recorded (barnelova § 31)."""
    birth = ages.latest_birth_date(today, CHILD_AGE) - datetime.timedelta(days=rng.randint(30, 300))
    nurse = rng.choice(staff_by_service[health.name])
    youth, _period, created = services.youth_register(
        actor=nurse,
        service=health,
        national_id=synthetic_national_id(rng, birth),
        first_name="Mia",
        last_name=rng.choice(LAST_NAMES),
        municipality_number=SKIEN,
        email="",
        phone="",
        reason="Samtaler om søvn og stress",
        started_on=today - datetime.timedelta(days=rng.randint(10, 90)),
        responsible=nurse,
    )
    if not created:
        return
    counts["youths"] += 1
    counts["periods"] += 1
    caseworker = rng.choice(staff_by_service[cw.name])
    services.period_open(
        actor=caseworker,
        youth=youth,
        service=cw,
        reason="Råd og veiledning til familien",
        started_on=today - datetime.timedelta(days=rng.randint(1, 9)),
        responsible=caseworker,
    )
    counts["periods"] += 1
    mother, father = (
        services.guardian_add(
            actor=nurse,
            youth=youth,
            full_name=f"{first} {youth.last_name}",
            relation=GuardianRelation.PARENT,
            has_parental_responsibility=True,
        )
        for first in ("Hanne", "Tor")
    )
    counts["guardians"] += 2
    categories = [Category.HEALTH, Category.FAMILY_AND_ECONOMY]
    consent = services.consent_give(
        actor=nurse,
        youth=youth,
        decision=Decision.GIVEN,
        giver=Giver.GUARDIANS,
        guardians=[mother],
        purpose_code="SAMARBEID",
        purpose="Helsestasjonen deler med barnevernet for å hjelpe Mia og familien.",
        method=Method.SIGNED_FORM,
        agreed_text="Vi samtykker til at helsestasjonen gir barnevernet opplysninger om helse, "
        "familie og økonomi som trengs for å hjelpe Mia.",
        flows=[Flow(categories=categories, from_party=health, to_party=cw)],
        child_view="Mia vil at helsesykepleieren og barnevernet snakker sammen, så hun slipper "
        "å fortelle alt to ganger. Hun vil selv være med når de snakker om skolen.",
    )
    services.consent_guardian_answer(
        actor=nurse,
        consent=consent,
        guardian=father,
        decision=Decision.GIVEN,
        method=Method.DIGITAL,
    )


def _disclosure_to_child_welfare(
    ot: Service, cw: Service, staff_by_service: dict[str, list], today: datetime.date
) -> int:
    """OT tells child welfare about a minor under barnevernsloven § 13-2: one note, chosen, with
    the reason; child welfare sees that note and nothing else of OT's. None without a minor."""
    minor = (
        Youth.objects.filter(
            periods__service=ot,
            periods__ended_on__isnull=True,
            birth_date__gt=ages.latest_birth_date(today, 18),
        )
        .order_by("birth_date", "pk")
        .first()
    )
    if minor is None:
        return 0
    counsellor = minor.periods.get(service=ot, ended_on__isnull=True).responsible
    counsellor = counsellor or staff_by_service[ot.name][0]
    entry = services.entry_log(
        actor=counsellor,
        youth=minor,
        service=ot,
        occurred_on=today,
        kind="CONVERSATION",
        category="FAMILY_AND_ECONOMY",
        text="Forteller at det er mye krangel og slag hjemme; tør ikke gå hjem i helgene.",
    )
    services.disclosure_make(
        actor=counsellor,
        youth=minor,
        from_service=ot,
        to_service=cw,
        basis="bvl-13-2",
        reason=(
            "Ungdommen (under 18) forteller om vold i hjemmet: grunn til å tro at barnet blir "
            "mishandlet (barnevernsloven § 13-2)."
        ),
        report="Bekymringsmelding fra OT. Ungdommen vet at vi melder.",
        entry_ids=[entry.pk],
    )
    return 1


GROUPS = [
    ("STANDARD_INNSATS", 30),
    ("SITUASJONSBESTEMT_INNSATS", 40),
    ("SPESIELT_TILPASSET_INNSATS", 20),
    ("GRADERT_VARIG_TILPASSET_INNSATS", 5),
    ("VARIG_TILPASSET_INNSATS", 5),
]
ACTIVITIES = [
    ("STILLING", "Søke fem relevante stillinger"),
    ("EGEN", "Skrive CV med veileder"),
    ("MOTE", "Oppfølgingsmøte på NAV-kontoret"),
    ("EKSTERNAKTIVITET", "Arbeidsforberedende trening"),
    ("SOKEAVTALE", "Søkeavtale: to søknader i uka"),
]


def _nav_follow_up(
    rng: random.Random,
    youth: Youth,
    nav: Service,
    advisors: list[Any],
    started: datetime.date,
    today: datetime.date,
    counts: dict[str, int],
) -> None:
    """A §14a decision, an activity plan and activities with deadlines (the ledger derives the
    deadlines and reminders from them)."""
    advisor = rng.choice(advisors)
    if rng.random() < 0.7:
        decided_on = min(today, started + datetime.timedelta(days=rng.randint(0, 60)))
        services.decision_record(
            actor=advisor,
            youth=youth,
            service=nav,
            innsatsgruppe=_weighted(rng, GROUPS),
            main_goal="SKAFFE_ARBEID",
            decided_on=decided_on,
        )
        counts["decisions"] += 1
    if rng.random() < 0.2:
        return
    plan = services.activity_plan_create(actor=advisor, youth=youth, service=nav)
    for activity_type, title in rng.sample(ACTIVITIES, rng.randint(1, 4)):
        deadline = today + datetime.timedelta(days=rng.randint(-20, 45))
        agreed = rng.random() < 0.5
        services.activity_add(
            actor=advisor,
            plan=plan,
            type=activity_type,
            title=title,
            deadline=deadline,
            agreed=agreed,
            agreed_note="Avtalt i samtale med ungdommen på NAV-kontoret." if agreed else "",
        )
        counts["activities"] += 1
    if rng.random() < 0.6:
        services.activity_plan_approve(actor=advisor, plan=plan, version=plan.version)
        _dated_as_agreed(plan, started, today)


def _dated_as_agreed(plan: ActivityPlan, started: datetime.date, today: datetime.date) -> None:
    """The plan dated as an office's history would show it: made and approved one to six
    weeks into the follow-up (never after today), so the youth guarantee's compliance, which
    is computed from these dates, has a curve before the day the demo was seeded. Only the
    demo back-dates: the services record the time of the act. The ledger derives the
    deadlines after seeding, from these dates."""
    agreed = min(today, started + datetime.timedelta(days=7 + started.toordinal() * 7919 % 36))
    at = timezone.make_aware(datetime.datetime.combine(agreed, datetime.time(10)))
    ActivityPlan.objects.filter(pk=plan.pk).update(created_at=at, approved_at=at)


CLEARED_USERNAME = "tone.nav"
MANAGER_USERNAME = "hilde.nav"
# The demo's youths with a protected identity: (first name, last name, address protection,
# shielded, reason). Only the cleared advisor sees them.
PROTECTED_YOUTHS = [
    ("Vilde", "Skjerve", AddressProtection.UGRADERT, True, "Arbeidssøker, helt ledig"),
    ("Jonas", "Fjeld", AddressProtection.STRENGT_FORTROLIG, False, "Nedsatt arbeidsevne"),
]


def seed_protected(*, seed_value: int = 2026) -> dict[str, int]:
    """A shielded youth and one with a strengt fortrolig address (kode 6), followed by NAV Skien.
    The manager clears herself to mark them, clears the one advisor who follows them, and gives
    up her own clearances again: only that advisor reaches them (every step audited)."""
    nav = Service.objects.get(name="NAV Skien")
    users = get_user_model().objects
    manager = users.get(username=MANAGER_USERNAME)
    advisor = users.get(username=CLEARED_USERNAME)
    everything = {name: True for name in services.CLEARANCE_FIELDS}
    services.membership_clearances_set(actor=manager, service=nav, user=manager, **everything)
    services.membership_clearances_set(actor=manager, service=nav, user=advisor, **everything)
    today = timezone.localdate()
    made = 0
    for index, (first, last, protection, shielded, reason) in enumerate(PROTECTED_YOUTHS):
        rng = random.Random(seed_value * 7_919 + index)
        youth, _period, created = services.youth_register(
            actor=advisor,
            service=nav,
            national_id=synthetic_national_id(rng, _birth_date(rng, today, 19, 27)),
            first_name=first,
            last_name=last,
            municipality_number=SKIEN,
            phone=f"4{rng.randint(1000000, 9999999)}",
            reason=reason,
            started_on=today - datetime.timedelta(days=rng.randint(10, 200)),
            responsible=advisor,
        )
        if created:
            services.youth_protection_set(
                actor=manager,
                youth=youth,
                version=youth.version,
                address_protection=protection,
                shielded=shielded,
            )
            made += 1
    services.membership_clearances_set(
        actor=manager, service=nav, user=manager, **{name: False for name in everything}
    )
    return {"protected": made}


def staff_logins() -> list[tuple[str, str]]:
    """The demo staff log-ins with who they are."""
    return [
        *((p.username, f"{p.description}, {p.service}") for p in STAFF),
        (ADMIN_USERNAME, "superbruker (administrasjon; ser ingen ungdommer uten tjeneste)"),
    ]
