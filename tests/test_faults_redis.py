"""Redis down: pages, login and allocation still work without a 500 or a long hang; /healthz
says 503 naming Redis; nothing is lost when it returns (the sweep sends the mails whose task
could not be queued). Redis is "down" by pointing the cache and the broker at a port where
nothing listens."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from buckets import services as bucket_services
from notifications import delivery as notification_delivery
from notifications.models import Notification
from tests.builders import make_bucket, make_round
from tests.conftest import PASSWORD

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    from cobudget.celery import app

    settings.REDIS_URL = DEAD
    settings.CACHES = {"default": {"BACKEND": "cobudget.cache.RedisCache", "LOCATION": DEAD}}
    before = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = DEAD, False
    # Forget any connection and producer made to a live (or in-memory) broker by earlier tests,
    # or the outage would not be real.
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url, app.conf.task_always_eager = before
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_pages_login_and_allocation_work_while_redis_is_down_and_nothing_is_lost(
    redis_down, group, admin_user, member, member2
):
    round_ = make_round(group, admin_user)
    bucket = make_bucket(round_, member2, title="Garden")
    started = time.monotonic()

    client = Client()
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    for url in ("/", f"/g/{group.slug}/", f"/rounds/{round_.pk}/", f"/buckets/{bucket.pk}/"):
        assert client.get(url).status_code == 200, url
    response = client.post(f"/buckets/{bucket.pk}/allocate/", {"amount": "25,50"})
    assert response.status_code == 302
    bucket.refresh_from_db()
    assert str(bucket.total) == "25.50"

    mail.outbox.clear()
    bucket_services.add_comment(bucket=bucket, author=member, body="Where is the garden?")
    assert time.monotonic() - started < 20, "a dead Redis must fail fast, not hang each request"

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["redis"] == "error"

    # The co-lead's mail could not be queued: it waits, unsent, in the database.
    waiting = Notification.objects.filter(emailed_at=None, delivery="immediate").count()
    assert Notification.objects.filter(user=member2, emailed_at=None, delivery="immediate").exists()
    assert not mail.outbox

    # Redis is back: the next sweep sends it, once.
    later = timezone.now() + timedelta(minutes=5)
    assert notification_delivery.flush_batches(now=later) >= waiting
    assert len(mail.outbox) >= waiting  # and the hourly allocation batch, also waiting
    assert any("Garden" in m.subject and m.to == [member2.email] for m in mail.outbox)
    assert notification_delivery.flush_batches(now=later) == 0
    with transaction.atomic():
        call_command("check_ledger")
