"""Verification of the stored counters against the append-only ledger (check_ledger).

RETURN rows (a funded bucket completed or cancelled, allocations.after_funding) say what each
funder got back: before − after. In a permanent fund the share left their allocation, so the
row is replayed like an allocation row; in a fixed round the allocation stays as it was given
(the round is closed) and the rows only count the share as returned. Either way their shares
add up to the bucket's returned_amount, and never exceed the allocation they came from."""

from collections import defaultdict

from django.db.models import Count, Sum

from allocations.models import Allocation, Envelope, LedgerEntry
from buckets.models import Bucket, Round
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
    returned: dict[int, object] = defaultdict(lambda: ZERO)  # bucket id -> sum of its RETURN shares
    fixed_shares: dict[tuple, object] = defaultdict(lambda: ZERO)  # (round, member, bucket) in fixed rounds
    permanent = set(Round.objects.filter(kind=Round.Kind.PERMANENT).values_list("pk", flat=True))
    for round_id, member_id, bucket_id, kind, before, after in entries.order_by("id").values_list(
        "round_id", "member_id", "bucket_id", "kind", "before", "after"
    ).iterator(chunk_size=5000):
        if kind == LedgerEntry.Kind.RETURN:
            key = (round_id, member_id, bucket_id)
            if before < after or after < ZERO:
                problems.append(f"return round={round_id} member={member_id} bucket={bucket_id}: "
                                f"from {before} to {after}")
            returned[bucket_id] += before - after
            if round_id in permanent:
                if replay_alloc.get(key, ZERO) != before:
                    problems.append(f"return round={round_id} member={member_id} bucket={bucket_id}: starts from "
                                    f"{before} but the allocation was {replay_alloc.get(key, ZERO)}")
                replay_alloc[key] = after
            else:
                fixed_shares[key] += before - after
        elif kind in (LedgerEntry.Kind.ALLOCATION, LedgerEntry.Kind.REFUND):
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
    for key, share in fixed_shares.items():
        if share > current.get(key, ZERO):
            problems.append(f"return round={key[0]} member={key[1]} bucket={key[2]}: {share} returned of an "
                            f"allocation of {current.get(key, ZERO)}")
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
    for bucket in buckets.values("id", "total", "contributors_count", "max_goal", "returned_amount").iterator(
        chunk_size=5000
    ):
        if returned.get(bucket["id"], ZERO) != bucket["returned_amount"]:
            problems.append(f"bucket {bucket['id']}: returned {bucket['returned_amount']} but its return rows "
                            f"give back {returned.get(bucket['id'], ZERO)}")
        total, count = per_bucket.get(bucket["id"], (ZERO, 0))
        if total != bucket["total"]:
            problems.append(f"bucket {bucket['id']}: total {bucket['total']} but allocations sum to {total}")
        if count != bucket["contributors_count"]:
            problems.append(f"bucket {bucket['id']}: {bucket['contributors_count']} contributors but {count} allocations")
        if bucket["total"] > bucket["max_goal"]:
            problems.append(f"bucket {bucket['id']}: total {bucket['total']} above its maximum goal {bucket['max_goal']}")
    return problems
