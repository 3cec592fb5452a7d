"""Set-up shared by the meeting tests: a round closed with a bucket left to decide, a meeting
with its attendance."""

from datetime import timedelta

from django.utils import timezone

from buckets.models import Bucket
from meetings import services
from results import services as closing
from tests.closing_helpers import allocate, make_bucket, make_round, open_funding, pass_deadline
from tests.proposal_helpers import member_id


def round_with_bucket_to_decide(group, admin, funders):
    """A closed round: "Training" at 80 % of its minimum is left to decide (decide at 50 %),
    "Website" is funded."""
    round = make_round(group, admin, decide="50")
    training = make_bucket(round, admin, title="Training", min_amount="200.00")
    website = make_bucket(round, admin, title="Website", min_amount="100.00")
    open_funding(round)
    allocate(funders[0], training, "80.00")
    allocate(funders[1], training, "80.00")
    allocate(funders[0], website, "100.00")
    pass_deadline(round)
    closing.close_round(round=round, actor=None, notify=False)
    training.refresh_from_db()
    website.refresh_from_db()
    assert training.status == Bucket.Status.TO_DECIDE and website.status == Bucket.Status.FUNDED
    round.refresh_from_db()
    return round, training


def plan(group, admin, **kwargs):
    kwargs.setdefault("title", "Board meeting")
    kwargs.setdefault("starts_at", timezone.now() + timedelta(days=1))
    return services.create_meeting(group=group, actor=admin, **kwargs)


def attend(meeting, admin, group, present, represented=None):
    return services.set_attendance(
        meeting=meeting, actor=admin, present=[member_id(group, u) for u in present],
        represented={member_id(group, g): member_id(group, h) for g, h in (represented or {}).items()},
    )
