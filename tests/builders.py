"""The objects most tests stand on: rounds, buckets, envelopes and allocations, what a test
compares before and after closing or a refusal, then voters, proposals and meetings. One set
of defaults; options are keyword-only, and a test that depends on a value names it.

Every write of money goes through the services. Time passing is simulated by moving the
round's timestamps with plain ORM writes on those fields only, so that no worker is needed.
The people come from the role fixtures of conftest.py.
"""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from allocations import services as allocation_services
from allocations.ledger import ledger_differences
from allocations.models import Allocation, Envelope, LedgerEntry
from buckets import services as bucket_services
from buckets.models import Bucket, Round
from groups import services as group_services
from groups.models import Membership, Role
from meetings import services as meeting_services
from proposals import services as proposal_services
from results import services as closing_services
from tests.conftest import make_user

# --- rounds -----------------------------------------------------------------------------------


def make_round(group, admin, *, title="Round 2026", kind="fixed", phase="funding", envelope="430.00",
               funded="100", decide=None, publish=True, **fields) -> Round:
    """A round, published unless asked otherwise. A fixed round has its proposals phase open
    (ten days ago) and funding in five days; `phase="funding"` opens funding now, any other
    phase leaves those dates. `funded` and `decide` are the closing thresholds in % of a
    bucket's minimum; `fields` go to create_round as they are."""
    now = timezone.now()
    values = {
        "title": title,
        "kind": kind,
        "envelope_amount": Decimal(envelope),
        "funded_if_percent_of_min": Decimal(funded),
        "decide_if_percent_of_min": Decimal(decide) if decide is not None else None,
    }
    if kind == "fixed":
        values.update(
            proposals_open_at=now - timedelta(days=10),
            funding_opens_at=now + timedelta(days=5),
            funding_closes_at=now + timedelta(days=15),
            meeting_at=now + timedelta(days=16),
        )
    values.update(fields)
    round = bucket_services.create_round(group=group, actor=admin, **values)
    if publish:
        allocation_services.publish_round(round=round, actor=admin)
    round.refresh_from_db()
    if phase == "funding" and kind == "fixed":
        open_funding(round)
    return round


def open_funding(round) -> Round:
    """As if the clock had reached funding_opens_at."""
    Round.objects.filter(pk=round.pk).update(funding_opens_at=timezone.now() - timedelta(minutes=1))
    round.refresh_from_db()
    return round


def pass_deadline(round, *, seconds_ago=1) -> Round:
    """As if the clock had passed funding_closes_at (no worker has closed the round yet)."""
    now = timezone.now()
    Round.objects.filter(pk=round.pk).update(
        funding_opens_at=now - timedelta(days=2),
        funding_closes_at=now - timedelta(seconds=seconds_ago),
        meeting_at=now + timedelta(days=1),
    )
    round.refresh_from_db()
    return round


# --- buckets ----------------------------------------------------------------------------------


def make_bucket(round, creator, *, title="Bucket", min_amount="100.00", max_amount="300.00",
                description="Some **Markdown**", coleads=(), publish=True) -> Bucket:
    """A bucket with one budget item, published unless asked otherwise. In a fixed round's
    funding phase it is created as if the round let new buckets in, then the round is put
    back as it was."""
    during_funding = round.phase == "funding" and round.kind == "fixed"
    if during_funding and not round.buckets_during_funding:
        Round.objects.filter(pk=round.pk).update(buckets_during_funding=True)
        round.refresh_from_db()
    bucket = bucket_services.create_bucket(
        round=round,
        actor=creator,
        title=title,
        summary="A summary",
        description=description,
        budget_items=[{"description": "Everything", "min_amount": Decimal(min_amount),
                       "max_amount": Decimal(max_amount)}],
        coleads=list(coleads),
    )
    if publish:
        bucket_services.publish_bucket(bucket=bucket, actor=creator)
    if during_funding:
        Round.objects.filter(pk=round.pk).update(buckets_during_funding=False)
    bucket.refresh_from_db()
    round.refresh_from_db()
    return bucket


