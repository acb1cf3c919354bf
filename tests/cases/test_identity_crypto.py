"""Identity numbers at rest: sealed with AES-GCM under a keyring, found by a keyed blind index;
the clear number never reaches the database."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import access, identity_crypto, selectors, services
from cases.models import Guardian, GuardianRelation, StaffRole, Youth, national_id_matches
from cases.models.registry import GUARDIAN_NATIONAL_ID, YOUTH_NATIONAL_ID
from tests import factories
from tests.conftest import People

YOUTHS = "/api/v1/youths/"
NUMBER = "13097248022"  # a classic fødselsnummer (13 September 1972), a test value
# A condition no row meets: the look-up that a concurrent registration slipped past.
NO_ROW = Q(pk__isnull=True)


def key(kid: str, fill: int) -> str:
    return f"{kid}:{base64.b64encode(bytes([fill]) * 32).decode()}"


@pytest.fixture
def keys(settings: Any) -> Any:
    """A ring of known keys, ahead of the local ones (which still open the fixtures' rows)."""
    settings.SAMORDNA_IDENTITY_KEYS = f"{key('k1', 1)},{settings.SAMORDNA_IDENTITY_KEYS}"
    return settings


# --- The primitives -------------------------------------------------------------------------


def test_a_sealed_number_opens_to_itself_and_carries_its_key_id(keys: Any) -> None:
    sealed = identity_crypto.seal(NUMBER, column=YOUTH_NATIONAL_ID, row="r1")
    assert sealed.startswith("k1:") and identity_crypto.key_id(sealed) == "k1"
    assert NUMBER not in sealed
    assert identity_crypto.open_sealed(sealed, column=YOUTH_NATIONAL_ID, row="r1") == NUMBER


def test_sealing_twice_gives_two_values_but_one_index(keys: Any) -> None:
    """A random nonce per value: equal numbers do not look equal; only the index says so."""
    first = identity_crypto.seal(NUMBER, column=YOUTH_NATIONAL_ID, row="r1")
    second = identity_crypto.seal(NUMBER, column=YOUTH_NATIONAL_ID, row="r1")
    assert first != second
    assert identity_crypto.blind_index(NUMBER) == identity_crypto.blind_index("130972 48022")


def _flip(sealed: str, position: int) -> str:
    kid, _sep, encoded = sealed.partition(":")
    raw = bytearray(base64.b64decode(encoded))
    raw[position] ^= 1
    return f"{kid}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("position", [0, 12, 20, -1], ids=["nonce", "first", "middle", "tag"])
def test_an_altered_sealed_value_is_refused(keys: Any, position: int) -> None:
    sealed = identity_crypto.seal(NUMBER, column=YOUTH_NATIONAL_ID, row="r1")
    with pytest.raises(identity_crypto.SealedValueError):
        identity_crypto.open_sealed(_flip(sealed, position), column=YOUTH_NATIONAL_ID, row="r1")


def test_a_sealed_value_moved_to_another_row_or_column_is_refused(keys: Any) -> None:
    sealed = identity_crypto.seal(NUMBER, column=YOUTH_NATIONAL_ID, row="r1")
    with pytest.raises(identity_crypto.SealedValueError):
        identity_crypto.open_sealed(sealed, column=YOUTH_NATIONAL_ID, row="r2")
    with pytest.raises(identity_crypto.SealedValueError):
        identity_crypto.open_sealed(sealed, column=GUARDIAN_NATIONAL_ID, row="r1")


def test_a_value_under_a_key_no_longer_in_the_ring_is_refused_by_name(keys: Any) -> None:
    sealed = identity_crypto.seal(NUMBER, column=YOUTH_NATIONAL_ID, row="r1")
    keys.SAMORDNA_IDENTITY_KEYS = key("k2", 2)
    with pytest.raises(identity_crypto.SealedValueError, match="'k1'"):
        identity_crypto.open_sealed(sealed, column=YOUTH_NATIONAL_ID, row="r1")


def test_a_value_under_an_older_key_of_the_ring_still_opens(keys: Any) -> None:
    sealed = identity_crypto.seal(NUMBER, column=YOUTH_NATIONAL_ID, row="r1")
    keys.SAMORDNA_IDENTITY_KEYS = f"{key('k2', 2)},{key('k1', 1)}"
    assert identity_crypto.open_sealed(sealed, column=YOUTH_NATIONAL_ID, row="r1") == NUMBER
    assert identity_crypto.key_id(identity_crypto.seal(NUMBER, column="c", row=1)) == "k2"


def test_the_blind_index_depends_on_its_key(settings: Any) -> None:
    """Without the key the index cannot be recomputed from the few hundred numbers a birth date
    leaves; with another key it differs."""
    settings.SAMORDNA_IDENTITY_INDEX_KEY = key("i1", 7)
    under_i1 = identity_crypto.blind_index(NUMBER)
    settings.SAMORDNA_IDENTITY_INDEX_KEY = key("i2", 8)
    under_i2 = identity_crypto.blind_index(NUMBER)
    assert under_i1.startswith("i1:") and under_i2.startswith("i2:")
    assert under_i1.partition(":")[2] != under_i2.partition(":")[2]
    settings.SAMORDNA_IDENTITY_INDEX_KEY = f"{key('i2', 8)},{key('i1', 7)}"
    assert identity_crypto.blind_indexes(NUMBER) == [under_i2, under_i1]


def test_keyrings_parse_with_commas_or_new_lines_current_first() -> None:
    ring = identity_crypto.parse_keyring(f" {key('b', 2)}\n{key('a', 1)} ,", name="X")
    assert ring.current == "b"
    assert ring.keys == {"b": bytes([2]) * 32, "a": bytes([1]) * 32}
    with pytest.raises(ImproperlyConfigured, match="X holds no key"):
        identity_crypto.parse_keyring(" , ", name="X")


def test_local_keys_are_made_once_and_shared(tmp_path: Any) -> None:
    path = tmp_path / "var" / "identity-keys"
    made = identity_crypto.development_keys(path)
    assert identity_crypto.development_keys(path) == made
    identity_crypto.check_keys(*made)
    assert [p.name for p in path.parent.iterdir()] == ["identity-keys"]  # no drafts left


# --- The models: what the database holds ----------------------------------------------------


def test_the_clear_number_never_reaches_the_database(people: People, client_for: Any) -> None:
    """Registering, looking up and registering again send only sealed values and indexes."""
    birth = factories.years_ago(19)
    number = factories.synthetic_number(birth)
    api = client_for(people.nav_advisor)
    body = {
        "national_id": number,
        "first_name": "Siri",
        "last_name": "Dahl",
        "municipality_number": "4003",
        "service": str(people.nav.pk),
        "reason": "Arbeidssøker",
    }
    school_staff = factories.make_staff(people.school)
    with CaptureQueriesContext(connection) as captured:
        assert api.post(YOUTHS, body, format="json").status_code == 201
        found = api.post(f"{YOUTHS}lookup/", {"national_id": number}, format="json")
        assert found.status_code == 200
        school = client_for(school_staff)  # the same client, now the school's
        again = school.post(YOUTHS, {**body, "service": str(people.school.pk)}, format="json")
        assert again.status_code == 200
    sent = "\n".join(query["sql"] for query in captured.captured_queries)
    assert identity_crypto.blind_index(number) in sent
    assert number not in sent
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_youth WHERE last_name = 'Dahl'")
        [row] = cursor.fetchall()
    assert number not in " ".join(map(str, row))
    youth = Youth.objects.get(last_name="Dahl")
    assert youth.national_id == number
    assert youth.national_id_sealed.startswith(identity_crypto.current_key_ids()[0] + ":")


def test_a_stored_youth_whose_sealed_number_was_altered_does_not_open(people: People) -> None:
    Youth.objects.filter(pk=people.youth.pk).update(
        national_id_sealed=_flip(people.youth.national_id_sealed, 15)
    )
    with pytest.raises(identity_crypto.SealedValueError):
        _ = Youth.objects.get(pk=people.youth.pk).national_id


def test_swapping_two_youths_sealed_numbers_is_detected(people: People) -> None:
    other = factories.register_youth(people.nav_advisor, people.nav, first_name="Ola")
    Youth.objects.filter(pk=other.pk).update(national_id_sealed=people.youth.national_id_sealed)
    with pytest.raises(identity_crypto.SealedValueError):
        _ = Youth.objects.get(pk=other.pk).national_id


def test_the_database_keeps_one_youth_per_identity_number(people: People) -> None:
    twin = Youth(
        birth_date=people.youth.birth_date,
        first_name="Tvilling",
        last_name="Hansen",
        municipality_number="4003",
        national_id_kind=people.youth.national_id_kind,
    )
    twin.national_id = people.youth.national_id
    assert twin.national_id_index == people.youth.national_id_index
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert [e.code for e in refused.value.error_dict["national_id"]] == ["unique"]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)


