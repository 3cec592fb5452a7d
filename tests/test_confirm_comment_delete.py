"""Deleting one's comment asks first, quoting it; nothing changes until confirmed; a replay
finds nothing to delete."""

import pytest

from buckets import services
from buckets.models import Comment
from tests.builders import make_bucket, make_round
from tests.confirm_helpers import confirmation_token

pytestmark = pytest.mark.django_db


def test_the_page_quotes_the_comment_and_confirming_deletes_it(client, group, admin_user, member):
    bucket = make_bucket(make_round(group, admin_user, phase="proposals"), member, title="Four", min_amount="200.00", max_amount="400.00")
    comment = services.add_comment(bucket=bucket, author=member, body="Who pays for the wood, exactly?")
    client.force_login(member)
    url = f"/buckets/{bucket.pk}/comments/{comment.pk}/delete/"
    response = client.post(url)
    html = response.content.decode()
    assert "on “Four”, 6 words, disappears for everyone." in html
    assert "Who pays for the wood, exactly?" in html
    assert Comment.objects.filter(pk=comment.pk).exists()
    token = confirmation_token(response)
    client.post(url, {"confirm": token})
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert client.post(url, {"confirm": token}).status_code == 404