# --- envelopes and allocations ----------------------------------------------------------------


def envelope_of(member, round) -> Envelope:
    return Envelope.objects.get(user=member, round=round)


def set_envelope(round, member, amount, *, actor) -> Envelope:
    return allocation_services.set_envelope_amount(round=round, user=member, amount=Decimal(amount), actor=actor)


def allocate(member, bucket, amount, *, actor=None):
    """`member` puts `amount` on `bucket` (an absolute amount); `actor` is an admin entering a
    paper form on their behalf."""
    return allocation_services.set_allocation(member=member, bucket=bucket, amount=Decimal(amount),
                                              actor=actor or member)


# --- what tests compare -----------------------------------------------------------------------


def money_snapshot(round):
    """Everything a refused allocation must leave as it was: envelopes, bucket totals and
    statuses, allocations, the number of ledger rows."""
    return (
        sorted(Envelope.objects.filter(round=round).values_list("user_id", "amount", "allocated")),
        sorted(Bucket.objects.filter(round=round).values_list("id", "total", "contributors_count", "status")),
        sorted(Allocation.objects.filter(bucket__round=round).values_list("envelope_id", "bucket_id", "amount")),
        LedgerEntry.objects.filter(round=round).count(),
    )


def statuses(round) -> dict[str, str]:
    """Each bucket's status by title, as closing left them."""
    return dict(Bucket.objects.filter(round=round).values_list("title", "status"))


def assert_ledger_clean(round=None):
    problems = ledger_differences(round_ids=[round.pk] if round is not None else None)
    assert problems == []


# --- voters, proposals and meetings ---------------------------------------------------------


def add_voters(group, n, *, start=0, prefix="voter"):
    """n new members of `group` (they vote on "members" proposals)."""
    people = []
    for i in range(start, start + n):
        email = f"{prefix}{i}@example.org"
        make_user(email, f"{prefix.title()} {i:02d}")
        membership, _ = group_services.add_member(group=group, email=email, role=Role.MEMBER, actor=None,
                                                  send_invitation=False)
        people.append(membership.user)
    return people


def open_proposal(group, author, *, title="Buy a 3D printer", closes_at=None, **fields):
    """An open proposal closing in three days unless told otherwise; no mail is sent.
    `fields` go to open_proposal as they are."""
    closes_at = closes_at or timezone.now() + timedelta(days=3)
    return proposal_services.open_proposal(group=group, author=author, notify=False, title=title,
                                           closes_at=closes_at, **fields)


def vote(proposal, choices):
    """`choices`: (person, choice) pairs, in order."""
    for user, choice in choices:
        proposal_services.set_stance(proposal=proposal, user=user, choice=choice)


def close_proposal(proposal):
    """Closed now by the sweep (no actor), without mail."""
    return proposal_services.close_proposal(proposal=proposal, actor=None, notify=False)


def member_id(group, user) -> int:
    return Membership.objects.get(group=group, user=user).pk


def option_ids(proposal) -> list[int]:
    return list(proposal.options.order_by("position").values_list("id", flat=True))


def round_with_bucket_to_decide(group, admin, funders):
    """A closed round: "Training" at 80 % of its minimum is left to decide (decide at 50 %),
    "Website" is funded."""
    round = make_round(group, admin, decide="50", phase="proposals")
    training = make_bucket(round, admin, title="Training", min_amount="200.00", max_amount="400.00")
    website = make_bucket(round, admin, title="Website", min_amount="100.00", max_amount="200.00")
    open_funding(round)
    allocate(funders[0], training, "80.00")
    allocate(funders[1], training, "80.00")
    allocate(funders[0], website, "100.00")
    pass_deadline(round)
    closing_services.close_round(round=round, actor=None, notify=False)
    training.refresh_from_db()
    website.refresh_from_db()
    assert training.status == Bucket.Status.TO_DECIDE and website.status == Bucket.Status.FUNDED
    round.refresh_from_db()
    return round, training


