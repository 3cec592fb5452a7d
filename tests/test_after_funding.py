"""Completing a funded bucket and cancelling its funding (allocations.after_funding): what is
left goes back to the funders pro rata to the cent — to their envelopes in a permanent fund,
counted as returned in a closed fixed round — with a RETURN row per funder, every earlier row
kept, check_ledger clean; and every refusal changes nothing."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from allocations import after_funding
from allocations.after_funding import split_pro_rata
from allocations.figures import round_figures
from allocations.ledger import ledger_differences
from allocations.models import Allocation, Envelope, LedgerEntry
from audit.models import AuditEntry
from buckets.models import Bucket
from cobudget.errors import DomainError
from groups import services as group_services
from groups.models import User
from results import services as closing
from results.selectors import member_figures
from tests.builders import (
    allocate,
    funded_in_fund,
    make_bucket,
    make_round,
    open_funding,
    permanent_round,
    record_paid,
)

pytestmark = pytest.mark.django_db

D = Decimal


# --- the rounding rule ------------------------------------------------------------------------


def test_the_rule_floors_then_gives_the_cents_left_to_the_largest_funders():
    # 100.00 over three equal funders: 33.33 each, the cent left to the lowest member id.
    assert split_pro_rata(D("100.00"), {7: D("50.00"), 3: D("50.00"), 5: D("50.00")}) == {
        3: D("33.34"), 5: D("33.33"), 7: D("33.33")}
    # 10.00 over 60/30/10 (exact): 6.00, 3.00, 1.00.
    assert split_pro_rata(D("10.00"), {1: D("60.00"), 2: D("30.00"), 3: D("10.00")}) == {
        1: D("6.00"), 2: D("3.00"), 3: D("1.00")}
    # 0.05 over 9 funders of 10.00 and one of 30.00: floors give 0.00 and 0.03... the
    # largest gets its floor (0.03 × 30 / 120 → 0.01) then the first extra cent; ties by id.
    shares = split_pro_rata(D("0.05"), {i: D("10.00") for i in range(1, 10)} | {99: D("30.00")})
    assert sum(shares.values()) == D("0.05")
    assert shares[99] == D("0.02") and shares[1] == D("0.01") and shares[2] == D("0.01") and shares[3] == D("0.01")
    assert all(shares[i] == D("0.00") for i in range(4, 10))
    # Everything back: each funder gets exactly their allocation; nothing: zeros.
    weights = {1: D("12.34"), 2: D("0.01")}
    assert split_pro_rata(D("12.35"), weights) == weights
    assert split_pro_rata(D("0.00"), weights) == {1: D("0.00"), 2: D("0.00")}
    with pytest.raises(ValueError):
        split_pro_rata(D("12.36"), weights)
    # A currency without cents splits in whole units.
    assert split_pro_rata(D("100"), {1: D("200"), 2: D("100")}, places=0) == {1: D("67"), 2: D("33")}


cents = st.integers(min_value=1, max_value=10_000_000)


@settings(max_examples=400, deadline=None)
@given(weights=st.dictionaries(st.integers(min_value=1, max_value=10_000), cents, min_size=1, max_size=40),
       fraction=st.fractions(min_value=0, max_value=1))
def test_shares_add_up_exactly_and_never_exceed_an_allocation(weights, fraction):
    weights = {m: D(w) / 100 for m, w in weights.items()}
    total = sum(weights.values())
    amount = (D(int(total * 100 * fraction.numerator / fraction.denominator))) / 100
    shares = split_pro_rata(amount, weights)
    assert set(shares) == set(weights)
    assert sum(shares.values()) == amount
    for member, share in shares.items():
        assert D("0") <= share <= weights[member]
        exact = amount * weights[member] / total
        # At most a cent above the exact share (an extra cent on an exact share is one), never a
        # cent below it (the floor).
        assert share - exact <= D("0.01") and exact - share < D("0.01")
    # The extra cents went to the largest funders, ties by member id.
    floors = {m: (amount * 100 * weights[m] * 100 // (total * 100)) / 100 for m in weights}
    extra = [m for m in weights if shares[m] != floors[m]]
    order = sorted(weights, key=lambda m: (-weights[m], m))
    assert extra == [] or sorted(extra, key=order.index) == order[:len(extra)]
    assert all(shares[m] - floors[m] in (D("0"), D("0.01")) for m in weights)


# --- a permanent fund: back to the envelopes ----------------------------------------------------


@pytest.fixture
def funders(group, admin_user, member, member2):
    third = User.objects.create_user(email="third@example.org", password="x" * 12, name="Zoé", language="en")
    group_services.add_member(group=group, email=third.email, actor=None, send_invitation=False)
    return [member, member2, third]


@pytest.fixture
def fund_round(group, admin_user):
    return permanent_round(group, admin_user)


def _ledger_snapshot(round):
    return list(LedgerEntry.objects.filter(round=round).order_by("id").values_list("id", "kind", "before", "after"))


def test_completing_gives_what_is_left_back_to_the_envelopes_pro_rata(fund_round, admin_user, accountant, funders):
    a, b, c = funders
    bucket = funded_in_fund(fund_round, a, {a: "200.00", b: "100.00", c: "33.33"})
    record_paid(bucket, "300.00")
    history = _ledger_snapshot(fund_round)
    given = after_funding.complete_bucket(bucket=bucket, actor=accountant)
    # 33.33 left of 333.33: 200/333.33 × 33.33 = 19.998… → 19.99, 9.999… → 9.99, 3.332… → 3.33;
    # the cent left goes to the largest funder.
    assert given.amount == D("33.33") and given.to_envelopes
    assert given.shares == {a.pk: D("20.00"), b.pk: D("10.00"), c.pk: D("3.33")}
    bucket.refresh_from_db()
    assert bucket.completed_at is not None and bucket.status == Bucket.Status.FUNDED
    assert bucket.returned_amount == D("33.33") and bucket.total == D("300.00") == bucket.paid_amount
    assert bucket.balance == D("33.33")  # funded − paid: what was given back
    assert bucket.contributors_count == 3
    allocations = dict(Allocation.objects.filter(bucket=bucket).values_list("envelope__user_id", "amount"))
    assert allocations == {a.pk: D("180.00"), b.pk: D("90.00"), c.pk: D("30.00")}
    envelopes = dict(Envelope.objects.filter(round=fund_round).values_list("user_id", "allocated"))
    assert envelopes[a.pk] == D("180.00") and envelopes[b.pk] == D("90.00") and envelopes[c.pk] == D("30.00")
    # Every earlier row kept; one RETURN row per funder, before and after their allocation.
    assert _ledger_snapshot(fund_round)[:len(history)] == history
    returns = list(LedgerEntry.objects.filter(round=fund_round, kind=LedgerEntry.Kind.RETURN)
                   .values_list("member_id", "bucket_id", "before", "after", "actor_id"))
    assert sorted(returns) == sorted([(a.pk, bucket.pk, D("200.00"), D("180.00"), accountant.pk),
                                      (b.pk, bucket.pk, D("100.00"), D("90.00"), accountant.pk),
                                      (c.pk, bucket.pk, D("33.33"), D("30.00"), accountant.pk)])
    assert ledger_differences() == []
    call_command("check_ledger")
    entry = AuditEntry.objects.get(action="bucket.completed")
    assert entry.actor_id == accountant.pk and entry.after["returned"] == "33.33"
    # In a permanent fund the money is back in the envelopes: unspent, every envelope adds up.
    figures = round_figures(fund_round)
    assert figures.returned == D("0.00") and figures.funded == D("300.00")
    assert figures.unspent == 3 * D("430.00") + D("430.00") - D("300.00")  # admin, member, member2, third
    for row in member_figures(fund_round):
        f = row["figures"]
        assert f.envelope == f.funded + f.to_decide + f.returned + f.open + f.unspent


def test_completing_a_bucket_spent_to_the_cent_moves_nothing(fund_round, accountant, funders):
    a, b, _c = funders
    bucket = funded_in_fund(fund_round, a, {a: "40.00", b: "60.00"})
    record_paid(bucket, "100.00")
    given = after_funding.complete_bucket(bucket=bucket, actor=accountant)
    assert given.amount == D("0.00") and given.shares == {}
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RETURN).exists()
    bucket.refresh_from_db()
    assert bucket.completed_at is not None and bucket.total == D("100.00")
    assert ledger_differences() == []


def test_cancelling_gives_everything_back_and_keeps_the_history(fund_round, admin_user, funders):
    a, b, c = funders
    bucket = funded_in_fund(fund_round, a, {a: "120.00", b: "80.00", c: "0.50"})
    history = _ledger_snapshot(fund_round)
    given = after_funding.cancel_funding(bucket=bucket, actor=admin_user, reason="  Le lieu a fermé.  ")
    assert given.amount == D("200.50") and given.funders == 3
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.NOT_FUNDED and bucket.cancelled_at is not None
    assert bucket.cancel_reason == "Le lieu a fermé." and bucket.completed_at is None
    assert bucket.total == D("0.00") and bucket.contributors_count == 0 and bucket.returned_amount == D("200.50")
    assert bucket.funded_amount == D("200.50")  # when and how much it was funded stays known
    assert not Allocation.objects.filter(bucket=bucket).exists()
    assert set(Envelope.objects.filter(round=fund_round).values_list("allocated", flat=True)) == {D("0.00")}
    rows = _ledger_snapshot(fund_round)
    assert rows[:len(history)] == history  # the funders' allocation rows are all still there
    assert [r[1] for r in rows[len(history):]] == ["return"] * 3
    assert LedgerEntry.objects.filter(bucket=bucket, kind=LedgerEntry.Kind.ALLOCATION).count() == 3
    assert ledger_differences() == []
    entry = AuditEntry.objects.get(action="bucket.funding_cancelled")
    assert entry.before["status"] == "funded" and entry.after["reason"] == "Le lieu a fermé."
    from django.utils import translation

    from audit.selectors import action_label

    with translation.override("fr"):
        assert action_label(entry.action) == "Financement d’un projet annulé"
        assert action_label("bucket.completed") == "Projet terminé"
    # The money can be allocated again at once.
    other = make_bucket_in(fund_round, a)
    allocate(a, other, "430.00")
    assert ledger_differences() == []


def make_bucket_in(round, creator):
    from tests.builders import make_bucket as make

    return make(round, creator, title="Another", min_amount="10.00", max_amount="1000.00")


def _state(bucket):
    bucket.refresh_from_db()
    return (bucket.status, bucket.total, bucket.returned_amount, bucket.completed_at, bucket.cancelled_at,
            bucket.cancel_reason, list(Allocation.objects.filter(bucket=bucket).values_list("id", "amount")),
            list(Envelope.objects.values_list("id", "allocated")), LedgerEntry.objects.count(),
            AuditEntry.objects.count())


def test_cancelling_after_a_payment_is_refused_and_changes_nothing(fund_round, admin_user, funders):
    a, b, _c = funders
    bucket = funded_in_fund(fund_round, a, {a: "120.00", b: "80.00"})
    record_paid(bucket, "0.01")
    before = _state(bucket)
    with pytest.raises(DomainError) as refused:
        after_funding.cancel_funding(bucket=bucket, actor=admin_user, reason="Trop tard")
    assert refused.value.code == "bucket_has_payments" and refused.value.status == 409
    assert "already paid" in str(refused.value.detail) and "Complete it instead" in str(refused.value.detail)
    assert _state(bucket) == before


def test_a_second_completion_or_cancellation_is_refused_clearly(fund_round, admin_user, accountant, funders):
    a, b, _c = funders
    done = funded_in_fund(fund_round, a, {a: "100.00", b: "50.00"})
    record_paid(done, "100.00")
    after_funding.complete_bucket(bucket=done, actor=accountant)
    before = _state(done)
    for call in (lambda: after_funding.complete_bucket(bucket=done, actor=admin_user),
                 lambda: after_funding.cancel_funding(bucket=done, actor=admin_user, reason="Oups")):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == "bucket_completed" and refused.value.status == 409
        assert "already completed on" in str(refused.value.detail)
    assert _state(done) == before
    cancelled = funded_in_fund(fund_round, a, {a: "10.00"}, title="Serre")
    after_funding.cancel_funding(bucket=cancelled, actor=admin_user, reason="Abandonné")
    before = _state(cancelled)
    for call in (lambda: after_funding.complete_bucket(bucket=cancelled, actor=accountant),
                 lambda: after_funding.cancel_funding(bucket=cancelled, actor=admin_user, reason="Encore")):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == "funding_cancelled"
    assert _state(cancelled) == before
    assert ledger_differences() == []


def test_only_funded_buckets_and_the_right_people(fund_round, admin_user, accountant, member, funders):
    a, b, _c = funders
    open_bucket = make_bucket_in(fund_round, a)
    allocate(b, open_bucket, "10.00")
    with pytest.raises(DomainError) as refused:
        after_funding.complete_bucket(bucket=open_bucket, actor=accountant)
    assert refused.value.code == "bucket_not_funded"
    bucket = funded_in_fund(fund_round, a, {a: "100.00"})
    before = _state(bucket)
    for call in (lambda: after_funding.complete_bucket(bucket=bucket, actor=member),
                 lambda: after_funding.cancel_funding(bucket=bucket, actor=accountant, reason="Non"),
                 lambda: after_funding.cancel_funding(bucket=bucket, actor=member, reason="Non")):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.status == 403
    for reason in ("", "   ", None, "x" * 1001):
        with pytest.raises(DomainError) as refused:
            after_funding.cancel_funding(bucket=bucket, actor=admin_user, reason=reason)
        assert refused.value.status == 400 and refused.value.field == "reason"
    assert _state(bucket) == before


def test_a_stale_confirmation_is_refused(fund_round, admin_user, accountant, funders):
    a, b, _c = funders
    bucket = funded_in_fund(fund_round, a, {a: "100.00", b: "50.00"})
    shown = after_funding.preview(bucket, after_funding.COMPLETE).figures
    record_paid(bucket, "20.00")  # a payment recorded meanwhile
    before = _state(bucket)
    with pytest.raises(DomainError) as refused:
        after_funding.complete_bucket(bucket=bucket, actor=accountant, expect=shown)
    assert refused.value.code == "confirmation_stale"
    assert _state(bucket) == before
    after_funding.complete_bucket(bucket=bucket, actor=accountant,
                                  expect=after_funding.preview(bucket, after_funding.COMPLETE).figures)


# --- a closed fixed round: counted as returned ---------------------------------------------------


@pytest.fixture
def closed_round(group, admin_user, member, member2):
    round = make_round(group, admin_user)
    oven = make_bucket(round, member, title="Four solaire", min_amount="300.00", max_amount="500.00")
    shed = make_bucket(round, member2, title="Abri vélos", min_amount="100.00", max_amount="300.00")
    open_funding(round)
    allocate(member, oven, "200.00")
    allocate(member2, oven, "100.00")
    allocate(admin_user, oven, "33.33")
    allocate(member, shed, "50.00")
    allocate(member2, shed, "70.00")
    closing.close_round(round=round, actor=admin_user)
    return round


def test_in_a_fixed_round_the_leftover_counts_as_returned_per_member(closed_round, accountant, admin_user, member,
                                                                     member2):
    oven = Bucket.objects.get(round=closed_round, title="Four solaire")
    assert oven.status == Bucket.Status.FUNDED and oven.funded_amount == D("333.33")
    envelopes_before = list(Envelope.objects.order_by("id").values_list("id", "amount", "allocated"))
    allocations_before = list(Allocation.objects.order_by("id").values_list("id", "amount"))
    record_paid(oven, "300.00")
    given = after_funding.complete_bucket(bucket=oven, actor=accountant)
    assert not given.to_envelopes
    assert given.shares == {member.pk: D("20.00"), member2.pk: D("10.00"), admin_user.pk: D("3.33")}
    # No envelope, no allocation changes in a closed round; the rows say who got what back.
    assert list(Envelope.objects.order_by("id").values_list("id", "amount", "allocated")) == envelopes_before
    assert list(Allocation.objects.order_by("id").values_list("id", "amount")) == allocations_before
    oven.refresh_from_db()
    assert oven.total == D("333.33") and oven.returned_amount == D("33.33") and oven.completed_at is not None
    assert ledger_differences() == []
    figures = round_figures(closed_round)
    assert figures.funded == D("300.00") + D("120.00") and figures.returned == D("33.33")
    rows = {row["user"].pk: row["figures"] for row in member_figures(closed_round)}
    assert rows[member.pk].funded == D("180.00") + D("50.00") and rows[member.pk].returned == D("20.00")
    assert rows[admin_user.pk].funded == D("30.00") and rows[admin_user.pk].returned == D("3.33")
    for f in rows.values():
        assert f.envelope == f.funded + f.to_decide + f.returned + f.open + f.unspent
    assert sum(f.returned for f in rows.values()) == figures.returned
    assert sum(f.funded for f in rows.values()) == figures.funded

    shed = Bucket.objects.get(round=closed_round, title="Abri vélos")
    after_funding.cancel_funding(bucket=shed, actor=admin_user, reason="Plus de place")
    shed.refresh_from_db()
    assert shed.status == Bucket.Status.NOT_FUNDED and shed.total == D("120.00") == shed.returned_amount
    assert ledger_differences() == []
    figures = round_figures(closed_round)
    assert figures.funded == D("300.00") and figures.returned == D("33.33") + D("120.00")
    rows = {row["user"].pk: row["figures"] for row in member_figures(closed_round)}
    assert rows[member2.pk].funded == D("90.00") and rows[member2.pk].returned == D("10.00") + D("70.00")
    assert sum(f.returned for f in rows.values()) == figures.returned
    assert sum(f.funded for f in rows.values()) == figures.funded


def test_check_ledger_sees_a_return_that_does_not_add_up(closed_round, accountant):
    oven = Bucket.objects.get(round=closed_round, title="Four solaire")
    record_paid(oven, "300.00")
    after_funding.complete_bucket(bucket=oven, actor=accountant)
    Bucket.objects.filter(pk=oven.pk).update(returned_amount=D("33.34"))
    assert any("returned 33.34" in p for p in ledger_differences())


# --- expenses ------------------------------------------------------------------------------------


def test_completing_waits_for_every_expense_to_be_decided_and_paid(fund_round, accountant, admin_user, funders):
    from tests.builders import make_expense

    a, b, _c = funders
    bucket = funded_in_fund(fund_round, a, {a: "100.00", b: "50.00"})
    make_expense(bucket, a, status="rejected")
    paid = make_expense(bucket, a, amount="40.00", status="paid")
    record_paid(bucket, "40.00")
    waiting = make_expense(bucket, a, status="pending")
    approved = make_expense(bucket, a, status="approved")
    before = _state(bucket)
    with pytest.raises(DomainError) as refused:
        after_funding.complete_bucket(bucket=bucket, actor=accountant)
    assert refused.value.code == "expenses_outstanding" and refused.value.status == 409
    assert "2 expenses of this bucket still wait for a decision or a payment" in str(refused.value.detail)
    assert _state(bucket) == before
    waiting.delete()
    with pytest.raises(DomainError) as refused:
        after_funding.complete_bucket(bucket=bucket, actor=accountant)
    assert "1 expense of this bucket still waits" in str(refused.value.detail)
    approved.status = "rejected"
    approved.reason = "Doublon"
    approved.save()
    given = after_funding.complete_bucket(bucket=bucket, actor=accountant)
    assert given.amount == D("110.00") and paid.bucket_id == bucket.pk
    assert ledger_differences() == []


def test_an_approved_expense_blocks_the_cancellation(fund_round, admin_user, funders):
    from tests.builders import make_expense

    a, b, _c = funders
    bucket = funded_in_fund(fund_round, a, {a: "100.00", b: "50.00"})
    approved = make_expense(bucket, a, status="approved")
    before = _state(bucket)
    with pytest.raises(DomainError) as refused:
        after_funding.cancel_funding(bucket=bucket, actor=admin_user, reason="Abandonné")
    assert refused.value.code == "bucket_has_payments" and "approved" in str(refused.value.detail)
    assert _state(bucket) == before
    approved.delete()
    make_expense(bucket, a, status="rejected")
    assert after_funding.cancel_funding(bucket=bucket, actor=admin_user, reason="Abandonné").amount == D("150.00")


def test_cancelling_refuses_the_expenses_still_waiting_and_none_can_be_approved_after(fund_round, admin_user,
                                                                                       accountant, funders):
    """A pending expense on a bucket whose funding is cancelled could never be paid: it is refused
    with the cancellation's reason in the same transaction, and the accountant's queue is empty."""
    from expenses import services as expense_services
    from expenses.models import Expense
    from tests.builders import make_expense

    a, b, _c = funders
    bucket = funded_in_fund(fund_round, a, {a: "100.00", b: "50.00"})
    waiting = make_expense(bucket, a, status="pending")
    after_funding.cancel_funding(bucket=bucket, actor=admin_user, reason="Projet abandonné")
    waiting.refresh_from_db()
    assert waiting.status == Expense.Status.REJECTED
    assert waiting.decided_by == admin_user and "Projet abandonné" in waiting.reason
    assert not Expense.objects.filter(bucket=bucket, status__in=("pending", "approved")).exists()
    late = make_expense(bucket, a, status="pending")  # written behind the services' back
    with pytest.raises(DomainError) as refused:
        expense_services.approve(expense=late, actor=accountant)
    assert refused.value.code == "bucket_not_funded"
    assert expense_services.reject(expense=late, actor=accountant, reason="Financement annulé").status == "rejected"
    assert ledger_differences() == []
