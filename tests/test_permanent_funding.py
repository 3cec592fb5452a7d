"""A permanent fund funds its buckets one by one (API.md "Buckets in a permanent round",
PRODUCT.md "Funds that live over time"): a co-lead accepts the funding once the total holds
funded_if_percent_of_min of the min goal (compared exactly); the sweep announces each funding
once (co-leads, funders, followers, the bucket.funded webhook) and expires the open buckets
that waited the fund's expires_after_days, giving their allocations back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from allocations import outbox
from allocations import services as allocation_services
from allocations.models import Allocation, Envelope, LedgerEntry
from audit.models import AuditEntry
from buckets import services as bucket_services
from buckets.models import Bucket, Follow
from cobudget.errors import DomainError
from integrations.models import Delivery, Webhook
from notifications.models import Kind, Notification
from results.sweep import sweep
from tests.conftest import make_user
from tests.funding_helpers import allocate, make_bucket, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(group, admin_user, member, member2):
    return make_round(group, admin_user, title="Bourse", kind="permanent", envelope="500.00",
                      funded_if_percent_of_min=Decimal("80"))


@pytest.fixture
def colead(group, member):
    return member


@pytest.fixture
def bucket(fund, colead):
    return make_bucket(fund, colead, title="Jardin partagé", min_amount="1000.00", max_amount="1500.00")


def french_money(amount: str) -> str:
    from django.utils import translation

    from cobudget.money import format_money

    with translation.override("fr"):
        return format_money(Decimal(amount))


def givers(group, admin_user, n, prefix="giver"):
    from groups import services as group_services
    from groups.models import User

    people = []
    for i in range(n):
        email = f"{prefix}{i}@example.org"
        make_user(email)
        group_services.add_member(group=group, email=email, actor=admin_user, send_invitation=False)
        people.append(User.objects.get(email=email))
    return people


def fill(bucket, people, amounts):
    for person, amount in zip(people, amounts, strict=True):
        allocate(person, bucket, amount)
    bucket.refresh_from_db()
    return bucket


# --- accepting the funding ------------------------------------------------------------------------


def test_a_colead_accepts_once_the_threshold_is_reached(api, group, admin_user, bucket, colead):
    people = givers(group, admin_user, 2)
    fill(bucket, people, ["400.00", "399.99"])  # 799.99: below 80 % of 1 000,00
    client = api(colead)
    refused = client.post(f"/api/buckets/{bucket.pk}/accept-funding/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "funding_not_reached"
    detail = refused.json()["detail"]
    assert "€800.00" in detail and "€799.99" in detail and "€0.01 more" in detail and "80" in detail
    bucket.refresh_from_db()
    assert bucket.status == "open" and bucket.funded_at is None

    allocate(people[1], bucket, "400.00")  # 800.00: exactly 80 %
    done = client.post(f"/api/buckets/{bucket.pk}/accept-funding/", {"total": "800.00"}, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "funded" and body["funded_amount"] == "800.00" and body["balance"] == "800.00"
    assert body["paid_amount"] == "0.00" and body["funded_at"] and body["completed_at"] is None
    assert body["cancelled_at"] is None
    bucket.refresh_from_db()
    assert bucket.funded_at == bucket.decided_at and bucket.funding_announced_at is None
    entry = AuditEntry.objects.get(action="bucket.funding_accepted")
    assert entry.actor_id == colead.pk and entry.after["funded_amount"] == "800.00"

    # Its allocations no longer change, up or down.
    with pytest.raises(DomainError) as exc:
        allocate(people[0], bucket, "450.00")
    assert exc.value.code == "bucket_not_open"
    with pytest.raises(DomainError):
        allocate(people[0], bucket, "0.00")
    again = client.post(f"/api/buckets/{bucket.pk}/accept-funding/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "bucket_not_open"
    call_command("check_ledger")


def test_the_threshold_is_compared_exactly_in_cents(group, admin_user, fund, colead):
    # 80 % of 333,33 is 266,664: 266,66 is below, 266,67 reaches it.
    bucket = make_bucket(fund, colead, min_amount="333.33", max_amount="400.00")
    giver, = givers(group, admin_user, 1)
    fill(bucket, [giver], ["266.66"])
    with pytest.raises(DomainError) as exc:
        bucket_services.accept_funding(bucket=bucket, actor=colead)
    assert exc.value.code == "funding_not_reached" and "€266.67" in str(exc.value.detail)
    allocate(giver, bucket, "266.67")
    assert bucket_services.accept_funding(bucket=bucket, actor=colead).funded_amount == Decimal("266.67")


def test_a_stale_total_changes_nothing(group, admin_user, bucket, colead):
    giver, = givers(group, admin_user, 1)
    fill(bucket, [giver], ["400.00"])
    Bucket.objects.filter(pk=bucket.pk).update(min_goal=Decimal("400.00"))
    allocate(giver, bucket, "410.00")
    with pytest.raises(DomainError) as exc:
        bucket_services.accept_funding(bucket=bucket, actor=colead, expect_total=Decimal("400.00"))
    assert exc.value.code == "confirmation_stale"
    assert Bucket.objects.get(pk=bucket.pk).status == "open"


def test_only_a_colead_of_an_open_bucket_of_a_permanent_fund_accepts(api, group, admin_user, member2, accountant,
                                                                       bucket, colead):
    Bucket.objects.filter(pk=bucket.pk).update(min_goal=Decimal("0.00"))
    allocate(member2, bucket, "10.00")
    for person in (admin_user, member2, accountant):  # an admin is not a co-lead
        response = api(person).post(f"/api/buckets/{bucket.pk}/accept-funding/", {}, format="json")
        assert response.status_code == 403, person
    fixed = make_round(group, admin_user, title="Budget 2026")
    fixed_bucket = make_bucket(fixed, colead, min_amount="10.00", max_amount="20.00")
    refused = api(colead).post(f"/api/buckets/{fixed_bucket.pk}/accept-funding/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_permanent"
    draft = make_bucket(bucket.round, colead, publish=False)
    refused = api(colead).post(f"/api/buckets/{draft.pk}/accept-funding/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "bucket_not_open"
    assert "draft" in refused.json()["detail"]


def test_nothing_allocated_is_never_accepted(api, fund, colead):
    bucket = make_bucket(fund, colead, min_amount="0.00", max_amount="100.00")
    refused = api(colead).post(f"/api/buckets/{bucket.pk}/accept-funding/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "funding_not_reached"


# --- the page ---------------------------------------------------------------------------------------


def test_the_bucket_page_offers_acceptance_with_a_confirmation_in_numbers(client, group, admin_user, bucket, colead,
                                                                         member2):
    people = givers(group, admin_user, 2)
    fill(bucket, people, ["300.00", "300.00"])  # 600.00
    client.force_login(colead)
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert "€800.00" in page and "€200.00 to go" in page and f"/buckets/{bucket.pk}/accept-funding/" not in page

    allocate(people[1], bucket, "500.00")
    allocate(colead, bucket, "50.00")  # 850.00: 85 %
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert f'action="/buckets/{bucket.pk}/accept-funding/"' in page

    asked = client.post(f"/buckets/{bucket.pk}/accept-funding/")
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "€850.00" in text and "3 contributions" in text and "85" in text and "€1,000.00" in text
    assert Bucket.objects.get(pk=bucket.pk).status == "open"  # nothing yet
    token = asked.context["token"]
    done = client.post(f"/buckets/{bucket.pk}/accept-funding/", {"confirm": token})
    assert done.status_code == 302
    bucket.refresh_from_db()
    assert bucket.status == "funded" and bucket.funded_amount == Decimal("850.00")
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert "Funded on" in page and "€850.00" in page

    # Sent twice: the figures changed (funded), nothing more happens.
    twice = client.post(f"/buckets/{bucket.pk}/accept-funding/", {"confirm": token}, follow=True)
    assert "open bucket" in twice.content.decode()

    # Others do not see the button, and are refused.
    client.force_login(member2)
    assert "accept-funding" not in client.get(f"/buckets/{bucket.pk}/").content.decode()


def test_the_bucket_page_says_when_and_how_much_in_french(client, group, admin_user, bucket, colead):
    people = givers(group, admin_user, 2)
    fill(bucket, [*people, colead], ["500.00", "500.00", "234.00"])
    bucket_services.accept_funding(bucket=bucket, actor=colead)
    colead.language = "fr"
    colead.save(update_fields=["language"])
    client.force_login(colead)
    page = client.get(f"/buckets/{bucket.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    funded_on = timezone.localtime(Bucket.objects.get(pk=bucket.pk).funded_at).day
    assert "Financé le <time" in page and f">{funded_on} " in page
    assert f"</time>\u202f: {french_money('1234.00')}</strong>" in page


# --- announcements (the outbox) ---------------------------------------------------------------------------


def test_the_sweep_announces_a_funding_once_to_each_person(group, admin_user, bucket, colead, member2):
    people = givers(group, admin_user, 2)
    fill(bucket, [member2, *people], ["400.00", "300.00", "200.00"])
    allocate(colead, bucket, "50.00")  # a co-lead who also gave hears it once, as a co-lead
    follower = givers(group, admin_user, 1, prefix="follower")[0]
    for person in (follower, people[0]):  # a funder who follows hears it once, as a funder
        Follow.objects.create(bucket=bucket, user=person)
    Webhook.objects.create(group=group, url="http://127.0.0.1:1/hook", format="json", events=["bucket.funded"],
                           created_by=admin_user)
    bucket_services.accept_funding(bucket=bucket, actor=colead)
    outbox.tell_coleads()  # the allocation notices, told apart
    Notification.objects.all().delete()

    result = sweep()
    assert result["fundings_announced"] == 1
    told = {n.user_id: n for n in Notification.objects.filter(url=f"/buckets/{bucket.pk}/")}
    assert set(told) == {colead.pk, member2.pk, people[0].pk, people[1].pk, follower.pk}
    assert Notification.objects.filter(url=f"/buckets/{bucket.pk}/").count() == 5
    assert told[colead.pk].title == "“Jardin partagé” is funded: €950.00"
    assert told[follower.pk].kind == Kind.FOLLOWED_BUCKET and told[member2.pk].kind == Kind.ROUND_PHASE
    assert "€400.00" in told[member2.pk].mail_text and "you gave" in told[member2.pk].mail_text
    assert Delivery.objects.filter(event="bucket.funded").count() == 1
    assert Bucket.objects.get(pk=bucket.pk).funding_announced_at is not None

    assert sweep()["fundings_announced"] == 0
    assert Notification.objects.filter(url=f"/buckets/{bucket.pk}/").count() == 5
    assert Delivery.objects.filter(event="bucket.funded").count() == 1


def test_the_announcement_is_in_french_for_french_readers(group, admin_user, bucket, colead):
    giver, = givers(group, admin_user, 1)
    fill(bucket, [giver, colead], ["500.00", "500.00"])
    type(colead).objects.filter(pk__in=[colead.pk, giver.pk]).update(language="fr")
    bucket_services.accept_funding(bucket=bucket, actor=colead)
    outbox.announce_fundings()
    titles = {n.user_id: n.title for n in Notification.objects.filter(url=f"/buckets/{bucket.pk}/")}
    expected = f"«\u202fJardin partagé\u202f» est financé\u202f: {french_money('1000.00')}"
    assert titles[colead.pk] == expected  # the subject keeps its no-break spaces
    assert expected.replace("«\u202fJardin partagé\u202f» est", "Votre projet «\u202fJardin partagé\u202f» est") in (
        Notification.objects.get(user=colead, url=f"/buckets/{bucket.pk}/").mail_text)


def test_fundings_of_closed_rounds_are_not_announced_again(group, admin_user, colead):
    from results import services as results_services

    fixed = make_round(group, admin_user, title="Budget 2026")
    done = make_bucket(fixed, colead, min_amount="10.00", max_amount="20.00")
    allocate(colead, done, "15.00")
    results_services.close_round(round=fixed, actor=admin_user)
    assert Bucket.objects.get(pk=done.pk).status == "funded"
    assert outbox.announce_fundings() == 0


# --- expiry -----------------------------------------------------------------------------------------


def age(bucket, days):
    Bucket.objects.filter(pk=bucket.pk).update(published_at=timezone.now() - timedelta(days=days))


def test_an_open_bucket_expires_after_the_funds_delay_and_gives_everything_back(api, group, admin_user, fund, bucket,
                                                                               colead, member2):
    response = api(admin_user).patch(f"/api/rounds/{fund.pk}/", {"expires_after_days": 30}, format="json")
    assert response.status_code == 200 and response.json()["expires_after_days"] == 30
    giver, = givers(group, admin_user, 1)
    fill(bucket, [member2, giver], ["120.00", "80.00"])
    young = make_bucket(fund, colead, title="Vélos")
    allocate(member2, young, "40.00")
    age(bucket, 31)
    age(young, 29)
    outbox.tell_coleads()  # the allocation notices, told apart
    Notification.objects.all().delete()

    result = sweep()
    assert result["buckets_expired"] == 1
    bucket.refresh_from_db()
    assert bucket.status == "not_funded" and bucket.total == 0 and bucket.decided_at is not None
    assert not Allocation.objects.filter(bucket=bucket).exists()
    refunds = LedgerEntry.objects.filter(bucket=bucket, kind="refund")
    assert sorted(refunds.values_list("before", flat=True)) == [Decimal("80.00"), Decimal("120.00")]
    assert Envelope.objects.get(round=fund, user=member2).allocated == Decimal("40.00")
    assert Envelope.objects.get(round=fund, user=giver).allocated == 0
    assert Bucket.objects.get(pk=young.pk).status == "open"
    told = {n.user_id: n for n in Notification.objects.filter(url=f"/buckets/{bucket.pk}/")}
    assert set(told) == {colead.pk, member2.pk, giver.pk}
    assert told[colead.pk].title == "“Jardin partagé” expired without being funded"
    assert "2 contributions, €200.00 in all" in told[colead.pk].mail_text
    assert "the €120.00 you gave it went back to your envelope" in told[member2.pk].mail_text
    assert AuditEntry.objects.filter(action="bucket.not_funded", object_id=bucket.pk).count() == 1

    assert sweep()["buckets_expired"] == 0  # idempotent
    assert LedgerEntry.objects.filter(bucket=bucket, kind="refund").count() == 2
    call_command("check_ledger")


def test_without_a_delay_or_once_funded_nothing_expires(group, admin_user, fund, bucket, colead):
    giver, = givers(group, admin_user, 1)
    fill(bucket, [giver, colead], ["450.00", "450.00"])
    age(bucket, 400)
    assert sweep()["buckets_expired"] == 0  # expires_after_days is null: never
    bucket_services.update_round(round=fund, actor=admin_user, expires_after_days=10)
    bucket_services.accept_funding(bucket=bucket, actor=colead)
    assert sweep()["buckets_expired"] == 0
    assert Bucket.objects.get(pk=bucket.pk).status == "funded"


def test_a_bucket_no_longer_due_under_the_lock_is_left_alone(group, admin_user, fund, bucket):
    bucket_services.update_round(round=fund, actor=admin_user, expires_after_days=10)
    age(bucket, 11)
    from buckets.models import Round

    Round.objects.filter(pk=fund.pk).update(expires_after_days=20)  # changed after the sweep read it
    with pytest.raises(DomainError) as exc:
        allocation_services.expire_bucket(bucket=bucket)
    assert exc.value.code == "bucket_not_due"
    assert Bucket.objects.get(pk=bucket.pk).status == "open"


def test_the_delay_is_a_setting_of_permanent_funds_only(api, group, admin_user, fund):
    client = api(admin_user)
    for bad in (0, -3, "abc", 100000):
        response = client.patch(f"/api/rounds/{fund.pk}/", {"expires_after_days": bad}, format="json")
        assert response.status_code == 400, bad
    fixed = make_round(group, admin_user, title="Budget 2026", publish=False)
    response = client.patch(f"/api/rounds/{fixed.pk}/", {"expires_after_days": 30}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "expires_after_days"
    assert client.patch(f"/api/rounds/{fund.pk}/", {"expires_after_days": None}, format="json").json()[
        "expires_after_days"] is None


# --- the pages of a permanent fund ---------------------------------------------------------------------


def test_the_round_and_results_pages_of_a_fund_show_fundings_by_date_open_money_unspent_and_topups(
        client, group, admin_user, fund, colead, member2, accountant):
    allocation_services.grant_topup(round=fund, amount="50.00", period="2026", actor=admin_user)
    first = make_bucket(fund, colead, title="Four à pain", min_amount="100.00", max_amount="200.00")
    second = make_bucket(fund, colead, title="Atelier vélo", min_amount="100.00", max_amount="300.00")
    still_open = make_bucket(fund, colead, title="Ruches", min_amount="100.00", max_amount="400.00")
    allocate(member2, first, "150.00")
    allocate(member2, second, "120.00")
    allocate(colead, still_open, "30.00")
    bucket_services.accept_funding(bucket=first, actor=colead, now=timezone.now() - timedelta(days=40))
    bucket_services.accept_funding(bucket=second, actor=colead)
    # 3 envelopes × 550,00 = 1 650,00; funded 270,00; open 30,00; unspent 1 350,00.
    for person in (admin_user, member2, accountant):
        client.force_login(person)
        page = client.get(f"/rounds/{fund.pk}/").content.decode()
        summary = page[page.index('class="card fund-summary"'):]
        assert 'data-total="funded">€270.00' in summary and 'data-total="open">€30.00' in summary
        assert 'data-total="unspent">€1,350.00' in summary
        assert summary.index("Atelier vélo") < summary.index("Four à pain")  # the latest funding first
        assert "Funded on" in summary and "Top-up 2026 granted on" in page

        results = client.get(f"/rounds/{fund.pk}/results/").content.decode()
        funded = results[results.index('class="results-section results-funded"'):]
        assert funded.index("Atelier vélo") < funded.index("Four à pain") and "Funded on" in funded
        assert 'data-total="open">€30.00' in results and 'data-total="unspent">€1,350.00' in results
        topups = results[results.index("results-topups"):]
        assert "2026" in topups and "3 envelopes × €50.00" in topups and "€150.00" in topups


def test_a_fixed_rounds_pages_are_unchanged(client, group, admin_user, member):
    fixed = make_round(group, admin_user, title="Budget 2026")
    make_bucket(fixed, member)
    client.force_login(member)
    assert "fund-summary" not in client.get(f"/rounds/{fixed.pk}/").content.decode()
    results = client.get(f"/rounds/{fixed.pk}/results/").content.decode()
    assert "results-topups" not in results and "Funded on" not in results


def test_the_round_form_sets_the_expiry_of_a_permanent_fund_only(client, group, admin_user, fund):
    client.force_login(admin_user)
    form = client.get(f"/rounds/{fund.pk}/edit/").content.decode()
    assert 'name="expires_after_days"' in form
    fields = {"title": "Bourse", "kind": "permanent", "currency": "EUR", "envelope_amount": "500,00",
              "min_coleads": "1", "funded_if_percent_of_min": "80", "expires_after_days": "45"}
    assert client.post(f"/rounds/{fund.pk}/edit/", fields).status_code == 302
    fund.refresh_from_db()
    assert fund.expires_after_days == 45
    assert "45 days after it was published" in client.get(f"/rounds/{fund.pk}/").content.decode()
    fixed = make_round(group, admin_user, title="Budget 2026", publish=False)
    refused = client.post(f"/rounds/{fixed.pk}/edit/", {**fields, "kind": "fixed", "title": "Budget 2026"})
    assert refused.status_code == 200 and "Only the buckets of a permanent fund expire" in refused.content.decode()
    fixed.refresh_from_db()
    assert fixed.expires_after_days is None
