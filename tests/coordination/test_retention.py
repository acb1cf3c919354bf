"""Retention: every model holding youth data has a rule; at each date exactly what is due is
deleted, in batches that commit whole or not at all, recorded as counts without content; the
dry run changes nothing; deleted records' deadlines are not derived again."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import (
    FollowUpEntry,
    FollowUpPeriod,
    Guardian,
    Handover,
    HandoverState,
    PortalAccount,
    Referral,
    Youth,
)
from consent.models import AccessLogEntry, Consent
from coordination.deadlines import ledger
from coordination.models import OPEN_PLAN_STATUSES, Deadline, Plan, RetentionDeletion
from coordination.plans import services as plan_services
from coordination.retention import purge
from coordination.retention.rules import (
    CONSENT_PROOF,
    CONSENT_PROOF_MIN_YEARS,
    FOLLOW_UP,
    OWN_RETENTION,
    RULES,
    add_years,
)
from core.models import AuditEntry
from tests import factories
from tests.coordination.export_helpers import Held, minor_with_everything
from tests.coordination.test_export import holding_youth_data, rows_about

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
RECORDED = datetime.date(2025, 3, 10)


@contextmanager
def on(day: datetime.date, hour: int = 12, minute: int = 0) -> Iterator[None]:
    with time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO), tick=False
    ):
        yield


def at_utc(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=datetime.UTC)


def close_everything(people: Any, youth: Youth) -> None:
    """Close every open part of the youth's record today, through the services."""
    for plan in Plan.objects.filter(youth=youth, status__in=OPEN_PLAN_STATUSES):
        plan_services.plan_close(
            actor=plan.coordinator, plan=plan, version=plan.version, reason="NOT_NEEDED"
        )
    for handover in Handover.objects.filter(youth=youth, state=HandoverState.PENDING):
        services.handover_cancel(actor=handover.from_user, handover=handover)
    for referral in Referral.objects.filter(youth=youth, state__in=["SENT", "RECEIVED"]):
        services.referral_withdraw(
            actor=referral.sent_by, referral=referral, version=referral.version
        )
    for period in FollowUpPeriod.objects.filter(youth=youth, ended_on__isnull=True):
        services.period_close(
            actor=period.created_by, period=period, version=period.version, end_reason="Ferdig"
        )
    factories.derived()


def held_and_closed(people: Any, closed_on: datetime.date, *, name: str = "Sara") -> Held:
    with on(RECORDED):
        held = minor_with_everything(people, name=name)
    with on(closed_on):
        close_everything(people, held.youth)
    return held


def quiet_youth(people: Any, closed_on: datetime.date, *, name: str) -> Youth:
    """A youth followed by NAV with an entry, never looked at: no access-log rows."""
    with on(RECORDED):
        youth = factories.register_youth(people.nav_advisor, people.nav, first_name=name)
        services.entry_log(
            actor=people.nav_advisor,
            youth=youth,
            service=people.nav,
            occurred_on=RECORDED,
            kind="NOTE",
            category="WORK_AND_WELFARE",
            text="Et notat",
        )
        factories.derived()
    with on(closed_on):
        close_everything(people, youth)
    return youth


def everything_about(youth: Youth) -> dict[str, set[str]]:
    return {label: rows_about(label, youth) for label in holding_youth_data()}


def run(moment: datetime.datetime, **options: Any) -> purge.Report:
    with time_machine.travel(moment, tick=False):
        return purge.purge(**options)


def test_every_model_holding_youth_data_has_a_retention_rule() -> None:
    ruled = {label for rule in RULES for label in rule.models}
    holding = set(holding_youth_data())
    assert holding - ruled - set(OWN_RETENTION) == set(), "a model about a youth has no rule"
    assert ruled | set(OWN_RETENTION) <= holding
    assert all(apps.get_model(label) for label in ruled)


