"""Search and sorting the French way, on SQLite and on PostgreSQL: « cooperative » finds
« Coopérative » (accents and capitals aside) in decisions, buckets and members; names are
sorted as a French reader expects (Élodie before Emmanuel before Zoé, not after)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cobudget.search import fold, french_key
from groups import services as group_services
from groups.models import Role
from proposals import services as proposal_services
from tests.builders import make_bucket, make_round
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _decided(group, author, title, details=""):
    proposal = proposal_services.open_proposal(group=group, title=title, details=details, author=author,
                                               notify=False, closes_at=timezone.now() + timedelta(days=1))
    proposal_services.close_proposal(proposal=proposal, actor=author, notify=False)
    return proposal


@pytest.mark.parametrize("query", ["cooperative", "COOPÉRATIVE", "coopérative", "Cooperative régionale"])
def test_the_decision_search_ignores_accents_and_capitals(api, client, group, admin_user, member, query):
    _decided(group, admin_user, "Adhérer à la Coopérative régionale")
    _decided(group, admin_user, "Acheter un camion")
    titles = [d["title"] for d in api(member).get("/api/groups/artefacts/decisions/", {"q": query}).json()["results"]]
    assert titles == ["Adhérer à la Coopérative régionale"]
    client.force_login(member)
    html = client.get("/g/artefacts/decisions/", {"q": query}).content.decode()
    assert "Adhérer à la Coopérative régionale" in html and "Acheter un camion" not in html


def test_a_search_word_with_like_wildcards_is_taken_literally(api, group, admin_user, member):
    _decided(group, admin_user, "Budget 100 % local")
    _decided(group, admin_user, "Budget solidaire")
    results = api(member).get("/api/groups/artefacts/decisions/", {"q": "%"}).json()["results"]
    assert [d["title"] for d in results] == ["Budget 100 % local"]


def test_the_round_page_finds_buckets_accents_aside_and_filters_by_tag(client, group, admin_user, member):
    from buckets import services as bucket_services

    round = make_round(group, admin_user)
    coop = make_bucket(round, member, title="Fête de la Coopérative")
    bikes = make_bucket(round, member, title="Abri vélos")
    bucket_services.update_bucket(bucket=bikes, actor=member, tags=["Matériel"])
    client.force_login(member)
    html = client.get(f"/rounds/{round.pk}/", {"q": "fete cooperative"}).content.decode()
    assert f"bucket-card-{coop.pk}" in html and f"bucket-card-{bikes.pk}" not in html
    assert "1 bucket found" in html
    # The live part keeps the search between two refreshes.
    assert f'hx-get="/rounds/{round.pk}/cards/?sort=newest&amp;q=fete+cooperative"' in html
    html = client.get(f"/rounds/{round.pk}/", {"tag": "Matériel"}).content.decode()
    assert f"bucket-card-{bikes.pk}" in html and f"bucket-card-{coop.pk}" not in html
    html = client.get(f"/rounds/{round.pk}/cards/", {"q": "velo"}).content.decode()
    assert f"bucket-card-{bikes.pk}" in html and f"bucket-card-{coop.pk}" not in html
    html = client.get(f"/rounds/{round.pk}/", {"q": "piscine"}).content.decode()
    assert "No bucket matches this search." in html


@pytest.fixture
def people(group):
    for email, name in (("zoe@example.org", "Zoé Zimmer"), ("elodie@example.org", "Élodie Durand"),
                        ("emma@example.org", "emmanuel Petit"), ("adele@example.org", "Adèle Roux")):
        make_user(email, name)
        group_services.add_member(group=group, email=email, role=Role.MEMBER, actor=None, send_invitation=False)


def test_members_are_listed_in_french_order(api, client, group, admin_user, people):
    names = [m["name"] for m in api(admin_user).get("/api/groups/artefacts/members/").json()["results"]]
    assert names == ["Adèle Roux", "Alice Admin", "Élodie Durand", "emmanuel Petit", "Zoé Zimmer"]
    client.force_login(admin_user)
    html = client.get("/g/artefacts/members/").content.decode()
    positions = [html.index(name) for name in ("Adèle Roux", "Élodie Durand", "emmanuel Petit", "Zoé Zimmer")]
    assert positions == sorted(positions)


def test_members_are_found_by_name_accents_aside(api, client, group, admin_user, member, people):
    found = api(member).get("/api/groups/artefacts/members/", {"q": "elodie"}).json()["results"]
    assert [m["name"] for m in found] == ["Élodie Durand"]
    client.force_login(admin_user)
    html = client.get("/g/artefacts/members/", {"q": "ELODIE"}).content.decode()
    assert "Élodie Durand" in html and "Zoé Zimmer" not in html


def test_a_member_cannot_find_people_by_an_address_they_may_not_see(api, group, admin_user, member, people):
    assert api(member).get("/api/groups/artefacts/members/", {"q": "zoe@example"}).json()["results"] == []
    found = api(admin_user).get("/api/groups/artefacts/members/", {"q": "zoe@example"}).json()["results"]
    assert [m["name"] for m in found] == ["Zoé Zimmer"]


def test_the_python_sort_key_follows_french_order():
    names = ["Zoé", "zoe", "Élodie", "Emma", "eloise", "Œdipe", "Oscar", "Ève"]
    assert sorted(names, key=french_key) == ["Élodie", "eloise", "Emma", "Ève", "Œdipe", "Oscar", "zoe", "Zoé"]
    assert fold("Cœur ÉLAN") == "coeur elan"
