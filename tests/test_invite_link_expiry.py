"""Invite links expire: a new link works for 30 days, the members page says until when, and
after that the link is refused (404) and joins no one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups import services
from groups.models import InviteLink, Membership


@pytest.mark.django_db
def test_a_new_link_expires_in_thirty_days_and_the_members_page_says_so(client, group, admin_user):
    link = services.create_invite_link(group=group, actor=admin_user)
    assert timedelta(days=29) < link.expires_at - timezone.now() <= timedelta(days=30)
    client.force_login(admin_user)
    assert "Works until" in client.get(f"/g/{group.slug}/members/").content.decode()


@pytest.mark.django_db
def test_an_expired_link_is_refused_and_joins_no_one(client, group, admin_user, outsider):
    link = services.create_invite_link(group=group, actor=admin_user)
    InviteLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(outsider)
    assert client.get(f"/join/{link.token}/").status_code == 404
    assert client.post(f"/join/{link.token}/").status_code == 404
    assert not Membership.objects.filter(group=group, user=outsider).exists()