def plan_meeting(group, admin, *, title="Board meeting", starts_at=None, **fields):
    """A meeting tomorrow unless told otherwise; `fields` go to create_meeting as they are."""
    starts_at = starts_at or timezone.now() + timedelta(days=1)
    return meeting_services.create_meeting(group=group, actor=admin, title=title, starts_at=starts_at, **fields)


def attend(meeting, admin, group, present, *, represented=None):
    """`present`: people; `represented`: {absent person: the person carrying their proxy}."""
    return meeting_services.set_attendance(
        meeting=meeting, actor=admin, present=[member_id(group, u) for u in present],
        represented={member_id(group, g): member_id(group, h) for g, h in (represented or {}).items()},
    )


# --- after funding: funded buckets, payments, expenses and their receipts ---------------------
# Per-bucket funding and payments have their own services (tested on their own); fund_now and
# record_paid write only what those leave behind, for tests of what comes after them.

D = Decimal


def permanent_round(group, admin, *, envelope="430.00"):
    return make_round(group, admin, kind="permanent", envelope=envelope)


def fund_now(bucket) -> Bucket:
    """The bucket funded now with its total, as per-bucket funding leaves it."""
    Bucket.objects.filter(pk=bucket.pk).update(status=Bucket.Status.FUNDED, funded_at=timezone.now(),
                                               funded_amount=bucket.__class__.objects.get(pk=bucket.pk).total,
                                               funding_announced_at=timezone.now())
    bucket.refresh_from_db()
    return bucket


def funded_in_fund(round, creator, gifts: dict, *, title="Four solaire", max_amount="1000.00") -> Bucket:
    """A bucket of `round` given `gifts` ({user: amount}) and funded."""
    bucket = make_bucket(round, creator, title=title, min_amount="10.00", max_amount=max_amount)
    for user, amount in gifts.items():
        allocate(user, bucket, amount)
    return fund_now(bucket)


def record_paid(bucket, amount) -> Bucket:
    """Expenses paid for `amount` in all, as the accountant's payments leave the bucket."""
    Bucket.objects.filter(pk=bucket.pk).update(paid_amount=D(amount))
    bucket.refresh_from_db()
    return bucket


def make_expense(bucket, by, *, amount="10.00", status="pending"):
    """An expense of `bucket` in `status`, as the expenses' services leave it (the receipt's
    file is not needed here)."""
    from expenses.models import Expense

    now = timezone.now()
    decided = status != "pending"
    return Expense.objects.create(
        bucket=bucket, description="Ciment", amount=D(amount), spent_on=now.date(), supplier="Brico",
        receipt="receipts/none.pdf", receipt_name="facture.pdf", receipt_content_type="application/pdf",
        status=status, submitted_by=by, decided_by=by if decided else None, decided_at=now if decided else None,
        reason="Hors budget" if status == "rejected" else "",
        paid_at=now.date() if status == "paid" else None, paid_by=by if status == "paid" else None,
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def image_bytes(kind: str = "PNG", size=(40, 30), color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


def pdf_upload(name: str = "facture.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_upload(name: str = "ticket.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def jpeg_upload(name: str = "ticket.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/jpeg")


def funded_in_closed_round(group, admin, colead, funder, *, amount="300.00", title="Repair café", round_title="Round 2025",
                  envelope="430.00"):
    """A bucket of a closed fixed round, funded with `amount` given by `funder`; `colead` created it."""
    round = make_round(group, admin, title=round_title, envelope=envelope)
    bucket = make_bucket(round, colead, title=title, min_amount="50.00", max_amount=amount)
    allocate(funder, bucket, amount)
    pass_deadline(round)
    closing_services.close_round(round=round, notify=False)
    bucket = Bucket.objects.select_related("round__group").get(pk=bucket.pk)
    assert bucket.status == Bucket.Status.FUNDED and bucket.funded_amount == Decimal(amount)
    return bucket
