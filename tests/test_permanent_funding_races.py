"""A permanent fund's per-bucket funding under real concurrency (PostgreSQL, real threads on
separate connections): a co-lead's acceptance racing allocations funds the bucket once at a
total that every committed allocation is part of, and no allocation changes after; an expiry
racing allocations gives everything back exactly once; two sweeps announcing or expiring at
once do it once. Never a deadlock, never a server error, check_ledger clean."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from allocations import outbox
from allocations import services as allocation_services
from allocations.models import Allocation, Envelope, LedgerEntry
from buckets import services as bucket_services
from buckets.models import Bucket
from integrations.models import Delivery, Webhook
from notifications.models import Notification
from tests.conftest import requires_postgres
from tests.funding_helpers import allocate, make_bucket, make_round
from tests.test_allocation_concurrency import people, run_concurrently

pytestmark = [requires_postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fund(group, admin_user, member):
    return make_round(group, admin_user, title="Bourse", kind="permanent", envelope="500.00",
                      funded_if_percent_of_min=Decimal("80"))


def assert_envelopes_hold_their_allocations(round):
    for envelope in Envelope.objects.filter(round=round):
        given = sum(Allocation.objects.filter(envelope=envelope).values_list("amount", flat=True), Decimal("0"))
        assert envelope.allocated == given, envelope.user_id


def test_an_acceptance_racing_allocations_funds_once_and_freezes_the_total(group, admin_user, member, fund):
    racers = people(group, admin_user, 12)
    bucket = make_bucket(fund, member, min_amount="1000.00", max_amount="1500.00")
    for person in racers[:9]:
        allocate(person, bucket, "100.00")  # 900.00: above the 80 % threshold
    raising = [lambda u=u: allocate(u, bucket, "120.00") for u in racers[:4]]
    lowering = [lambda u=u: allocate(u, bucket, "90.00") for u in racers[4:8]]  # never below 800.00
    joining = [lambda u=u: allocate(u, bucket, "15.00") for u in racers[9:]]
    accept = [lambda: bucket_services.accept_funding(bucket=bucket, actor=member)]
    results, unexpected = run_concurrently(accept + raising + lowering + joining)
    assert unexpected == []
    outcomes = [r for r in results if r[0] == "ok" and isinstance(r[1], Bucket)]
    assert len(outcomes) == 1  # the acceptance went through, once
    assert {r[1] for r in results if r[0] == "refused"} <= {"bucket_not_open"}

    bucket.refresh_from_db()
    given = sum(Allocation.objects.filter(bucket=bucket).values_list("amount", flat=True), Decimal("0"))
    assert bucket.status == "funded" and bucket.funded_amount == bucket.total == given
    assert bucket.contributors_count == Allocation.objects.filter(bucket=bucket).count()
    # Every allocation that went through is in the funded amount; none came after the funding.
    accepted = [r for r in results if r[0] == "ok" and not isinstance(r[1], Bucket)]
    changes = LedgerEntry.objects.filter(bucket=bucket, kind="allocation")
    assert changes.count() == 9 + len(accepted)
    assert not changes.filter(created_at__gt=bucket.funded_at).exists()
    assert_envelopes_hold_their_allocations(fund)
    call_command("check_ledger")

    # And after it, no allocation on it changes any more.
    _results, unexpected = run_concurrently([lambda u=u: allocate(u, bucket, "1.00") for u in racers[:4]])
    assert unexpected == [] and Bucket.objects.get(pk=bucket.pk).total == bucket.total


def test_two_coleads_accepting_at_once_fund_it_once(group, admin_user, member, member2, fund):
    bucket = make_bucket(fund, member, min_amount="100.00", max_amount="300.00", coleads=[member2.email])
    allocate(member, bucket, "90.00")
    results, unexpected = run_concurrently([
        lambda: bucket_services.accept_funding(bucket=bucket, actor=member),
        lambda: bucket_services.accept_funding(bucket=bucket, actor=member2),
    ])
    assert unexpected == []
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert [r[1] for r in results if r[0] == "refused"] == ["bucket_not_open"]
    from audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="bucket.funding_accepted", object_id=bucket.pk).count() == 1


def test_an_expiry_racing_allocations_gives_everything_back_once(group, admin_user, member, fund):
    bucket_services.update_round(round=fund, actor=admin_user, expires_after_days=30)
    racers = people(group, admin_user, 12)
    bucket = make_bucket(fund, member, min_amount="1000.00", max_amount="1500.00")
    for person in racers[:6]:
        allocate(person, bucket, "50.00")
    Bucket.objects.filter(pk=bucket.pk).update(published_at=timezone.now() - timedelta(days=31))
    jobs = [lambda: allocation_services.expire_due_buckets(), lambda: allocation_services.expire_due_buckets()]
    jobs += [lambda u=u: allocate(u, bucket, "70.00") for u in racers[:3]]
    jobs += [lambda u=u: allocate(u, bucket, "25.00") for u in racers[6:]]
    results, unexpected = run_concurrently(jobs)
    assert unexpected == []
    assert {r[1] for r in results if r[0] == "refused"} <= {"bucket_not_open"}
    expired = [r[1] for r in results if r[0] == "ok" and isinstance(r[1], int) and not isinstance(r[1], bool)]
    assert sorted(expired)[-1] == 1 and sum(expired) == 1  # one sweep expired it, the other found nothing

    bucket.refresh_from_db()
    assert bucket.status == "not_funded" and bucket.total == 0 and bucket.contributors_count == 0
    assert not Allocation.objects.filter(bucket=bucket).exists()
    refunds = LedgerEntry.objects.filter(bucket=bucket, kind="refund")
    assert refunds.exists()
    last_refund = refunds.order_by("-pk").first()
    assert not LedgerEntry.objects.filter(bucket=bucket, kind="allocation", pk__gt=last_refund.pk).exists()
    assert refunds.count() == len({row for row in refunds.values_list("member_id", flat=True)})  # once each
    # What each member gave last is what came back.
    for person in racers:
        last = LedgerEntry.objects.filter(bucket=bucket, member=person, kind="allocation").order_by("-pk").first()
        refund = refunds.filter(member=person).first()
        assert (last.after if last else None) == (refund.before if refund else None) or (last and last.after == 0)
    assert_envelopes_hold_their_allocations(fund)
    call_command("check_ledger")


def test_two_sweeps_announce_a_funding_once(group, admin_user, member, member2, fund):
    bucket = make_bucket(fund, member, min_amount="100.00", max_amount="300.00")
    allocate(member2, bucket, "90.00")
    Webhook.objects.create(group=group, url="http://127.0.0.1:1/hook", format="json", events=["bucket.funded"],
                           created_by=admin_user)
    bucket_services.accept_funding(bucket=bucket, actor=member)
    outbox.tell_coleads()
    Notification.objects.all().delete()
    results, unexpected = run_concurrently([lambda: outbox.announce_fundings() for _ in range(4)])
    assert unexpected == []
    assert sum(r[1] for r in results) == 1
    assert Notification.objects.filter(url=f"/buckets/{bucket.pk}/").count() == 2  # the co-lead, the funder
    assert Delivery.objects.filter(event="bucket.funded").count() == 1
