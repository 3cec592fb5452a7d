"""Per-bucket funding in a permanent round (PRODUCT.md "Funds that live over time", API.md
"Buckets in a permanent round"): the allocation that brings a bucket's total to exactly its
max goal funds it in the same transaction, and a funded bucket's allocations no longer
change. Fixed-dates rounds fund their buckets only by closing.

Where a rule is checked on one implementation, it runs on SQLite's (the Python rules) and,
on PostgreSQL, on both the database's function and the Python rules."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from allocations import services
from allocations.ledger import ledger_differences
from allocations.models import Allocation, AllocationNotice, Envelope, LedgerEntry
from buckets.models import Bucket, Round
from cobudget.errors import DomainError
from tests.conftest import api_client_for, on_postgres, requires_postgres, token_client_for
from tests.funding_helpers import allocate, make_bucket, make_round

IMPLEMENTATIONS = {"python": "_set_allocation_python", "database": "_set_allocation_postgres"}


@pytest.fixture(params=list(IMPLEMENTATIONS))
def implementation(request, db):
    """The allocation's implementation under test: the Python rules everywhere, the database's
    function on PostgreSQL only."""
    if request.param == "database" and not on_postgres():
        pytest.skip("the database's function exists on PostgreSQL only")
    return getattr(services, IMPLEMENTATIONS[request.param])


@pytest.fixture
def fund(group, admin_user):
    return make_round(group, admin_user, kind="permanent", envelope="430.00")


def snapshot(round):
    return (
        sorted(Envelope.objects.filter(round=round).values_list("user_id", "amount", "allocated")),
        sorted(Bucket.objects.filter(round=round).values_list(
            "id", "total", "contributors_count", "status", "funded_at", "decided_at", "funded_amount", "updated_at")),
        sorted(Allocation.objects.filter(bucket__round=round).values_list("envelope_id", "bucket_id", "amount")),
        LedgerEntry.objects.filter(round=round).count(),
        AllocationNotice.objects.count(),
    )


def test_the_allocation_that_reaches_the_max_goal_funds_the_bucket(fund, member, member2, implementation):
    bucket = make_bucket(fund, member2, min_amount="100.00", max_amount="300.00")
    first = implementation(member=member, bucket=bucket, amount=Decimal("200.00"), actor=member, now=None)
    assert not first.funded
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.OPEN and bucket.funded_at is None and bucket.funded_amount is None

    last = implementation(member=member2, bucket=bucket, amount=Decimal("100.00"), actor=member2, now=None)
    assert last.funded and last.bucket_total == Decimal("300.00")
    bucket.refresh_from_db()
    entry = LedgerEntry.objects.filter(bucket=bucket).order_by("id").last()
    assert bucket.status == Bucket.Status.FUNDED
    assert bucket.total == bucket.funded_amount == Decimal("300.00")
    assert bucket.funded_at == bucket.decided_at == entry.created_at  # in the allocation's own transaction
    assert bucket.funding_announced_at is None  # the sweep announces it
    assert entry.member_id == member2.pk and entry.after == Decimal("100.00")
    assert ledger_differences(round_ids=[fund.pk]) == []


def test_one_cent_below_the_max_goal_funds_nothing(fund, member, member2, implementation):
    bucket = make_bucket(fund, member2, min_amount="100.00", max_amount="300.00")
    result = implementation(member=member, bucket=bucket, amount=Decimal("299.99"), actor=member, now=None)
    assert not result.funded
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.OPEN and bucket.funded_at is None and bucket.decided_at is None
    # The last cent, from someone else, funds it.
    assert implementation(member=member2, bucket=bucket, amount=Decimal("0.01"), actor=member2, now=None).funded
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.FUNDED and bucket.funded_amount == Decimal("300.00")


def test_in_a_fixed_dates_round_the_max_goal_funds_nothing_before_closing(group, admin_user, member, member2,
                                                                         implementation):
    round = make_round(group, admin_user)  # fixed dates, in funding
    bucket = make_bucket(round, member2, min_amount="100.00", max_amount="300.00")
    result = implementation(member=member, bucket=bucket, amount=Decimal("300.00"), actor=member, now=None)
    assert not result.funded and result.bucket_total == Decimal("300.00")
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.OPEN
    assert bucket.funded_at is None and bucket.funded_amount is None and bucket.decided_at is None
    # Still open: it can be lowered.
    implementation(member=member, bucket=bucket, amount=Decimal("250.00"), actor=member, now=None)


@pytest.mark.parametrize("amount", ["0", "50.00", "149.99", "151.00", "150.00"])
def test_a_funded_buckets_allocations_no_longer_change(fund, member, member2, admin_user, implementation, amount):
    """Removed, lowered, raised, or even the same amount again: refused, nothing changes."""
    bucket = make_bucket(fund, member2, min_amount="100.00", max_amount="300.00")
    allocate(member, bucket, "150.00")
    allocate(member2, bucket, "150.00")  # funds it
    before = snapshot(fund)
    assert before[1][0][3] == Bucket.Status.FUNDED
    for actor in (member, admin_user):  # nor an admin entering a paper form on the member's behalf
        with pytest.raises(DomainError) as info:
            implementation(member=member, bucket=bucket, amount=Decimal(amount), actor=actor, now=None)
        assert info.value.code == "bucket_not_open" and info.value.status == 409
        assert snapshot(fund) == before, "a refusal changed something"
    # Someone who had given nothing may not join either.
    with pytest.raises(DomainError) as info:
        implementation(member=admin_user, bucket=bucket, amount=Decimal("1.00"), actor=admin_user, now=None)
    assert info.value.code == "bucket_not_open"
    assert snapshot(fund) == before


# --- the allocation sheet --------------------------------------------------------------------------


@pytest.fixture(params=["this database's path", "python rules"])
def sheet_path(request, monkeypatch):
    """set_allocations through the path this database takes and, on PostgreSQL, through the
    Python rules as well."""
    if request.param == "python rules":
        if not on_postgres():
            pytest.skip("on SQLite the Python rules are this database's path")
        monkeypatch.setattr(services, "_set_allocation_postgres", services._set_allocation_python)
    return request.param


def test_a_sheet_funds_a_bucket_mid_sheet(fund, member, member2, sheet_path):
    low, full, high = (make_bucket(fund, member2, title=f"Bucket {n}", min_amount="10.00", max_amount="100.00")
                       for n in range(3))
    allocate(member2, full, "60.00")
    allocate(member, low, "50.00")
    results = services.set_allocations(member=member, round=fund, actor=member,
                                       amounts={low.pk: "20.00", full.pk: "40.00", high.pk: "30.00"})
    assert results[full.pk].funded and results[full.pk].bucket_total == Decimal("100.00")
    assert not results[low.pk].funded and not results[high.pk].funded
    full.refresh_from_db()
    assert full.status == Bucket.Status.FUNDED and full.funded_amount == Decimal("100.00")
    assert full.funded_at == LedgerEntry.objects.filter(bucket=full).order_by("id").last().created_at
    assert dict(Allocation.objects.filter(envelope__user=member).values_list("bucket_id", "amount")) == {
        low.pk: Decimal("20.00"), full.pk: Decimal("40.00"), high.pk: Decimal("30.00")}
    assert Envelope.objects.get(round=fund, user=member).allocated == Decimal("90.00")
    assert ledger_differences(round_ids=[fund.pk]) == []


def test_a_sheet_refused_after_a_line_that_funded_a_bucket_funds_nothing(fund, member, member2, sheet_path):
    full, other = (make_bucket(fund, member2, title=f"Bucket {n}", min_amount="10.00", max_amount="100.00")
                   for n in range(2))
    allocate(member2, full, "60.00")
    before = snapshot(fund)
    with pytest.raises(DomainError) as info:
        services.set_allocations(member=member, round=fund, actor=member,
                                 amounts={full.pk: "40.00", other.pk: "100.01"})
    assert info.value.code == "bucket_max_exceeded" and info.value.field == f"amount-{other.pk}"
    assert snapshot(fund) == before  # the funding rolled back with the sheet
    full.refresh_from_db()
    assert full.status == Bucket.Status.OPEN and full.funded_at is None


def test_a_sheet_keeping_its_amount_on_a_bucket_funded_meanwhile_is_saved(fund, member, member2, admin_user,
                                                                          sheet_path):
    """A paper form lists the open buckets; one is funded by someone else before the form is
    saved. Its line, unchanged, is no change to refuse; a changed one is refused."""
    funded, other = (make_bucket(fund, member2, title=f"Bucket {n}", min_amount="10.00", max_amount="100.00")
                     for n in range(2))
    allocate(member, funded, "30.00")
    allocate(member2, funded, "70.00")  # funded meanwhile
    results = services.set_allocations(member=member, round=fund, actor=admin_user,
                                       amounts={funded.pk: "30.00", other.pk: "25.00"})
    assert funded.pk not in results and results[other.pk].amount == Decimal("25.00")
    before = snapshot(fund)
    with pytest.raises(DomainError) as info:
        services.set_allocations(member=member, round=fund, actor=admin_user,
                                 amounts={funded.pk: "10.00", other.pk: "35.00"})
    assert info.value.code == "bucket_not_open" and info.value.field == f"amount-{funded.pk}"
    assert snapshot(fund) == before


def test_a_paper_form_with_a_bucket_funded_meanwhile_is_saved(client, fund, group, member, member2, admin_user):
    """The admin opened the member's paper form; before it is saved, someone else funds one
    of its buckets. The form posts that line unchanged (empty: 0), and is saved."""
    from groups.models import Membership

    funded, other = (make_bucket(fund, member2, title=f"Bucket {n}", min_amount="10.00", max_amount="100.00")
                     for n in range(2))
    allocate(member2, funded, "100.00")  # funded meanwhile
    client.force_login(admin_user)
    target = Membership.objects.get(group=group, user=member)
    response = client.post(f"/rounds/{fund.pk}/paper/", {"member": target.pk, f"amount-{funded.pk}": "",
                                                        f"amount-{other.pk}": "25"})
    assert response.status_code == 302
    assert dict(Allocation.objects.filter(envelope__user=member).values_list("bucket_id", "amount")) == {
        other.pk: Decimal("25.00")}


def test_once_the_round_is_closed_an_unchanged_line_is_refused_as_before(fund, member, member2, admin_user,
                                                                         sheet_path):
    funded = make_bucket(fund, member2, min_amount="10.00", max_amount="100.00")
    allocate(member, funded, "30.00")
    allocate(member2, funded, "70.00")
    Round.objects.filter(pk=fund.pk).update(closed_at=timezone.now())
    with pytest.raises(DomainError) as info:
        services.set_allocations(member=member, round=fund, actor=admin_user, amounts={funded.pk: "30.00"})
    assert info.value.code == "round_closed" and info.value.field == f"amount-{funded.pk}"


# --- through the API ----------------------------------------------------------------------------


@pytest.mark.parametrize("client_for", [api_client_for, token_client_for], ids=["session", "token"])
def test_the_funding_shows_through_the_api(fund, member, member2, client_for):
    bucket = make_bucket(fund, member2, min_amount="100.00", max_amount="300.00")
    allocate(member2, bucket, "120.00")
    url = f"/api/buckets/{bucket.id}/allocation/"
    response = client_for(member).put(url, {"amount": "180.00"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"amount": "180.00", "bucket_total": "300.00", "envelope_remaining": "250.00"}
    detail = api_client_for(member).get(f"/api/buckets/{bucket.id}/").json()
    assert detail["status"] == "funded" and detail["total"] == "300.00"
    for amount in ("100.00", "0"):
        refused = client_for(member).put(url, {"amount": amount}, format="json")
        assert refused.status_code == 409 and refused.json()["code"] == "bucket_not_open"
    assert Allocation.objects.get(bucket=bucket, envelope__user=member).amount == Decimal("180.00")


# --- concurrency ----------------------------------------------------------------------------------


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["database function", "python rules"])
@pytest.mark.parametrize(("each", "accepted"), [("10.00", 1), ("2.50", 4)])
def test_many_members_racing_for_the_last_euros_fund_the_bucket_once(group, admin_user, member, monkeypatch, path,
                                                                      each, accepted):
    """16 members at once on the last 10.00 of a bucket: exactly enough of them are accepted
    to fill it, the last of those funds it, once; every other one finds it funded."""
    from tests.test_allocation_concurrency import THREADS, people, run_concurrently

    if path == "python rules":
        monkeypatch.setattr(services, "_set_allocation_postgres", services._set_allocation_python)
    fund = make_round(group, admin_user, kind="permanent", envelope="430.00")
    racers = people(group, admin_user, THREADS)
    bucket = make_bucket(fund, member, min_amount="100.00", max_amount="300.00")
    allocate(member, bucket, "290.00")  # 10.00 left
    entries_before = LedgerEntry.objects.filter(bucket=bucket).count()

    results, unexpected = run_concurrently([lambda u=u: allocate(u, bucket, each) for u in racers])

    assert unexpected == []
    oks = [outcome for kind, outcome in results if kind == "ok"]
    assert len(oks) == accepted
    assert sum(1 for result in oks if result.funded) == 1
    assert sorted(outcome for kind, outcome in results if kind == "refused") == ["bucket_not_open"] * (THREADS - accepted)
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.FUNDED
    assert bucket.total == bucket.funded_amount == bucket.max_goal == Decimal("300.00")
    assert bucket.contributors_count == 1 + accepted
    funding = LedgerEntry.objects.filter(bucket=bucket).order_by("id").last()
    assert bucket.funded_at == bucket.decided_at == bucket.updated_at == funding.created_at  # funded once, not again
    assert bucket.funding_announced_at is None
    assert LedgerEntry.objects.filter(bucket=bucket).count() == entries_before + accepted
    assert ledger_differences(round_ids=[fund.pk]) == []
    call_command("check_ledger")
