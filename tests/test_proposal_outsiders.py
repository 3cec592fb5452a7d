"""Outsiders see nothing of a group's proposals: 404 on every page and endpoint."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(group, admin_user):
    return services.open_proposal(
        group=group, title="Secret plan", author=admin_user, notify=False,
        closes_at=timezone.now() + timedelta(days=2),
    )


def test_outsiders_get_404_from_the_api(api, proposal, outsider, other_group):
    client = api(outsider)
    pk = proposal.pk
    for method, url, body in [
        ("get", "/api/groups/artefacts/proposals/", None),
        ("post", "/api/groups/artefacts/proposals/", {"title": "x", "closes_at": timezone.now().isoformat()}),
        ("get", f"/api/proposals/{pk}/", None),
        ("put", f"/api/proposals/{pk}/stance/", {"choice": "agree"}),
        ("get", f"/api/proposals/{pk}/stances/", None),
        ("post", f"/api/proposals/{pk}/close/", None),
        ("post", f"/api/proposals/{pk}/outcome/", {"statement": "x"}),
        ("get", f"/api/proposals/{pk}/comments/", None),
        ("post", f"/api/proposals/{pk}/comments/", {"body": "x"}),
        ("get", "/api/groups/artefacts/decisions/", None),
        ("get", "/api/groups/artefacts/decisions.csv", None),
    ]:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    proposal.refresh_from_db()
    assert proposal.closed_at is None


def test_outsiders_get_404_from_the_pages(client, proposal, outsider):
    client.force_login(outsider)
    for url in [
        "/g/artefacts/proposals/",
        "/g/artefacts/proposals/new/",
        f"/proposals/{proposal.pk}/",
        "/g/artefacts/decisions/",
        "/g/artefacts/decisions.csv",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/proposals/{proposal.pk}/stance/", {"choice": "agree"}).status_code == 404
    assert "Secret plan" not in client.get("/").content.decode()
