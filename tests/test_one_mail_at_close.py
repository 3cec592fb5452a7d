"""Closing a round sends each member ONE e-mail: its results and the proposals they are asked
to vote on, with links (not a results mail plus a "new proposal" mail per bucket left to
decide). Each person's choice of e-mails and the daily digest are respected."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from groups import services as group_services
from groups.models import Role
from notifications.delivery import send_due_digests
from notifications.models import Kind, Mode
from notifications.services import set_preference
from proposals.models import Proposal
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding, pass_deadline
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_to_decide(group, admin_user, member, member2, contributor):
    people = [admin_user, member, member2]
    for i in range(3):
        person = make_user(f"voter{i}@example.org")
        group_services.add_member(group=group, email=person.email, role=Role.MEMBER, actor=None, send_invitation=False)
        people.append(person)
    round = make_round(group, admin_user, decide="50", phase="proposals")
    buckets = [make_bucket(round, member, title=f"Projet {i}", min_amount="400.00", max_amount="600.00") for i in range(5)]
    open_funding(round)
    for bucket in buckets:  # 280 of 400 each: 70 %, to decide
        for person, amount in ((member, "80.00"), (member2, "80.00"), (people[3], "80.00"), (people[4], "40.00")):
            allocate(person, bucket, amount)
    return round, people


def mails_by_person(mailoutbox):
    found = {}
    for mail in mailoutbox:
        for address in mail.to:
            found.setdefault(address, []).append(mail)
    return found


def test_each_member_receives_exactly_one_mail(five_to_decide, admin_user, contributor, django_capture_on_commit_callbacks,
                                               mailoutbox):
    round, people = five_to_decide
    with django_capture_on_commit_callbacks(execute=True):
        closing.close_round(round=round, actor=admin_user)
    proposals = list(Proposal.objects.filter(bucket__round=round))
    assert len(proposals) == 5
    received = mails_by_person(mailoutbox)
    for person in people:
        assert len(received[person.email]) == 1, person.email
        body = received[person.email][0].body
        assert "Your vote is asked on 5 projects left to the meeting:" in body
        assert all(f"/proposals/{proposal.pk}/" in body for proposal in proposals)
        assert f"/rounds/{round.pk}/results/" in body
    # A contributor does not vote: the results only.
    assert len(received[contributor.email]) == 1
    assert "Your vote is asked" not in received[contributor.email][0].body
    assert len(mailoutbox) == len(people) + 1


def test_the_sweep_closing_at_the_deadline_sends_one_mail_too(five_to_decide, django_capture_on_commit_callbacks, mailoutbox):
    round, people = five_to_decide
    pass_deadline(round)
    with django_capture_on_commit_callbacks(execute=True):
        assert closing.close_due_rounds() == 1
    received = mails_by_person(mailoutbox)
    assert all(len(received[person.email]) == 1 for person in people)


def test_each_persons_choice_of_mails_is_respected(five_to_decide, admin_user, member, member2,
                                                   django_capture_on_commit_callbacks, mailoutbox):
    round, people = five_to_decide
    quiet, proposals_only, digest = people[3], people[4], people[5]
    set_preference(user=quiet, kind=Kind.ROUND_PHASE, mode=Mode.NEVER)
    set_preference(user=quiet, kind=Kind.PROPOSAL, mode=Mode.NEVER)
    set_preference(user=proposals_only, kind=Kind.ROUND_PHASE, mode=Mode.NEVER)  # still wants to be asked to vote
    set_preference(user=digest, kind=Kind.ROUND_PHASE, mode=Mode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        closing.close_round(round=round, actor=admin_user)
    received = mails_by_person(mailoutbox)
    assert quiet.email not in received and digest.email not in received
    assert len(received[proposals_only.email]) == 1
    assert "Your vote is asked on 5 projects" in received[proposals_only.email][0].body
    mailoutbox.clear()
    seven = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), datetime.min.time())) \
        + timedelta(hours=7)
    with django_capture_on_commit_callbacks(execute=True):
        send_due_digests(now=seven)
    digests = mails_by_person(mailoutbox)
    assert len(digests[digest.email]) == 1 and round.title in digests[digest.email][0].body
