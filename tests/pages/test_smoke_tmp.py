from typing import Any
import pytest
from tests.coordination.plan_helpers import make_plan, activate

@pytest.mark.django_db
def test_smoke(people: Any, client: Any) -> None:
    plan = activate(people, make_plan(people))
    client.force_login(people.nav_advisor)
    for url in ["/", "/day/", "/youths/", f"/youths/{people.youth.pk}/", f"/youths/{people.youth.pk}/log/",
                f"/youths/{people.youth.pk}/consents/new/", f"/youths/{people.youth.pk}/refer/",
                f"/youths/{people.youth.pk}/handover/", "/referrals/", "/referrals/?box=outbox", f"/plans/{plan.pk}/",
                "/reports/youth-guarantee/"]:
        r = client.get(url, follow=True)
        assert r.status_code == 200, (url, r.status_code, r.content[:3000])
    client.force_login(people.coordinator)
    r = client.get(f"/plans/{plan.pk}/")
    assert r.status_code == 200
    assert b"Registrer evaluering" in r.content
    client.force_login(people.privacy_officer)
    r = client.get("/access-log/")
    assert r.status_code == 200, r.content[:2000]
