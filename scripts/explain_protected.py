"""EXPLAIN ANALYZE of the caseload page and of reach, with and without the protected-identity
screen (``cases.access.screen``), on a generated dataset in an empty, migrated database:

    python scripts/with_postgres.py -- sh -c \
      'python manage.py migrate -v0 && python manage.py shell -c \
       "exec(open(\"scripts/explain_protected.py\").read())"'

100,000 youths, 98% followed by one NAV office, one in 1,000 kode 6, one in 1,000 kode 7 and
one in 2,000 shielded. See docs/performance.md.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from cases import access, caseload
from cases.models import Service, StaffMembership

N = 100_000
nav = Service.objects.create(
    kind="NAV", name="NAV Bench", municipality_number="4003", notification_email="x@example.no"
)
other = Service.objects.create(
    kind="OT", name="OT Bench", municipality_number="4003", notification_email="y@example.no"
)
user = get_user_model().objects.create(username="bench")
StaffMembership.objects.create(user=user, service=nav, role="CASEWORKER")
# The plans never read an identity number: its sealed value and index are placeholders here.
with connection.cursor() as c:
    c.execute(
        """
        INSERT INTO cases_youth (id, national_id_sealed, national_id_index, national_id_kind,
            birth_date, first_name, last_name, municipality_number, email, phone, version,
            created_at, updated_at, address_protection, shielded)
        SELECT gen_random_uuid(), 'plan:' || i, 'plan:' || i, 'FNR',
            DATE '2000-01-01' + (i %% 3000),
            'F' || (i %% 997), 'L' || (i %% 4999), '4003', '', '', 1, now(), now(),
            CASE WHEN i %% 1000 = 0 THEN 'STRENGT_FORTROLIG' WHEN i %% 1000 = 1 THEN 'FORTROLIG'
                 ELSE 'UGRADERT' END,
            i %% 2000 = 2
        FROM generate_series(1, %s) AS i
        """,
        [N],
    )
    c.execute(
        """
        INSERT INTO cases_followupperiod (id, youth_id, service_id, responsible_id, started_on,
            reason, end_reason, version, created_at, updated_at, youth_last_name,
            youth_first_name)
        SELECT gen_random_uuid(), y.id,
            CASE WHEN (('x' || substr(md5(y.id::text), 1, 8))::bit(32)::int %% 50) = 0
                 THEN %s::uuid ELSE %s::uuid END,
            NULL, DATE '2025-01-01', 'x', '', 1, now(), now(), y.last_name, y.first_name
        FROM cases_youth y
        """,
        [str(other.pk), str(nav.pk)],
    )
    c.execute("ANALYZE")

viewer = access.viewer_for(user)


def plan(label: str, qs: Any) -> None:
    print(f"=== {label}")
    print(qs.explain(analyze=True))


for label, cleared in (
    ("no clearance (screened)", viewer.cleared),
    ("every clearance (no screen)", ((nav.pk,), (nav.pk,), (nav.pk,))),
):
    filters = caseload.CaseloadFilter(reach=viewer.reach, cleared=cleared)
    page = caseload._page(one_service=True, bottom=0, top=50, **filters.inputs())
    plan(f"caseload page, {label}", page)
plan(
    "reachable_youths by name, no clearance",
    access.reachable_youths(viewer).filter(last_name="L17"),
)
