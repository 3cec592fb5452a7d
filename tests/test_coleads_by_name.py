"""Co-leads are chosen by name, never by an address members may not see: the bucket form
ticks co-leads by member id and adds more by name (search-as-you-type over the group's
members, names only to those who may not see addresses), and the API also takes member ids."""

import pytest

from buckets import services as bucket_services
from groups import services as group_services
from groups.models import Membership, Role
from tests.builders import make_round
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def emmanuel(group):
    user = make_user("e.dubois@example.org", "Emmanuel Dubois")
    group_services.add_member(group=group, email=user.email, role=Role.MEMBER, actor=None, send_invitation=False)
    return user


@pytest.fixture
def round(group, admin_user):
    return make_round(group, admin_user, phase="proposals")


def _form(**extra):
    return {"title": "Atelier vélo", "summary": "", "description": "", "tags": "",
            "item-0-description": "Outils", "item-0-min": "100", "item-0-max": "200", **extra}


def test_a_member_adds_a_co_lead_by_name_accents_and_case_aside(client, round, member, emmanuel):
    client.force_login(member)
    response = client.post(f"/rounds/{round.pk}/buckets/new/", _form(coleads="emmanuel DUBOIS"))
    assert response.status_code == 302
    bucket = member.led_buckets.get()
    assert set(bucket.coleads.all()) == {member, emmanuel}


def test_ticked_boxes_carry_member_ids_and_unticking_removes(client, group, round, member, member2, emmanuel):
    client.force_login(member)
    ids = [str(Membership.objects.get(group=group, user=u).pk) for u in (member2, emmanuel)]
    client.post(f"/rounds/{round.pk}/buckets/new/", {**_form(), "colead_ids": ids})
    bucket = member.led_buckets.get()
    assert set(bucket.coleads.all()) == {member, member2, emmanuel}
    html = client.get(f"/buckets/{bucket.pk}/edit/").content.decode()
    assert "Emmanuel Dubois" in html and "e.dubois@example.org" not in html  # names, not addresses
    assert f'name="colead_ids" value="{ids[1]}" checked' in html
    client.post(f"/buckets/{bucket.pk}/edit/", {**_form(), "colead_ids": [ids[1]]})
    assert set(bucket.coleads.all()) == {member, emmanuel}  # the creator stays


@pytest.mark.parametrize("typed,words", [
    ("Personne Inconnue", "Personne dans ce groupe ne s’appelle"),
    ("Member", "Plusieurs membres s’appellent"),
    ("outsider@example.org", "n’est pas membre de ce groupe"),
])
def test_an_unknown_or_ambiguous_name_is_refused_and_creates_nothing(client, round, member, member2, outsider,
                                                                    typed, words):
    from buckets.models import Bucket
    from groups.models import User

    User.objects.filter(pk=member2.pk).update(name="Member")
    User.objects.filter(pk=member.pk).update(name="Member")
    client.force_login(member)
    response = client.post(f"/rounds/{round.pk}/buckets/new/", _form(coleads=typed), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200 and words in response.content.decode()
    assert not Bucket.objects.exists()


def test_the_api_takes_member_ids_and_names(api, group, round, member, emmanuel, member2):
    emmanuel_id = Membership.objects.get(group=group, user=emmanuel).pk
    body = {"title": "Atelier", "coleads": [emmanuel_id, "member2"],
            "budget_items": [{"description": "Outils", "min_amount": "10.00", "max_amount": "20.00"}]}
    response = api(member).post(f"/api/rounds/{round.pk}/buckets/", body, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["coleads"]) == sorted(["Emmanuel Dubois", "Member2", "member@example.org"])
    response = api(member).post(f"/api/rounds/{round.pk}/buckets/", {**body, "coleads": [999999]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_colead"


def test_members_search_other_members_by_name_without_their_addresses(api, member, emmanuel):
    found = api(member).get("/api/groups/artefacts/members/", {"q": "emma dub"}).json()["results"]
    assert found == [{"id": found[0]["id"], "email": None, "name": "Emmanuel Dubois", "role": "member"}]


def test_the_service_still_takes_addresses_from_those_who_know_them(round, admin_user, emmanuel):
    bucket = bucket_services.create_bucket(round=round, actor=admin_user, title="Four", coleads=["E.Dubois@example.org"])
    assert set(bucket.coleads.all()) == {admin_user, emmanuel}
