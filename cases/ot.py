"""The follow-up service's (OT's) age range: pure functions, the dates passed in.

OT follows youths with the right to upper secondary education who are not in education or work
(domain.md §3). Its upper age limit is the end of the calendar year the youth turns 24 under
opplæringslova 2023 § 9-4, in force from 1 August 2024; before that it was the end of the year
the youth turned 21 (opplæringslova 1998 § 3-6). The limit is the one in force on the day that
is judged. The lower end is the right to upper secondary education itself (finishing lower
secondary school), not an age, so it is not checked here.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Opplæringslova 2023 § 9-4 in force (the act's commencement, 1 August 2024).
OPPLARINGSLOVA_2023_IN_FORCE = datetime.date(2024, 8, 1)
OT_AGE_LIMIT = 24  # opplæringslova 2023 § 9-4: to the end of the year the youth turns 24
OT_AGE_LIMIT_BEFORE_2024 = 21  # opplæringslova 1998 § 3-6: to the end of the year of 21
ONE_DAY = datetime.timedelta(days=1)


def ot_age_limit_on(day: datetime.date) -> int:
    """The age whose calendar year ends OT's range, under the law in force on ``day``."""
    return OT_AGE_LIMIT if day >= OPPLARINGSLOVA_2023_IN_FORCE else OT_AGE_LIMIT_BEFORE_2024


def ot_source_on(day: datetime.date) -> str:
    """The provision that sets the limit on ``day``."""
    if day >= OPPLARINGSLOVA_2023_IN_FORCE:
        return "opplæringslova (2023) § 9-4"
    return "opplæringslova (1998) § 3-6"


def ot_last_day(birth_date: datetime.date, day: datetime.date) -> datetime.date:
    """The last day OT may follow a youth born ``birth_date``, under the law in force on
    ``day``: 31 December of the year the youth turns the limit age (a year, so a birthday on
    29 February counts like any other day of its year)."""
    return datetime.date(birth_date.year + ot_age_limit_on(day), 12, 31)


def ot_within_age(birth_date: datetime.date, day: datetime.date) -> bool:
    """Whether OT may register or refer a youth born ``birth_date`` on ``day``."""
    return day <= ot_last_day(birth_date, day)


def check_ot_age(birth_date: datetime.date, days: tuple[datetime.date, ...], field: str) -> None:
    """Refuse (a ValidationError on ``field``) a youth outside OT's range on any of ``days``."""
    for day in sorted(set(days)):
        if not ot_within_age(birth_date, day):
            raise ValidationError(
                {
                    field: ValidationError(
                        _(
                            "Oppfølgingstjenesten følger ungdom til og med 31. desember det året "
                            "de fyller %(limit)s år (%(source)s). Denne ungdommen er utenfor "
                            "aldersgrensen fra %(after)s."
                        ),
                        code="ot_age_limit",
                        params={
                            "limit": ot_age_limit_on(day),
                            "source": ot_source_on(day),
                            "after": f"{ot_last_day(birth_date, day) + ONE_DAY:%d.%m.%Y}",
                        },
                    )
                }
            )