def test_a_year_after_a_leap_day_is_the_28th_of_february() -> None:
    assert add_years(datetime.date(2028, 2, 29), 5) == datetime.date(2033, 2, 28)
    assert add_years(datetime.date(2028, 2, 29), 4) == datetime.date(2032, 2, 29)
    assert add_years(datetime.date(2026, 3, 31), 5) == datetime.date(2031, 3, 31)


def test_consent_proof_is_kept_at_least_the_three_year_limitation_period_of_foreldelsesloven(
    tmp_path: Any,
) -> None:
    from tests.coordination.test_settings import _load_settings

    assert CONSENT_PROOF_MIN_YEARS == 3
    refused = _load_settings(SAMORDNA_VAR_DIR=str(tmp_path), RETENTION_CONSENT_PROOF_YEARS="2")
    assert refused.returncode != 0 and "RETENTION_CONSENT_PROOF_YEARS" in refused.stderr
    kept = _load_settings(SAMORDNA_VAR_DIR=str(tmp_path), RETENTION_CONSENT_PROOF_YEARS="3")
    assert kept.returncode == 0, kept.stderr


def test_the_follow_up_record_goes_five_years_after_it_closed_at_month_end_not_a_day_before(
    people: Any,
) -> None:
    closed = datetime.date(2026, 3, 31)
    held = held_and_closed(people, closed)
    due = add_years(closed, FOLLOW_UP.keep)
    assert due == datetime.date(2031, 3, 31)
    before = everything_about(held.youth)

    run(datetime.datetime(2031, 3, 30, 23, 59, tzinfo=OSLO))
    kept = everything_about(held.youth)
    # The day before: the consent not tied to the plan (due three years after closing) and the
    # entry deleted in error (due 90 days after its deletion), nothing else.
    gone = {label: before[label] - kept[label] for label in before if before[label] - kept[label]}
    assert set(gone) == {
        "consent.Consent",
        "consent.ConsentScope",
        "consent.GuardianDecision",
        "cases.FollowUpEntry",
    }
    assert gone["cases.FollowUpEntry"] == {str(held.deleted.pk)}
    assert Plan.objects.filter(youth=held.youth).exists()

    report = run(datetime.datetime(2031, 3, 31, 0, 1, tzinfo=OSLO))
    after = everything_about(held.youth)
    # Looked at: the minimal row stays for the access log, with the youth's own log-in.
    assert {label for label, rows in after.items() if rows} == {
        "cases.Youth",
        "cases.PortalAccount",
        "consent.AccessLogEntry",
    }
    assert after["cases.PortalAccount"] == {str(held.own.pk)}
    youth = Youth.objects.get(pk=held.youth.pk)
    assert (youth.email, youth.phone) == ("", "")
    assert youth.national_id == held.youth.national_id and youth.first_name == "Sara"
    assert report.counts[(FOLLOW_UP.key, "cases.FollowUpEntry", purge.DELETED)] == 4
    assert report.failed == 0


def test_a_consent_is_kept_as_proof_three_years_after_it_ended(people: Any) -> None:
    closed = datetime.date(2026, 3, 31)
    held = held_and_closed(people, closed)
    health = Consent.objects.get(subject=held.youth, purpose_code="SAMARBEID")
    due = add_years(closed, CONSENT_PROOF.keep)  # given without an end: it ended with the record

    run(datetime.datetime.combine(due - datetime.timedelta(days=1), datetime.time(12), OSLO))
    assert Consent.objects.filter(pk=health.pk).exists()
    run(datetime.datetime.combine(due, datetime.time(0, 5), OSLO))
    assert not Consent.objects.filter(pk=health.pk).exists()
    # The plan's consent is kept with the plan.
    assert Consent.objects.filter(subject=held.youth).count() == 1


