"""The registry: youths, their guardians, services, staff and follow-up periods.

Public ids are UUIDs (they appear in URLs); the national identity number never does. Identity
numbers are stored encrypted, with a keyed blind index to find them (``cases.identity_crypto``).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import identity_crypto
from cases.identity import NumberKind
from consent.categories import Category
from core.models import Model

municipality_number_validator = RegexValidator(
    r"^\d{4}$", _("Kommunenummer har fire sifre."), code="municipality_number"
)
county_number_validator = RegexValidator(
    r"^\d{2}$", _("Fylkesnummer har to sifre."), code="county_number"
)
phone_validator = RegexValidator(
    r"^(\+\d{8,15}|\d{8})$",
    _("Telefonnummeret må ha åtte sifre, eller landskode med + foran."),
    code="phone",
)


class ServiceKind(models.TextChoices):
    NAV = "NAV", _("NAV-kontor")
    OT = "OT", _("Oppfølgingstjenesten")
    SCHOOL = "SCHOOL", _("Skole")
    HEALTH = "HEALTH", _("Helsetjeneste")
    CHILD_WELFARE = "CHILD_WELFARE", _("Barnevern")
    OTHER = "OTHER", _("Annen tjeneste (PPT, familievern o.l.)")


class OtRegistrationReason(models.TextChoices):
    """Why a youth is registered (*tilmeldt*) with OT: the reasons OT reports by (domain.md §3;
    the county's table of registrations by reason, seeds 004)."""

    OT_NOT_APPLIED = "OT_NOT_APPLIED", _("Har ikke søkt videregående opplæring")
    OT_DECLINED_PLACE = "OT_DECLINED_PLACE", _("Har takket nei til tilbudt skoleplass")
    OT_DROPPED_OUT = "OT_DROPPED_OUT", _("Har avbrutt opplæringen")
    OT_NO_PLACE = "OT_NO_PLACE", _("Fikk ikke skoleplass")
    OT_NO_APPRENTICESHIP = "OT_NO_APPRENTICESHIP", _("Fikk ikke læreplass")
    OT_NOT_IN_WORK = "OT_NOT_IN_WORK", _("Ikke i arbeid")
    OT_OTHER = "OT_OTHER", _("Annet (flyttet, registrert ved feil o.l.)")


# What a service of each kind records is information of this category: its notes by default,
# and why it follows a youth (a period's reason). NAV follows work and welfare (NAV-loven § 14a),
# OT and schools education (opplæringslova), health and child welfare their own, and the other
# services (PPT, family counselling) family matters.
KIND_CATEGORY: dict[str, str] = {
    ServiceKind.NAV: Category.WORK_AND_WELFARE,
    ServiceKind.OT: Category.EDUCATION,
    ServiceKind.SCHOOL: Category.EDUCATION,
    ServiceKind.HEALTH: Category.HEALTH,
    ServiceKind.CHILD_WELFARE: Category.CHILD_WELFARE,
    ServiceKind.OTHER: Category.FAMILY_AND_ECONOMY,
}

# Kinds whose very involvement is confidential: that child welfare (barnevernsloven § 13-1) or a
# health service (helsepersonelloven § 21: "opplysninger om ... sykdomsforhold") follows a youth,
# or PPT or family counselling (forvaltningsloven § 13; familievernkontorloven § 5), says something
# about the youth in that service's category. Their periods, and referrals to or from them, are
# shown to another service only under a consent that covers that category.
SENSITIVE_INVOLVEMENT = frozenset(
    {ServiceKind.HEALTH, ServiceKind.CHILD_WELFARE, ServiceKind.OTHER}
)


def kind_category(kind: str) -> str:
    """The category of what a service of ``kind`` records (``KIND_CATEGORY``)."""
    return KIND_CATEGORY.get(kind, Category.GENERAL)


def involvement_category(kind: str) -> str:
    """The category of the fact that a service of ``kind`` follows or refers a youth: its own
    category for the kinds in ``SENSITIVE_INVOLVEMENT``, else general information."""
    return kind_category(kind) if kind in SENSITIVE_INVOLVEMENT else Category.GENERAL


class StaffRole(models.TextChoices):
    CASEWORKER = "CASEWORKER", _("Veileder / rådgiver / saksbehandler")
    COORDINATOR = "COORDINATOR", _("Koordinator")
    MANAGER = "MANAGER", _("Leder")
    ADMIN = "ADMIN", _("Administrator")
    PRIVACY_OFFICER = "PRIVACY_OFFICER", _("Personvernombud")


# Roles that work with youths. ADMIN manages the service's staff and sees no youth; the
# privacy officer reads the access log of the service's staff, not the youths' records.
CASELOAD_ROLES = (StaffRole.CASEWORKER, StaffRole.COORDINATOR, StaffRole.MANAGER)
# Roles that manage the service's staff (invite, change roles, end memberships): its managers
# and its staff administrator (cases.services.staff).
STAFF_MANAGING_ROLES = (StaffRole.MANAGER, StaffRole.ADMIN)


class TimestampedModel(Model):
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    class Meta:
        abstract = True


class Service(TimestampedModel):
    """A service that follows youths: NAV office, OT, school, health service, child welfare."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("type"), max_length=20, choices=ServiceKind.choices)
    name = models.CharField(_("navn"), max_length=200, unique=True)
    municipality_number = models.CharField(
        _("kommunenummer"), max_length=4, blank=True, validators=[municipality_number_validator]
    )
    county_number = models.CharField(
        _("fylkesnummer"), max_length=2, blank=True, validators=[county_number_validator]
    )
    notification_email = models.EmailField(_("e-post for varsler"), max_length=254)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("tjeneste")
        verbose_name_plural = _("tjenester")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(municipality_number="") | ~Q(county_number=""),
                name="service_has_municipality_or_county",
                violation_error_message=_("Oppgi kommunenummer eller fylkesnummer."),
            )
        ]
        indexes = [
            # Service list filtered by kind and municipality.
            models.Index(fields=["kind", "municipality_number"], name="service_kind_municipality"),
        ]

    def __str__(self) -> str:
        return self.name


class StaffMembership(Model):
    """A user works in a service with a role. A user may belong to several services.

    The clearances let the member reach, through this service, youths with a protected identity
    of that kind (``Youth.address_protection``, ``Youth.shielded``). As in NAV, where only members
    of one special group per kind may open such persons, each is an explicit grant, given by a
    manager of the service (``services.membership_clearances_set``, audited)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    service = models.ForeignKey(
        Service, verbose_name=_("tjeneste"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("rolle"), max_length=20, choices=StaffRole.choices)
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now, editable=False)
    ended_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)
    cleared_strengt_fortrolig = models.BooleanField(
        _("tilgang til strengt fortrolig adresse (kode 6 og 19)"), default=False
    )
    cleared_fortrolig = models.BooleanField(
        _("tilgang til fortrolig adresse (kode 7)"), default=False
    )
    cleared_shielded = models.BooleanField(_("tilgang til skjermede personer"), default=False)

    class Meta:
        verbose_name = _("ansattforhold")
        verbose_name_plural = _("ansattforhold")
        ordering = ["service__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "service", "role"],
                condition=Q(ended_at__isnull=True),
                name="membership_unique_active_role",
                violation_error_message=_("Brukeren har allerede denne rollen i tjenesten."),
            )
        ]
        indexes = [
            # The access gate: "which services does this user work in now".
            models.Index(
                fields=["user", "service"],
                condition=Q(ended_at__isnull=True),
                name="membership_active_by_user",
            ),
            # The staff page and the rule that a service keeps a manager: a service's members
            # now, by role.
            models.Index(
                fields=["service", "role"],
                condition=Q(ended_at__isnull=True),
                name="membership_active_by_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.service} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Completed years on ``day`` (a birthday on 29 February counts from 1 March)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


# The ages a youth may have (completed years) on the day of registration (domain.md §2-§5).
# The oldest rules the services follow are NAV's for the under-30s: the youth guarantee
# (UG-2023: to the day before the 30th birthday) and the strengthened youth effort (UI-8W). OT
# follows to 24 (opplæringslova 2023 § 9-4) and child welfare's aftercare to 25. The upper bound
# keeps a 30-year-old, whose follow-up began before 30 and who reaches the registry late; from
# the 31st birthday a birth date (a typo, a number from the wrong century) is refused. No lower
# bound but birth: a child coordinator follows children of any age (pbrl § 2-5 c).
YOUTH_MIN_AGE = 0
YOUTH_MAX_AGE = 30


def check_youth_birth_date(birth_date: datetime.date, registered_on: datetime.date) -> None:
    """Refuse a birth date no youth registered on ``registered_on`` can have (ValidationError)."""
    age = age_on(birth_date, registered_on)
    if age < YOUTH_MIN_AGE:
        raise ValidationError(_("Fødselsdatoen kan ikke være fram i tid."), code="future")
    if age > YOUTH_MAX_AGE:
        raise ValidationError(
            _(
                "Fødselsdatoen gir en alder over %(max_age)s år ved registrering. Samordna er "
                "for ungdom til og med %(max_age)s år."
            ),
            code="too_old",
            params={"max_age": YOUTH_MAX_AGE},
        )


class AddressProtection(models.TextChoices):
    """*Adressebeskyttelse* as the National Registry (Folkeregisteret) records it, under the
    names NAV's systems use (PDL's ``AdressebeskyttelseGradering``)."""

    UGRADERT = "UGRADERT", _("Ingen adressebeskyttelse")
    STRENGT_FORTROLIG = "STRENGT_FORTROLIG", _("Strengt fortrolig adresse (kode 6)")
    STRENGT_FORTROLIG_UTLAND = (
        "STRENGT_FORTROLIG_UTLAND",
        _("Strengt fortrolig adresse i utlandet (kode 19)"),
    )
    FORTROLIG = "FORTROLIG", _("Fortrolig adresse (kode 7)")


# Kode 6 and kode 19 are one grade: the address and contact details are never shown or used,
# not even to staff cleared to reach the youth.
STRENGT_FORTROLIG_GRADES = (
    AddressProtection.STRENGT_FORTROLIG,
    AddressProtection.STRENGT_FORTROLIG_UTLAND,
)
# A youth with a protected identity: an address protection, or shielded (*skjermet*).
PROTECTED_IDENTITY = ~Q(address_protection=AddressProtection.UGRADERT) | Q(shielded=True)

# What a sealed identity number is bound to (``identity_crypto.associated_data``), with its row:
# stable names, part of the stored values (not the tables' names, should those change).
YOUTH_NATIONAL_ID = "cases_youth.national_id"
GUARDIAN_NATIONAL_ID = "cases_guardian.national_id"
# A sealed number: the key id (up to 16), ":" and 52 characters of base64; an index: the key id,
# ":" and 44.
SEALED_MAX_LENGTH = 80
INDEX_MAX_LENGTH = 64


def national_id_matches(number: str, field: str = "national_id_index") -> Q:
    """Rows whose identity number is ``number``, found by its blind index (under each index key
    of the ring: one, except while the index moves to a new key). The clear number never
    reaches the database."""
    return Q(**{f"{field}__in": identity_crypto.blind_indexes(number)})


class Youth(TimestampedModel):
    """A young person followed by one or more services."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The identity number, encrypted and bound to this row, and its blind index: ``national_id``
    # reads and sets both; look-ups go through ``national_id_matches``.
    national_id_sealed = models.CharField(
        _("fødselsnummer / D-nummer, kryptert"), max_length=SEALED_MAX_LENGTH, editable=False
    )
    national_id_index = models.CharField(
        _("fødselsnummer / D-nummer, søkenøkkel"),
        max_length=INDEX_MAX_LENGTH,
        unique=True,
        editable=False,
        error_messages={
            "unique": _("En ungdom med dette identitetsnummeret er allerede registrert.")
        },
    )
    national_id_kind = models.CharField(
        _("type identitetsnummer"),
        max_length=20,
        choices=[(kind.value, kind.value) for kind in NumberKind],
        editable=False,
    )
    birth_date = models.DateField(_("fødselsdato"))
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("etternavn"), max_length=100)
    municipality_number = models.CharField(
        _("kommunenummer"), max_length=4, validators=[municipality_number_validator]
    )
    email = models.EmailField(_("e-post"), max_length=254, blank=True)
    phone = models.CharField(_("telefon"), max_length=16, blank=True, validators=[phone_validator])
    address_protection = models.CharField(
        _("adressebeskyttelse"),
        max_length=30,
        choices=AddressProtection.choices,
        default=AddressProtection.UGRADERT,
    )
    # *Skjermet*: NAV's shielded persons (its own employees and their like), reached only by
    # staff cleared for them.
    shielded = models.BooleanField(_("skjermet"), default=False)
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    class Meta:
        verbose_name = _("ungdom")
        verbose_name_plural = _("ungdommer")
        ordering = ["last_name", "first_name"]
        indexes = [
            # Caseload ordering and name prefix search.
            models.Index(fields=["last_name", "first_name"], name="youth_name"),
            # Caseload filter by municipality.
            models.Index(fields=["municipality_number"], name="youth_municipality"),
            # Caseload filter by birth date (age bands).
            models.Index(fields=["birth_date"], name="youth_birth_date"),
            # The access gate: the few youths with a protected identity, which staff without
            # the matching clearance do not reach (``access.screen``).
            models.Index(
                fields=["address_protection", "shielded"],
                include=["id"],
                condition=PROTECTED_IDENTITY,
                name="youth_protected_identity",
            ),
        ]

    def __str__(self) -> str:
        # Never the identity number: __str__ ends up in logs, admin history and e-mails.
        return f"{self.first_name} {self.last_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saves, and keeps the copy of the name on the youth's follow-up periods in step."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if not adding and (fields is None or {"first_name", "last_name"} & set(fields)):
            self.periods.update(youth_last_name=self.last_name, youth_first_name=self.first_name)

    @property
    def national_id(self) -> str:
        """The identity number in clear; SealedValueError if the stored value was altered."""
        return identity_crypto.open_sealed(
            self.national_id_sealed, column=YOUTH_NATIONAL_ID, row=self.pk
        )

    @national_id.setter
    def national_id(self, number: str) -> None:
        self.national_id_sealed = identity_crypto.seal(
            number, column=YOUTH_NATIONAL_ID, row=self.pk
        )
        self.national_id_index = identity_crypto.blind_index(number)

    def validate_unique(self, exclude: Any = None) -> None:
        """The index stands for the number: a second youth with it is told on ``national_id``,
        the field the caller sent."""
        try:
            super().validate_unique(exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            if "national_id_index" in errors:
                errors["national_id"] = errors.pop("national_id_index")
            raise ValidationError(errors) from None

    def clean(self) -> None:
        super().clean()
        if isinstance(self.birth_date, datetime.date):
            # Judged on the day of registration: a youth who turns 31 while followed stays valid.
            try:
                check_youth_birth_date(self.birth_date, self.registered_on)
            except ValidationError as exc:
                raise ValidationError({"birth_date": exc}) from None

    @property
    def registered_on(self) -> datetime.date:
        return timezone.localdate(self.created_at)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def contact_withheld(self) -> bool:
        """Kode 6 and 19: the address, municipality and contact details are never shown or
        used."""
        return self.address_protection in STRENGT_FORTROLIG_GRADES

    @property
    def identity_protected(self) -> bool:
        """An address protection of any grade, or shielded."""
        return self.address_protection != AddressProtection.UGRADERT or self.shielded

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


class GuardianRelation(models.TextChoices):
    PARENT = "PARENT", _("Forelder")
    APPOINTED_GUARDIAN = "APPOINTED_GUARDIAN", _("Oppnevnt verge")
    FOSTER_PARENT = "FOSTER_PARENT", _("Fosterforelder")
    OTHER = "OTHER", _("Annen")


class Guardian(TimestampedModel):
    """A parent or guardian of a minor; who holds parental responsibility decides consent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.CASCADE, related_name="guardians"
    )
    full_name = models.CharField(_("navn"), max_length=200)
    relation = models.CharField(_("relasjon"), max_length=20, choices=GuardianRelation.choices)
    has_parental_responsibility = models.BooleanField(_("har foreldreansvar"))
    email = models.EmailField(_("e-post"), max_length=254, blank=True)
    phone = models.CharField(_("telefon"), max_length=16, blank=True, validators=[phone_validator])
    # The guardian's identity number when known, stored as the youth's is (``national_id``).
    national_id_sealed = models.CharField(
        _("fødselsnummer / D-nummer, kryptert"),
        max_length=SEALED_MAX_LENGTH,
        blank=True,
        default="",
        editable=False,
    )
    national_id_index = models.CharField(
        _("fødselsnummer / D-nummer, søkenøkkel"),
        max_length=INDEX_MAX_LENGTH,
        blank=True,
        default="",
        editable=False,
    )

    class Meta:
        verbose_name = _("foresatt")
        verbose_name_plural = _("foresatte")
        ordering = ["full_name"]
        indexes = [
            # A log-in by ID-porten finds the guardian by the identity number it carries
            # (``national_id_matches``); guardians without a number are left out.
            models.Index(
                fields=["national_id_index"],
                condition=~Q(national_id_index=""),
                name="guardian_national_id",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def national_id(self) -> str:
        """The guardian's identity number in clear, or "" when none is recorded."""
        if not self.national_id_sealed:
            return ""
        return identity_crypto.open_sealed(
            self.national_id_sealed, column=GUARDIAN_NATIONAL_ID, row=self.pk
        )

    @national_id.setter
    def national_id(self, number: str) -> None:
        if not number:
            self.national_id_sealed = self.national_id_index = ""
            return
        self.national_id_sealed = identity_crypto.seal(
            number, column=GUARDIAN_NATIONAL_ID, row=self.pk
        )
        self.national_id_index = identity_crypto.blind_index(number)


class FollowUpPeriod(TimestampedModel):
    """*Oppfølgingsperiode*: a service follows a youth from a start date to an optional end.

    Open periods make up the caseload and decide which services reach a youth. A closed period
    is frozen: nothing recorded in it changes afterwards.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    youth = models.ForeignKey(
        Youth, verbose_name=_("ungdom"), on_delete=models.PROTECT, related_name="periods"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("tjeneste"), on_delete=models.PROTECT, related_name="periods"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarlig"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_periods",
    )
    started_on = models.DateField(_("startdato"))
    reason = models.CharField(_("årsak til oppstart"), max_length=500)
    # OT's registration reason code; required on OT's periods, empty on everyone else's.
    registration_reason = models.CharField(
        _("tilmeldingsårsak"), max_length=30, blank=True, choices=OtRegistrationReason.choices
    )
    ended_on = models.DateField(_("sluttdato"), null=True, blank=True)
    end_reason = models.CharField(_("årsak til avslutning"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opprettet av"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("avsluttet av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)
    # The youth's name, copied (kept in step by ``Youth.save``): the caseload picks its page in
    # name order from the open-period index alone, instead of looking up every youth in reach.
    youth_last_name = models.CharField(max_length=100, blank=True, editable=False)
    youth_first_name = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("oppfølgingsperiode")
        verbose_name_plural = _("oppfølgingsperioder")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="period_ends_after_start",
                violation_error_message=_("Sluttdato kan ikke være før startdato."),
            ),
            # Also the index the access gate uses: "does this service follow this youth now".
            models.UniqueConstraint(
                fields=["youth", "service"],
                condition=Q(ended_on__isnull=True),
                name="period_one_open_per_service",
                violation_error_message=_("Tjenesten følger allerede opp denne ungdommen."),
            ),
        ]
        indexes = [
            # Caseload: "our youths" (open periods of my services) and "my youths" (responsible).
            # In name order, so a page of one service is the index's next 50 entries, read
            # without a sort of everyone the service follows (see docs/performance.md).
            models.Index(
                fields=["service", "youth_last_name", "youth_first_name", "youth"],
                condition=Q(ended_on__isnull=True),
                include=["responsible"],
                name="period_open_by_service",
            ),
            # History of a youth's periods, newest first.
            models.Index(fields=["youth", "-started_on"], name="period_by_youth"),
            # OT's report by registration reason: one service's coded periods by start date.
            models.Index(
                fields=["service", "started_on"],
                condition=~Q(registration_reason=""),
                include=["registration_reason", "ended_on"],
                name="period_ot_by_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} – {self.youth} ({self.started_on:%d.%m.%Y})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and not self.youth_last_name:
            self.youth_last_name = self.youth.last_name
            self.youth_first_name = self.youth.first_name
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """OT's new periods carry a registration reason code; no other service's do. (Periods
        OT opened before the codes existed keep their free-text reason and can still close.)"""
        super().clean()
        if self.service_id is None:
            return
        is_ot = self.service.kind == ServiceKind.OT
        if is_ot and not self.registration_reason and self._state.adding:
            raise ValidationError(
                {
                    "registration_reason": ValidationError(
                        _("Oppgi tilmeldingsårsak: oppfølgingstjenesten registrerer etter årsak."),
                        code="required",
                    )
                }
            )
        if not is_ot and self.registration_reason:
            raise ValidationError(
                {
                    "registration_reason": ValidationError(
                        _("Tilmeldingsårsak brukes bare av oppfølgingstjenesten."),
                        code="ot_only",
                    )
                }
            )

    @property
    def is_open(self) -> bool:
        return self.ended_on is None
