"""Security promises: CSP without inline scripts, CSRF on forms, login and token rate limits,
the ledger append-only in the database."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from tests.conftest import PASSWORD, make_user, requires_postgres


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client, member, group):
    client.force_login(member)
    csp = client.get("/").headers["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_forms_refuse_a_post_without_csrf_token(group, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(f"/g/{group.slug}/members/invite/", {"email": "x@example.org", "role": "member"})
    assert response.status_code == 403
    assert not group.memberships.filter(user__email="x@example.org").exists()


@pytest.mark.django_db
def test_the_session_api_refuses_a_write_without_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/api/groups/", {"name": "X", "slug": "x"}, content_type="application/json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}}
    make_user("claire@example.org")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "claire@example.org", "password": "wrong"})
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": "claire@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


@pytest.mark.django_db
def test_the_token_endpoint_is_rate_limited(api, settings):
    from django.core.cache import cache

    cache.clear()
    make_user("claire@example.org")
    client = api(None)
    statuses = [
        client.post("/api/auth/token/", {"email": "claire@example.org", "password": "wrong"}, format="json").status_code
        for _ in range(25)
    ]
    assert statuses[0] == 400
    assert 429 in statuses
    cache.clear()


@requires_postgres
@pytest.mark.django_db
def test_the_ledger_refuses_update_and_delete_in_the_database(group, admin_user):
    from allocations.models import LedgerEntry
    from buckets.models import Round

    round_ = Round.objects.create(group=group, title="R")
    entry = LedgerEntry.objects.create(round=round_, member=admin_user, actor=admin_user, kind="envelope", before=0, after=430)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(after=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM allocations_ledgerentry WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.after == 430
