"""The round page, its live partial, the bucket page's allocation form and the admin pages."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from allocations.models import Envelope, LedgerEntry
from buckets.models import Round
from groups.models import Membership
from tests.builders import allocate, make_bucket, make_round
from tests.confirm_helpers import confirm_post


def test_the_round_page_shows_cards_with_progress_and_my_remaining_envelope(client, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member, title="Fablab", min_amount="300.00", max_amount="600.00")
    allocate(member, bucket, "120.00")
    client.force_login(member)
    html = client.get(f"/rounds/{round.id}/").content.decode()
    assert "Fablab" in html and "<progress" in html
    assert 'value="120.00" max="600.00"' in html
    assert "€310.00" in html  # remaining
    assert "(40\u00a0%)" in html
    assert 'hx-trigger="every 5s"' in html


def test_amounts_are_written_the_french_way(client, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    allocate(member, bucket, "120.00")
    member.language = "fr"
    client.force_login(member)
    html = client.get(f"/rounds/{round.id}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "310,00\u00a0€" in html and 'value="120.00"' in html


def test_the_live_partial_and_sorting(client, group, admin_user, member):
    round = make_round(group, admin_user)
    low = make_bucket(round, member, title="Low")
    high = make_bucket(round, member, title="High")
    allocate(member, high, "200.00")
    allocate(member, low, "10.00")
    client.force_login(member)
    html = client.get(f"/rounds/{round.id}/cards/?sort=most").content.decode()
    assert html.index("High") < html.index("Low") and "<html" not in html
    html = client.get(f"/rounds/{round.id}/cards/?sort=least").content.decode()
    assert html.index("Low") < html.index("High")


def test_the_round_page_stays_within_15_queries_whatever_the_number_of_buckets(client, group, admin_user, member, member2):
    round = make_round(group, admin_user)
    for i in range(12):
        bucket = make_bucket(round, member, title=f"B{i}", coleads=[member2])
        allocate(member, bucket, "5.00")
    client.force_login(member)
    client.get(f"/rounds/{round.id}/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/rounds/{round.id}/").status_code == 200
    assert len(queries) <= 15, [q["sql"] for q in queries]


def test_outsiders_and_members_on_drafts_get_404(client, group, admin_user, member, outsider):
    round = make_round(group, admin_user, publish=False)
    client.force_login(member)
    assert client.get(f"/rounds/{round.id}/").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/rounds/{round.id}/").status_code == 404


def test_the_allocation_form_updates_in_place_with_htmx(client, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    client.force_login(member)
    page = client.get(f"/buckets/{bucket.id}/").content.decode()
    assert 'name="amount"' in page and "<form" in page
    ok = client.post(f"/buckets/{bucket.id}/allocate/", {"amount": "100,50"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'value="100.50"' in ok and "€329.50" in ok and "<html" not in ok
    refused = client.post(f"/buckets/{bucket.id}/allocate/", {"amount": "301"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in refused and "maximum goal" in refused
    assert Envelope.objects.get(round=round, user=member).allocated == Decimal("100.50")


def test_the_allocation_form_works_without_javascript(client, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    client.force_login(member)
    response = client.post(f"/buckets/{bucket.id}/allocate/", {"amount": "500"}, follow=True)
    assert "more than your envelope" in response.content.decode()
    response = client.post(f"/buckets/{bucket.id}/allocate/", {"amount": "50"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/buckets/{bucket.id}/"
    assert "€380.00" in response.content.decode()


def test_an_admin_creates_a_round_publishes_it_and_sets_envelopes(client, group, admin_user, member):
    client.force_login(admin_user)
    response = client.post("/g/artefacts/rounds/new/", {
        "title": "Fund", "kind": "permanent", "currency": "EUR", "envelope_amount": "100", "min_coleads": "1",
        "funded_if_percent_of_min": "100",
    })
    round = Round.objects.get(title="Fund")
    assert response.status_code == 302 and round.phase == "draft"
    client.post(f"/rounds/{round.id}/publish/")
    round.refresh_from_db()
    assert round.phase == "funding"
    page = client.get(f"/rounds/{round.id}/envelopes/").content.decode()
    member_id = Membership.objects.get(user=member).id
    assert f'name="amount-{member_id}"' in page
    client.post(f"/rounds/{round.id}/envelopes/", {f"amount-{member_id}": "150,00"})
    assert Envelope.objects.get(round=round, user=member).amount == Decimal("150.00")
    confirm_post(client, f"/rounds/{round.id}/topup/", {"amount": "100", "period": "2027"})
    assert Envelope.objects.get(round=round, user=member).amount == Decimal("250.00")
    edit = client.get(f"/rounds/{round.id}/edit/").content.decode()
    assert 'class="timeline"' in edit


def test_the_round_form_shows_errors(client, group, admin_user):
    client.force_login(admin_user)
    response = client.post("/g/artefacts/rounds/new/", {
        "title": "Fund", "kind": "permanent", "currency": "EUR", "envelope_amount": "1.234", "min_coleads": "1",
        "funded_if_percent_of_min": "100",
    })
    assert response.status_code == 200 and "decimal places" in response.content.decode()


def test_admin_pages_are_404_for_members(client, group, admin_user, member):
    round = make_round(group, admin_user)
    client.force_login(member)
    for url in ("/g/artefacts/rounds/new/", f"/rounds/{round.id}/edit/", f"/rounds/{round.id}/envelopes/", f"/rounds/{round.id}/paper/"):
        assert client.get(url).status_code == 404, url


def test_an_admin_enters_a_paper_form(client, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member)
    client.force_login(admin_user)
    member_id = Membership.objects.get(user=member).id
    client.post(f"/rounds/{round.id}/paper/", {"member": member_id, f"amount-{bucket.id}": "25"})
    entry = LedgerEntry.objects.get(kind="allocation")
    assert (entry.member, entry.actor, entry.after) == (member, admin_user, Decimal("25.00"))


def test_a_member_proposes_a_bucket_and_comments(client, group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals")
    client.force_login(member)
    response = client.post(f"/rounds/{round.id}/buckets/new/", {
        "title": "Garden", "summary": "Green", "description": "# Plan",
        "item-0-description": "Seeds", "item-0-min": "50", "item-0-max": "80,50", "coleads": "", "tags": "green, food",
    })
    assert response.status_code == 302
    bucket_url = response["Location"]
    page = client.get(bucket_url).content.decode()
    assert "Seeds" in page and "€80.50" in page
    client.post(f"{bucket_url}publish/")
    client.post(f"{bucket_url}comments/", {"body": "Nice **idea**"})
    page = client.get(bucket_url).content.decode()
    assert "<strong>idea</strong>" in page and "badge-open" in page
