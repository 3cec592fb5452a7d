"""The groups and members endpoints, by role: outsiders 404, members 403 on writes."""

import pytest

from groups.models import Membership, Role, User


@pytest.mark.django_db
def test_any_user_creates_a_group_and_becomes_its_admin(api, outsider):
    response = api(outsider).post("/api/groups/", {"name": "ANIS", "slug": "anis"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"name": "ANIS", "slug": "anis", "currency": "EUR", "my_role": "admin",
                               "require_mfa_for_officers": False}
    assert Membership.objects.get(group__slug="anis", user=outsider).role == Role.ADMIN


@pytest.mark.django_db
def test_a_taken_slug_is_refused_with_a_code(api, group, outsider):
    response = api(outsider).post("/api/groups/", {"name": "Again", "slug": group.slug}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"


@pytest.mark.django_db
def test_a_bad_slug_is_a_400_with_code_and_detail(api, outsider):
    response = api(outsider).post("/api/groups/", {"name": "X", "slug": "not a slug!"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] and body["detail"]


@pytest.mark.django_db
def test_group_detail_by_role(api, group, admin_user, member, accountant, contributor, outsider):
    for user, role in [(admin_user, "admin"), (member, "member"), (accountant, "accountant"), (contributor, "contributor")]:
        response = api(user).get(f"/api/groups/{group.slug}/")
        assert response.status_code == 200
        assert response.json()["my_role"] == role
    assert api(outsider).get(f"/api/groups/{group.slug}/").status_code == 404
    assert api(None).get(f"/api/groups/{group.slug}/").status_code == 401


@pytest.mark.django_db
def test_the_group_list_shows_only_my_groups(api, group, other_group, member):
    body = api(member).get("/api/groups/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [g["slug"] for g in body["results"]] == ["artefacts"]


@pytest.mark.django_db
def test_members_read_the_member_list_outsiders_get_404(api, group, member, outsider):
    body = api(member).get(f"/api/groups/{group.slug}/members/").json()
    assert body["count"] == 2
    assert {m["role"] for m in body["results"]} == {"admin", "member"}
    assert api(outsider).get(f"/api/groups/{group.slug}/members/").status_code == 404


@pytest.mark.django_db
def test_member_emails_are_for_admins_and_accountants_unless_the_group_shows_them(api, group, member, member2, accountant):
    as_member = {m["name"]: m["email"] for m in api(member).get(f"/api/groups/{group.slug}/members/").json()["results"]}
    assert as_member["Member2"] is None and as_member["Member"] == "member@example.org"
    as_accountant = {m["name"]: m["email"] for m in api(accountant).get(f"/api/groups/{group.slug}/members/").json()["results"]}
    assert as_accountant["Member2"] == "member2@example.org"
    group.show_member_emails = True
    group.save()
    as_member = {m["name"]: m["email"] for m in api(member).get(f"/api/groups/{group.slug}/members/").json()["results"]}
    assert as_member["Member2"] == "member2@example.org"


@pytest.mark.django_db
def test_admins_add_members_by_email_creating_and_inviting_them(api, group, admin_user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_user).post(
            f"/api/groups/{group.slug}/members/", {"email": "New@Example.org", "name": "Nina", "role": "contributor"}, format="json"
        )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new@example.org" and body["role"] == "contributor" and body["name"] == "Nina"
    user = User.objects.get(email="new@example.org")
    assert user.is_active and not user.has_usable_password()
    assert [m.to for m in mailoutbox] == [["new@example.org"]]
    # Adding again is harmless: no duplicate.
    again = api(admin_user).post(f"/api/groups/{group.slug}/members/", {"email": "new@example.org", "role": "contributor"}, format="json")
    assert again.status_code == 200
    assert Membership.objects.filter(group=group, user=user).count() == 1


@pytest.mark.django_db
def test_members_cannot_write_members(api, group, member, member2):
    target = Membership.objects.get(group=group, user=member2)
    client = api(member)
    assert client.post(f"/api/groups/{group.slug}/members/", {"email": "x@example.org"}, format="json").status_code == 403
    assert client.patch(f"/api/groups/{group.slug}/members/{target.id}/", {"role": "admin"}, format="json").status_code == 403
    assert client.delete(f"/api/groups/{group.slug}/members/{target.id}/").status_code == 403
    target.refresh_from_db()
    assert target.role == Role.MEMBER


@pytest.mark.django_db
def test_outsiders_get_404_on_member_writes(api, group, member, outsider):
    target = Membership.objects.get(group=group, user=member)
    assert api(outsider).patch(f"/api/groups/{group.slug}/members/{target.id}/", {"role": "admin"}, format="json").status_code == 404


@pytest.mark.django_db
def test_admins_change_roles_and_remove_members(api, group, admin_user, member):
    target = Membership.objects.get(group=group, user=member)
    response = api(admin_user).patch(f"/api/groups/{group.slug}/members/{target.id}/", {"role": "accountant"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "accountant"
    assert api(admin_user).delete(f"/api/groups/{group.slug}/members/{target.id}/").status_code == 204
    assert not Membership.objects.filter(pk=target.id).exists()


@pytest.mark.django_db
def test_an_unknown_role_is_a_400(api, group, admin_user, member):
    target = Membership.objects.get(group=group, user=member)
    response = api(admin_user).patch(f"/api/groups/{group.slug}/members/{target.id}/", {"role": "king"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_choice"


@pytest.mark.django_db
def test_the_last_admin_cannot_be_demoted_or_removed(api, group, admin_user):
    own = Membership.objects.get(group=group, user=admin_user)
    response = api(admin_user).patch(f"/api/groups/{group.slug}/members/{own.id}/", {"role": "member"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "last_admin"
    assert api(admin_user).delete(f"/api/groups/{group.slug}/members/{own.id}/").status_code == 409
    own.refresh_from_db()
    assert own.role == Role.ADMIN


@pytest.mark.django_db
def test_the_openapi_schema_and_docs_are_served(client, admin_user):
    assert client.get("/api/schema/").status_code == 200
    client.force_login(admin_user)
    assert client.get("/api/docs/").status_code == 200
