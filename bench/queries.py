"""The list pages and list endpoints held to a constant number of queries (target 2), and
how to count the queries of one request. Shared by the benchmark and tests/test_query_counts.py."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

MAX_QUERIES = 15


def list_targets(scale) -> list[tuple[str, str, str]]:
    """(name, who, path) for every list page and list endpoint of a seeded round; `who` is
    `member` (a member with allocations who co-leads the first bucket), `admin` or
    `accountant`."""
    return targets(slug=scale.group.slug, round_id=scale.round.pk, bucket_id=scale.bucket_ids[0])


def target_names() -> list[str]:
    return [name for name, _who, _path in targets(slug="slug", round_id=1, bucket_id=1)]


def targets(*, slug: str, round_id: int, bucket_id: int) -> list[tuple[str, str, str]]:
    rid, bid = round_id, bucket_id
    return [
        ("dashboard", "member", "/"),
        ("group page", "member", f"/g/{slug}/"),
        ("round page", "member", f"/rounds/{rid}/"),
        ("bucket page", "member", f"/buckets/{bid}/"),
        ("results page", "member", f"/rounds/{rid}/results/"),
        ("exports page", "accountant", f"/rounds/{rid}/exports/"),
        ("members page", "admin", f"/g/{slug}/members/"),
        ("envelopes page", "admin", f"/rounds/{rid}/envelopes/"),
        ("proposals page", "member", f"/g/{slug}/proposals/"),
        ("decisions page", "member", f"/g/{slug}/decisions/"),
        ("API rounds", "member", f"/api/groups/{slug}/rounds/"),
        ("API buckets", "member", f"/api/rounds/{rid}/buckets/"),
        ("API results", "member", f"/api/rounds/{rid}/results/"),
        ("API members", "admin", f"/api/groups/{slug}/members/"),
        ("API envelopes", "admin", f"/api/rounds/{rid}/envelopes/"),
        ("API proposals", "member", f"/api/groups/{slug}/proposals/"),
        ("API decisions", "member", f"/api/groups/{slug}/decisions/"),
    ]


def exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def viewer(scale, who: str):
    from groups.models import User

    if who == "admin":
        return scale.admin
    if who == "accountant":
        return scale.accountant
    return User.objects.get(pk=scale.member_ids[1])


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def count_queries(client: Client, path: str) -> tuple[int, int]:
    """(status, number of queries) of GET `path`, the response read to its end. The request is
    made once before, so that per-process caches (content types, translations) are warm."""
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
    return response.status_code, len(ctx.captured_queries)
