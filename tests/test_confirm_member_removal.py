"""Removing a member asks first, stating what they lose and what goes back, in numbers;
nothing changes until confirmed; a stale or replayed confirmation changes nothing."""

from decimal import Decimal

import pytest

from allocations.models import Allocation, Envelope
from buckets.models import Bucket
from groups.models import Membership
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.confirm_helpers import confirmation_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(group, admin_user, member, member2):
    round = make_round(group, admin_user, title="Budget 2026", phase="proposals")
    first = make_bucket(round, member2, title="Four", min_amount="200.00", max_amount="400.00")
    second = make_bucket(round, member2, title="Vélo", min_amount="200.00", max_amount="400.00")
    open_funding(round)
    allocate(member, first, "100.00")
    allocate(member, second, "150.50")
    return round, Membership.objects.get(group=group, user=member)


def state():
    return (Membership.objects.count(), Allocation.objects.count(), sorted(Bucket.objects.values_list("total", flat=True)),
            sorted(Envelope.objects.values_list("amount", "allocated")))


def test_the_page_states_what_goes_back_and_changes_nothing(client, world, admin_user, group):
    _round, target = world
    before = state()
    client.force_login(admin_user)
    response = client.post(f"/g/{group.slug}/members/{target.pk}/remove/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Remove Member from Artefacts?" in html
    assert ("“Budget 2026”: their envelope of €430.00 is withdrawn, and their 2 allocations, €250.50 in all, "
            "are taken back from the projects.") in html
    assert state() == before


def test_confirming_removes_and_gives_the_money_back(client, world, admin_user, group, member):
    _round, target = world
    client.force_login(admin_user)
    url = f"/g/{group.slug}/members/{target.pk}/remove/"
    response = client.post(url, {"confirm": confirmation_token(client.post(url))}, follow=True)
    assert "Member is removed from the group." in response.content.decode()
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert Envelope.objects.get(user=member).amount == Decimal("0.00")
    assert sorted(Bucket.objects.values_list("total", flat=True)) == [Decimal("0.00"), Decimal("0.00")]
    after = state()
    assert client.post(url, {"confirm": "anything"}).status_code == 404  # replayed: the member is gone
    assert state() == after


def test_an_allocation_made_meanwhile_makes_the_confirmation_stale(client, world, admin_user, group, member):
    round, target = world
    client.force_login(admin_user)
    url = f"/g/{group.slug}/members/{target.pk}/remove/"
    token = confirmation_token(client.post(url))
    allocate(member, Bucket.objects.get(title="Four"), "200.00")
    before = state()
    response = client.post(url, {"confirm": token})
    assert response.status_code == 409 and "€350.50 in all" in response.content.decode()
    assert state() == before


def test_the_last_admin_is_refused_after_the_page(client, group, admin_user):
    client.force_login(admin_user)
    me = Membership.objects.get(group=group, user=admin_user)
    url = f"/g/{group.slug}/members/{me.pk}/remove/"
    response = client.post(url, {"confirm": confirmation_token(client.post(url))}, follow=True)
    assert "A group keeps at least one admin." in response.content.decode()
    assert Membership.objects.filter(pk=me.pk).exists()
