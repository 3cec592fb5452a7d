"""A person's data (RGPD, API.md "Trust and integrations"): GET /api/me/export/ is a ZIP of
everything held about them; DELETE /api/me/ with their password erases their personal data
while ledger rows, stances and comments stay, signed "Former member #N"; refused, changing
nothing, without the password or for a group's last admin."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from allocations.models import Allocation, Envelope, LedgerEntry
from audit.models import AuditEntry
from buckets import services as bucket_services
from buckets.models import Comment
from groups.models import Membership, Role, User
from integrations.calendar import token_for
from integrations.models import CalendarToken
from proposals import services as proposal_services
from proposals.models import Stance
from results.services import close_round
from tests.builders import allocate, make_bucket, make_round
from tests.conftest import PASSWORD, token_client_for


@pytest.fixture
def history(group, admin_user, member, member2):
    """The member allocated in a closed round and in an open one, commented, voted, co-leads."""
    closed = make_round(group, admin_user, phase="funding", title="Last year")
    old_bucket = make_bucket(closed, member2, title="Old bucket", min_amount="10.00")
    allocate(member, old_bucket, "40.00")
    close_round(round=closed)
    open_round = make_round(group, admin_user, phase="funding", title="This year")
    bucket = make_bucket(open_round, member, title="Shared garden", coleads=[member2.email])
    allocate(member, bucket, "25.00")
    comment = bucket_services.add_comment(bucket=bucket, author=member, body="My own words")
    proposal = proposal_services.open_proposal(group=group, title="Buy a van", author=admin_user,
                                               closes_at=timezone.now() + timedelta(days=3), notify=False)
    proposal_services.set_stance(proposal=proposal, user=member, choice="agree", reason="Useful")
    token_for(member)
    Token.objects.create(user=member)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return {"closed": closed, "open": open_round, "bucket": bucket, "old_bucket": old_bucket, "comment": comment,
            "proposal": proposal}


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_export_holds_what_is_known_about_me_and_no_one_elses_address(api, history, member, member2):
    archive = _zip(api(member).get("/api/me/export/"))
    names = set(archive.namelist())
    assert {"README.txt", "profile.json", "memberships.csv", "envelopes.csv", "ledger.csv", "stances.csv",
            "comments.json", "buckets.json", "notifications.json", "audit.json"} <= names
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == member.email and profile["email_addresses"][0]["email"] == member.email
    ledger = archive.read("ledger.csv").decode("utf-8-sig")
    assert "40.00" in ledger and "25.00" in ledger
    assert "Useful" in archive.read("stances.csv").decode("utf-8-sig")
    assert "My own words" in archive.read("comments.json").decode()
    everything = b"".join(archive.read(name) for name in names).decode("utf-8", "replace")
    assert member2.email not in everything
    assert AuditEntry.objects.filter(action="export.downloaded", actor=member).exists()


def test_deleting_without_the_password_or_with_a_wrong_one_changes_nothing(api, history, member):
    for body in ({}, {"password": ""}, {"password": "wrong"}):
        response = api(member).delete("/api/me/", body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_password", response.content
    member.refresh_from_db()
    assert member.is_active and member.erased_at is None and member.check_password(PASSWORD)
    assert Membership.objects.filter(user=member).exists()


def test_the_last_admin_cannot_delete_their_account(api, history, group, admin_user):
    response = api(admin_user).delete("/api/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "last_admin"
    assert "Artefacts" in response.json()["detail"]
    admin_user.refresh_from_db()
    assert admin_user.is_active and Membership.objects.filter(user=admin_user, role=Role.ADMIN).exists()
    assert not AuditEntry.objects.filter(action="account.erased").exists()


def test_an_admin_with_another_admin_can_leave(api, history, group, admin_user, member2):
    Membership.objects.filter(group=group, user=member2).update(role=Role.ADMIN)
    assert api(admin_user).delete("/api/me/", {"password": PASSWORD}, format="json").status_code == 204


def test_erasure_removes_personal_data_and_keeps_the_groups_records(api, client, history, group, member, member2):
    ledger_before = LedgerEntry.objects.filter(member=member).count()
    token = Token.objects.get(user=member).key
    response = api(member).delete("/api/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    erased = User.objects.get(pk=member.pk)
    former = f"Former member #{member.pk}"
    assert erased.email == f"erased-{member.pk}@invalid" and erased.name == "" and not erased.is_active
    assert erased.erased_at is not None and not erased.has_usable_password()
    assert erased.display_name == former
    assert not client.login(email="member@example.org", password=PASSWORD)
    assert token_client_for(None).get("/api/groups/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not CalendarToken.objects.filter(user=member).exists() and not Token.objects.filter(user=member).exists()
    assert not Membership.objects.filter(user=member).exists()
    # Their allocation in the open round went back (a refund row); the closed round keeps its.
    assert not Allocation.objects.filter(envelope__user=member, bucket=history["bucket"]).exists()
    assert Allocation.objects.filter(envelope__user=member, bucket=history["old_bucket"]).exists()
    assert LedgerEntry.objects.filter(member=member).count() > ledger_before
    assert Envelope.objects.get(user=member, round=history["closed"]).allocated == Decimal("40.00")
    call_command("check_ledger")
    # Their words and stances stay, signed "Former member #N".
    assert Comment.objects.filter(pk=history["comment"].pk).exists()
    assert Stance.objects.filter(user=member, choice="agree").exists()
    comments = api(member2).get(f"/api/buckets/{history['bucket'].pk}/comments/").json()["results"]
    assert comments[0]["author"]["name"] == former
    bucket = api(member2).get(f"/api/buckets/{history['bucket'].pk}/").json()
    assert former in bucket["coleads"]
    trail = api(group.memberships.get(role=Role.ADMIN).user).get(f"/api/groups/{group.slug}/audit/",
                                                                  {"action": "membership.removed"}).json()
    assert trail["results"][0]["object"]["label"] == former
    everything = json.dumps(list(AuditEntry.objects.values("object_label", "before", "after")))
    assert "member@example.org" not in everything


def test_the_page_states_the_consequences_and_asks_for_the_password(client, history, member):
    client.force_login(member)
    page = client.get("/me/data/").content.decode()
    assert "Former member #" in page and "cannot be undone" in page
    assert 'type="password"' in page and "/api/me/export/" in page
    response = client.post("/me/data/", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200 and "Enter your password" in response.content.decode()
    response = client.post("/me/data/", {"password": PASSWORD})  # without ticking the box
    assert response.status_code == 200
    assert User.objects.get(pk=member.pk).is_active
    response = client.post("/me/data/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not User.objects.get(pk=member.pk).is_active
    assert client.get("/").status_code == 302  # logged out


def test_the_page_warns_the_last_admin_first(client, history, admin_user):
    client.force_login(admin_user)
    assert "You are the last admin of Artefacts" in client.get("/me/data/").content.decode()


def test_every_reference_to_a_person_is_decided_for_export_and_erasure():
    """A new model pointing at a person must say what the export and the erasure do with it
    (trust.privacy.PERSONAL_DATA) before it ships."""
    from django.apps import apps
    from django.conf import settings

    from trust.privacy import PERSONAL_DATA

    found = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if not field.auto_created and getattr(field, "remote_field", None) is not None
        and getattr(field.remote_field.model, "_meta", None) is not None
        and field.remote_field.model._meta.label == settings.AUTH_USER_MODEL
    }
    assert not found - set(PERSONAL_DATA), f"decide these in trust/privacy.py PERSONAL_DATA: {sorted(found - set(PERSONAL_DATA))}"
    assert not set(PERSONAL_DATA) - found, f"stale in PERSONAL_DATA: {sorted(set(PERSONAL_DATA) - found)}"
