"""The allocation PUT's fast path (allocations/fastpath.py) answers exactly as the whole stack
does: the same status, body and headers, the same writes, in the request's language; and it
leaves to the stack every request it cannot answer so (and then the DRF view answers).

Each request is sent twice from the same state (a savepoint rolled back in between): once
with the fast path in the middleware, once without it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from allocations import api as allocation_api
from allocations.models import Allocation, Envelope, LedgerEntry
from buckets.models import Bucket, Round
from groups.models import Membership
from tests.builders import allocate, make_bucket, make_round, pass_deadline

FAST = "allocations.fastpath.AllocationFastPath"


@pytest.fixture
def view_calls(monkeypatch):
    """How many requests reached the DRF view."""
    calls = []
    original = allocation_api.BucketAllocation.dispatch

    def counting(self, request, *args, **kwargs):
        calls.append(kwargs)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(allocation_api.BucketAllocation, "dispatch", counting)
    return calls


def _state(round):
    return (
        sorted(Allocation.objects.filter(bucket__round=round).values_list("envelope_id", "bucket_id", "amount")),
        sorted(Envelope.objects.filter(round=round).values_list("id", "allocated")),
        sorted(Bucket.objects.filter(round=round).values_list("id", "total", "contributors_count")),
        list(LedgerEntry.objects.filter(round=round).order_by("id").values_list("member_id", "actor_id", "bucket_id",
                                                                               "kind", "before", "after", "note")),
    )


def _send(settings, *, fast: bool, path: str, body, headers: dict, content_type: str, method: str = "put",
          login=None):
    middleware = list(settings.MIDDLEWARE)
    if not fast:
        middleware.remove(FAST)
    with override_settings(MIDDLEWARE=middleware):
        client = Client()
        if login is not None:
            client.force_login(login)
        response = getattr(client, method)(path, body, content_type=content_type, headers=headers)
    return response


def both(settings, round, path, body, *, headers=None, content_type="application/json", method="put", login=None):
    """(fast path's response, whole stack's response), each from the same state, and the state
    each left behind; the writes of the fast path's request are kept."""
    results = []
    for fast in (False, True):
        sid = transaction.savepoint()
        response = _send(settings, fast=fast, path=path, body=body, headers=headers or {},
                         content_type=content_type, method=method, login=login)
        results.append((response, _state(round)))
        if not fast:
            transaction.savepoint_rollback(sid)
        else:
            transaction.savepoint_commit(sid)
    (slow, slow_state), (fast, fast_state) = results
    return fast, slow, fast_state, slow_state


def assert_same(fast, slow, fast_state, slow_state):
    assert fast.status_code == slow.status_code, (fast.content, slow.content)
    assert fast.content == slow.content
    assert dict(fast.headers) == dict(slow.headers)
    assert fast_state == slow_state


@pytest.fixture
def world(group, admin_user, member, member2, contributor):
    round = make_round(group, admin_user, max_per_member_per_bucket="250.00")
    bucket = make_bucket(round, member2, max_amount="300.00")
    big = make_bucket(round, member2, title="Big", max_amount="1000.00")
    draft = make_bucket(round, member2, title="Draft", publish=False)
    tokens = {user.email: Token.objects.create(user=user).key for user in (admin_user, member, member2, contributor)}
    return round, bucket, big, draft, tokens


def auth(key):
    return {"Authorization": f"Token {key}"}


@pytest.mark.django_db(transaction=False)
def test_what_the_fast_path_answers_is_what_the_stack_answers(settings, world, member, member2, contributor,
                                                              view_calls):
    round, bucket, big, draft, tokens = world
    url = f"/api/buckets/{bucket.pk}/allocation/"
    allocate(member, big, "200.00")
    cases = [
        (member, url, {"amount": "120.00"}, {}, 200),  # a new allocation
        (member, url, {"amount": "150"}, {}, 200),  # changed
        (member, url, {"amount": 150}, {}, 200),  # unchanged (a JSON number)
        (member, url, {"amount": "12,50"}, {}, 200),  # the French way
        (member, url, {"amount": 0}, {}, 200),  # removed
        (member, url, {"amount": "230.01"}, {}, 409),  # envelope_exceeded
        (member, url, {"amount": "230.01"}, {"Accept-Language": "fr"}, 409),  # in French
        (member2, url, {"amount": "250.01"}, {}, 409),  # per_bucket_cap_exceeded
        (contributor, url, {"amount": "1.00"}, {}, 409),  # no_envelope
        (member2, f"/api/buckets/{draft.pk}/allocation/", {"amount": "1.00"}, {}, 409),  # bucket_not_open (its creator sees it)
        (member, url, {"amount": "-5"}, {}, 400),  # invalid_amount, with its field
        (member, url, {"amount": "1.234"}, {"Accept-Language": "fr-FR,fr;q=0.9"}, 400),
        (member, url, {"amount": "abc", "other": "ignored"}, {}, 400),
        (member, url, {"amount": None}, {}, 400),
        (member, url, {"amount": "NaN"}, {}, 400),
        (member, url, {"amount": "4.00"}, {"Accept": "application/json"}, 200),
        (member, url, {"amount": "5.00"}, {"Accept": "*/*"}, 200),
        (member, url, {"amount": "6.00"}, {"Accept": "application/*"}, 200),
    ]
    for user, path, body, headers, status in cases:
        fast, slow, fast_state, slow_state = both(settings, round, path, body,
                                                  headers={**auth(tokens[user.email]), **headers})
        assert fast.status_code == status, (body, fast.content)
        assert_same(fast, slow, fast_state, slow_state)
        if headers.get("Accept-Language") == "fr":
            assert "enveloppe" in fast.json()["detail"] and fast.headers["Content-Language"] == "fr"
    # The whole stack's view ran once per case (the slow side); the fast path never needed it.
    assert len(view_calls) == len(cases)
    # A charset in the content type is JSON still.
    fast, slow, *states = both(settings, round, url, {"amount": "3.00"},
                               headers=auth(tokens[member.email]), content_type="application/json; charset=utf-8")
    assert fast.status_code == 200
    assert_same(fast, slow, *states)
    assert len(view_calls) == len(cases) + 1


