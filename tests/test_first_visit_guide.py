"""A first visit explains the envelope, the buckets and how to allocate, in a panel that a
person closes once and for all (remembered on every device); the same guide stays one click
away under "How it works"."""

import pytest

from groups.models import User
from tests.builders import make_round

pytestmark = pytest.mark.django_db


def test_the_guide_greets_a_newcomer_on_the_dashboard_and_the_round_page(client, group, admin_user, member):
    round = make_round(group, admin_user)
    client.force_login(member)
    for url in ("/", f"/rounds/{round.pk}/"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert 'id="first-visit"' in html, url
        assert "Votre enveloppe" in html and "Les projets" in html and "Répartir" in html


def test_closing_it_is_remembered(client, group, admin_user, member):
    round = make_round(group, admin_user)
    client.force_login(member)
    response = client.post("/guide/dismiss/", {"next": f"/rounds/{round.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/rounds/{round.pk}/"
    assert User.objects.get(pk=member.pk).guide_dismissed_at is not None
    other_device = type(client)()
    other_device.force_login(member)
    assert 'id="first-visit"' not in other_device.get("/").content.decode()
    assert "Your envelope" in other_device.get("/guide/").content.decode()  # still one click away


def test_closing_in_place_with_htmx_and_no_open_redirect(client, member):
    client.force_login(member)
    response = client.post("/guide/dismiss/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    response = client.post("/guide/dismiss/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_is_not_shown_to_those_who_receive_no_envelope(client, group, admin_user, member, accountant, contributor):
    """The guide explains the envelope: an accountant or a contributor has none, so it would
    mislead them; a member of the same group still sees it."""
    make_round(group, admin_user)
    for person, shown in ((accountant, False), (contributor, False), (member, True)):
        client.force_login(person)
        for url in ("/", f"/g/{group.slug}/"):
            html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
            assert ('id="first-visit"' in html) is shown, (person.email, url)
