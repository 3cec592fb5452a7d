"""Webhooks (API.md, "Trust and integrations"): a group's events reach a chat room or a
program, signed, after the commit only, retried with backoff, each delivery logged; and no
admin can make the server call its own network (server-side request forgery).

A real HTTP receiver listens on 127.0.0.1 (allowed here by WEBHOOKS_ALLOW_PRIVATE, as in a
single-machine set-up; the refusals are tested with it off, as in production)."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from buckets import services as bucket_services
from cobudget import events
from integrations import delivery as deliveries
from integrations import outbound, tasks, webhooks
from integrations.models import Delivery, Webhook
from tests.builders import make_bucket, make_round


class Receiver:
    """Records every request; answers with the next planned status (200 when none is left)."""

    def __init__(self):
        self.requests = []
        self.plan = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                status = receiver.plan.pop(0) if receiver.plan else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"boom")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/abc"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, n, timeout=5.0):
        deadline = time.monotonic() + timeout
        while len(self.requests) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.requests

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    found = Receiver()
    yield found
    found.close()


def _draft(group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    return make_bucket(round, member, title="Jardin partagé", publish=False)


def test_a_json_delivery_is_signed_and_says_what_happened(group, admin_user, member, receiver,
                                                           django_capture_on_commit_callbacks):
    hook = webhooks.create_webhook(group=group, actor=admin_user, url=receiver.url, events=["bucket.published"])
    bucket = _draft(group, admin_user, member)
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.publish_bucket(bucket=bucket, actor=member)
    [request] = receiver.wait_for(1)
    assert request["path"] == "/hooks/abc"
    assert request["headers"]["X-Cobudget-Signature"] == deliveries.sign(hook.secret, request["body"])
    assert request["headers"]["X-Cobudget-Event"] == "bucket.published"
    event = deliveries.verify(secret=hook.secret, body=request["body"],
                            signature=request["headers"]["X-Cobudget-Signature"], seen_ids=set())
    assert event["event"] == "bucket.published" and event["group"]["slug"] == group.slug
    assert event["data"]["bucket"]["title"] == "Jardin partagé" and event["data"]["bucket"]["min_goal"] == "100.00"
    assert member.email not in request["body"].decode()
    delivery = Delivery.objects.get(webhook=hook)
    assert delivery.status == "delivered" and delivery.attempts == 1 and delivery.log[0]["status_code"] == 200


def test_a_forged_old_or_replayed_body_is_refused_by_verify(group, admin_user, member, receiver,
                                                            django_capture_on_commit_callbacks):
    hook = webhooks.create_webhook(group=group, actor=admin_user, url=receiver.url, events=["bucket.published"])
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.publish_bucket(bucket=_draft(group, admin_user, member), actor=member)
    [request] = receiver.wait_for(1)
    body, signature = request["body"], request["headers"]["X-Cobudget-Signature"]
    forged = body.replace(b"100.00", b"1.00")
    with pytest.raises(ValueError, match="bad signature"):
        deliveries.verify(secret=hook.secret, body=forged, signature=signature, seen_ids=set())
    with pytest.raises(ValueError, match="bad signature"):
        deliveries.verify(secret="another secret", body=body, signature=signature, seen_ids=set())
    seen = set()
    deliveries.verify(secret=hook.secret, body=body, signature=signature, seen_ids=seen)
    with pytest.raises(ValueError, match="replayed"):
        deliveries.verify(secret=hook.secret, body=body, signature=signature, seen_ids=seen)
    with pytest.raises(ValueError, match="too old"):
        deliveries.verify(secret=hook.secret, body=body, signature=signature, seen_ids=set(),
                        now=timezone.now() + timedelta(minutes=10))


def test_a_chat_room_gets_a_french_sentence(group, admin_user, member, receiver, settings,
                                            django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "fr"
    webhooks.create_webhook(group=group, actor=admin_user, url=receiver.url, format="mattermost",
                            events=["bucket.published"])
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.publish_bucket(bucket=_draft(group, admin_user, member), actor=member)
    [request] = receiver.wait_for(1)
    body = json.loads(request["body"])
    assert list(body) == ["text"]
    assert "Nouveau projet" in body["text"] and "[Jardin partagé](http" in body["text"]
    assert "100,00\u00a0€" in body["text"]


def test_a_500_is_retried_with_backoff_and_logged(group, admin_user, member, receiver,
                                                  django_capture_on_commit_callbacks):
    hook = webhooks.create_webhook(group=group, actor=admin_user, url=receiver.url, events=["bucket.published"])
    receiver.plan = [500]
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.publish_bucket(bucket=_draft(group, admin_user, member), actor=member)
    receiver.wait_for(1)
    delivery = Delivery.objects.get(webhook=hook)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.log[0]["status_code"] == 500 and delivery.log[0]["error"] == "boom"
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)
    assert tasks.send_due_deliveries() == 0  # not yet due: nothing is sent early
    assert len(receiver.requests) == 1
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # as if 30 s had passed
    assert tasks.send_due_deliveries() == 1
    first, second = receiver.wait_for(2)
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert [entry["status_code"] for entry in delivery.log] == [500, 200]
    # The same delivery id both times (a receiver sees a retry, not a new event); a new signature.
    assert first["headers"]["X-Cobudget-Delivery"] == second["headers"]["X-Cobudget-Delivery"]
    assert json.loads(second["body"])["attempt"] == 2


def test_the_backoff_doubles_up_to_an_hour_then_gives_up():
    assert [deliveries.backoff(n).total_seconds() for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]


def test_a_4xx_is_not_retried(group, admin_user, member, receiver, django_capture_on_commit_callbacks):
    hook = webhooks.create_webhook(group=group, actor=admin_user, url=receiver.url, events=["bucket.published"])
    receiver.plan = [404]
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.publish_bucket(bucket=_draft(group, admin_user, member), actor=member)
    receiver.wait_for(1)
    assert Delivery.objects.get(webhook=hook).status == "failed"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_before_the_commit_nor_after_a_rollback(receiver, monkeypatch):
    from groups import services as group_services
    from tests.conftest import make_user

    admin = make_user("admin@example.org")
    group = group_services.create_group(creator=admin, name="Artefacts", slug="artefacts")
    webhooks.create_webhook(group=group, actor=admin, url=receiver.url, events=["bucket.published"])
    round = make_round(group, admin, phase="proposals")
    first = make_bucket(round, admin, title="First", publish=False)
    second = make_bucket(round, admin, title="Second", publish=False)
    on_the_wire_before_commit = []

    def later_in_the_same_transaction(*, event, group_id, objs):
        # Runs after the webhooks' listener, inside publish_bucket's own transaction.
        time.sleep(0.3)
        on_the_wire_before_commit.append(list(receiver.requests))
        if any(bucket.title == "Second" for bucket in objs):
            raise RuntimeError("the publish fails after its event was written")

    monkeypatch.setattr(events, "_listeners", [*events._listeners, later_in_the_same_transaction])
    bucket_services.publish_bucket(bucket=first, actor=admin)
    assert on_the_wire_before_commit == [[]]  # the event is in the outbox, not on the wire
    assert len(receiver.wait_for(1)) == 1
    with pytest.raises(RuntimeError, match="after its event was written"):
        bucket_services.publish_bucket(bucket=second, actor=admin)
    time.sleep(0.3)
    assert len(receiver.requests) == 1 and Delivery.objects.count() == 1


REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:8014/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://10.0.0.5/hook",
    "http://192.168.1.1/hook",
    "http://172.16.0.1/hook",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://2130706433/hook",
    "http://0x7f.1/hook",
    "http://224.0.0.1/hook",
    "file:///etc/passwd",
    "gopher://example.org/",
    "ftp://example.org/hook",
    "http://user:secret@example.org/hook",
    "javascript:alert(1)",
    "http://exa mple.org/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_reserved_and_odd_addresses_are_refused(api, group, admin_user, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = api(admin_user).post(f"/api/groups/{group.slug}/webhooks/",
                                    {"url": url, "format": "json", "events": ["round.closed"]}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("webhook_url_refused", "invalid_url")
    assert not Webhook.objects.exists() and not AuditEntry.objects.filter(action="webhook.created").exists()


def test_a_name_that_turns_private_after_saving_is_refused_at_delivery(group, admin_user, member, receiver, settings,
                                                                        monkeypatch, django_capture_on_commit_callbacks):
    """DNS rebinding: public when saved, 127.0.0.1 when the event is sent."""
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    port = receiver.server.server_port
    answers = {"hooks.example.org": "93.184.216.34"}
    monkeypatch.setattr(outbound, "_resolve", lambda host, p: [(2, 1, 6, "", (answers[host], p))])
    hook = webhooks.create_webhook(group=group, actor=admin_user, url=f"http://hooks.example.org:{port}/x",
                                   events=["bucket.published"])
    answers["hooks.example.org"] = "127.0.0.1"
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.publish_bucket(bucket=_draft(group, admin_user, member), actor=member)
    time.sleep(0.2)
    assert receiver.requests == []
    delivery = Delivery.objects.get(webhook=hook)
    assert delivery.status == "failed" and "private" in delivery.log[0]["error"]


def test_the_api_is_for_admins_and_keeps_a_log(api, group, admin_user, member, outsider, receiver,
                                               django_capture_on_commit_callbacks):
    url = f"/api/groups/{group.slug}/webhooks/"
    body = {"url": receiver.url, "format": "slack", "events": ["bucket.published", "round.closed"]}
    assert api(member).post(url, body, format="json").status_code == 403
    assert api(outsider).post(url, body, format="json").status_code == 404
    created = api(admin_user).post(url, body, format="json")
    assert created.status_code == 201
    hook = created.json()
    assert set(hook) >= {"id", "url", "format", "events", "secret"} and len(hook["secret"]) == 64
    assert api(admin_user).post(url, {**body, "events": ["bucket.deleted"]}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        bucket_services.publish_bucket(bucket=_draft(group, admin_user, member), actor=member)
    receiver.wait_for(1)
    assert json.loads(receiver.requests[0]["body"])["text"].count("<http") == 1  # Slack's <url|title>
    log = api(admin_user).get(f"/api/webhooks/{hook['id']}/deliveries/").json()
    assert log["count"] == 1 and log["results"][0]["status"] == "delivered"
    assert log["results"][0]["log"][0]["status_code"] == 200
    assert api(member).get(f"/api/webhooks/{hook['id']}/deliveries/").status_code == 403
    assert api(outsider).delete(f"/api/webhooks/{hook['id']}/").status_code == 404
    assert api(admin_user).delete(f"/api/webhooks/{hook['id']}/").status_code == 204
    assert not Webhook.objects.exists()
    assert AuditEntry.objects.filter(action__in=["webhook.created", "webhook.deleted"]).count() == 2


def test_the_page_adds_and_deletes_a_webhook(client, group, admin_user, member, receiver):
    client.force_login(member)
    assert client.get(f"/g/{group.slug}/webhooks/").status_code == 404
    client.force_login(admin_user)
    response = client.post(f"/g/{group.slug}/webhooks/", {"url": receiver.url, "format": "mattermost",
                                                          "events": ["round.opened", "round.closed"]})
    assert response.status_code == 302
    hook = Webhook.objects.get()
    assert hook.events == ["round.opened", "round.closed"]
    page = client.get(f"/g/{group.slug}/webhooks/").content.decode()
    assert receiver.url in page
    client.post(f"/g/{group.slug}/webhooks/{hook.pk}/delete/", {})
    assert Webhook.objects.exists()  # not without the confirmation
    client.post(f"/g/{group.slug}/webhooks/{hook.pk}/delete/", {"confirm": "yes"})
    assert not Webhook.objects.exists()
