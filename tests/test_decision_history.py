"""The ANIS case: closed proposals form the group's decision history, newest first, searchable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services

pytestmark = pytest.mark.django_db


def _decided(group, author, title, *, details="", statement="", closed_days_ago=0):
    proposal = services.open_proposal(
        group=group, title=title, details=details, author=author, notify=False,
        closes_at=timezone.now() + timedelta(days=1),
    )
    services.close_proposal(
        proposal=proposal, actor=author, notify=False, now=timezone.now() - timedelta(days=closed_days_ago)
    )
    if statement:
        services.set_statement(proposal=proposal, actor=author, statement=statement)
    return proposal


@pytest.fixture
def history(group, admin_user, member):
    return [
        _decided(group, admin_user, "Adopt the internal rules", details="Rules for **meetings**", closed_days_ago=30),
        _decided(group, admin_user, "Buy a van", statement="We rent one instead, cheaper.", closed_days_ago=10),
        _decided(group, admin_user, "Join the regional network", closed_days_ago=1),
    ]


def test_it_lists_closed_proposals_newest_first(api, history, group, admin_user, member):
    services.open_proposal(
        group=group, title="Still open", author=admin_user, notify=False, closes_at=timezone.now() + timedelta(days=1)
    )
    body = api(member).get("/api/groups/artefacts/decisions/").json()
    assert [d["title"] for d in body["results"]] == ["Join the regional network", "Buy a van", "Adopt the internal rules"]
    assert all(d["status"] == "closed" and d["outcome"] for d in body["results"])


@pytest.mark.parametrize(
    ("q", "titles"),
    [
        ("van", ["Buy a van"]),
        ("cheaper", ["Buy a van"]),  # in the statement
        ("MEETINGS", ["Adopt the internal rules"]),  # in the details, any case
        ("the", ["Join the regional network", "Adopt the internal rules"]),
        ("buy rent", ["Buy a van"]),  # every word must match
        ("nothing-like-this", []),
    ],
)
def test_it_searches_title_details_and_statement(api, history, member, q, titles):
    body = api(member).get("/api/groups/artefacts/decisions/", {"q": q}).json()
    assert [d["title"] for d in body["results"]] == titles


def test_the_page_lists_searches_and_links_each_decision(client, history, accountant):
    client.force_login(accountant)
    html = client.get("/g/artefacts/decisions/?q=van").content.decode()
    assert "Buy a van" in html and "Join the regional network" not in html
    assert f'href="/proposals/{history[1].pk}/"' in html
    assert 'name="q"' in html


def test_the_page_is_paginated(client, group, admin_user):
    for i in range(25):
        _decided(group, admin_user, f"Decision {i:02d}", closed_days_ago=i)
    client.force_login(admin_user)
    first = client.get("/g/artefacts/decisions/").content.decode()
    assert "Decision 00" in first and "Decision 24" not in first
    assert "Decision 24" in client.get("/g/artefacts/decisions/?page=2").content.decode()
