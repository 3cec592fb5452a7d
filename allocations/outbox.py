"""The co-leads' allocation notices, through an outbox.

set_allocation writes an AllocationNotice row in the allocation's own transaction (no broker
on the busiest request of a round; nothing lost when the broker or a worker is down; nothing
sent for an allocation that rolled back). `tell_coleads` turns the rows into notifications:
the beat's sweep runs it every minute; without a broker (development, tests: tasks run
in-process) set_allocation runs it right after its commit.
"""

import logging

from django.db import transaction
from django.utils import timezone

from allocations.models import Allocation, AllocationNotice, LedgerEntry
from buckets import notices
from buckets.models import Bucket

logger = logging.getLogger(__name__)

BATCH = 500


def tell_coleads(*, batch: int = BATCH) -> int:
    """Notify the co-leads of every pending allocation notice and delete it. Several changes by
    one member to one bucket since the last run make one notice (from the first amount to the
    last; none if it came back where it was). Concurrent runs take different rows (SKIP
    LOCKED). Returns how many notices were sent."""
    sent = 0
    while True:
        with transaction.atomic():
            ids = list(
                AllocationNotice.objects.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return sent
            sent += _tell(LedgerEntry.objects.filter(pk__in=ids).order_by("pk"))
            AllocationNotice.objects.filter(pk__in=ids).delete()
        if len(ids) < batch:
            return sent


def _tell(entries) -> int:
    changes: dict[tuple[int, int], list] = {}  # (bucket, member) -> [first before, last after]
    for entry in entries.only("bucket_id", "member_id", "before", "after"):
        key = (entry.bucket_id, entry.member_id)
        if key in changes:
            changes[key][1] = entry.after
        else:
            changes[key] = [entry.before, entry.after]
    sent = 0
    for (bucket_id, member_id), (before, after) in changes.items():
        if before == after:
            continue
        try:
            with transaction.atomic():  # one notice that fails to render never holds the others back
                notices.allocation_changed(bucket_id=bucket_id, member_id=member_id, before=before, after=after)
            sent += 1
        except Exception:
            logger.exception("allocation notice of bucket %s for member %s could not be made", bucket_id, member_id)
    return sent


def announce_fundings(*, now=None, batch: int = BATCH) -> int:
    """Announce each bucket funded and not yet announced (funding_announced_at NULL: funded in
    an allocation's transaction or by a co-lead's acceptance, in a permanent fund): its
    co-leads, funders and followers are told and the `bucket.funded` event is emitted
    (buckets.notices.bucket_funded), and funding_announced_at is set, in one transaction per
    bucket. Exactly once, even with two sweeps at once: each takes the bucket's row lock
    (SKIP LOCKED: a bucket another sweep is announcing is left to it) and checks it is still
    unannounced under the lock. Returns how many were announced."""
    now = now or timezone.now()
    pending = list(Bucket.objects.filter(status=Bucket.Status.FUNDED, funding_announced_at=None)
                   .order_by("funded_at", "pk").values_list("pk", flat=True)[:batch])
    announced = 0
    for pk in pending:
        try:
            with transaction.atomic():
                bucket = (Bucket.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
                          .select_related("round__group")
                          .filter(pk=pk, status=Bucket.Status.FUNDED, funding_announced_at=None).first())
                if bucket is None:
                    continue
                bucket.funding_announced_at = now
                bucket.save(update_fields=["funding_announced_at"])
                funders = dict(Allocation.objects.filter(bucket_id=pk).values_list("envelope__user_id", "amount"))
                notices.bucket_funded(bucket=bucket, funders=funders)
            announced += 1
        except Exception:  # one bucket that fails to announce never holds the others back
            logger.exception("the funding of bucket %s could not be announced", pk)
    return announced
