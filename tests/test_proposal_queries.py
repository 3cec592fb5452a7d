"""List pages and lists of the API take a bounded number of queries, whatever their size."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proposals import services

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


def _many(group, admin_user, member, n):
    for i in range(n):
        p = services.open_proposal(
            group=group, title=f"P{i}", author=admin_user, notify=False, closes_at=timezone.now() + timedelta(days=2),
            voters="members" if i % 2 else [admin_user, member],
        )
        services.set_stance(proposal=p, user=member, choice="agree", reason="ok")
        services.add_comment(proposal=p, author=member, body="hi")
        if i % 3 == 0:
            services.close_proposal(proposal=p, actor=admin_user, notify=False)


@pytest.mark.parametrize(
    "url",
    [
        "/g/artefacts/proposals/",
        "/g/artefacts/decisions/",
        "/api/groups/artefacts/proposals/",
        "/api/groups/artefacts/decisions/",
    ],
)
def test_lists_take_a_bounded_number_of_queries(client, group, admin_user, member, url):
    client.force_login(member)
    _many(group, admin_user, member, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _many(group, admin_user, member, 12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) <= MAX_QUERIES, [q["sql"] for q in many.captured_queries]
    assert len(many) == len(few)


def test_the_proposal_page_takes_a_bounded_number_of_queries(client, group, admin_user, member, member2):
    p = services.open_proposal(
        group=group, title="One", author=admin_user, notify=False, closes_at=timezone.now() + timedelta(days=2),
    )
    for user in (admin_user, member, member2):
        services.set_stance(proposal=p, user=user, choice="agree")
        services.set_stance(proposal=p, user=user, choice="disagree", reason="changed")
        services.add_comment(proposal=p, author=user, body="hi")
    client.force_login(member)
    client.get(f"/proposals/{p.pk}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/proposals/{p.pk}/")
    assert len(queries) <= 25, [q["sql"] for q in queries.captured_queries]
