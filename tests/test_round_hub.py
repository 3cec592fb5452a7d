"""Every page of a round links, by role, to the others (the round hub): results (live for
admins and accountants, for everyone once closed), exports and envelopes (admins,
accountants), paper forms, editing and closing early (admins), guidelines (everyone). The
group page lists its rounds with the same links, and the dashboard of an admin or an
accountant lists their groups' rounds."""

import re

import pytest

from results import services as closing
from tests.builders import make_bucket, make_round, open_funding

pytestmark = pytest.mark.django_db

HUB = re.compile(r'class="round-hub-link round-hub-(\w+)" href="([^"]+)"( aria-current="page")?')

EVERYONE = ["round", "guidelines"]
READERS = ["round", "results", "exports", "envelopes", "expenses", "guidelines"]
ADMINS_FUNDING = ["round", "results", "exports", "envelopes", "expenses", "paper", "guidelines", "edit", "close"]
ADMINS_CLOSED = ["round", "results", "exports", "envelopes", "expenses", "guidelines", "edit"]


def hub(html: str) -> list[str]:
    """The keys of the first hub on the page, in order."""
    found = HUB.findall(html)
    keys = []
    for key, _url, _current in found:
        if key in keys:
            break
        keys.append(key)
    return keys


@pytest.fixture
def funding_round(group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    make_bucket(round, member, min_amount="200.00", max_amount="400.00")
    return open_funding(round)


@pytest.mark.parametrize("who, expected", [
    ("contributor", EVERYONE), ("member", EVERYONE), ("accountant", READERS), ("admin_user", ADMINS_FUNDING),
])
def test_each_role_sees_its_links_during_funding(client, funding_round, request, who, expected):
    client.force_login(request.getfixturevalue(who))
    assert hub(client.get(f"/rounds/{funding_round.pk}/").content.decode()) == expected


@pytest.mark.parametrize("who, expected", [
    ("contributor", ["round", "results", "guidelines"]), ("member", ["round", "results", "guidelines"]),
    ("accountant", READERS), ("admin_user", ADMINS_CLOSED),
])
def test_once_closed_everyone_reaches_the_results_and_nobody_closes_again(
    client, funding_round, admin_user, request, who, expected
):
    closing.close_round(round=funding_round, actor=admin_user)
    client.force_login(request.getfixturevalue(who))
    assert hub(client.get(f"/rounds/{funding_round.pk}/").content.decode()) == expected


def test_every_page_of_the_round_carries_the_hub_and_marks_itself(client, funding_round, admin_user):
    client.force_login(admin_user)
    pages = {"round": "", "results": "results/", "exports": "exports/", "envelopes": "envelopes/",
             "paper": "paper/", "guidelines": "guidelines/", "edit": "edit/"}
    for key, path in pages.items():
        html = client.get(f"/rounds/{funding_round.pk}/{path}").content.decode()
        assert hub(html) == ADMINS_FUNDING, key
        current = [found_key for found_key, _url, mark in HUB.findall(html) if mark]
        assert current == [key], key


@pytest.mark.parametrize("who", ["contributor", "member", "accountant", "admin_user"])
def test_every_link_of_the_hub_opens_for_that_person(client, funding_round, request, who):
    client.force_login(request.getfixturevalue(who))
    for key, url, _current in HUB.findall(client.get(f"/rounds/{funding_round.pk}/").content.decode()):
        assert client.get(url).status_code == 200, (key, url)


def test_the_group_page_lists_each_round_with_its_links(client, group, funding_round, admin_user, accountant):
    closed = make_round(group, admin_user, title="Last year", phase="proposals")
    closing.close_round(round=closed, actor=admin_user)
    client.force_login(accountant)
    html = client.get(f"/g/{group.slug}/").content.decode()
    urls = {url for _key, url, _current in HUB.findall(html)}
    for round in (funding_round, closed):
        assert {f"/rounds/{round.pk}/results/", f"/rounds/{round.pk}/exports/", f"/rounds/{round.pk}/envelopes/"} <= urls


def test_the_dashboard_of_admins_and_accountants_leads_to_the_exports(client, funding_round, accountant, member):
    client.force_login(accountant)
    html = client.get("/").content.decode()
    assert f'href="/rounds/{funding_round.pk}/exports/"' in html
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "/exports/" not in html and "Your groups" not in html


@pytest.mark.django_db
def test_a_colead_reaches_the_projects_they_lead_from_the_dashboard(client, group, admin_user, member, member2):
    """A co-lead who comes back once a year finds their projects on the dashboard, the funded
    one (expenses to submit) with its balance; one completed is no longer listed."""
    from django.utils import timezone

    from buckets.models import Bucket
    from tests.builders import allocate, make_bucket, make_round

    round = make_round(group, admin_user, kind="permanent", envelope="430.00")
    funded = make_bucket(round, member, title="Four à pain", min_amount="100.00", max_amount="200.00")
    allocate(member2, funded, "200.00")
    done = make_bucket(round, member, title="Ruches", min_amount="10.00", max_amount="20.00")
    allocate(member2, done, "20.00")
    Bucket.objects.filter(pk=done.pk).update(completed_at=timezone.now())
    client.force_login(member)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Les projets que je porte" in html
    assert f'href="/buckets/{funded.pk}/"' in html and "Solde\u202f: 200,00\u00a0€" in html
    assert f'href="/buckets/{done.pk}/"' not in html
    client.force_login(member2)  # a funder, not a co-lead
    assert "Les projets que je porte" not in client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
