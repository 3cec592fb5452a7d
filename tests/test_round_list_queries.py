"""The rounds list of a group (a permanent fund adds a round every year) makes the same
number of queries for one round as for five: totals are computed for the whole page at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.builders import make_round


def count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


@pytest.mark.django_db
def test_the_rounds_list_does_not_grow_with_the_number_of_rounds(api, group, admin_user):
    make_round(group, admin_user)
    client = api(admin_user)
    path = f"/api/groups/{group.slug}/rounds/"
    one, body = count(client, path)
    assert body["results"][0]["totals"]["envelopes"] == "430.00"
    for _ in range(4):
        make_round(group, admin_user)
    five, body = count(client, path)
    assert body["count"] == 5
    assert five == one
