"""Round phases reach the group: proposals open at publishing, funding open once (publish or
sweep), closes in 48 hours and the results (the closing's mails go through notify)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from allocations import services as allocation_services
from buckets.models import Round
from notifications.models import Kind, Mode, Notification
from notifications.services import set_preference
from results import services as closing
from results.sweep import sweep
from tests.builders import make_round


def titles(user):
    return list(Notification.objects.filter(user=user, kind=Kind.ROUND_PHASE).order_by("pk").values_list("title", flat=True))


@pytest.mark.django_db
def test_publishing_announces_proposals_then_the_sweep_announces_funding_once(group, admin_user, member, contributor, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        round = make_round(group, admin_user, phase="proposals", publish=False)
        allocation_services.publish_round(round=round, actor=admin_user)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([admin_user.email, member.email, contributor.email])
    assert titles(member) == ["“Round 2026” is open for proposals"]

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["funding_opened"] == 0  # not yet
        Round.objects.filter(pk=round.pk).update(funding_opens_at=timezone.now() - timedelta(minutes=1))
        assert sweep()["funding_opened"] == 1
        assert sweep()["funding_opened"] == 0
    assert titles(member) == ["“Round 2026” is open for proposals", "Funding is open in “Round 2026”"]
    assert len(mailoutbox) == 6


@pytest.mark.django_db
def test_the_reminder_and_the_results_follow_preferences(group, admin_user, member, member2, django_capture_on_commit_callbacks, mailoutbox):
    round = make_round(group, admin_user, phase="funding")
    set_preference(user=member2, kind=Kind.ROUND_PHASE, mode=Mode.NEVER)
    Round.objects.filter(pk=round.pk).update(funding_closes_at=timezone.now() + timedelta(hours=40))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert member.email in [m.to[0] for m in mailoutbox]
    assert member2.email not in [m.to[0] for m in mailoutbox]
    assert len(titles(member2)) >= 1  # still in the app
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        closing.close_round(round=round, actor=admin_user)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([admin_user.email, member.email])
    assert Notification.objects.filter(user=member2, url=f"/rounds/{round.pk}/results/").count() == 1
