"""Models of the consent app: consents, legal bases and the access log.

The app is reusable: the subject (a youth) and the parties (services) are models named in
settings, like ``AUTH_USER_MODEL``: ``CONSENT_SUBJECT_MODEL`` and ``CONSENT_PARTY_MODEL``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.categories import Category
from core.models import Model


class Decision(models.TextChoices):
    GIVEN = "GIVEN", _("Samtykke gitt")
    REFUSED = "REFUSED", _("Samtykke nektet")
    # A guardians' consent that some needed guardian has not answered yet: it covers nothing.
    PENDING = "PENDING", _("Venter på foresatte")


# What a person answers: the two decisions a consent or one guardian can have.
ANSWERS = [(d.value, d.label) for d in (Decision.GIVEN, Decision.REFUSED)]


class Giver(models.TextChoices):
    SUBJECT = "SUBJECT", _("Ungdommen selv")
    GUARDIANS = "GUARDIANS", _("Foresatte med foreldreansvar")


class Method(models.TextChoices):
    SIGNED_FORM = "SIGNED_FORM", _("Signert skjema")
    DIGITAL = "DIGITAL", _("Digitalt")
    ORAL = "ORAL", _("Muntlig, dokumentert av ansatt")


class Consent(Model):
    """A consent (or a refusal) to share information on a subject between parties.

    Never edited: a change is a new consent and a withdrawal of the old one. What it covers is in
    its scope rows (from party or party kind, to party or party kind, category).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(
        settings.CONSENT_SUBJECT_MODEL,
        verbose_name=_("gjelder"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    decision = models.CharField(_("beslutning"), max_length=10, choices=Decision.choices)
    giver = models.CharField(_("gitt av"), max_length=10, choices=Giver.choices)
    giver_names = models.CharField(_("navn på den/de som ga samtykket"), max_length=400)
    child_view = models.TextField(_("barnets mening"), blank=True)
    purpose_code = models.CharField(_("formålskode"), max_length=50)
    purpose = models.TextField(_("formål"))
    method = models.CharField(_("hvordan det ble gitt"), max_length=20, choices=Method.choices)
    documented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dokumentert av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreed_text = models.TextField(_("teksten som ble godtatt"))
    valid_from = models.DateTimeField(_("gyldig fra"))
    valid_until = models.DateTimeField(_("gyldig til"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrert av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("registrert"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tilbaketrekking registrert av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_method = models.CharField(
        _("hvordan det ble trukket tilbake"), max_length=20, choices=Method.choices, blank=True
    )
    # A digital answer's log-in: its assurance level (ID-porten's ``acr``, e.g.
    # ``idporten-loa-high``), or ``local`` for a local log-in, which has none.
    assurance_level = models.CharField(
        _("sikkerhetsnivå ved innlogging"), max_length=50, blank=True
    )
    withdrawal_assurance_level = models.CharField(
        _("sikkerhetsnivå ved tilbaketrekking"), max_length=50, blank=True
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("erstatter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["-valid_from", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="consent_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=~Q(method="ORAL") | Q(documented_by__isnull=False),
                name="consent_oral_is_documented",
            ),
        ]
        indexes = [
            # The subject's consents, newest first (the youth's page, the timeline).
            models.Index(fields=["subject", "-valid_from"], name="consent_subject_from"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.purpose_code})"

    def is_active(self, at: object = None) -> bool:
        now = at or timezone.now()
        return (
            self.decision == Decision.GIVEN
            and self.valid_from <= now  # type: ignore[operator]
            and (self.valid_until is None or self.valid_until > now)  # type: ignore[operator]
            and self.withdrawn_at is None
        )


class ConsentScope(Model):
    """One flow a consent covers: from a party (or any party of a kind) to a party (or kind),
    for one category. ``competent_until`` is the day the giver stops being the right one (a
    guardian's consent ends when the youth takes over); the coverage query checks it in SQL."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="scopes")
    subject = models.ForeignKey(
        settings.CONSENT_SUBJECT_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    from_party = models.ForeignKey(
        settings.CONSENT_PARTY_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_kind = models.CharField(max_length=20, blank=True)
    to_party = models.ForeignKey(
        settings.CONSENT_PARTY_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_kind = models.CharField(max_length=20, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    competent_until = models.DateField(null=True, blank=True)
    # Why a flow names a kind of service rather than a service that follows the subject (say,
    # "the NAV office the youth will be referred to"); required for such a flow.
    kind_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(from_party__isnull=False, from_kind="")
                | Q(from_party__isnull=True) & ~Q(from_kind=""),
                name="consent_scope_one_from",
            ),
            models.CheckConstraint(
                condition=Q(to_party__isnull=False, to_kind="")
                | Q(to_party__isnull=True) & ~Q(to_kind=""),
                name="consent_scope_one_to",
            ),
        ]
        indexes = [
            # The coverage query: "does a consent on this subject cover this category?"
            models.Index(fields=["subject", "category"], name="consent_scope_subject_cat"),
        ]

    def __str__(self) -> str:
        source, target = self.from_party or self.from_kind, self.to_party or self.to_kind
        return f"{self.category}: {source} → {target}"


class GuardianDecision(Model):
    """One guardian's own answer on a guardians' consent: who, when, how (domain.md §7).

    The consent's decision follows from these rows and the guardians whose answer is needed
    (``consent.services.guardians_decision``): given when every needed guardian gave it, refused
    when one refused, pending until then. The guardian is a model named in settings
    (``CONSENT_GUARDIAN_MODEL``); the name is kept as it was when they answered.
    """

    consent = models.ForeignKey(
        Consent,
        on_delete=models.CASCADE,
        related_name="guardian_decisions",
        db_index=False,  # led by the (consent, guardian) unique constraint below
    )
    guardian = models.ForeignKey(
        settings.CONSENT_GUARDIAN_MODEL,
        verbose_name=_("foresatt"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    guardian_name = models.CharField(_("navn"), max_length=200)
    decision = models.CharField(_("svar"), max_length=10, choices=ANSWERS)
    method = models.CharField(_("hvordan"), max_length=20, choices=Method.choices)
    decided_at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrert av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    documented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dokumentert av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("foresattes svar")
        verbose_name_plural = _("foresattes svar")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consent", "guardian"], name="consent_one_answer_per_guardian"
            ),
            models.CheckConstraint(
                condition=~Q(method="ORAL") | Q(documented_by__isnull=False),
                name="consent_guardian_oral_is_documented",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_name}: {self.get_decision_display()}"


class LegalBasis(Model):
    """A named statutory basis on which the holder of information may disclose some of it to
    another party without consent: never a standing right of the recipient to read.

    Its flows say which kind of party may disclose which categories to which kind.
    ``subject_under_age`` is the age limit of the law (a duty about a *child* applies while the
    subject is under 18); ``shown_on_own_page`` whether the subject's own page shows a
    disclosure on this basis (and the recipient's reads of it), as the project's
    ``legal_bases`` module states with its source for each basis.
    """

    code = models.SlugField(_("kode"), max_length=50, primary_key=True)
    name = models.CharField(_("navn"), max_length=200)
    law_and_section = models.CharField(_("lov og paragraf"), max_length=200)
    description = models.TextField(_("beskrivelse"))
    source_url = models.URLField(_("kilde"), blank=True)
    is_active = models.BooleanField(_("i bruk"), default=True)
    subject_under_age = models.PositiveSmallIntegerField(
        _("gjelder bare under alder"), null=True, blank=True
    )
    shown_on_own_page = models.BooleanField(_("vises på Min side"), default=True)

    class Meta:
        verbose_name = _("rettslig grunnlag")
        verbose_name_plural = _("rettslige grunnlag")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.law_and_section}"


class LegalBasisFlow(Model):
    """One route a legal basis opens for a disclosure: a party of one kind may disclose items
    of one category to a party of another kind."""

    basis = models.ForeignKey(LegalBasis, on_delete=models.CASCADE, related_name="flows")
    from_kind = models.CharField(_("fra tjenestetype"), max_length=20)
    to_kind = models.CharField(_("til tjenestetype"), max_length=20)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)

    class Meta:
        verbose_name = _("flyt")
        verbose_name_plural = _("flyter")
        constraints = [
            models.UniqueConstraint(
                fields=["basis", "from_kind", "to_kind", "category"], name="legal_flow_unique"
            )
        ]
        indexes = [
            # A disclosure's check: "does this basis let this kind disclose this category?"
            models.Index(fields=["from_kind", "to_kind", "category"], name="legal_flow_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.from_kind} → {self.to_kind}"


class Disclosure(Model):
    """Information the holding party gave another party on a legal basis, without consent.

    A named staff member of the holder (``from_party``) discloses chosen items, or a written
    report, to a named recipient (``to_party``) with the reason the law's conditions are met.
    The recipient sees exactly those items from then on (a disclosure is never undone: what was
    told has been told). Never edited.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(
        settings.CONSENT_SUBJECT_MODEL,
        verbose_name=_("gjelder"),
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    from_party = models.ForeignKey(
        settings.CONSENT_PARTY_MODEL,
        verbose_name=_("fra tjeneste"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (from party, -at) index below
    )
    to_party = models.ForeignKey(
        settings.CONSENT_PARTY_MODEL,
        verbose_name=_("til tjeneste"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (to party, -at) index below
    )
    basis = models.ForeignKey(
        LegalBasis, verbose_name=_("rettslig grunnlag"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("hvorfor vilkårene er oppfylt"))
    report = models.TextField(_("skriftlig melding"), blank=True)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gitt av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    disclosed_at = models.DateTimeField(_("gitt"), default=timezone.now)

    class Meta:
        verbose_name = _("utlevering")
        verbose_name_plural = _("utleveringer")
        ordering = ["-disclosed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_party=models.F("to_party")), name="disclosure_to_another_party"
            ),
        ]
        indexes = [
            # The subject's disclosures, newest first (the youth's page).
            models.Index(fields=["subject", "-disclosed_at"], name="disclosure_subject_at"),
            # What a party disclosed, and what it received, newest first (the two lists).
            models.Index(fields=["from_party", "-disclosed_at"], name="disclosure_from_at"),
            models.Index(fields=["to_party", "-disclosed_at"], name="disclosure_to_at"),
        ]

    def __str__(self) -> str:
        return f"{self.basis_id}: {self.from_party_id} → {self.to_party_id}"


class DisclosedItem(Model):
    """One item a disclosure gave the recipient: its type (the access log's word for it), id and
    category. The subject and recipient are copied from the disclosure so the gate finds an
    item's recipients with one index, without a join."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="items")
    subject = models.ForeignKey(
        settings.CONSENT_SUBJECT_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_party = models.ForeignKey(
        settings.CONSENT_PARTY_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the gate reads it through the (item, to party) index below
    )
    item_type = models.CharField(max_length=50)
    item_id = models.UUIDField()
    category = models.CharField(max_length=20, choices=Category.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "item_type", "item_id"], name="disclosed_item_once"
            )
        ]
        indexes = [
            # The gate (``cases.access._disclosed``): "was this item disclosed to one of these
            # parties?", for a list of items and for one youth's.
            models.Index(fields=["item_id", "to_party"], name="disclosed_item_item_to"),
        ]

    def __str__(self) -> str:
        return f"{self.item_type} {self.item_id}"


class _CountOf(models.Subquery):
    """How many rows a query has, as a scalar subquery: ``(SELECT count(*) FROM (…))``."""

    template = "(SELECT count(*) FROM (%(subquery)s) AS counted)"
    output_field = models.BigIntegerField()


class AccessLogQuerySet(models.QuerySet["AccessLogEntry"]):
    def page_with_total(self, bottom: int, top: int) -> tuple[list[AccessLogEntry], int | None]:
        """The rows from ``bottom`` to ``top`` and how many there are in all (None when the
        page is empty), in one query: what ``cases.paging.WindowCountPaginator`` calls.

        The total is an uncorrelated subquery, computed once, that counts the filter's index
        entries (an index-only scan where the filter is in an index: a service, a staff
        member), where ``COUNT(*) OVER ()`` would read every matching row whole before the
        first page: tens of thousands for a service's log (docs/performance.md)."""
        total = _CountOf(self.order_by().annotate(one=models.Value(1)).values("one"))
        rows: list[AccessLogEntry] = list(self.annotate(_page_total=total)[bottom:top])
        return rows, (getattr(rows[0], "_page_total") if rows else None)  # noqa: B009


class AccessLogEntry(Model):
    """One look at a subject's information (or a refused attempt). Append-only.

    On PostgreSQL triggers refuse UPDATE and DELETE (migration 0003) and TRUNCATE (migration
    0010) on this table. A superuser can still switch triggers off, so every row is also linked
    into a hash chain after it is written (``AccessLogSeal``, ``consent/chain.py``).

    On PostgreSQL the table is partitioned by month of ``at`` (UTC; migration 0011,
    ``consent/partitions.py``): its primary key there is (id, at), ids still come from one
    sequence, and a month older than the retention period goes as a whole (``AccessLogDrop``).

    The references carry no database constraint (``db_constraint=False``): a foreign-key check
    locks each referenced row (FOR KEY SHARE), so every read would write to the youth's,
    service's and user's rows and wait on anyone updating them (see docs/performance.md).
    Rows are written from loaded objects only, and ``PROTECT`` still refuses to delete a
    youth, service or user with log rows (Django checks it before deleting).
    """

    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hvem"),
        db_constraint=False,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (…, -at) index below
    )
    actor_name = models.CharField(_("navn"), max_length=300)
    party = models.ForeignKey(
        settings.CONSENT_PARTY_MODEL,
        verbose_name=_("tjeneste"),
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (…, -at) index below
    )
    role = models.CharField(_("rolle"), max_length=30, blank=True)
    subject = models.ForeignKey(
        settings.CONSENT_SUBJECT_MODEL,
        verbose_name=_("gjelder"),
        db_constraint=False,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (…, -at) index below
    )
    purpose = models.CharField(_("formål / rute"), max_length=100)
    granted = models.BooleanField(_("innvilget"))
    categories = models.JSONField(_("kategorier"), default=list)
    items = models.JSONField(_("opplysninger"), default=list)
    bases = models.JSONField(_("grunnlag"), default=list)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("innsynslogg")
        verbose_name_plural = _("innsynslogg")
        ordering = ["-at", "-id"]
        indexes = [
            # "Who looked at this youth", newest first (the youth's page, the privacy officer).
            models.Index(fields=["subject", "-at"], name="consent_access_subject_at"),
            # "What did staff of this service look at", newest first.
            models.Index(fields=["party", "-at"], name="consent_access_party_at"),
            models.Index(fields=["actor", "-at"], name="consent_access_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} @ {self.at:%Y-%m-%d %H:%M}"


class AccessLogSeal(Model):
    """One access-log row's link in the log's hash chain (``consent/chain.py``). Insert-only.

    ``hash`` is SHA-256 of the link before it (``prev_id``) and the row's content; the sealer
    writes it after the row is written, so writers take no lock. The row is named by its id, not
    by a foreign key: a seal outlives a row removed behind the triggers' back, and says so.
    On PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE (migration 0010).
    """

    entry_id = models.BigIntegerField(_("innslag"), primary_key=True)
    prev_id = models.BigIntegerField(_("forrige innslag"), null=True)
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("innsynsloggens lenke")
        verbose_name_plural = _("innsynsloggens lenker")

    def __str__(self) -> str:
        return f"{self.entry_id} ← {self.prev_id}"


class AccessLogSealer(Model):
    """The sealer's progress, one row: every access-log row written before ``sealed_through``
    has been linked into the chain, or refused as written into history after that time."""

    sealed_through = models.DateTimeField(_("forseglet til"), null=True)

    class Meta:
        verbose_name = _("innsynsloggens forsegler")
        verbose_name_plural = _("innsynsloggens forsegler")

    def __str__(self) -> str:
        return f"{self.sealed_through}"


class AccessLogDigest(Model):
    """The head of the access log's hash chain at the end of a day (Europe/Oslo), as it was
    e-mailed to the privacy officers. Insert-only, like the chain.

    ``head_id`` is the last link whose row was written on or before the day, ``head`` its hash,
    ``rows`` the links since the day before's head."""

    day = models.DateField(_("dag"), unique=True)
    head_id = models.BigIntegerField(_("siste innslag"))
    head = models.BinaryField(_("hash"), max_length=32)
    rows = models.PositiveBigIntegerField(_("rader"))
    at = models.DateTimeField(_("laget"), default=timezone.now)

    class Meta:
        verbose_name = _("innsynsloggens dagssum")
        verbose_name_plural = _("innsynsloggens dagssummer")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}:{self.head_id}:{bytes(self.head).hex()}"


class AccessLogDrop(Model):
    """One month of the access log dropped past its retention period (``consent/partitions.py``).
    Insert-only, like the chain; it keeps no content of the rows.

    The chain's verification starts after the latest drop's ``boundary_id``, from its
    ``boundary_hash``: the last link whose row was dropped and that every kept row comes after.
    ``stragglers`` are the month's rows linked after the boundary (a row written in the last
    moments of the month whose id came after a row of the next month's); the verification
    takes their missing rows as dropped, and any other missing row as removed."""

    month = models.DateField(_("måned"), unique=True)  # its first day (UTC)
    rows = models.PositiveBigIntegerField(_("rader"))
    boundary_id = models.BigIntegerField(_("siste lenke før de beholdte radene"), null=True)
    boundary_hash = models.BinaryField(_("hash ved grensen"), max_length=32, null=True)
    stragglers = models.JSONField(_("lenker etter grensen"), default=list)
    kept_from = models.DateTimeField(_("oppbevares fra"))
    at = models.DateTimeField(_("slettet"), default=timezone.now)

    class Meta:
        verbose_name = _("slettet måned av innsynsloggen")
        verbose_name_plural = _("slettede måneder av innsynsloggen")
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.rows}"
