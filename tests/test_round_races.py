"""Rule 6 beyond allocations racing each other: an admin editing the round (its default
envelope) or publishing it, and people joining, while members allocate. No deadlock, no
server error, every member ends with an envelope, and check_ledger is clean."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from allocations import services as allocation_services
from allocations.models import Envelope
from buckets import services as bucket_services
from buckets.models import Round
from groups import services as group_services
from groups.models import Membership, Role
from tests.builders import allocate, make_bucket, make_round
from tests.conftest import requires_postgres
from tests.test_allocation_concurrency import people, run_concurrently


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_editing_the_default_envelope_while_members_allocate(group, admin_user, member):
    round = make_round(group, admin_user)
    racers = people(group, admin_user, 12)
    buckets = [make_bucket(round, member, title=f"B{i}", max_amount="5000.00") for i in range(3)]
    jobs = []
    for i, user in enumerate(racers):
        jobs.append(lambda u=user, i=i: allocate(u, buckets[i % 3], "20.00"))
        jobs.append(lambda u=user, i=i: allocate(u, buckets[(i + 1) % 3], "30.00"))
    for amount in ("440.00", "450.00", "460.00", "470.00"):
        jobs.append(lambda a=amount: bucket_services.update_round(round=round, actor=admin_user, envelope_amount=Decimal(a)))
    results, unexpected = run_concurrently(jobs)
    assert unexpected == []
    assert {r[1] for r in results if r[0] == "refused"} <= {"envelope_exceeded"}
    for envelope in Envelope.objects.filter(round=round):
        assert envelope.allocated <= envelope.amount
    call_command("check_ledger")


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_people_joining_while_the_round_is_published_all_get_an_envelope(group, admin_user):
    now = timezone.now()
    round = bucket_services.create_round(
        group=group, actor=admin_user, title="2027", kind="fixed", envelope_amount=Decimal("100.00"),
        proposals_open_at=now - timedelta(days=1), funding_opens_at=now + timedelta(days=1),
        funding_closes_at=now + timedelta(days=10), meeting_at=now + timedelta(days=11),
    )
    emails = [f"joiner{i:02d}@example.org" for i in range(15)]
    jobs = [
        lambda e=e: group_services.add_member(group=group, email=e, actor=admin_user, send_invitation=False)
        for e in emails
    ]
    jobs.append(lambda: allocation_services.publish_round(round=round, actor=admin_user))
    results, unexpected = run_concurrently(jobs)
    assert unexpected == []
    assert Round.objects.get(pk=round.pk).published_at is not None
    with_envelope_role = Membership.objects.filter(group=group, role__in=[Role.ADMIN, Role.MEMBER]).count()
    assert Envelope.objects.filter(round=round).count() == with_envelope_role == 16
    call_command("check_ledger")