@pytest.mark.django_db
def test_refusals_in_closed_and_early_rounds_and_over_the_maximum(settings, group, admin_user, member, member2,
                                                                  view_calls):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2, max_amount="300.00")
    allocate(member2, bucket, "250.00")
    key = Token.objects.create(user=member).key
    url = f"/api/buckets/{bucket.pk}/allocation/"
    fast, slow, *states = both(settings, round, url, {"amount": "50.01"}, headers=auth(key))
    assert fast.json()["code"] == "bucket_max_exceeded"
    assert_same(fast, slow, *states)
    pass_deadline(round)
    fast, slow, *states = both(settings, round, url, {"amount": "1.00"}, headers=auth(key))
    assert fast.json()["code"] == "round_closed"
    assert_same(fast, slow, *states)
    now = timezone.now()
    Round.objects.filter(pk=round.pk).update(funding_opens_at=now + timedelta(days=1),
                                             funding_closes_at=now + timedelta(days=2))
    fast, slow, *states = both(settings, round, url, {"amount": "1.00"}, headers=auth(key))
    assert fast.json()["code"] == "round_not_funding"
    assert_same(fast, slow, *states)
    assert len(view_calls) == 3


@pytest.mark.django_db
def test_what_it_cannot_answer_goes_on_to_the_view_unchanged(settings, world, admin_user, member, member2, outsider,
                                                             other_group, view_calls):
    round, bucket, big, draft, tokens = world
    url = f"/api/buckets/{bucket.pk}/allocation/"
    outsider_key = Token.objects.create(user=outsider).key
    inactive = Token.objects.get(key=tokens[member2.email])
    member_id = Membership.objects.get(user=member, group=round.group_id).pk
    cases = [
        # (path, body, headers, content type, status)
        (url, {"amount": "1.00"}, {"Authorization": "Token " + "0" * 40}, "application/json", 401),  # unknown token
        (url, {"amount": "1.00"}, {"Authorization": "Bearer " + tokens[member.email]}, "application/json", 401),
        (url, {"amount": "1.00"}, {"Authorization": "Token"}, "application/json", 401),  # malformed
        (url, {"amount": "1.00"}, {}, "application/json", 401),  # nobody
        (url, {"amount": "1.00"}, auth(outsider_key), "application/json", 404),  # not their group
        (f"/api/buckets/{draft.pk}/allocation/", {"amount": "1.00"}, auth(tokens[member.email]), "application/json",
         404),  # someone else's draft
        ("/api/buckets/987654/allocation/", {"amount": "1.00"}, auth(tokens[member.email]), "application/json", 404),
        (url, "{not json", auth(tokens[member.email]), "application/json", 400),
        (url, "[1, 2]", auth(tokens[member.email]), "application/json", 400),
        (url, {"amoun": "1.00"}, auth(tokens[member.email]), "application/json", 400),  # required
        (url, "amount=1.00", auth(tokens[member.email]), "application/x-www-form-urlencoded", 200),  # a form
        (url, {"amount": "40.00", "member": member_id}, auth(tokens[admin_user.email]), "application/json", 200),
        (url, {"amount": "40.00", "member": None}, auth(tokens[member.email]), "application/json", 400),
        (url, {"amount": "2.00"}, {"Authorization": "token " + tokens[member.email]}, "application/json", 200),
        (url, {"amount": "2.00"}, {"Authorization": "Token  " + tokens[member.email]}, "application/json", 200),
        (url, {"amount": "2.00", "note": "x" * 5000}, auth(tokens[member.email]), "application/json", 200),
        (url, {"amount": "2.00"}, {**auth(tokens[member.email]), "Accept": "text/html"}, "application/json", 406),
        (url, {"amount": "2.00"}, {**auth(tokens[member.email]), "Accept": "application/json; indent=4"},
         "application/json", 200),
        (url, {"amount": "2.00"}, {**auth(tokens[member.email]), "Accept": "application/json, text/plain, */*"},
         "application/json", 200),
        (url + "?format=api", {"amount": "2.00"}, auth(tokens[member.email]), "application/json", 404),
        (url + "?format=json", {"amount": "2.00"}, auth(tokens[member.email]), "application/json", 200),
    ]
    for path, body, headers, content_type, status in cases:
        before = len(view_calls)
        fast, slow, *states = both(settings, round, path, body, headers=headers, content_type=content_type)
        assert fast.status_code == status, (path, body, fast.content)
        assert_same(fast, slow, *states)
        assert len(view_calls) == before + 2, (path, body)  # the view answered both
    # A Host outside ALLOWED_HOSTS: CommonMiddleware refuses it before any view.
    before = len(view_calls)
    fast, slow, *states = both(settings, round, url, {"amount": "2.00"},
                               headers={**auth(tokens[member.email]), "Host": "evil.example"})
    assert fast.status_code == 400 and len(view_calls) == before
    assert_same(fast, slow, *states)
    # An inactive person's token.
    inactive.user.is_active = False
    inactive.user.save(update_fields=["is_active"])
    before = len(view_calls)
    fast, slow, *states = both(settings, round, url, {"amount": "1.00"}, headers=auth(inactive.key))
    assert fast.status_code == 401 and len(view_calls) == before + 2
    assert_same(fast, slow, *states)
    # Other methods, and the paths around it.
    for method, path in (("patch", url), ("get", url), ("put", url.rstrip("/")), ("put", url + "x/"),
                         ("put", url + "%0A"), ("put", url + "\n")):
        fast, slow, *states = both(settings, round, path, {"amount": "1.00"}, headers=auth(tokens[member.email]),
                                   method=method)
        assert_same(fast, slow, *states)


