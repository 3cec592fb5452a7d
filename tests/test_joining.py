"""Joining a group: revocable invite links, requests approved by admins, open groups."""

import pytest

from groups import services
from groups.models import Group, JoinRequest, Membership, Role
from tests.confirm_helpers import confirm_post


@pytest.mark.django_db
def test_an_invite_link_lets_a_logged_in_person_join_with_its_role(client, group, admin_user, outsider):
    link = services.create_invite_link(group=group, actor=admin_user, role=Role.CONTRIBUTOR)
    client.force_login(outsider)
    assert group.name in client.get(f"/join/{link.token}/").content.decode()
    response = client.post(f"/join/{link.token}/")
    assert response.status_code == 302 and response["Location"] == f"/g/{group.slug}/"
    assert Membership.objects.get(group=group, user=outsider).role == Role.CONTRIBUTOR


@pytest.mark.django_db
def test_a_revoked_link_no_longer_works(client, group, admin_user, outsider):
    link = services.create_invite_link(group=group, actor=admin_user)
    client.force_login(admin_user)
    confirm_post(client, f"/g/{group.slug}/links/{link.pk}/revoke/")
    client.force_login(outsider)
    assert client.get(f"/join/{link.token}/").status_code == 404
    assert client.post(f"/join/{link.token}/").status_code == 404
    assert not Membership.objects.filter(group=group, user=outsider).exists()


@pytest.mark.django_db
def test_an_anonymous_visitor_may_create_an_account_or_log_in_first(client, group, admin_user):
    link = services.create_invite_link(group=group, actor=admin_user)
    html = client.get(f"/join/{link.token}/").content.decode()
    assert 'name="email"' in html and 'name="password"' in html and 'name="name"' in html
    assert f"/accounts/login/?next=/join/{link.token}/" in html


@pytest.mark.django_db
def test_a_join_request_waits_for_an_admin_who_approves_it(client, group, admin_user, outsider):
    group.join_policy = Group.JoinPolicy.REQUEST
    group.save()
    client.force_login(outsider)
    client.post(f"/g/{group.slug}/join/", {"message": "I run the bakery"})
    jr = JoinRequest.objects.get(group=group, user=outsider)
    assert jr.status == JoinRequest.Status.PENDING
    assert client.get(f"/g/{group.slug}/").status_code == 404  # not a member yet
    client.force_login(admin_user)
    assert "I run the bakery" in client.get(f"/g/{group.slug}/members/").content.decode()
    client.post(f"/g/{group.slug}/requests/{jr.pk}/", {"decision": "approve"})
    assert Membership.objects.get(group=group, user=outsider).role == Role.MEMBER
    client.force_login(outsider)
    assert client.get(f"/g/{group.slug}/").status_code == 200


@pytest.mark.django_db
def test_a_refused_request_gives_no_membership(client, group, admin_user, outsider):
    group.join_policy = Group.JoinPolicy.REQUEST
    group.save()
    jr = services.request_to_join(group=group, user=outsider)
    client.force_login(admin_user)
    client.post(f"/g/{group.slug}/requests/{jr.pk}/", {"decision": "refuse"})
    jr.refresh_from_db()
    assert jr.status == JoinRequest.Status.REFUSED
    assert not Membership.objects.filter(group=group, user=outsider).exists()


@pytest.mark.django_db
def test_an_invitation_only_group_has_no_join_page(client, group, outsider):
    client.force_login(outsider)
    assert client.get(f"/g/{group.slug}/join/").status_code == 404
    assert client.post(f"/g/{group.slug}/join/", {"message": "hi"}).status_code == 404
    assert not JoinRequest.objects.exists()


@pytest.mark.django_db
def test_an_open_group_lets_anyone_with_an_account_join(client, group, outsider):
    group.join_policy = Group.JoinPolicy.OPEN
    group.save()
    client.force_login(outsider)
    client.post(f"/g/{group.slug}/join/")
    assert Membership.objects.filter(group=group, user=outsider, role=Role.MEMBER).exists()


@pytest.mark.django_db
def test_members_cannot_manage_members_and_outsiders_see_nothing(client, group, member, outsider):
    client.force_login(member)
    assert client.get(f"/g/{group.slug}/").status_code == 200
    assert client.get(f"/g/{group.slug}/members/").status_code == 404
    assert client.post(f"/g/{group.slug}/members/invite/", {"email": "x@example.org"}).status_code == 404
    client.force_login(outsider)
    assert client.get(f"/g/{group.slug}/").status_code == 404


@pytest.mark.django_db
def test_admins_invite_change_roles_and_remove_from_the_members_page(client, group, admin_user, member, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/g/{group.slug}/members/invite/", {"email": "zoe@example.org", "name": "Zoé", "role": "member"})
    assert Membership.objects.filter(group=group, user__email="zoe@example.org").exists()
    assert mailoutbox and mailoutbox[0].to == ["zoe@example.org"]
    target = Membership.objects.get(group=group, user=member)
    client.post(f"/g/{group.slug}/members/{target.pk}/role/", {"role": "accountant"})
    target.refresh_from_db()
    assert target.role == Role.ACCOUNTANT
    confirm_post(client, f"/g/{group.slug}/members/{target.pk}/remove/")
    assert not Membership.objects.filter(pk=target.pk).exists()
