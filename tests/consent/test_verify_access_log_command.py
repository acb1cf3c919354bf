"""manage.py verify_access_log: exit 0 when the chain holds, 1 when it does not, 2 for bad input."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from consent.models import AccessLogDigest, AccessLogSeal
from tests.consent.chain_helpers import as_superuser, at, reseal_from, three_days

pytestmark = pytest.mark.django_db


def verify(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(at("2027-03-15", 1), tick=False):
        call_command("verify_access_log", *args, stdout=out)
    return out.getvalue()


def test_an_intact_chain_exits_0_and_says_what_it_checked() -> None:
    ids = three_days()

    output = verify()

    first, last = ids["2027-03-12"][0], ids["2027-03-14"][-1]
    assert f"Checked 9 links (rows {first}–{last}) from the first link and 3 digests" in output
    assert "The chain holds." in output


def test_a_broken_chain_exits_1_naming_the_first_broken_link() -> None:
    ids = three_days()
    altered, removed = ids["2027-03-13"][1], ids["2027-03-14"][0]
    as_superuser(
        "UPDATE consent_accesslogentry SET actor_name = 'Someone else' WHERE id = %s",
        "DELETE FROM consent_accesslogentry WHERE id = %s",
        params=[[altered], [removed]],
    )
    out = io.StringIO()

    with (
        time_machine.travel(at("2027-03-15", 1), tick=False),
        pytest.raises(CommandError) as broken,
    ):
        call_command("verify_access_log", stdout=out)

    assert broken.value.returncode == 1
    assert f"the first at row {altered}" in str(broken.value)
    lines = out.getvalue().splitlines()
    assert lines[2] == (
        f"first broken link: altered: row {altered} (2027-03-13): "
        "the row's content does not match its link"
    )
    assert lines[3] == f"missing: row {removed}: the row is gone (its link remains)"


def test_a_rewrite_shows_only_against_the_digest_given_from_the_e_mail() -> None:
    ids = three_days()
    digest = AccessLogDigest.objects.get(day="2027-03-13")
    e_mailed = f"2027-03-13:{digest.head_id}:{bytes(digest.head).hex()}"
    as_superuser(
        "UPDATE consent_accesslogentry SET granted = false WHERE id = %s",
        params=[[ids["2027-03-13"][0]]],
    )
    reseal_from(ids["2027-03-13"][0])
    heads = dict(AccessLogSeal.objects.values_list("entry_id", "hash"))
    as_superuser(
        *["UPDATE consent_accesslogdigest SET head = %s WHERE head_id = %s"] * 2,
        params=[[bytes(heads[i]), i] for i in (ids["2027-03-13"][-1], ids["2027-03-14"][-1])],
    )
    assert "The chain holds." in verify()

    with pytest.raises(CommandError) as broken:
        verify("--digest", e_mailed)

    assert broken.value.returncode == 1
    assert f"the first at row {digest.head_id}" in str(broken.value)


def test_verifying_from_a_date_starts_at_the_day_before() -> None:
    ids = three_days()

    output = verify("--since", "2027-03-14")

    assert f"from the digest of 2027-03-13 (row {ids['2027-03-13'][-1]})" in output
    assert "Checked 2 links" in output


@pytest.mark.parametrize(
    "digest",
    [
        "2027-03-13",
        "2027-03-13:12:abc",
        "13.03.2027:12:" + "ab" * 32,
        "2027-03-13:twelve:" + "ab" * 32,
        "2027-03-13:12:" + "zz" * 32,
    ],
)
def test_a_digest_not_written_as_the_e_mail_gives_it_exits_2(digest: str) -> None:
    three_days()

    with pytest.raises(CommandError) as wrong:
        verify("--digest", digest)

    assert wrong.value.returncode == 2
    assert "DAG:RAD:HASH" in str(wrong.value) and "DAY:ROW:HASH" in str(wrong.value)
