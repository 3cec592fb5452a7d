"""The deadline holds for buckets as it does for allocations: once `funding_closes_at` has
passed, even before the sweep closes the round (a minute later, or never with the worker
down), nobody changes a bucket of the round — its budget, co-leads, text, status — nor adds
one: a co-lead who now knows the total must not lower the min goal to it and so turn the
close into `funded`. Every such write answers 409 `round_closed` and changes nothing;
comments stay open. On PostgreSQL the check is made under the round's lock, so that an
early close committing meanwhile is seen."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from buckets import services as bucket_services
from buckets.models import Bucket, Round
from cobudget.errors import DomainError
from results.services import close_round
from tests.builders import allocate, make_bucket, make_round, pass_deadline
from tests.conftest import requires_postgres


def _refused(response):
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "round_closed"


def _snapshot(bucket):
    bucket = Bucket.objects.get(pk=bucket.pk)
    items = list(bucket.budget_items.values_list("description", "min_amount", "max_amount"))
    return (bucket.title, bucket.status, bucket.min_goal, bucket.max_goal, sorted(bucket.coleads.values_list("pk", flat=True)), items)


@pytest.fixture
def past_deadline(group, admin_user, member, member2):
    round = make_round(group, admin_user, phase="funding")
    bucket = make_bucket(round, member, min_amount="300.00", max_amount="400.00")
    draft = make_bucket(round, member, title="Draft", publish=False)
    allocate(member2, bucket, "120.00")
    pass_deadline(round)
    return round, bucket, draft


def test_a_colead_cannot_lower_the_min_goal_after_the_deadline(api, past_deadline, member):
    round, bucket, _draft = past_deadline
    before = _snapshot(bucket)
    response = api(member).patch(f"/api/buckets/{bucket.pk}/", {
        "budget_items": [{"description": "Less", "min_amount": "120.00", "max_amount": "400.00"}],
    }, format="json")
    _refused(response)
    assert _snapshot(bucket) == before
    # The sweep then closes it as it stood at the deadline: 120 of 300 is not funded.
    close_round(round=round)
    assert Bucket.objects.get(pk=bucket.pk).status == Bucket.Status.NOT_FUNDED


def test_no_write_on_a_bucket_of_a_round_past_its_deadline(api, past_deadline, member, member2, admin_user):
    round, bucket, draft = past_deadline
    before, before_draft = _snapshot(bucket), _snapshot(draft)
    client = api(member)
    _refused(client.patch(f"/api/buckets/{bucket.pk}/", {"coleads": [member.email, member2.email]}, format="json"))
    _refused(client.patch(f"/api/buckets/{bucket.pk}/", {"title": "Renamed"}, format="json"))
    _refused(client.post(f"/api/buckets/{draft.pk}/publish/"))
    _refused(client.post(f"/api/buckets/{bucket.pk}/withdraw/"))
    _refused(client.post(f"/api/buckets/{bucket.pk}/merge/", {"into": draft.pk}, format="json"))
    _refused(api(admin_user).patch(f"/api/buckets/{bucket.pk}/", {"summary": "Admin too"}, format="json"))
    _refused(client.post(f"/api/rounds/{round.pk}/buckets/", {
        "title": "Late", "budget_items": [{"description": "All", "min_amount": "10.00", "max_amount": "20.00"}],
    }, format="json"))
    assert _snapshot(bucket) == before and _snapshot(draft) == before_draft
    assert Bucket.objects.filter(round=round).count() == 2


def test_the_bucket_form_says_the_round_is_closed(client, past_deadline, member):
    _round, bucket, _draft = past_deadline
    before = _snapshot(bucket)
    client.force_login(member)
    response = client.post(f"/buckets/{bucket.pk}/edit/", {
        "title": bucket.title, "summary": "", "description": "", "coleads": member.email, "tags": "",
        "item-0-description": "Less", "item-0-min": "120", "item-0-max": "400",
    })
    assert response.status_code == 200
    assert "This round is closed" in response.content.decode()
    assert _snapshot(bucket) == before


def test_comments_stay_open_after_the_deadline(api, past_deadline, member2):
    _round, bucket, _draft = past_deadline
    response = api(member2).post(f"/api/buckets/{bucket.pk}/comments/", {"body": "Well done"}, format="json")
    assert response.status_code == 201


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_an_early_close_in_flight_is_seen_by_a_budget_change(group, admin_user, member, member2):
    """An admin's early close holds the round's lock; a co-lead's change arriving meanwhile
    waits for it and is then refused, instead of slipping in under a bucket lock alone."""
    round = make_round(group, admin_user, phase="funding")
    bucket = make_bucket(round, member, min_amount="300.00", max_amount="400.00")
    allocate(member2, bucket, "120.00")
    locked = threading.Event()
    outcome = {}

    def closer():
        try:
            with transaction.atomic():
                Round.objects.select_for_update(no_key=True).get(pk=round.pk)
                Round.objects.filter(pk=round.pk).update(closed_at=timezone.now())
                locked.set()
                time.sleep(0.5)
        finally:
            connection.close()

    def colead():
        locked.wait(5)
        try:
            bucket_services.update_bucket(bucket=bucket, actor=member, budget_items=[
                {"description": "Less", "min_amount": Decimal("120.00"), "max_amount": Decimal("400.00")}])
            outcome["result"] = "saved"
        except DomainError as exc:
            outcome["result"] = exc.code
        finally:
            connection.close()

    close_old_connections()
    threads = [threading.Thread(target=closer), threading.Thread(target=colead)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert outcome["result"] == "round_closed"
    assert Bucket.objects.get(pk=bucket.pk).min_goal == Decimal("300.00")
