"""Revoking an invite link asks first, saying it stops at once and how long it had left;
nothing changes until confirmed; a replay is harmless."""

import pytest

from groups import services
from groups.models import InviteLink
from tests.confirm_helpers import confirmation_token

pytestmark = pytest.mark.django_db


def test_the_page_says_what_stops_and_confirming_revokes(client, group, admin_user):
    link = services.create_invite_link(group=group, actor=admin_user)
    client.force_login(admin_user)
    url = f"/g/{group.slug}/links/{link.pk}/revoke/"
    response = client.post(url)
    html = response.content.decode()
    assert "The invite link (role: Member) stops working at once." in html
    assert "It would have worked 29 more days." in html or "It would have worked 30 more days." in html
    assert InviteLink.objects.get(pk=link.pk).revoked_at is None
    token = confirmation_token(response)
    done = client.post(url, {"confirm": token}, follow=True)
    assert "Invite link revoked: it no longer works." in done.content.decode()
    revoked_at = InviteLink.objects.get(pk=link.pk).revoked_at
    assert revoked_at is not None
    again = client.post(url, {"confirm": token}, follow=True)
    assert "This invite link was already revoked." in again.content.decode()
    assert InviteLink.objects.get(pk=link.pk).revoked_at == revoked_at
