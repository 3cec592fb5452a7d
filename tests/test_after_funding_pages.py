"""Completing a bucket and cancelling its funding through the API (API.md, "After funding") and
the bucket page's forms: who may, the confirmation in numbers (no JavaScript needed), a stale
or replayed confirmation refused, and every refusal a {code, detail} that changes nothing."""

from decimal import Decimal

import pytest
from django.utils import translation

from allocations.ledger import ledger_differences
from allocations.models import LedgerEntry
from buckets.models import Bucket
from groups import services as group_services
from groups.models import User
from tests.builders import funded_in_fund, permanent_round, record_paid
from tests.confirm_helpers import confirmation_token

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def funders(group, member, member2):
    third = User.objects.create_user(email="third@example.org", password="x" * 12, name="Zoé", language="en")
    group_services.add_member(group=group, email=third.email, actor=None, send_invitation=False)
    return [member, member2, third]


@pytest.fixture
def bucket(group, admin_user, funders):
    round = permanent_round(group, admin_user)
    a, b, c = funders
    return funded_in_fund(round, a, {a: "200.00", b: "100.00", c: "33.33"})


def snapshot(bucket):
    bucket.refresh_from_db()
    return (bucket.status, bucket.total, bucket.returned_amount, bucket.completed_at, bucket.cancelled_at,
            LedgerEntry.objects.count())