def test_a_youth_never_looked_at_is_deleted_whole_on_the_leap_day_rule(people: Any) -> None:
    closed = datetime.date(2028, 2, 29)
    youth = quiet_youth(people, closed, name="Ola")
    other = quiet_youth(people, datetime.date(2028, 3, 1), name="Kari")
    assert not AccessLogEntry.objects.filter(subject=youth).exists()

    run(datetime.datetime(2033, 2, 27, 12, tzinfo=OSLO))
    assert Youth.objects.filter(pk=youth.pk).exists()
    report = run(datetime.datetime(2033, 2, 28, 12, tzinfo=OSLO))
    assert not Youth.objects.filter(pk=youth.pk).exists()
    assert all(not rows for rows in everything_about(youth).values())
    assert Youth.objects.filter(pk=other.pk).exists()  # closed a day later: due 1 March
    assert report.counts[("youth_record", "cases.Youth", purge.DELETED)] == 1


@pytest.mark.parametrize(
    ("closed", "before_utc", "due_utc"),
    [
        # Summer time ends in Oslo on 25 October 2026 and 26 October 2031: midnight is 22:00 UTC.
        (datetime.date(2026, 10, 25), (2031, 10, 24, 21, 59), (2031, 10, 24, 22, 0)),
        # Summer time starts on 29 March 2026 and 30 March 2031: on the 29th midnight is 23:00.
        (datetime.date(2026, 3, 29), (2031, 3, 28, 22, 59), (2031, 3, 28, 23, 0)),
    ],
)
def test_the_due_day_is_counted_in_oslo_across_summer_time(
    people: Any, closed: datetime.date, before_utc: tuple[int, ...], due_utc: tuple[int, ...]
) -> None:
    youth = quiet_youth(people, closed, name="Ola")
    run(datetime.datetime(*before_utc, tzinfo=datetime.UTC))
    assert Youth.objects.filter(pk=youth.pk).exists()
    run(datetime.datetime(*due_utc, tzinfo=datetime.UTC))
    assert not Youth.objects.filter(pk=youth.pk).exists()


def test_an_entry_deleted_in_error_is_purged_ninety_days_later_while_the_record_is_open(
    people: Any,
) -> None:
    with on(RECORDED):
        held = minor_with_everything(people)
    deleted_at = FollowUpEntry.objects.get(pk=held.deleted.pk).deleted_at
    assert deleted_at is not None
    run(deleted_at + datetime.timedelta(days=90) - datetime.timedelta(seconds=1))
    assert FollowUpEntry.objects.filter(pk=held.deleted.pk).exists()
    report = run(deleted_at + datetime.timedelta(days=90))
    assert not FollowUpEntry.objects.filter(pk=held.deleted.pk).exists()
    assert FollowUpEntry.objects.filter(youth=held.youth).count() == 4
    assert dict(report.counts) == {
        ("entry_deleted_in_error", "cases.FollowUpEntry", purge.DELETED): 1
    }


def test_the_dry_run_changes_nothing_and_counts_what_the_run_deletes(people: Any) -> None:
    held = held_and_closed(people, datetime.date(2026, 3, 31))
    quiet_youth(people, datetime.date(2026, 3, 31), name="Ola")
    moment = datetime.datetime(2031, 4, 1, 4, tzinfo=OSLO)
    before = everything_about(held.youth)
    records = RetentionDeletion.objects.count(), AuditEntry.objects.count()

    out = io.StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("retention", "--dry-run", stdout=out)
    dry = run(moment, dry_run=True)
    assert everything_about(held.youth) == before
    assert (RetentionDeletion.objects.count(), AuditEntry.objects.count()) == records
    assert "follow_up_record\tcases.FollowUpEntry\tdeleted\t6" in out.getvalue()
    assert "Sara" not in out.getvalue() and "Ola" not in out.getvalue()

    done = run(moment)
    assert done.counts == dry.counts and done.counts


def test_the_record_of_a_deletion_holds_no_content_and_names_no_youth(people: Any) -> None:
    held = held_and_closed(people, datetime.date(2026, 3, 31))
    youth = quiet_youth(people, datetime.date(2026, 3, 31), name="Ola")
    secrets = {str(held.youth.pk), str(youth.pk), held.youth.national_id, youth.national_id}
    secrets |= {"Sara", "Berg", "Ola", "Snakket om arbeidstrening", "Et notat"}
    report = run(datetime.datetime(2031, 4, 1, 4, tzinfo=OSLO))

    recorded = list(RetentionDeletion.objects.values())
    assert {(r["rule"], r["model"], r["kind"]): r["rows"] for r in recorded} == dict(report.counts)
    audit = list(AuditEntry.objects.filter(action="retention.deleted").values())
    assert len(audit) == 1 and audit[0]["subject_id"] is None
    text = json.dumps([recorded, audit], default=str)
    assert [s for s in secrets if s in text] == []


