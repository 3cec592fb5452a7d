"""Merging a bucket into another asks first, stating what goes back in numbers and where its
co-leads go; nothing changes until confirmed; a replayed or stale confirmation changes
nothing."""

import pytest

from allocations.models import Allocation, LedgerEntry
from buckets.models import Bucket
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.confirm_helpers import confirmation_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def buckets(group, admin_user, member, member2):
    round = make_round(group, admin_user, phase="proposals")
    source = make_bucket(round, member, title="Fours", min_amount="500.00", max_amount="1000.00")
    target = make_bucket(round, member, title="Four solaire", min_amount="500.00", max_amount="1000.00")
    open_funding(round)
    allocate(member, source, "100.00")
    allocate(member2, source, "25.50")
    allocate(member2, target, "10.00")
    return source, target


def state():
    return (dict(Bucket.objects.values_list("title", "status")), Allocation.objects.count(), LedgerEntry.objects.count())


def test_the_page_names_both_buckets_and_the_money_and_changes_nothing(client, buckets, member):
    source, target = buckets
    before = state()
    client.force_login(member)
    response = client.post(f"/buckets/{source.pk}/merge/", {"into": target.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Merge “Fours” into “Four solaire”?" in html
    assert "2 contributions, €125.50 in all, go back to the envelopes" in html
    assert f'name="into" value="{target.pk}"' in html  # the choice is posted again with the confirmation
    assert state() == before


def test_confirming_merges_and_goes_to_the_other_bucket(client, buckets, member):
    source, target = buckets
    client.force_login(member)
    url = f"/buckets/{source.pk}/merge/"
    token = confirmation_token(client.post(url, {"into": target.pk}))
    response = client.post(url, {"into": target.pk, "confirm": token})
    assert response.status_code == 302 and response["Location"] == f"/buckets/{target.pk}/"
    assert Bucket.objects.get(pk=source.pk).status == "merged"
    assert Allocation.objects.filter(bucket=source).count() == 0


def test_a_stale_confirmation_shows_the_new_figures_and_changes_nothing(client, buckets, member):
    source, target = buckets
    client.force_login(member)
    url = f"/buckets/{source.pk}/merge/"
    token = confirmation_token(client.post(url, {"into": target.pk}))
    allocate(member, source, "120.00")  # the figures move while the page is open
    before = state()
    response = client.post(url, {"into": target.pk, "confirm": token})
    assert response.status_code == 409
    assert "2 contributions, €145.50 in all" in response.content.decode()  # member's 100 became 120
    assert state() == before


def test_a_replayed_confirmation_changes_nothing(client, buckets, member):
    source, target = buckets
    client.force_login(member)
    url = f"/buckets/{source.pk}/merge/"
    token = confirmation_token(client.post(url, {"into": target.pk}))
    client.post(url, {"into": target.pk, "confirm": token})
    after = state()
    response = client.post(url, {"into": target.pk, "confirm": token}, follow=True)
    assert "This bucket is no longer open." in response.content.decode()
    assert state() == after