def test_the_api_completes_once(api, bucket, accountant, member):
    record_paid(bucket, "300.00")
    refused = api(member).post(f"/api/buckets/{bucket.pk}/complete/")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    response = api(accountant).post(f"/api/buckets/{bucket.pk}/complete/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == bucket.pk and body["status"] == "funded"
    assert body["given_back"] == {"amount": "33.33", "funders": 3, "to": "envelopes"}
    assert body["total"] == "300.00" and body["returned_amount"] == "33.33" and body["completed_at"]
    assert body["funded_amount"] == "333.33" and body["paid_amount"] == "300.00" and body["balance"] == "33.33"
    before = snapshot(bucket)
    again = api(accountant).post(f"/api/buckets/{bucket.pk}/complete/")
    assert again.status_code == 409 and again.json()["code"] == "bucket_completed"
    assert "already completed" in again.json()["detail"]
    assert snapshot(bucket) == before
    assert ledger_differences() == []


def test_the_api_cancels_with_a_reason_and_only_before_any_payment(api, bucket, admin_user, accountant):
    before = snapshot(bucket)
    assert api(accountant).post(f"/api/buckets/{bucket.pk}/cancel-funding/", {"reason": "x"}).status_code == 403
    missing = api(admin_user).post(f"/api/buckets/{bucket.pk}/cancel-funding/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "reason_required"
    record_paid(bucket, "12.00")
    paid = api(admin_user).post(f"/api/buckets/{bucket.pk}/cancel-funding/", {"reason": "Abandonné"}, format="json")
    assert paid.status_code == 409 and paid.json()["code"] == "bucket_has_payments"
    assert "€12.00" in paid.json()["detail"]
    assert snapshot(bucket) == before
    record_paid(bucket, "0.00")
    done = api(admin_user).post(f"/api/buckets/{bucket.pk}/cancel-funding/", {"reason": "Abandonné"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "not_funded" and done.json()["given_back"]["amount"] == "333.33"
    assert done.json()["cancel_reason"] == "Abandonné" and done.json()["cancelled_at"]
    assert done.json()["returned_amount"] == "333.33"
    bucket.refresh_from_db()
    assert bucket.cancel_reason == "Abandonné" and bucket.cancelled_at is not None
    again = api(admin_user).post(f"/api/buckets/{bucket.pk}/cancel-funding/", {"reason": "Encore"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "funding_cancelled"
    assert ledger_differences() == []


def test_the_page_asks_in_numbers_then_completes(client, bucket, accountant, funders):
    record_paid(bucket, "300.00")
    client.force_login(accountant)
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert f'action="/buckets/{bucket.pk}/complete/"' in page
    assert f'action="/buckets/{bucket.pk}/cancel-funding/"' not in page  # admins only
    assert 'data-figure="balance">€33.33<' in page
    before = snapshot(bucket)
    first = client.post(f"/buckets/{bucket.pk}/complete/")
    html = first.content.decode()
    assert first.status_code == 200 and "Complete “Four solaire”?" in html
    assert "€33.33 go back to the envelopes of its 3 funders, in proportion to what each gave." in html
    assert "Funded €333.33, paid €300.00: €33.33 left." in html
    assert "Member €20.00 · Member2 €10.00 · Zoé €3.33" in html
    assert snapshot(bucket) == before  # nothing changes until confirmed
    token = confirmation_token(first)
    done = client.post(f"/buckets/{bucket.pk}/complete/", {"confirm": token})
    assert done.status_code == 302 and done["Location"] == f"/buckets/{bucket.pk}/"
    bucket.refresh_from_db()
    assert bucket.completed_at is not None and bucket.returned_amount == D("33.33")
    # The same form sent again: refused in words, nothing changes.
    before = snapshot(bucket)
    replay = client.post(f"/buckets/{bucket.pk}/complete/", {"confirm": token}, follow=True)
    assert "already completed on" in replay.content.decode()
    assert snapshot(bucket) == before
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert "data-completed" in page and 'data-figure="returned">€33.33<' in page
    assert f'action="/buckets/{bucket.pk}/complete/"' not in page


def test_a_payment_between_the_page_and_the_confirmation_is_caught(client, bucket, accountant):
    client.force_login(accountant)
    first = client.post(f"/buckets/{bucket.pk}/complete/")
    assert "€333.33 go back" in first.content.decode()
    record_paid(bucket, "100.00")
    before = snapshot(bucket)
    stale = client.post(f"/buckets/{bucket.pk}/complete/", {"confirm": confirmation_token(first)})
    assert stale.status_code == 409
    assert "€233.33 go back" in stale.content.decode()  # the figures as they stand now
    assert snapshot(bucket) == before


def test_the_cancel_form_needs_a_reason_and_the_page_says_why(client, bucket, admin_user, member):
    client.force_login(member)
    refused = client.post(f"/buckets/{bucket.pk}/cancel-funding/", {"reason": "Non"}, follow=True)
    assert "Only an admin of the group may cancel" in refused.content.decode()
    client.force_login(admin_user)
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert f'action="/buckets/{bucket.pk}/cancel-funding/"' in page and 'name="reason"' in page
    empty = client.post(f"/buckets/{bucket.pk}/cancel-funding/", {"reason": "  "}, follow=True)
    assert "Say why the funding is cancelled" in empty.content.decode()
    first = client.post(f"/buckets/{bucket.pk}/cancel-funding/", {"reason": "Le lieu a fermé"})
    html = first.content.decode()
    assert "€333.33 go back to the envelopes of its 3 funders" in html and "Reason given: Le lieu a fermé" in html
    done = client.post(f"/buckets/{bucket.pk}/cancel-funding/",
                       {"reason": "Le lieu a fermé", "confirm": confirmation_token(first)})
    assert done.status_code == 302
    bucket.refresh_from_db()
    assert bucket.status == Bucket.Status.NOT_FUNDED and bucket.cancel_reason == "Le lieu a fermé"
    client.force_login(member)
    with translation.override("fr"):
        page = client.get(f"/buckets/{bucket.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "data-cancelled" in page and "Le lieu a fermé" in page
    assert f'action="/buckets/{bucket.pk}/cancel-funding/"' not in page


def test_the_pages_speak_french_properly(client, group, admin_user, accountant, funders):
    """The panel, the confirmation pages and the results' section in French: amounts as
    412,50 €, narrow no-break spaces, plurals that agree (cobudget.typography)."""
    from cobudget.typography import page_faults
    from tests.conftest import PASSWORD

    User.objects.filter(pk__in=[admin_user.pk, accountant.pk]).update(language="fr")
    round = permanent_round(group, admin_user)
    a, b, c = funders
    kept = funded_in_fund(round, a, {a: "200.00", b: "100.00", c: "33.33"}, title="Four solaire")
    record_paid(kept, "300.00")
    dropped = funded_in_fund(round, a, {a: "150.00", b: "262.50"}, title="Abri vélos")
    faults = []
    assert client.login(email=accountant.email, password=PASSWORD)
    page = client.get(f"/buckets/{kept.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Après le financement" in page and "33,33\u00a0€ reviennent dans les enveloppes de ses 3 financeurs" in page
    faults += page_faults(page)
    confirm_page = client.post(f"/buckets/{kept.pk}/complete/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Terminer «\u202fFour solaire\u202f»\u202f?" in confirm_page
    assert "Financé 333,33\u00a0€, payé 300,00\u00a0€\u202f: il reste 33,33\u00a0€." in confirm_page
    faults += page_faults(confirm_page)
    assert client.login(email=admin_user.email, password=PASSWORD)
    first = client.post(f"/buckets/{dropped.pk}/cancel-funding/", {"reason": "La cour est trop petite"},
                        HTTP_ACCEPT_LANGUAGE="fr")
    html = first.content.decode()
    assert "412,50\u00a0€ reviennent dans les enveloppes de ses 2 financeurs" in html
    faults += page_faults(html)
    client.post(f"/buckets/{dropped.pk}/cancel-funding/", {"reason": "La cour est trop petite",
                                                           "confirm": confirmation_token(first)})
    page = client.get(f"/buckets/{dropped.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Financement annulé le " in page and "\u202f: La cour est trop petite" in page
    faults += page_faults(page)
    results = client.get(f"/rounds/{round.pk}/results/?members=1", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rendu après le financement" in results and "412,50\u00a0€ rendus à 2 financeurs" in results
    faults += page_faults(results)
    assert not faults, "\n".join(faults)
