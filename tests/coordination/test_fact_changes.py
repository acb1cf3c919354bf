"""How soon a deadline reflects a change: ``cases`` records fact changes as rows, and the ledger
derives each changed youth once — before the response of the request that changed it, or by the
worker for changes made outside a request."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from cases import events, services
from cases.models import FactChange, Innsatsgruppe
from coordination import tasks
from coordination.deadlines import ledger, rules
from coordination.models import Deadline
from tests.coordination.conftest import Office

SIT = Innsatsgruppe.SITUASJONSBESTEMT_INNSATS


def _decide(office: Office, youth: Any) -> Any:
    return services.decision_record(
        actor=office.advisor,
        youth=youth,
        service=office.nav,
        innsatsgruppe=SIT,
        main_goal="SKAFFE_ARBEID",
        decided_on=datetime.date(2027, 1, 20),
    )


def test_a_change_through_the_api_is_in_the_deadlines_when_the_response_arrives(
    office: Office, travel: Any, client_for: Any
) -> None:
    travel("2027-01-20", 10)
    youth = office.youth("2005-06-10", on="2027-01-20")  # 21: UG-PLAN-1M applies
    body = {
        "service": str(office.nav.pk),
        "innsatsgruppe": SIT,
        "main_goal": "SKAFFE_ARBEID",
        "decided_on": "2027-01-20",
    }
    answer = client_for(office.advisor).post(
        f"/api/v1/youths/{youth.pk}/decisions/", body, format="json"
    )
    assert answer.status_code == 201
    row = Deadline.objects.get(youth=youth, rule_id="UG-PLAN-1M")
    assert (str(row.due_on), row.status) == ("2027-02-20", "OPEN")
    assert not FactChange.objects.filter(youth=youth).exists()


def test_a_change_outside_a_request_waits_for_the_worker_which_runs_every_30_seconds(
    office: Office, travel: Any
) -> None:
    travel("2027-01-20", 10)
    youth = office.youth("2005-06-10", on="2027-01-20")
    _decide(office, youth)  # as a shell or a task would
    assert not Deadline.objects.filter(youth=youth, rule_id="UG-PLAN-1M").exists()
    assert list(FactChange.objects.filter(youth=youth).values_list("fact", flat=True)) == [
        "decision.recorded"
    ]
    assert tasks.deadlines_derive_changed() == 1
    assert Deadline.objects.filter(youth=youth, rule_id="UG-PLAN-1M").exists()
    assert not FactChange.objects.exists()
    schedule = settings.CELERY_BEAT_SCHEDULE["deadlines-derive-changed"]
    assert schedule["task"] == "coordination.tasks.deadlines_derive_changed"
    assert schedule["schedule"] == settings.DEADLINES_DERIVE_SECONDS == 30


def test_each_youth_is_derived_once_however_many_of_its_facts_changed(
    office: Office, travel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel("2027-01-20", 10)
    first = office.youth("2005-06-10", on="2027-01-20")
    second = office.youth("2004-03-01", on="2027-01-20")
    with transaction.atomic():
        _decide(office, first)
        _decide(office, first)
        _decide(office, second)
        plan = services.activity_plan_create(actor=office.advisor, youth=first, service=office.nav)
        services.activity_plan_approve(actor=office.advisor, plan=plan, version=plan.version)
    assert FactChange.objects.filter(youth=first).count() == 3
    derived: list[Any] = []
    sync = ledger.sync_youths
    monkeypatch.setattr(
        ledger,
        "sync_youths",
        lambda youth_ids, **kw: derived.extend(youth_ids) or sync(youth_ids, **kw),
    )
    assert ledger.derive_changed() == 2
    assert sorted(map(str, derived)) == sorted([str(first.pk), str(second.pk)])
    assert Deadline.objects.get(youth=first, rule_id="UG-PLAN-1M").status == "MET"


def test_a_failed_derivation_keeps_the_youths_changes_and_the_others_go_on(
    office: Office, travel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel("2027-01-20", 10)
    failing = office.youth("2005-06-10", on="2027-01-20")
    other = office.youth("2004-03-01", on="2027-01-20")
    _decide(office, failing)
    _decide(office, other)
    sync = ledger.sync_youths

    def sync_or_fail(youth_ids: Any, **kw: Any) -> Any:
        if failing.pk in youth_ids:
            raise RuntimeError("the database went away")
        return sync(youth_ids, **kw)

    monkeypatch.setattr(ledger, "sync_youths", sync_or_fail)
    assert ledger.derive_changed() == 1
    assert FactChange.objects.filter(youth=failing).count() == 1
    assert not FactChange.objects.filter(youth=other).exists()
    monkeypatch.setattr(ledger, "sync_youths", sync)
    assert ledger.derive_changed() == 1  # the next run takes it
    assert Deadline.objects.filter(youth=failing, rule_id="UG-PLAN-1M").exists()


def test_the_nightly_sweep_derives_the_other_youths_when_one_fails(
    office: Office, travel: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    travel("2027-01-20", 10)
    failing = office.youth("2005-06-10", on="2027-01-20")
    other = office.youth("2004-03-01", on="2027-01-20")
    _decide(office, failing)
    _decide(office, other)
    Deadline.objects.all().delete()  # lost rows, as the sweep repairs them
    sync = ledger.sync_youths

    def sync_or_fail(youth_ids: Any, **kw: Any) -> Any:
        if failing.pk in youth_ids:
            raise RuntimeError("the database went away")
        return sync(youth_ids, **kw)

    monkeypatch.setattr(ledger, "sync_youths", sync_or_fail)
    assert ledger.sweep()["youths"] == 1
    assert Deadline.objects.filter(youth=other, rule_id="UG-PLAN-1M").exists()
    assert not Deadline.objects.filter(youth=failing).exists()
    assert "deadlines of a youth not derived" in caplog.text
    assert str(failing.national_id) not in caplog.text
    monkeypatch.setattr(ledger, "sync_youths", sync)
    assert ledger.sweep()["youths"] == 2  # the next night takes it
    assert Deadline.objects.filter(youth=failing, rule_id="UG-PLAN-1M").exists()


def test_one_youth_is_derived_by_its_id_or_the_ids_text(office: Office, travel: Any) -> None:
    travel("2027-01-20", 10)
    youth = office.youth("2005-06-10", on="2027-01-20")
    _decide(office, youth)
    Deadline.objects.all().delete()
    assert ledger.sync_youths([str(youth.pk)])[youth.pk].created > 0
    assert ledger.sync_youths([youth.pk]) == {youth.pk: ledger.SyncResult()}
    assert ledger.sync_youths([uuid.uuid4()]) == {}


def test_a_change_that_rolls_back_leaves_nothing_to_derive(office: Office, travel: Any) -> None:
    travel("2027-01-20", 10)
    youth = office.youth("2005-06-10", on="2027-01-20")
    with events.recording() as changed, pytest.raises(RuntimeError), transaction.atomic():
        _decide(office, youth)
        raise RuntimeError("refused later in the same write")
    assert changed == {youth.pk}
    assert not FactChange.objects.exists()
    assert ledger.derive_changed(youth_ids=changed) == 0


def test_youths_derived_together_get_the_deadlines_each_would_get_alone(
    office: Office, travel: Any
) -> None:
    travel("2027-01-20", 10)
    youths = [office.youth(born, on="2027-01-20") for born in ("2005-06-10", "2004-03-01")]
    for youth in youths[:1]:
        _decide(office, youth)
    before = {y.pk: Deadline.objects.filter(youth=y).count() for y in youths}
    results = ledger.sync_youths([y.pk for y in youths])
    assert {pk: r.created for pk, r in results.items()} == {
        y.pk: Deadline.objects.filter(youth=y).count() - before[y.pk] for y in youths
    }
    assert results[youths[0].pk].created > 0
    # One by one afterwards, nothing is left to change: the batch derived what each would.
    for youth in youths:
        assert ledger.sync_youths([youth.pk]) == {youth.pk: ledger.SyncResult()}
    assert Deadline.objects.get(youth=youths[0], rule_id="UG-PLAN-1M").due_on == datetime.date(
        2027, 2, 20
    )


def test_facts_are_read_in_the_same_number_of_queries_for_one_youth_or_many(
    office: Office, travel: Any, django_assert_num_queries: Any
) -> None:
    travel("2027-01-20", 10)
    youths = [
        office.youth(born, on="2027-01-20") for born in ("2005-06-10", "2004-03-01", "2006-01-31")
    ]
    for youth in youths:
        _decide(office, youth)
    with django_assert_num_queries(9):
        rules.load_facts_many(youths[:1])
    with django_assert_num_queries(9):
        facts = rules.load_facts_many(youths)
    assert {pk: len(f.decisions) for pk, f in facts.items()} == {y.pk: 1 for y in youths}
