"""A comment on my bucket tells me; an @mention or a reply tells the others once each."""

import pytest

from buckets import services as bucket_services
from notifications.models import Kind, Notification
from tests.builders import make_bucket, make_round


@pytest.fixture
def bucket(group, admin_user, member2):
    round = make_round(group, admin_user, phase="proposals")
    return make_bucket(round, member2, title="Shared garden")


@pytest.mark.django_db
def test_coleads_hear_of_a_comment_but_not_its_author(bucket, member, member2, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        comment = bucket_services.add_comment(bucket=bucket, author=member, body="Where will it be?")
    assert [m.to for m in mailoutbox] == [[member2.email]]
    assert "Shared garden" in mailoutbox[0].subject and "Where will it be?" in mailoutbox[0].body
    note = Notification.objects.exclude(kind=Kind.ROUND_PHASE).get()
    assert note.kind == Kind.BUCKET_COMMENT and note.url == f"/buckets/{bucket.pk}/#comment-{comment.pk}"
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.add_comment(bucket=bucket, author=member2, body="Behind the workshop.")
    # The co-lead answering is not told of their own comment; the earlier commenter hears the reply.
    assert [(m.to[0], "replied" in m.subject) for m in mailoutbox] == [(member.email, True)]


@pytest.mark.django_db
def test_an_at_mention_tells_the_person_once(bucket, member, member2, admin_user, accountant, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.add_comment(bucket=bucket, author=member, body="@accountant can we afford it? @member2 @nobody")
    kinds = {n.user.email: n.kind for n in Notification.objects.exclude(kind=Kind.ROUND_PHASE).select_related("user")}
    # member2 is a co-lead: told once, as a co-lead; the accountant is told of the mention.
    assert kinds == {member2.email: Kind.BUCKET_COMMENT, accountant.email: Kind.MENTION}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member2.email, accountant.email])
    mention = next(m for m in mailoutbox if m.to == [accountant.email])
    assert "mentioned you" in mention.subject


@pytest.mark.django_db
def test_a_refused_comment_tells_nobody(bucket, outsider, django_capture_on_commit_callbacks, mailoutbox):
    from cobudget.errors import DomainError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        bucket_services.add_comment(bucket=bucket, author=outsider, body="Hello")
    assert mailoutbox == [] and not Notification.objects.exclude(kind=Kind.ROUND_PHASE).exists()
