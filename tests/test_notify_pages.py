"""The bell, the list of the last 20 with unread markers, and the preferences page."""

import pytest

from notifications.models import Kind, Mode, Notification
from notifications.services import preferences_of
from tests.notify_helpers import send


@pytest.mark.django_db
def test_the_bell_shows_the_unread_count_and_the_list_marks_read(client, member, group):
    for i in range(25):
        send([member], kind=Kind.BUCKET_COMMENT, title=f"Comment number {i:02d}", url=f"/buckets/{i}/", group=group)
    client.force_login(member)
    home = client.get("/").content.decode()
    assert 'href="/notifications/"' in home
    assert 'data-unread="25"' in home
    assert "Notifications, 25 unread" in home

    listing = client.get("/notifications/").content.decode()
    assert listing.count('class="card notification unread"') == 20
    assert "Comment number 24" in listing and "Comment number 05" in listing
    assert "Comment number 04" not in listing, "only the last 20"
    assert 'href="/buckets/24/"' in listing

    assert 'data-unread="5"' in client.get("/").content.decode()
    again = client.get("/notifications/").content.decode()
    assert 'class="card notification unread"' not in again


@pytest.mark.django_db
def test_each_person_sees_only_their_own(client, member, member2):
    send([member2], kind=Kind.PROPOSAL, title="For member2 only")
    client.force_login(member)
    assert "For member2 only" not in client.get("/notifications/").content.decode()
    assert Notification.objects.get(title="For member2 only").read_at is None


@pytest.mark.django_db
def test_the_preferences_page_offers_a_choice_per_kind_and_saves_it(client, member):
    client.force_login(member)
    page = client.get("/notifications/preferences/").content.decode()
    for kind in Kind.values:
        assert f'<label for="pref-{kind}">' in page
        assert f'name="{kind}"' in page
    response = client.post("/notifications/preferences/", {Kind.PROPOSAL: Mode.DIGEST, Kind.BUCKET_ALLOCATION: Mode.NEVER})
    assert response.status_code == 302
    prefs = preferences_of(member)
    assert prefs[Kind.PROPOSAL] == Mode.DIGEST and prefs[Kind.BUCKET_ALLOCATION] == Mode.NEVER
    assert prefs[Kind.MENTION] == Mode.IMMEDIATE
    assert 'value="digest" selected' in client.get("/notifications/preferences/").content.decode()


@pytest.mark.django_db
def test_a_bad_choice_is_refused_with_a_message(client, member):
    client.force_login(member)
    response = client.post("/notifications/preferences/", {Kind.PROPOSAL: "hourly"}, follow=True)
    assert "Choose immediately, daily digest or never." in response.content.decode()
    assert preferences_of(member)[Kind.PROPOSAL] == Mode.IMMEDIATE


@pytest.mark.django_db
def test_the_pages_need_a_login(client):
    for path in ("/notifications/", "/notifications/preferences/"):
        assert client.get(path)["Location"].startswith("/accounts/login/")