def test_a_second_registration_racing_past_the_look_up_answers_400_on_the_number(
    people: People, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registered by someone else between the look-up and the insert: the model's unique check
    answers on ``national_id`` (Norwegian and English)."""
    monkeypatch.setattr(services.registry, "national_id_matches", lambda number: NO_ROW)
    body = {
        "national_id": people.youth.national_id,
        "first_name": "Emma",
        "last_name": "Hansen",
        "municipality_number": "4003",
        "service": str(people.school.pk),
        "reason": "Fravær",
    }
    staff = factories.make_staff(people.school)
    for language, message in (
        ("nb", "En ungdom med dette identitetsnummeret er allerede registrert."),
        ("en", "A youth with this identity number is already registered."),
    ):
        response = client_for(staff, language).post(YOUTHS, body, format="json")
        assert response.status_code == 400
        [error] = response.json()["error"]["fields"]["national_id"]
        assert (error["code"], error["message"]) == ("unique", message)
    assert Youth.objects.count() == 1


def test_a_registration_whose_insert_clashes_follows_the_record_already_there(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unique index is the last word: the clashing insert rolls back and the service
    follows the youth found by the index."""
    real = national_id_matches
    calls: list[str] = []

    def first_misses(number: str) -> Any:
        calls.append(number)
        return NO_ROW if len(calls) == 1 else real(number)

    monkeypatch.setattr(services.registry, "national_id_matches", first_misses)
    monkeypatch.setattr(Youth, "validate_unique", lambda self, exclude=None: None)
    staff = factories.make_staff(people.school)
    youth, _period, created = services.youth_register(
        actor=staff,
        service=people.school,
        national_id=people.youth.national_id,
        first_name="Emma",
        last_name="Hansen",
        municipality_number="4003",
        reason="Fravær",
    )
    assert (youth.pk, created, len(calls)) == (people.youth.pk, False, 2)
    assert Youth.objects.count() == 1


def test_the_look_up_finds_youths_by_the_index_under_every_index_key(
    people: People, settings: Any
) -> None:
    """While the index moves to a new key (the new key first in the ring), a youth indexed
    under the old one is still found, and registering does not make a second record."""
    number = people.youth.national_id
    old = settings.SAMORDNA_IDENTITY_INDEX_KEY
    settings.SAMORDNA_IDENTITY_INDEX_KEY = f"{key('i9', 9)},{old}"
    viewer = access.viewer_for(people.nav_advisor)
    assert selectors.youth_by_national_id(viewer=viewer, national_id=number) == people.youth
    again, _period, created = services.youth_register(
        actor=factories.make_staff(people.school),
        service=people.school,
        national_id=number,
        first_name="Emma",
        last_name="Hansen",
        municipality_number="4003",
        reason="Fravær",
    )
    assert (again.pk, created) == (people.youth.pk, False)
    settings.SAMORDNA_IDENTITY_INDEX_KEY = key("i9", 9)  # the old key dropped too early
    assert selectors.youth_by_national_id(viewer=viewer, national_id=number) is None


# --- Guardians ------------------------------------------------------------------------------


def test_a_guardians_number_is_stored_sealed_and_found_by_its_index(
    people: People, client_for: Any, count_queries: Any
) -> None:
    number = factories.synthetic_number(factories.years_ago(45))
    api = client_for(people.nav_advisor)
    response = api.post(
        f"{YOUTHS}{people.youth.pk}/guardians/",
        {
            "full_name": "Kari Hansen",
            "relation": GuardianRelation.PARENT,
            "has_parental_responsibility": True,
            "national_id": f"{number[:6]} {number[6:]}",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["national_id"] == number
    guardian = Guardian.objects.get(pk=response.json()["id"])
    assert number not in guardian.national_id_sealed + guardian.national_id_index
    assert guardian.national_id == number
    with count_queries() as captured:
        found = list(Guardian.objects.filter(national_id_matches(number)))
    assert found == [guardian] and len(captured) == 1
    listed = api.get(f"{YOUTHS}{people.youth.pk}/guardians/").json()
    assert [g["national_id"] for g in listed] == [number]


def test_a_guardian_without_a_number_has_none_and_a_bad_one_is_refused(
    people: People, client_for: Any
) -> None:
    guardian = services.guardian_add(
        actor=people.nav_advisor,
        youth=people.youth,
        full_name="Per Hansen",
        relation=GuardianRelation.PARENT,
        has_parental_responsibility=True,
    )
    assert (guardian.national_id, guardian.national_id_sealed, guardian.national_id_index) == (
        "",
        "",
        "",
    )
    response = client_for(people.nav_advisor, "en").post(
        f"{YOUTHS}{people.youth.pk}/guardians/",
        {
            "full_name": "Kari Hansen",
            "relation": GuardianRelation.PARENT,
            "has_parental_responsibility": True,
            "national_id": "13097248023",
        },
        format="json",
    )
    assert response.status_code == 400
    [error] = response.json()["error"]["fields"]["national_id"]
    assert error["code"] == "checksum"
    assert Guardian.objects.filter(youth=people.youth).count() == 1


# --- The admin ------------------------------------------------------------------------------


def test_the_admin_shows_the_number_on_the_youths_page_only(people: People) -> None:
    """The list shows no identity number; the youth's own page shows it, decrypted, to an
    administrator whom the gate lets reach the youth. The look-up takes it by POST."""
    user = factories.UserFactory(username="superbruker", is_staff=True, is_superuser=True)
    services.membership_add(actor=None, user=user, service=people.nav, role=StaffRole.MANAGER)
    client = Client()
    client.force_login(user)
    number = people.youth.national_id
    listed = client.get("/admin/cases/youth/").content.decode()
    assert "Hansen" in listed and number not in listed
    page = client.get(f"/admin/cases/youth/{people.youth.pk}/change/").content.decode()
    assert number in page and people.youth.national_id_sealed not in page
    found = client.post("/admin/cases/youth/lookup/", {"national_id": f"{number[:6]} {number[6:]}"})
    assert found["Location"] == f"/admin/cases/youth/{people.youth.pk}/change/"
