"""No member sees another member's e-mail address unless the group shows them
(Group.show_member_emails): admins and accountants may see them, and a person always sees
their own. The fields that API.md describes as lists of e-mails (a bucket's `coleads`, a
proposal's named `voters`) give those who may not see addresses the display names instead.

The audit walks every page and API route a contributor, a member or a co-lead may read (the
access matrix's routes) in a world where people co-lead, vote, comment and flag, and fails on
any other person's address in the answer.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buckets import services as bucket_services
from proposals import services as proposal_services
from tests.access_world import build_world
from tests.conftest import api_client_for
from tests.test_access_matrix import MATRIX, ROLES, kwargs_for, project_routes

# The unsubscribe page names the address its signed link was mailed to: the link is the key.
NOT_AUDITED = {"notification-unsubscribe"}


@pytest.fixture
def world(db):
    w = build_world()
    u = w.users
    bucket_services.update_bucket(bucket=w.bucket, actor=u["colead"], coleads=[u["colead"].email, u["spare"].email])
    w.board = proposal_services.open_proposal(
        group=w.group, title="Board decision", author=u["admin"], closes_at=timezone.now() + timedelta(days=3),
        voters=[u["admin"], u["member"], u["colead"], u["spare"]], notify=False,
    )
    proposal_services.set_stance(proposal=w.board, user=u["colead"], choice="agree", reason="Fine by me")
    proposal_services.set_stance(proposal=w.proposal, user=u["spare"], choice="block", reason="No")
    proposal_services.add_comment(proposal=w.board, author=u["spare"], body="I read it")
    bucket_services.add_comment(bucket=w.bucket, author=u["spare"], body="Count me in")
    return w


def _readable_urls(w, role):
    routes = project_routes()
    column = ROLES.index(role)
    urls = []
    for name, methods in MATRIX.items():
        if name in NOT_AUDITED or methods.get("GET", (None,) * len(ROLES))[column] != 200:
            continue
        urls.append(reverse(name, kwargs=kwargs_for(routes[name], w)))
    urls += [f"/proposals/{w.board.pk}/", f"/api/proposals/{w.board.pk}/", f"/api/proposals/{w.board.pk}/stances/",
             f"/api/buckets/{w.bucket.pk}/", f"/buckets/{w.bucket.pk}/edit/"]
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["contributor", "member", "colead"])
def test_no_page_or_api_answer_shows_another_persons_email(world, role):
    viewer = world.users[role]
    others = {u.email for key, u in world.users.items() if u is not None and u != viewer}
    others.add("joiner@example.org")
    client = Client()
    client.force_login(viewer)
    leaks = []
    for url in _readable_urls(world, role):
        response = client.get(url)
        if response.status_code != 200:
            continue  # the co-lead's edit page is only the co-lead's (see the README)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        leaks += [f"{url}: {email}" for email in sorted(others) if email in text]
    assert not leaks, "\n".join(leaks)


@pytest.mark.django_db
def test_lists_of_people_give_members_display_names_and_each_person_their_own_address(world):
    u = world.users
    bucket = api_client_for(u["member"]).get(f"/api/buckets/{world.bucket.pk}/").json()
    assert sorted(bucket["coleads"]) == ["Colead", "Spare"]
    assert bucket["created_by"] == "Colead"
    board = api_client_for(u["member"]).get(f"/api/proposals/{world.board.pk}/").json()
    assert board["voters"] == sorted(["Alice Admin", "member@example.org", "Colead", "Spare"])
    listed = api_client_for(u["member"]).get(f"/api/groups/{world.group.slug}/proposals/").json()["results"]
    assert {"Colead", "member@example.org"} <= set(next(p for p in listed if p["id"] == world.board.pk)["voters"])
    mine = api_client_for(u["colead"]).get(f"/api/buckets/{world.bucket.pk}/").json()
    assert sorted(mine["coleads"]) == ["Spare", "colead@example.org"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "accountant"])
def test_admins_and_accountants_read_the_addresses(world, role):
    client = api_client_for(world.users[role])
    bucket = client.get(f"/api/buckets/{world.bucket.pk}/").json()
    assert sorted(bucket["coleads"]) == ["colead@example.org", "spare@example.org"]
    board = client.get(f"/api/proposals/{world.board.pk}/").json()
    assert "spare@example.org" in board["voters"] and "colead@example.org" in board["voters"]
    buckets = client.get(f"/api/rounds/{world.round.pk}/buckets/").json()["results"]
    assert "spare@example.org" in next(b for b in buckets if b["id"] == world.bucket.pk)["coleads"]


@pytest.mark.django_db
def test_a_group_that_shows_member_emails_shows_them_to_members(world):
    world.group.show_member_emails = True
    world.group.save(update_fields=["show_member_emails"])
    client = api_client_for(world.users["member"])
    bucket = client.get(f"/api/buckets/{world.bucket.pk}/").json()
    assert sorted(bucket["coleads"]) == ["colead@example.org", "spare@example.org"]
    board = client.get(f"/api/proposals/{world.board.pk}/").json()
    assert "admin@example.org" in board["voters"]
    members = client.get(f"/api/groups/{world.group.slug}/members/").json()["results"]
    assert "spare@example.org" in {m["email"] for m in members}


@pytest.mark.django_db
def test_a_colead_edits_the_bucket_without_reading_the_other_coleads_addresses(world):
    colead = world.users["colead"]
    client = Client()
    client.force_login(colead)
    url = f"/buckets/{world.bucket.pk}/edit/"
    response = client.get(url)
    html, form = response.content.decode(), response.context["form"]
    assert "spare@example.org" not in html and "Spare" in html  # the other co-lead by name only
    ticked = [str(person["id"]) for person in response.context["chosen"] if not person["fixed"]]
    data = {name: form[name].value() or "" for name in form.fields}
    data["summary"] = "Edited"
    assert client.post(url, {**data, "colead_ids": ticked}).status_code == 302
    assert set(world.bucket.coleads.values_list("email", flat=True)) == {"colead@example.org", "spare@example.org"}

    data["coleads"] = "Member"  # Spare unticked, the member added by name
    assert client.post(url, data).status_code == 302
    assert set(world.bucket.coleads.values_list("email", flat=True)) == {"colead@example.org", "member@example.org"}


@pytest.mark.django_db
def test_an_api_client_sends_the_coleads_back_as_it_read_them(world):
    """A co-lead's app reads `coleads` with display names for the addresses it may not see, and
    sends the list back in a PATCH: those names keep their co-leads; an unknown name is refused."""
    colead = world.users["colead"]
    client = api_client_for(colead)
    url = f"/api/buckets/{world.bucket.pk}/"
    shown = client.get(url).json()["coleads"]
    assert sorted(shown) == ["Spare", "colead@example.org"]
    response = client.patch(url, {"summary": "Edited", "coleads": shown}, format="json")
    assert response.status_code == 200, response.content
    assert sorted(response.json()["coleads"]) == ["Spare", "colead@example.org"]
    assert set(world.bucket.coleads.values_list("email", flat=True)) == {"colead@example.org", "spare@example.org"}

    response = client.patch(url, {"coleads": ["colead@example.org", "Someone Else"]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_colead"
    assert set(world.bucket.coleads.values_list("email", flat=True)) == {"colead@example.org", "spare@example.org"}
