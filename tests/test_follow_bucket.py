"""Follow a bucket to be told of its comments and of its funding (reaching its minimum and its
maximum goal, once each), through the notifications, as each person chose (e-mail at once,
in the daily digest, or in the app only)."""

import pytest

from buckets import services as bucket_services
from buckets.models import Follow
from groups import services as group_services
from groups.models import Membership
from notifications.models import Delivery, Kind, Mode, Notification
from notifications.services import set_preference
from tests.builders import allocate, make_bucket, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(group, admin_user):
    return make_round(group, admin_user)


@pytest.fixture
def bucket(round, member2):
    return make_bucket(round, member2, title="Shared garden", min_amount="100.00", max_amount="200.00")


def _followed(user):
    return list(Notification.objects.filter(user=user, kind=Kind.FOLLOWED_BUCKET).values_list("title", flat=True))


def test_a_member_follows_and_unfollows_from_the_bucket_page(client, bucket, member):
    client.force_login(member)
    html = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert 'aria-pressed="false"' in html and "Follow this bucket" in html
    response = client.post(f"/buckets/{bucket.pk}/follow/", {"follow": "1"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="true"' in response.content.decode() and "<html" not in response.content.decode()
    assert Follow.objects.filter(bucket=bucket, user=member).exists()
    assert 'aria-pressed="true"' in client.get(f"/buckets/{bucket.pk}/").content.decode()
    response = client.post(f"/buckets/{bucket.pk}/follow/", {"follow": "0"})
    assert response.status_code == 302 and not Follow.objects.filter(bucket=bucket, user=member).exists()


def test_an_outsider_cannot_follow(client, bucket, outsider):
    client.force_login(outsider)
    assert client.post(f"/buckets/{bucket.pk}/follow/", {"follow": "1"}).status_code == 404
    assert not Follow.objects.exists()


def test_followers_are_told_of_each_comment_once_and_not_of_their_own(bucket, member, member2, admin_user,
                                                                     django_capture_on_commit_callbacks, mailoutbox):
    bucket_services.set_following(bucket=bucket, user=member, follow=True)
    bucket_services.set_following(bucket=bucket, user=member2, follow=True)  # a co-lead who also follows
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.add_comment(bucket=bucket, author=admin_user, body="Where will it be?")
    assert _followed(member) == ["Alice Admin commented on “Shared garden”"]
    assert _followed(member2) == []  # told once, as a co-lead
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, member2.email])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.add_comment(bucket=bucket, author=member, body="Behind the workshop.")
    assert len(_followed(member)) == 1  # not told of their own comment


def test_followers_are_told_once_when_the_minimum_then_the_maximum_is_reached(bucket, member, admin_user,
                                                                              django_capture_on_commit_callbacks):
    bucket_services.set_following(bucket=bucket, user=member, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        allocate(admin_user, bucket, "60.00")
    assert _followed(member) == []
    with django_capture_on_commit_callbacks(execute=True):
        allocate(member, bucket, "40.00")
    assert _followed(member) == ["“Shared garden” reached its minimum goal"]
    with django_capture_on_commit_callbacks(execute=True):
        allocate(member, bucket, "30.00")
        allocate(member, bucket, "40.00")
    assert len(_followed(member)) == 1  # the minimum is told once
    with django_capture_on_commit_callbacks(execute=True):
        allocate(admin_user, bucket, "160.00")
    assert _followed(member)[0] == "“Shared garden” reached its maximum goal"


def test_the_followers_choice_of_e_mails_is_respected(bucket, member, admin_user, django_capture_on_commit_callbacks,
                                                      mailoutbox):
    bucket_services.set_following(bucket=bucket, user=member, follow=True)
    set_preference(user=member, kind=Kind.FOLLOWED_BUCKET, mode=Mode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.add_comment(bucket=bucket, author=admin_user, body="Hello")
    note = Notification.objects.get(user=member, kind=Kind.FOLLOWED_BUCKET)
    assert note.delivery == Delivery.DIGEST and member.email not in [m.to[0] for m in mailoutbox]
    set_preference(user=member, kind=Kind.FOLLOWED_BUCKET, mode=Mode.NEVER)
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.add_comment(bucket=bucket, author=admin_user, body="Again")
    assert Notification.objects.filter(user=member, kind=Kind.FOLLOWED_BUCKET).latest("id").delivery == Delivery.NONE


def test_someone_who_left_the_group_is_no_longer_told(bucket, member, admin_user, django_capture_on_commit_callbacks):
    bucket_services.set_following(bucket=bucket, user=member, follow=True)
    group_services.remove_member(membership=Membership.objects.get(user=member, group=bucket.round.group), actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.add_comment(bucket=bucket, author=admin_user, body="Hello")
    assert _followed(member) == []
