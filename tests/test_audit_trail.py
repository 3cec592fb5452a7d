"""The audit trail (API.md, "Trust and integrations"): every change that is not a money
movement is kept with who, when, what, before and after; admins read it on a page, through the
API and as CSV; nothing in it can be changed or deleted (a trigger on PostgreSQL)."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from allocations import services as allocation_services
from audit.models import AuditEntry
from buckets import services as bucket_services
from buckets.guidelines import services as flag_services
from cobudget.errors import DomainError
from groups import services as group_services
from groups.models import Membership, Role
from tests.builders import make_bucket, make_round
from tests.conftest import requires_postgres


def _last(action):
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


def test_round_settings_keep_before_and_after(group, admin_user):
    round = make_round(group, admin_user, phase="proposals")
    bucket_services.update_round(round=round, actor=admin_user, envelope_amount="500.00", min_coleads=2)
    entry = _last("round.updated")
    assert entry.actor == admin_user and entry.group == group and entry.object_id == str(round.pk)
    assert entry.before == {"envelope_amount": "430.00", "min_coleads": 1}
    assert entry.after == {"envelope_amount": "500.00", "min_coleads": 2}
    assert _last("round.created").after["title"] == "Round 2026"
    assert _last("round.published").actor == admin_user


def test_roles_and_memberships(group, admin_user, member):
    membership = Membership.objects.get(group=group, user=member)
    group_services.change_role(membership=membership, role=Role.ACCOUNTANT, actor=admin_user)
    entry = _last("membership.role_changed")
    assert (entry.before, entry.after, entry.person) == ({"role": "member"}, {"role": "accountant"}, member)
    group_services.remove_member(membership=membership, actor=admin_user)
    assert _last("membership.removed").person == member
    group_services.add_member(group=group, email="new@example.org", role=Role.MEMBER, actor=admin_user, send_invitation=False)
    assert _last("membership.added").after == {"role": "member", "via": "invitation"}
    link = group_services.create_invite_link(group=group, actor=admin_user)
    group_services.revoke_invite_link(link=link, actor=admin_user)
    assert _last("invite_link.revoked").object_id == str(link.pk)


def test_a_refused_change_leaves_no_entry(group, admin_user):
    admin = Membership.objects.get(group=group, user=admin_user)
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError):
        group_services.change_role(membership=admin, role=Role.MEMBER, actor=admin_user)  # the last admin
    assert AuditEntry.objects.count() == before


def test_bucket_budgets_and_coleads(group, admin_user, member, member2):
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member, min_amount="100.00", max_amount="300.00")
    bucket_services.update_bucket(bucket=bucket, actor=member, coleads=[member2.email],
                                  budget_items=[{"description": "Tools", "min_amount": "80.00", "max_amount": "90.00"}])
    budget = _last("bucket.budget_changed")
    assert budget.before["min_goal"] == "100.00" and budget.after["min_goal"] == "80.00"
    assert budget.after["budget_items"] == [{"description": "Tools", "min_amount": "80.00", "max_amount": "90.00"}]
    coleads = _last("bucket.coleads_changed")
    assert coleads.before == {"coleads": [member.pk]} and coleads.after == {"coleads": sorted([member.pk, member2.pk])}
    bucket_services.update_bucket(bucket=bucket, actor=member, description="Longer text")
    assert _last("bucket.updated").after == {"fields": ["description"]}


def test_flag_resolutions_topups_and_group_settings(group, admin_user, member):
    round = make_round(group, admin_user, phase="funding")
    bucket = make_bucket(round, member)
    guideline = flag_services.create_guideline(round=round, actor=admin_user, title="Serves everyone")
    flag = flag_services.raise_flag(bucket=bucket, guideline=guideline, actor=member, comment="Vague")
    flag_services.resolve_flag(flag=flag, actor=admin_user)
    assert _last("flag.resolved").object_id == str(flag.pk)
    fund = make_round(group, admin_user, kind="permanent", envelope="100.00")
    allocation_services.grant_topup(round=fund, amount=Decimal("100.00"), actor=admin_user)
    period = str(timezone.localtime().year)  # the default period: the current year
    assert _last("round.topup").after == {"period": period, "amount": "100.00", "envelopes": 2}
    group_services.update_group_settings(group=group, actor=admin_user, require_mfa_for_officers=True, name="Artefacts")
    entry = _last("group.updated")
    assert entry.before == {"require_mfa_for_officers": False} and entry.after == {"require_mfa_for_officers": True}


def test_admins_read_it_through_the_api_filtered_and_paginated(api, group, admin_user, member, outsider):
    round = make_round(group, admin_user, phase="proposals")
    for n in range(3):
        bucket_services.update_round(round=round, actor=admin_user, title=f"Round {n}")
    assert api(member).get(f"/api/groups/{group.slug}/audit/").status_code == 403
    assert api(outsider).get(f"/api/groups/{group.slug}/audit/").status_code == 404
    response = api(admin_user).get(f"/api/groups/{group.slug}/audit/", {"action": "round.updated", "page_size": 2})
    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    first = body["results"][0]
    assert set(first) >= {"at", "actor", "action", "object", "before", "after"}
    assert first["actor"] == {"id": admin_user.pk, "name": admin_user.display_name}
    assert first["object"] == {"type": "round", "id": str(round.pk), "label": "Round 2"}
    assert (first["before"], first["after"]) == ({"title": "Round 1"}, {"title": "Round 2"})
    assert api(admin_user).get(f"/api/groups/{group.slug}/audit/", {"actor": member.pk}).json()["count"] == 0
    bad = api(admin_user).get(f"/api/groups/{group.slug}/audit/", {"since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_the_csv_neutralises_formulas_and_its_download_is_kept(api, group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    bucket_services.update_round(round=round, actor=admin_user, title='=HYPERLINK("http://x")')
    response = api(admin_user).get(f"/api/groups/{group.slug}/audit.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    titled = [r for r in rows if r["action"] == "round.updated"]
    assert titled[0]["object"].startswith("'=")
    assert _last("export.downloaded").after == {"export": "audit.csv"}
    assert api(member).get(f"/api/groups/{group.slug}/audit.csv").status_code == 403


def test_exports_downloaded_are_kept(api, group, admin_user, accountant):
    round = make_round(group, admin_user, phase="funding")
    assert api(accountant).get(f"/api/rounds/{round.pk}/export/allocations.csv").status_code == 200
    entry = _last("export.downloaded")
    assert entry.actor == accountant and entry.after == {"export": "allocations.csv"} and entry.group == group
    assert api(accountant).get(f"/api/rounds/{round.pk}/export/envelopes.xlsx?sep=semicolon").status_code == 200
    assert _last("export.downloaded").after == {"export": "envelopes-fr.xlsx"}


def test_the_page_shows_the_changes_to_admins_only(client, group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    bucket_services.update_round(round=round, actor=admin_user, min_coleads=3)
    client.force_login(member)
    assert client.get(f"/g/{group.slug}/audit/").status_code == 404
    client.force_login(admin_user)
    page = client.get(f"/g/{group.slug}/audit/", {"action": "round.updated"}).content.decode()
    assert "Round settings changed" in page and "minimum co-leads" in page and "<del>1</del> → <ins>3</ins>" in page


@requires_postgres
@pytest.mark.django_db
def test_the_trail_refuses_update_and_delete_in_the_database(group, admin_user):
    entry = _last("group.created")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.action == "group.created"
