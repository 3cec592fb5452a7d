"""Expenses under real concurrency on PostgreSQL (threads on their own connections): two
accountants paying the same expense at once pay it once; co-leads submitting at once never
ask together for more than the bucket was funded."""

from decimal import Decimal

import pytest

from buckets.models import Bucket
from expenses import services
from expenses.models import Expense
from groups import services as group_services
from groups.models import Role, User
from tests.builders import funded_in_closed_round, pdf_upload
from tests.conftest import make_user, requires_postgres
from tests.test_allocation_concurrency import run_concurrently


def _submit(bucket, user, amount):
    return lambda: services.submit(bucket=Bucket.objects.select_related("round__group").get(pk=bucket.pk), actor=user,
                                   description="Paint", amount=amount, spent_on="2026-11-20", receipt=pdf_upload())


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_accountants_paying_the_same_expense_at_once_pay_it_once(group, admin_user, member, member2, accountant):
    second = make_user("accountant2@example.org")
    group_services.add_member(group=group, email=second.email, role=Role.ACCOUNTANT, actor=None, send_invitation=False)
    bucket = funded_in_closed_round(group, admin_user, member, member2)
    expense = _submit(bucket, member, Decimal("120.00"))()
    services.approve(expense=expense, actor=accountant)
    jobs = [
        (lambda who=who, ref=ref: services.pay(expense=Expense.objects.select_related("bucket__round__group").get(
            pk=expense.pk), actor=who, paid_at="2026-11-25", payment_reference=ref))
        for who, ref in ((accountant, "VIR-A"), (User.objects.get(pk=second.pk), "VIR-B"))
    ] * 4
    results, unexpected = run_concurrently(jobs)
    assert unexpected == []
    assert [r for r in results if r[0] == "ok"].__len__() == 1
    assert sorted({r[1] for r in results if r[0] == "refused"}) == ["expense_already_paid"]
    bucket.refresh_from_db()
    assert bucket.paid_amount == Decimal("120.00")
    assert Expense.objects.get(pk=expense.pk).status == "paid"


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_coleads_submitting_at_once_never_ask_beyond_the_funding(group, admin_user, member, member2):
    bucket = funded_in_closed_round(group, admin_user, member, member2, amount="300.00")
    bucket.coleads.add(member2)
    jobs = [_submit(bucket, who, Decimal("70.00")) for who in (member, member2) * 4]
    results, unexpected = run_concurrently(jobs)
    assert unexpected == []
    assert len([r for r in results if r[0] == "ok"]) == 4  # 4 × 70 = 280 ≤ 300 < 5 × 70
    assert {r[1] for r in results if r[0] == "refused"} == {"expense_exceeds_balance"}
    assert Expense.objects.count() == 4
    assert services.committed(Bucket.objects.get(pk=bucket.pk)) == Decimal("280.00")
