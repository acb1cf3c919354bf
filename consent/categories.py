"""Categories of information: the one place they are defined.

Every record on a youth carries one, so a consent or a legal basis can name what it covers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    GENERAL = "GENERAL", _("Generelt (identitet, kontakt, hvilke tjenester som følger opp)")
    EDUCATION = "EDUCATION", _("Utdanning")
    WORK_AND_WELFARE = "WORK_AND_WELFARE", _("Arbeid og velferd (NAV-oppfølging)")
    HEALTH = "HEALTH", _("Helse")
    CHILD_WELFARE = "CHILD_WELFARE", _("Barnevern")
    FAMILY_AND_ECONOMY = "FAMILY_AND_ECONOMY", _("Familie og økonomi")


# Special categories (GDPR art. 9 and the like): never shared without consent or a legal basis,
# and for health the youth consents alone from 16 (pasient- og brukerrettighetsloven § 4-3).
SENSITIVE = frozenset({Category.HEALTH, Category.CHILD_WELFARE})
# What every service that follows the youth sees, with no consent needed.
OPEN_TO_FOLLOWING_SERVICES = Category.GENERAL
