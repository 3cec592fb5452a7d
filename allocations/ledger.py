"""Verification of the stored counters against the append-only ledger (check_ledger)."""

from collections import defaultdict

from django.db.models import Count, Sum

from allocations.models import Allocation, Envelope, LedgerEntry
from buckets.models import Bucket
from cobudget.money import ZERO


def ledger_differences(*, round_ids=None) -> list[str]:
    """Every difference between the stored totals and the ledger, in words (empty: clean)."""
    problems: list[str] = []
    envelopes = Envelope.objects.all()
    buckets = Bucket.objects.all()
    allocations = Allocation.objects.all()
    entries = LedgerEntry.objects.all()
    if round_ids is not None:
        envelopes = envelopes.filter(round_id__in=round_ids)
        buckets = buckets.filter(round_id__in=round_ids)
        allocations = allocations.filter(envelope__round_id__in=round_ids)
        entries = entries.filter(round_id__in=round_ids)

    # Replay the ledger: last `after` per (round, member, bucket), last envelope amount.
    replay_alloc: dict[tuple, object] = {}
    replay_env: dict[tuple, object] = {}
    for round_id, member_id, bucket_id, kind, after in entries.order_by("id").values_list(
        "round_id", "member_id", "bucket_id", "kind", "after"
    ).iterator(chunk_size=5000):
        if kind in (LedgerEntry.Kind.ALLOCATION, LedgerEntry.Kind.REFUND):
            replay_alloc[(round_id, member_id, bucket_id)] = after
        else:
            replay_env[(round_id, member_id)] = after
    replay_by_envelope: dict[tuple, object] = defaultdict(lambda: ZERO)
    for (round_id, member_id, _bucket_id), after in replay_alloc.items():
        replay_by_envelope[(round_id, member_id)] += after

    current = {
        (round_id, user_id, bucket_id): amount
        for round_id, user_id, bucket_id, amount in allocations.values_list(
            "envelope__round_id", "envelope__user_id", "bucket_id", "amount"
        )
    }
    for key in set(current) | {k for k, v in replay_alloc.items() if v != ZERO}:
        if current.get(key, ZERO) != replay_alloc.get(key, ZERO):
            problems.append(
                f"allocation round={key[0]} member={key[1]} bucket={key[2]}: stored {current.get(key, ZERO)}, "
                f"ledger {replay_alloc.get(key, ZERO)}"
            )

    sums = {
        e_id: s for e_id, s in allocations.values("envelope_id").annotate(s=Sum("amount")).values_list("envelope_id", "s")
    }
    for envelope in envelopes.values("id", "round_id", "user_id", "amount", "allocated").iterator(chunk_size=5000):
        stored_sum = sums.get(envelope["id"]) or ZERO
        where = f"envelope {envelope['id']} (round={envelope['round_id']} member={envelope['user_id']})"
        if stored_sum != envelope["allocated"]:
            problems.append(f"{where}: allocated {envelope['allocated']} but allocations sum to {stored_sum}")
        replayed = replay_by_envelope.get((envelope["round_id"], envelope["user_id"]), ZERO)
        if replayed != envelope["allocated"]:
            problems.append(f"{where}: allocated {envelope['allocated']} but the ledger says {replayed}")
        if envelope["allocated"] > envelope["amount"]:
            problems.append(f"{where}: allocated {envelope['allocated']} above its amount {envelope['amount']}")
        last = replay_env.get((envelope["round_id"], envelope["user_id"]))
        if last is not None and last != envelope["amount"]:
            problems.append(f"{where}: amount {envelope['amount']} but the ledger says {last}")

    per_bucket = {
        b_id: (s, c)
        for b_id, s, c in allocations.values("bucket_id").annotate(s=Sum("amount"), c=Count("id")).values_list("bucket_id", "s", "c")
    }
    for bucket in buckets.values("id", "total", "contributors_count", "max_goal").iterator(chunk_size=5000):
        total, count = per_bucket.get(bucket["id"], (ZERO, 0))
        if total != bucket["total"]:
            problems.append(f"bucket {bucket['id']}: total {bucket['total']} but allocations sum to {total}")
        if count != bucket["contributors_count"]:
            problems.append(f"bucket {bucket['id']}: {bucket['contributors_count']} contributors but {count} allocations")
        if bucket["total"] > bucket["max_goal"]:
            problems.append(f"bucket {bucket['id']}: total {bucket['total']} above its maximum goal {bucket['max_goal']}")
    return problems
