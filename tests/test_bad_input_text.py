"""Text people write, the bad input catalogue: titles of 10,000 characters (and bodies far
beyond their limit), NUL characters (which PostgreSQL cannot store), and right-to-left text
(Arabic, Hebrew, mixed with Latin and digits) in group names, bucket titles, proposal titles,
guideline titles, flags and comments — through the API and the page forms.

Too long or NUL: refused cleanly (API 400 with a code; pages answer with the error in words),
nothing stored. Right-to-left: stored as typed and shown as typed by the API and the pages.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from buckets.models import Bucket, Comment, Flag, Guideline
from groups.models import Group
from proposals.models import Proposal, ProposalComment
from tests.builders import make_bucket, make_round

RTL = [
    "حديقة مشتركة للحي",
    "גינה קהילתית בשכונה",
    "Jardin حديقة ٢٠٢٦ (30 €) גינה",
    "\u202eevil.exe\u202c txt",  # a right-to-left override: shown as typed, escaped, never interpreted
]
LONG_TITLE = "T" * 10_000
LONG_BODY = "B" * 100_000
NUL = "Garden\x00 of nothing"


def _stored():
    return (Group.objects.count(), Bucket.objects.count(), Proposal.objects.count(), Comment.objects.count(),
            ProposalComment.objects.count(), Guideline.objects.count(), Flag.objects.count())


@pytest.fixture
def w(group, admin_user, member, member2):
    round_ = make_round(group, admin_user, kind="permanent", title="Fund")
    bucket = make_bucket(round_, member2, title="Garden")
    guideline = Guideline.objects.create(round=round_, title="Serves everyone", position=0)
    proposal = Proposal.objects.create(group=group, title="Van", author=member, closes_at=timezone.now() + timedelta(days=3))
    return {"group": group, "round": round_, "bucket": bucket, "guideline": guideline, "proposal": proposal}


def api_cases(w):
    """(what, url, body for a text, the text field's key in the answer)"""
    closes = (timezone.now() + timedelta(days=3)).isoformat()
    items = [{"description": "All", "min_amount": "10", "max_amount": "20"}]
    return [
        ("group name", "/api/groups/", lambda t, i: {"name": t, "slug": f"g{i}"}, "name"),
        ("bucket title", f"/api/rounds/{w['round'].pk}/buckets/", lambda t, i: {"title": t, "budget_items": items}, "title"),
        ("proposal title", f"/api/groups/{w['group'].slug}/proposals/", lambda t, i: {"title": t, "closes_at": closes}, "title"),
        ("bucket comment", f"/api/buckets/{w['bucket'].pk}/comments/", lambda t, i: {"body": t}, "body"),
        ("proposal comment", f"/api/proposals/{w['proposal'].pk}/comments/", lambda t, i: {"body": t}, "body"),
    ]


@pytest.mark.django_db
def test_the_api_refuses_overlong_and_nul_text_with_400_and_stores_nothing(w, admin_user, member, api):
    before = _stored()
    wrong = []
    for what, url, body, _key in api_cases(w):
        client = api(admin_user if what == "group name" else member)
        long_text = LONG_BODY if "comment" in what else LONG_TITLE
        for label, text in (("10,000+ characters", long_text), ("NUL", NUL)):
            response = client.post(url, body(text, 0), format="json")
            data = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
            if response.status_code != 400 or not (data.get("code") and data.get("detail")):
                wrong.append(f"{what} {label}: {response.status_code} {response.content[:150]!r}")
    # Guidelines (admins) and flags (members) too.
    response = api(admin_user).post(f"/api/rounds/{w['round'].pk}/guidelines/", {"title": LONG_TITLE}, format="json")
    if response.status_code != 400:
        wrong.append(f"guideline title: {response.status_code}")
    for text in (LONG_BODY, NUL):
        response = api(member).post(f"/api/buckets/{w['bucket'].pk}/flags/",
                                    {"guideline": w["guideline"].pk, "comment": text}, format="json")
        if response.status_code != 400:
            wrong.append(f"flag comment {text[:8]!r}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert _stored() == before


@pytest.mark.django_db
def test_right_to_left_text_round_trips_through_the_api_and_the_pages(w, admin_user, member, api):
    browser = Client()
    browser.force_login(member)
    wrong = []
    for what, url, body, key in api_cases(w):
        client = api(admin_user if what == "group name" else member)
        for i, text in enumerate(RTL):
            response = client.post(url, body(text, i), format="json")
            if response.status_code != 201:
                wrong.append(f"{what} {text!r}: {response.status_code} {response.content[:150]!r}")
                continue
            if response.json()[key] != text:
                wrong.append(f"{what} {text!r}: answered {response.json()[key]!r}")
    # Shown as typed (escaped by the templates, not mangled) on the pages that list them.
    pages = {
        "bucket title": f"/rounds/{w['round'].pk}/",
        "proposal title": f"/g/{w['group'].slug}/proposals/",
        "bucket comment": f"/buckets/{w['bucket'].pk}/",
        "proposal comment": f"/proposals/{w['proposal'].pk}/",
    }
    for what, url in pages.items():
        html = browser.get(url).content.decode()
        for text in RTL:
            if text not in html:
                wrong.append(f"{what} {text!r} not shown on {url}")
    admin_page = Client()
    admin_page.force_login(admin_user)
    html = admin_page.get("/").content.decode()
    wrong += [f"group name {t!r} not on the dashboard" for t in RTL if t not in html]
    assert not wrong, "\n".join(wrong)


def _page_refused(response) -> bool:
    """A form shown again with an error, or a redirect carrying an error message."""
    if response.status_code == 200:
        form = response.context.get("form") if response.context else None
        if form is not None and form.errors:
            return True
        return 'class="message message-error"' in response.content.decode() or 'role="alert"' in response.content.decode()
    if response.status_code == 302:
        queued = getattr(get_messages(response.wsgi_request), "_queued_messages", [])
        return any(m.level_tag == "error" for m in queued)
    return False


@pytest.mark.django_db
def test_the_page_forms_refuse_overlong_and_nul_text_in_words_and_store_nothing(w, admin_user, member):
    as_member, as_admin = Client(), Client()
    as_member.force_login(member)
    as_admin.force_login(admin_user)
    closes = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    before = _stored()
    wrong = []
    for label, title, body in (("too long", LONG_TITLE, LONG_BODY), ("NUL", NUL, NUL)):
        cases = [
            ("group", as_admin, "/g/new/", {"name": title, "slug": "fresh", "currency": "EUR", "join_policy": "invitation"}),
            ("bucket", as_member, f"/rounds/{w['round'].pk}/buckets/new/",
             {"title": title, "item-0-description": "All", "item-0-min": "10", "item-0-max": "20"}),
            ("proposal", as_member, f"/g/{w['group'].slug}/proposals/new/",
             {"title": title, "closes_at": closes, "voters": "members", "quorum_percent": "0"}),
            ("bucket comment", as_member, f"/buckets/{w['bucket'].pk}/comments/", {"body": body}),
            ("proposal comment", as_member, f"/proposals/{w['proposal'].pk}/comments/", {"body": body}),
            ("guideline", as_admin, f"/rounds/{w['round'].pk}/guidelines/add/", {"title": title}),
            ("flag", as_member, f"/buckets/{w['bucket'].pk}/flags/", {"guideline": w["guideline"].pk, "comment": body}),
        ]
        for what, client, url, data in cases:
            response = client.post(url, data)
            if not _page_refused(response):
                wrong.append(f"{what} {label}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert _stored() == before