@pytest.mark.django_db
def test_cookies_beside_the_token_go_through_the_stack(settings, world, member, view_calls):
    """The session and CSRF middleware answer cookies (a malformed one is replaced or deleted):
    a request carrying any goes through them."""
    round, bucket, big, draft, tokens = world
    url = f"/api/buckets/{bucket.pk}/allocation/"
    fast, slow, *states = both(settings, round, url, {"amount": "7.00"}, headers=auth(tokens[member.email]),
                               login=member)
    assert fast.status_code == 200 and len(view_calls) == 2
    assert_same(fast, slow, *states)
    for cookie in ("csrftoken=bad", "sessionid=short"):
        before = len(view_calls)
        fast, slow, *states = both(settings, round, url, {"amount": "8.00"},
                                   headers={**auth(tokens[member.email]), "Cookie": cookie})
        assert len(view_calls) == before + 2
        assert_same(fast, slow, *states)


def test_the_fast_path_knows_every_middleware_it_stands_in_for(settings):
    """A middleware added to the stack must be looked at in allocations/fastpath.py first: the
    fast path answers without it."""
    from allocations.fastpath import STACK

    assert list(settings.MIDDLEWARE) == STACK


@pytest.mark.django_db
def test_a_browser_session_goes_through_the_stack_with_its_csrf_check(settings, world, member, view_calls):
    round, bucket, *_ = world
    url = f"/api/buckets/{bucket.pk}/allocation/"
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.put(url, {"amount": "1.00"}, content_type="application/json")
    assert response.status_code == 403 and view_calls  # CSRF refused by DRF's session authentication
    assert "CSRF" in response.json()["detail"]
    assert Allocation.objects.filter(bucket=bucket).count() == 0


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=3600)
def test_plain_http_is_redirected_as_everywhere(settings, world, member, view_calls):
    round, bucket, big, draft, tokens = world
    url = f"/api/buckets/{bucket.pk}/allocation/"
    response = Client().put(url, {"amount": "1.00"}, content_type="application/json", headers=auth(tokens[member.email]))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert Allocation.objects.filter(bucket=bucket).count() == 0
    response = Client().put(url, {"amount": "1.00"}, content_type="application/json", secure=True,
                            headers=auth(tokens[member.email]))
    assert response.status_code == 200 and not view_calls
    assert response.headers["Strict-Transport-Security"] == "max-age=3600"  # SecurityMiddleware's, on HTTPS


@pytest.mark.django_db
def test_the_fast_path_really_writes(settings, world, member, view_calls):
    round, bucket, big, draft, tokens = world
    response = Client().put(f"/api/buckets/{bucket.pk}/allocation/", {"amount": "99.50"},
                            content_type="application/json", headers=auth(tokens[member.email]))
    assert response.status_code == 200 and not view_calls
    assert response.json() == {"amount": "99.50", "bucket_total": "99.50", "envelope_remaining": "330.50"}
    assert Allocation.objects.get(bucket=bucket).amount == Decimal("99.50")
    entry = LedgerEntry.objects.get(round=round, bucket=bucket)
    assert (entry.member, entry.actor, entry.before, entry.after) == (member, member, Decimal("0"), Decimal("99.50"))
