"""A group admin's full archive: one ZIP of JSON and CSV files holding everything the group
owns, linked from the group's admin pages; its download is kept in the audit trail."""

import csv
import io
import json
import zipfile
from datetime import timedelta

from django.utils import timezone

from audit.models import AuditEntry
from buckets import services as bucket_services
from proposals import services as proposal_services
from tests.builders import allocate, make_bucket, make_round


def _archive(client, group):
    response = client.get(f"/g/{group.slug}/archive.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f"{group.slug}-archive-" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _rows(archive, name):
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_archive_holds_the_groups_records(client, group, admin_user, member, member2):
    round = make_round(group, admin_user, phase="funding")
    bucket = make_bucket(round, member, title="=cmd|' /C calc'!A0", coleads=[member2.email])
    allocate(member2, bucket, "12.50")
    bucket_services.add_comment(bucket=bucket, author=member2, body="@SUM(1+1)")
    open_hidden = proposal_services.open_proposal(group=group, title="Secret ballot", author=admin_user,
                                                  closes_at=timezone.now() + timedelta(days=2),
                                                  results_hidden_until_close=True, notify=False)
    proposal_services.set_stance(proposal=open_hidden, user=member, choice="block", reason="No")
    client.force_login(member)
    assert client.get(f"/g/{group.slug}/archive.zip").status_code == 404
    client.force_login(admin_user)
    archive = _archive(client, group)
    assert {"README.txt", "group.json", "members.csv", "rounds.json", "buckets.json", "buckets.csv", "envelopes.csv",
            "allocations.csv", "ledger.csv", "comments.csv", "proposals.json", "stances.csv", "audit.csv",
            "webhooks.json"} <= set(archive.namelist())
    assert json.loads(archive.read("group.json"))["slug"] == group.slug
    assert {row["email"] for row in _rows(archive, "members.csv")} == {admin_user.email, member.email, member2.email}
    assert [row["amount"] for row in _rows(archive, "allocations.csv")] == ["12.50"]
    assert _rows(archive, "buckets.csv")[0]["title"].startswith("'=")  # a spreadsheet will not run it
    assert _rows(archive, "comments.csv")[0]["body"] == "'@SUM(1+1)"
    assert json.loads(archive.read("buckets.json"))[0]["coleads"] == sorted([member.pk, member2.pk])
    # Results hidden until close: the stance is not in the archive while the proposal is open.
    assert _rows(archive, "stances.csv") == []
    assert any(row["action"] == "round.created" for row in _rows(archive, "audit.csv"))
    assert AuditEntry.objects.filter(action="export.downloaded", after={"export": "archive.zip"}).exists()


def test_the_members_page_links_to_the_archive_the_trail_and_the_webhooks(client, group, admin_user):
    client.force_login(admin_user)
    page = client.get(f"/g/{group.slug}/members/").content.decode()
    for path in ("archive.zip", "/audit/", "/webhooks/"):
        assert f"/g/{group.slug}/{path.strip('/')}" in page