def test_a_failing_batch_leaves_no_partial_write_and_the_next_batch_goes_on(
    people: Any, monkeypatch: Any
) -> None:
    first = quiet_youth(people, datetime.date(2026, 3, 31), name="Ola")
    second = quiet_youth(people, datetime.date(2026, 3, 31), name="Kari")
    failing = min(first.pk, second.pk)
    real = purge._delete_youths

    def fail_for_one(batch: Any, gone: list[Any], *args: Any) -> None:
        real(batch, gone, *args)
        if failing in gone:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(purge, "_delete_youths", fail_for_one)
    report = run(datetime.datetime(2031, 4, 1, 4, tzinfo=OSLO), batch_size=1)

    assert report.failed == 1
    kept = Youth.objects.get(pk=failing)
    assert FollowUpEntry.objects.filter(youth=kept).count() == 1
    assert FollowUpPeriod.objects.filter(youth=kept).count() == 1
    assert not Youth.objects.filter(pk=max(first.pk, second.pk)).exists()
    assert {r.rows for r in RetentionDeletion.objects.filter(model="cases.Youth")} == {1}

    monkeypatch.setattr(purge, "_delete_youths", real)
    again = run(datetime.datetime(2031, 4, 2, 4, tzinfo=OSLO))
    assert not Youth.objects.filter(pk=failing).exists() and again.failed == 0
    assert run(datetime.datetime(2031, 4, 3, 4, tzinfo=OSLO)).counts == {}  # idempotent


def test_deleted_records_deadlines_are_not_derived_again(people: Any) -> None:
    held = held_and_closed(people, datetime.date(2026, 3, 31))
    assert Deadline.objects.filter(youth=held.youth).exists()
    moment = datetime.datetime(2031, 4, 1, 4, tzinfo=OSLO)
    run(moment)
    with time_machine.travel(moment + datetime.timedelta(hours=1), tick=False):
        ledger.sweep()
        factories.sync_youth(held.youth.pk)
        factories.derived()
    assert not Deadline.objects.filter(youth=held.youth).exists()


def test_the_youth_keeps_only_guardians_none_and_audit_after_the_due_day(people: Any) -> None:
    held = held_and_closed(people, datetime.date(2026, 3, 31))
    assert Guardian.objects.filter(youth=held.youth).exists()
    run(datetime.datetime(2031, 4, 1, 4, tzinfo=OSLO))
    assert not Guardian.objects.filter(youth=held.youth).exists()
    assert not PortalAccount.objects.filter(pk=held.parent.pk).exists()
    assert not AuditEntry.objects.filter(subject=held.youth).exists()
    # A later run finds nothing more to do with the minimal row.
    assert run(datetime.datetime(2031, 4, 2, 4, tzinfo=OSLO)).counts == {}


@pytest.mark.parametrize("size", [1, 3])
def test_a_batch_runs_the_same_queries_however_many_youths_are_due(people: Any, size: int) -> None:
    for n in range(size):
        quiet_youth(people, datetime.date(2026, 3, 31), name=f"Ola{n}")
    moment = datetime.datetime(2031, 4, 1, 4, tzinfo=OSLO)
    with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as captured:
        report = purge.purge(batch_size=50)
    assert report.counts[("youth_record", "cases.Youth", purge.DELETED)] == size
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # The state of the batch's youths, their consents, the deleted entries, the follow-up
    # record's 34 models (35 statements: the activity comments that correct others go first),
    # the youth's 5, the record and the audit entry; then the empty batch, and the Min side
    # users due.
    assert len(statements) == 47, "\n".join(statements)
