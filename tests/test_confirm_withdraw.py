"""Withdrawing a bucket asks first, stating what goes back in numbers; nothing changes until
confirmed; a replayed or stale confirmation is refused and changes nothing."""

from decimal import Decimal

import pytest

from allocations import services
from allocations.models import Allocation, Envelope, LedgerEntry
from buckets.models import Bucket
from cobudget.errors import DomainError
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.confirm_helpers import confirmation_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def bucket(group, admin_user, member, member2):
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member, title="Atelier", min_amount="500.00", max_amount="1000.00")
    open_funding(round)
    allocate(member, bucket, "400.00")
    allocate(member2, bucket, "270.00")
    return bucket


def state(bucket):
    return (Bucket.objects.get(pk=bucket.pk).status, Allocation.objects.count(), LedgerEntry.objects.count(),
            sorted(Envelope.objects.values_list("allocated", flat=True)))


def test_the_page_states_the_consequence_and_changes_nothing(client, bucket, member):
    before = state(bucket)
    client.force_login(member)
    response = client.post(f"/buckets/{bucket.pk}/withdraw/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 contributions, €670.00 in all, go back to the envelopes of the members who gave them." in html
    assert "Withdraw “Atelier”?" in html and 'name="confirm"' in html
    assert state(bucket) == before


def test_confirming_withdraws_and_refunds(client, bucket, member, member2):
    client.force_login(member)
    url = f"/buckets/{bucket.pk}/withdraw/"
    response = client.post(url, {"confirm": confirmation_token(client.post(url))}, follow=True)
    assert "The bucket is withdrawn. 2 contributions, €670.00 in all, go back" in response.content.decode()
    assert Bucket.objects.get(pk=bucket.pk).status == "withdrawn"
    assert Envelope.objects.get(user=member2).allocated == Decimal("0.00")


def test_a_replayed_confirmation_is_refused_and_changes_nothing(client, bucket, member):
    client.force_login(member)
    url = f"/buckets/{bucket.pk}/withdraw/"
    token = confirmation_token(client.post(url))
    client.post(url, {"confirm": token})
    after = state(bucket)
    again = client.post(url, {"confirm": token}, follow=True)
    assert "This bucket is no longer open." in again.content.decode()
    assert state(bucket) == after


def test_a_stale_confirmation_shows_the_new_figures_and_changes_nothing(client, bucket, member, admin_user):
    client.force_login(member)
    url = f"/buckets/{bucket.pk}/withdraw/"
    token = confirmation_token(client.post(url))
    allocate(admin_user, bucket, "30.00")  # someone allocates while the page is open
    before = state(bucket)
    response = client.post(url, {"confirm": token})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Nothing was done: the figures changed" in html
    assert "3 contributions, €700.00 in all" in html
    assert state(bucket) == before


def test_a_forged_or_borrowed_token_is_refused(client, bucket, member, admin_user):
    client.force_login(admin_user)
    url = f"/buckets/{bucket.pk}/withdraw/"
    admins = confirmation_token(client.post(url))
    client.force_login(member)
    before = state(bucket)
    for token in ("yes", admins):
        response = client.post(url, {"confirm": token})
        assert response.status_code == 409 and "This confirmation is not valid" in response.content.decode()
    assert state(bucket) == before


def test_the_service_checks_the_confirmed_figures_under_its_locks(bucket, member):
    before = state(bucket)
    with pytest.raises(DomainError) as refused:
        services.withdraw_bucket(bucket=bucket, actor=member, expect=(2, Decimal("600.00")))
    assert refused.value.code == "confirmation_stale"
    assert state(bucket) == before
    services.withdraw_bucket(bucket=bucket, actor=member, expect=(2, Decimal("670.00")))
    assert Bucket.objects.get(pk=bucket.pk).status == "withdrawn"


def test_others_are_refused_before_any_page(client, bucket, member2):
    client.force_login(member2)
    response = client.post(f"/buckets/{bucket.pk}/withdraw/", follow=True)
    assert 'name="confirm"' not in response.content.decode()
    assert Bucket.objects.get(pk=bucket.pk).status == "open"
