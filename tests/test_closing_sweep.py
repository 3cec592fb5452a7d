"""The sweep (beat, every minute) and `manage.py close_due_rounds`: due rounds close, a
permanent round never does, members are reminded once 48 hours before, results are mailed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from buckets.models import Bucket, Round
from cobudget.errors import DomainError
from groups.models import User
from results import services as closing
from results.sweep import sweep
from tests.builders import (
    allocate,
    make_bucket,
    make_round,
    open_funding,
    pass_deadline,
    statuses,
)

pytestmark = pytest.mark.django_db


def test_the_deadline_holds_without_any_worker(group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member, title="Late", min_amount="200.00", max_amount="400.00")
    open_funding(round)
    allocate(member, bucket, "10.00")
    pass_deadline(round)
    assert Round.objects.get(pk=round.pk).closed_at is None  # nobody swept
    with pytest.raises(DomainError) as refused:
        allocate(member, bucket, "20.00")
    assert refused.value.code == "round_closed"
    assert Bucket.objects.get(pk=bucket.pk).total == Decimal("10.00")


def test_the_command_closes_due_rounds_only(group, admin_user, member, capsys):
    due = make_round(group, admin_user, title="Due", phase="proposals")
    make_bucket(due, member, title="A", min_amount="200.00", max_amount="400.00")
    later = make_round(group, admin_user, title="Later", phase="proposals")
    make_bucket(later, member, title="B", min_amount="200.00", max_amount="400.00")
    open_funding(later)
    pass_deadline(due)
    call_command("close_due_rounds")
    assert "Rounds closed: 1" in capsys.readouterr().out
    assert Round.objects.get(pk=due.pk).closed_at is not None
    assert statuses(due) == {"A": "not_funded"}
    assert Round.objects.get(pk=later.pk).closed_at is None
    assert statuses(later) == {"B": "open"}
    call_command("close_due_rounds")
    assert "Rounds closed: 0" in capsys.readouterr().out


def test_a_permanent_round_is_never_closed_by_the_sweep(group, admin_user, member):
    from allocations import services as allocation_services
    from buckets import services as bucket_services

    fund = bucket_services.create_round(group=group, actor=admin_user, title="Fund", kind="permanent",
                                        envelope_amount=Decimal("100.00"))
    fund = allocation_services.publish_round(round=fund, actor=admin_user)
    make_bucket(fund, member, title="Always open", min_amount="50.00", max_amount="100.00")
    far_future = timezone.now() + timedelta(days=3650)
    assert closing.close_due_rounds(now=far_future) == 0
    assert sweep.delay() is not None
    fund.refresh_from_db()
    assert fund.closed_at is None
    assert statuses(fund) == {"Always open": "open"}


def test_a_draft_round_past_its_dates_is_not_swept(group, admin_user):
    from buckets import services as bucket_services

    now = timezone.now()
    draft = bucket_services.create_round(
        group=group, actor=admin_user, title="Forgotten draft", kind="fixed",
        funding_opens_at=now - timedelta(days=3), funding_closes_at=now - timedelta(days=1),
    )
    assert closing.close_due_rounds() == 0
    assert Round.objects.get(pk=draft.pk).closed_at is None


def test_the_sweep_task_closes_rounds_and_due_proposals(group, admin_user, member):
    from proposals import services as proposal_services
    from proposals.models import Proposal

    round = make_round(group, admin_user, phase="proposals")
    pass_deadline(round)
    proposal = proposal_services.open_proposal(
        group=group, title="Paint the door", author=admin_user, closes_at=timezone.now() + timedelta(minutes=1)
    )
    result = sweep(now=timezone.now() + timedelta(minutes=2))
    assert result["rounds_closed"] == 1 and result["proposals_closed"] == 1
    assert Round.objects.get(pk=round.pk).closed_at is not None
    assert Proposal.objects.get(pk=proposal.pk).closed_at is not None


def test_members_are_reminded_once_48_hours_before_the_close(group, admin_user, member, member2, accountant,
                                                             django_capture_on_commit_callbacks):
    User.objects.update(language="en")  # mails are in each recipient's language
    round = make_round(group, admin_user, phase="proposals")
    open_funding(round)
    Round.objects.filter(pk=round.pk).update(funding_closes_at=timezone.now() + timedelta(hours=72))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert closing.send_closing_reminders() == 0  # 72 h before: too early
        in_47_hours = timezone.now() + timedelta(hours=25)
        assert closing.send_closing_reminders(now=in_47_hours) == 1
        assert closing.send_closing_reminders(now=in_47_hours + timedelta(minutes=1)) == 0
        assert closing.send_closing_reminders(now=in_47_hours + timedelta(hours=10)) == 0
    recipients = sorted(m.to[0] for m in mail.outbox)
    # every member with an envelope (the accountant has none), once
    assert recipients == ["admin@example.org", "member2@example.org", "member@example.org"]
    message = next(m for m in mail.outbox if m.to == ["member@example.org"])
    assert "closes in 48 hours" in message.subject
    assert "€430.00" in message.body
    assert f"/rounds/{round.pk}/" in message.body


def test_no_reminder_for_a_round_already_past_or_closed(group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    pass_deadline(round)
    assert closing.send_closing_reminders() == 0


def test_everyone_in_the_group_gets_the_results_mail_at_close(group, admin_user, member, member2, accountant,
                                                              contributor, django_capture_on_commit_callbacks):
    User.objects.update(language="en")
    round = make_round(group, admin_user, decide="50", phase="proposals")
    kept = make_bucket(round, member, title="Four solaire", min_amount="100.00", max_amount="200.00")
    make_bucket(round, member, title="Serre", min_amount="1000.00", max_amount="2000.00")
    open_funding(round)
    allocate(member, kept, "120.00")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        closing.close_round(round=round, actor=admin_user)
    results_mails = [m for m in mail.outbox if "Results of" in m.subject]
    assert sorted(m.to[0] for m in results_mails) == sorted(
        ["admin@example.org", "member@example.org", "member2@example.org", "accountant@example.org",
         "contributor@example.org"]
    )
    body = results_mails[0].body
    assert "Four solaire" in body and "€120.00" in body and "Serre" in body
    assert f"/rounds/{round.pk}/results/" in body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        closing.close_round(round=round, actor=admin_user)  # already closed: no second mail
    assert not [m for m in mail.outbox if "Results of" in m.subject]


def test_a_mail_failure_never_fails_the_close(group, admin_user, member, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.test_closing_sweep.BrokenBackend"
    round = make_round(group, admin_user, phase="proposals")
    open_funding(round)
    with django_capture_on_commit_callbacks(execute=True):
        assert closing.close_round(round=round, actor=admin_user) is True
    assert Round.objects.get(pk=round.pk).closed_at is not None


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP is down")


def test_the_reminder_speaks_the_members_language(group, admin_user, member, django_capture_on_commit_callbacks):
    User.objects.filter(pk=member.pk).update(language="fr")
    round = make_round(group, admin_user, phase="proposals")
    open_funding(round)
    Round.objects.filter(pk=round.pk).update(funding_closes_at=timezone.now() + timedelta(hours=24))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        closing.send_closing_reminders()
    message = next(m for m in mail.outbox if m.to == ["member@example.org"])
    assert "430,00\u00a0€" in message.body
