"""Voters hear when a proposal opens, non-voters get one reminder 24 hours before it closes,
and the whole group hears the outcome. Mails are queued after commit; the tasks are run here
directly so that the test does not depend on where the broker is."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from proposals import services, tasks
from proposals.models import Proposal

pytestmark = pytest.mark.django_db


def _recipients():
    return sorted(m.to[0] for m in mail.outbox)


def test_voters_are_told_when_it_opens(group, admin_user, member, member2, contributor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        proposal = services.open_proposal(
            group=group, title="Board: sign the lease", author=admin_user, voters=[member, contributor],
            closes_at=timezone.now() + timedelta(days=3),
        )
    assert len(callbacks) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # notify mails after commit
        assert tasks.notify_opened(proposal.pk) == 2
    assert _recipients() == [contributor.email, member.email]
    message = mail.outbox[0]
    assert "Board: sign the lease" in message.subject
    assert f"/proposals/{proposal.pk}/" in message.body


def test_one_reminder_to_those_who_have_not_voted(group, admin_user, member, member2, django_capture_on_commit_callbacks):
    now = timezone.now()
    proposal = services.open_proposal(
        group=group, title="Hire", author=admin_user, notify=False, closes_at=now + timedelta(days=3), now=now,
    )
    services.set_stance(proposal=proposal, user=member, choice="agree")
    assert services.send_proposal_reminders(now=now + timedelta(days=1)) == 0  # too early
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.send_proposal_reminders(now=now + timedelta(days=2, hours=1)) == 1
        assert services.send_proposal_reminders(now=now + timedelta(days=2, hours=2)) == 0  # sent once
    assert len(callbacks) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminder(proposal.pk)
    assert _recipients() == [admin_user.email, member2.email]
    assert "24 hours" in mail.outbox[0].subject


def test_no_reminder_for_a_proposal_open_less_than_a_day(group, admin_user, member):
    now = timezone.now()
    services.open_proposal(
        group=group, title="Quick", author=admin_user, notify=False, closes_at=now + timedelta(hours=20), now=now,
    )
    assert services.send_proposal_reminders(now=now + timedelta(hours=1)) == 0


def test_the_group_hears_the_outcome(group, admin_user, member, contributor, accountant, django_capture_on_commit_callbacks):
    proposal = services.open_proposal(
        group=group, title="Adopt", author=admin_user, notify=False, closes_at=timezone.now() + timedelta(days=3),
    )
    services.set_stance(proposal=proposal, user=member, choice="agree")
    with django_capture_on_commit_callbacks() as callbacks:
        services.close_proposal(proposal=proposal, actor=admin_user)
        services.close_proposal(proposal=proposal, actor=admin_user)  # closing again tells nobody
    assert len(callbacks) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notify_closed(proposal.pk)
    assert _recipients() == sorted([admin_user.email, member.email, contributor.email, accountant.email])
    assert "Adopted" in mail.outbox[0].subject
    assert "1 of 2 voters took part" in mail.outbox[0].body
    assert Proposal.objects.get(pk=proposal.pk).outcome == "adopted"


def test_a_mail_that_cannot_be_sent_breaks_nothing(settings, group, admin_user, member, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    proposal = services.open_proposal(
        group=group, title="Offline", author=admin_user, notify=False, closes_at=timezone.now() + timedelta(days=3),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_opened(proposal.pk) == 2  # told in the app; the failed mail is only logged
    assert mail.outbox == []


def test_a_broker_that_is_down_fails_nothing(group, admin_user, member, django_capture_on_commit_callbacks, caplog, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.notify_opened, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.open_proposal(
            group=group, title="Broker down", author=admin_user, closes_at=timezone.now() + timedelta(days=3),
        )
    assert Proposal.objects.filter(pk=proposal.pk).exists()
    assert "notify_opened of proposal" in caplog.text
