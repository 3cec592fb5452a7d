"""Two-factor authentication (allauth's MFA: TOTP and recovery codes) and the group setting
that requires it of admins and accountants: until they have set it up, pages send them to set
it up, the API answers 403 `mfa_required` (session, token, and the allocation's fast path);
the token endpoint asks an account with two-factor authentication for its code."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client

from allocations.models import Allocation
from audit.models import AuditEntry
from groups.models import Group
from tests.builders import make_bucket, make_round
from tests.conftest import PASSWORD, token_client_for


def code_for(secret: str, shift: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + shift))


def enable_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def requiring(group):
    Group.objects.filter(pk=group.pk).update(require_mfa_for_officers=True)
    group.refresh_from_db()
    return group


def test_admins_turn_the_requirement_on_through_the_api_and_the_page(api, client, group, admin_user, member):
    assert api(member).patch(f"/api/groups/{group.slug}/", {"require_mfa_for_officers": True}, format="json").status_code == 403
    response = api(admin_user).patch(f"/api/groups/{group.slug}/", {"require_mfa_for_officers": True}, format="json")
    assert response.status_code == 200 and response.json()["require_mfa_for_officers"] is True
    assert AuditEntry.objects.filter(action="group.updated", after={"require_mfa_for_officers": True}).exists()
    Group.objects.filter(pk=group.pk).update(require_mfa_for_officers=False)
    enable_totp(admin_user)  # or the page below would send them to set it up
    client.force_login(admin_user)
    client.post(f"/g/{group.slug}/settings/", {"name": group.name, "description": "", "join_policy": "invitation",
                                               "require_mfa_for_officers": "on"})
    group.refresh_from_db()
    assert group.require_mfa_for_officers


def test_an_officer_without_it_is_sent_to_set_it_up(requiring, admin_user, accountant, settings):
    settings.LANGUAGE_CODE = "fr"
    for officer in (admin_user, accountant):
        client = Client()
        client.force_login(officer)
        response = client.get(f"/g/{requiring.slug}/")
        assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
        page = client.get(response["Location"], follow=True).content.decode()
        assert "Artefacts demande à ses administrateurs et comptables" in page
        refused = client.post(f"/g/{requiring.slug}/members/invite/", {"email": "x@example.org", "role": "member"})
        assert refused.status_code == 403 and "double authentification" in refused.content.decode()
        assert not requiring.memberships.filter(user__email="x@example.org").exists()
        api = client.get(f"/api/groups/{requiring.slug}/")
        assert api.status_code == 403 and api.json()["code"] == "mfa_required"
        # Logging out, their data (RGPD) and the set-up pages stay open.
        assert client.get("/accounts/2fa/").status_code == 200
        assert client.get("/me/data/").status_code == 200
        assert client.get("/api/me/export/").status_code == 200


def test_the_token_api_and_the_fast_path_refuse_too(requiring, admin_user, member):
    round = make_round(requiring, admin_user, phase="funding")
    bucket = make_bucket(round, member)
    client = token_client_for(admin_user)
    response = client.get(f"/api/groups/{requiring.slug}/members/")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"
    put = client.put(f"/api/buckets/{bucket.pk}/allocation/", {"amount": "10.00"}, format="json")
    assert put.status_code == 403 and put.json()["code"] == "mfa_required"
    assert not Allocation.objects.exists()
    # A member is asked nothing.
    assert token_client_for(member).put(f"/api/buckets/{bucket.pk}/allocation/", {"amount": "10.00"},
                                        format="json").status_code == 200


def test_once_set_up_everything_opens(requiring, admin_user, client):
    enable_totp(admin_user)
    client.force_login(admin_user)
    assert client.get(f"/g/{requiring.slug}/").status_code == 200
    assert token_client_for(admin_user).get(f"/api/groups/{requiring.slug}/members/").status_code == 200


def test_members_and_groups_without_the_setting_are_not_concerned(group, admin_user, member, client):
    client.force_login(admin_user)
    assert client.get(f"/g/{group.slug}/").status_code == 200
    Group.objects.filter(pk=group.pk).update(require_mfa_for_officers=True)
    client.force_login(member)
    assert client.get(f"/g/{group.slug}/").status_code == 200


def test_the_token_endpoint_asks_for_the_second_factor(api, member):
    secret = enable_totp(member)
    client = api(None)
    url = "/api/auth/token/"
    body = {"email": member.email, "password": PASSWORD}
    missing = client.post(url, body, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "mfa_code_required"
    wrong = client.post(url, {**body, "code": "000000" if code_for(secret) != "000000" else "111111"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_mfa_code"
    code = code_for(secret)
    assert client.post(url, {**body, "code": code}, format="json").status_code == 200
    assert client.post(url, {**body, "code": code}, format="json").status_code == 400  # a code serves once
    recovery = RecoveryCodes.activate(member)
    spare = recovery.get_unused_codes()[0]
    assert client.post(url, {**body, "code": spare}, format="json").status_code == 200
    assert client.post(url, {**body, "code": spare}, format="json").json()["code"] == "invalid_mfa_code"
    assert Authenticator.objects.filter(user=member).count() == 2
