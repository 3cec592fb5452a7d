"""Rule 7: every change appends a ledger row naming the actor; check_ledger verifies the
stored totals against it and exits non-zero on any difference."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, InternalError, ProgrammingError, transaction

from allocations import services
from allocations.models import LedgerEntry
from buckets.models import Bucket
from tests.builders import allocate, make_bucket, make_round
from tests.conftest import on_postgres


@pytest.fixture
def round(group, admin_user, member):
    return make_round(group, admin_user)


@pytest.fixture
def bucket(round, member):
    return make_bucket(round, member)


def allocation_rows(round):
    return list(
        LedgerEntry.objects.filter(round=round, kind__in=["allocation", "refund"]).values_list(
            "member__email", "actor__email", "bucket_id", "kind", "before", "after"
        )
    )


def test_it_writes_one_row_per_change_with_before_and_after(round, bucket, member):
    allocate(member, bucket, "50.00")
    allocate(member, bucket, "80.00")
    allocate(member, bucket, "80.00")  # no change, no row
    allocate(member, bucket, "0")
    assert allocation_rows(round) == [
        (member.email, member.email, bucket.id, "allocation", Decimal("0.00"), Decimal("50.00")),
        (member.email, member.email, bucket.id, "allocation", Decimal("50.00"), Decimal("80.00")),
        (member.email, member.email, bucket.id, "allocation", Decimal("80.00"), Decimal("0.00")),
    ]


def test_it_names_the_admin_who_entered_a_paper_form(round, bucket, member, admin_user):
    allocate(member, bucket, "40.00", actor=admin_user)
    entry = LedgerEntry.objects.get(round=round, kind="allocation")
    assert entry.member == member and entry.actor == admin_user and entry.on_behalf


def test_it_records_refunds_when_a_bucket_is_withdrawn(round, bucket, member, member2):
    allocate(member, bucket, "40.00")
    allocate(member2, bucket, "60.00")
    services.withdraw_bucket(bucket=bucket, actor=member)
    refunds = [r for r in allocation_rows(round) if r[3] == "refund"]
    assert {r[0]: (r[4], r[5]) for r in refunds} == {
        member.email: (Decimal("40.00"), Decimal("0.00")),
        member2.email: (Decimal("60.00"), Decimal("0.00")),
    }


def test_check_ledger_is_clean_after_allocations_withdrawals_merges_and_envelope_changes(round, member, member2, admin_user, capsys):
    a = make_bucket(round, member, title="A")
    b = make_bucket(round, member, title="B")
    c = make_bucket(round, member, title="C")
    allocate(member, a, "100.00")
    allocate(member2, a, "20.00")
    allocate(member2, b, "30.00")
    allocate(member, c, "10.00")
    services.set_envelope_amount(round=round, user=member2, amount=Decimal("500.00"), actor=admin_user)
    services.merge_bucket(bucket=a, into=b, actor=member)
    services.withdraw_bucket(bucket=c, actor=member)
    call_command("check_ledger")
    assert "agree" in capsys.readouterr().out


def test_check_ledger_exits_non_zero_on_a_stored_total_that_differs(round, bucket, member, capsys):
    allocate(member, bucket, "50.00")
    Bucket.objects.filter(pk=bucket.pk).update(total=Decimal("49.99"))
    with pytest.raises(CommandError):
        call_command("check_ledger")
    assert f"bucket {bucket.id}" in capsys.readouterr().err


def test_check_ledger_finds_an_allocation_missing_from_the_ledger(round, bucket, member):
    allocate(member, bucket, "50.00")
    from allocations.models import Allocation, Envelope

    Allocation.objects.filter(bucket=bucket).update(amount=Decimal("60.00"))
    Envelope.objects.filter(round=round, user=member).update(allocated=Decimal("60.00"))
    Bucket.objects.filter(pk=bucket.pk).update(total=Decimal("60.00"))
    with pytest.raises(CommandError):
        call_command("check_ledger")


def test_the_ledger_refuses_updates_on_postgres(round, bucket, member):
    if not on_postgres():
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    allocate(member, bucket, "50.00")
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
        LedgerEntry.objects.filter(round=round).update(after=Decimal("1.00"))
