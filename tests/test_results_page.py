"""The results page, fit to be projected at the board meeting; the admin's "close now"
button; the exports page."""

import re

import pytest

from buckets.models import Round
from proposals.models import Proposal
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.confirm_helpers import confirm_post
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def funding_round(group, admin_user, member, member2):
    round = make_round(group, admin_user, decide="50", phase="proposals")
    funded = make_bucket(round, member, title="Four solaire", min_amount="300.00", max_amount="500.00")
    decide = make_bucket(round, member, title="Vélo cargo", min_amount="400.00", max_amount="600.00")
    lost = make_bucket(round, member2, title="Serre", min_amount="1000.00", max_amount="1200.00")
    open_funding(round)
    allocate(member, funded, "200.00")
    allocate(member2, funded, "150.00")
    allocate(member, decide, "230.00")
    allocate(member2, lost, "100.00")
    return round


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_during_funding_the_page_is_live_and_refreshes_itself(client, funding_round, member):
    html = login(client, member).get(f"/rounds/{funding_round.pk}/results/").content.decode()
    assert "Live" in html
    assert f'hx-get="/rounds/{funding_round.pk}/results/live/"' in html
    assert 'hx-trigger="every 10s"' in html
    assert "€1,290.00" in html and "€680.00" in html  # envelopes, allocated
    assert html.count("<progress") == 3
    live = client.get(f"/rounds/{funding_round.pk}/results/live/").content.decode()
    assert live.lstrip().startswith('<div id="results-live"') and "<html" not in live


def test_after_close_funded_buckets_come_first_and_the_proposal_is_linked(client, funding_round, member, admin_user):
    closing.close_round(round=funding_round, actor=admin_user)
    html = login(client, member).get(f"/rounds/{funding_round.pk}/results/").content.decode()
    assert "Final results" in html
    assert "hx-trigger" not in html  # final: nothing to refresh
    assert html.index("Four solaire") < html.index("Vélo cargo") < html.index("Serre")
    assert "1 project funded" in html and "1 project to decide at the meeting" in html
    proposal = Proposal.objects.get(bucket__title="Vélo cargo")
    assert f'href="/proposals/{proposal.pk}/"' in html
    assert "€350.00" in html  # funded total
    # the chart: one bar a bucket, the widest full
    assert len(re.findall(r'class="bar-fill" style="width: [0-9.]+%"', html)) == 3


def test_the_page_speaks_french_by_default(client, funding_round, member, settings):
    settings.LANGUAGE_CODE = "fr"
    html = login(client, member).get(f"/rounds/{funding_round.pk}/results/").content.decode()
    assert "1\u202f290,00\u00a0€" in html or "1\u00a0290,00\u00a0€" in html or "1 290,00\u00a0€" in html


def test_projector_mode_enlarges_and_hides_the_tools(client, funding_round, admin_user):
    html = login(client, admin_user).get(f"/rounds/{funding_round.pk}/results/?projector=1").content.decode()
    assert re.search(r'<body[^>]*class="[^"]*\bprojector\b', html)
    assert "Close the round now" not in html
    assert "Leave projector mode" in html


def test_admins_alone_see_the_close_button_and_it_asks_for_confirmation(client, funding_round, admin_user, member):
    assert "Close the round now" not in login(client, member).get(f"/rounds/{funding_round.pk}/results/").content.decode()
    assert client.post(f"/rounds/{funding_round.pk}/close/", {"confirm": "yes"}).status_code == 403
    client.logout()
    login(client, admin_user)
    html = client.get(f"/rounds/{funding_round.pk}/results/").content.decode()
    assert "Close the round now" in html and f'href="/rounds/{funding_round.pk}/close/"' in html
    client.post(f"/rounds/{funding_round.pk}/close/", {})  # no confirmation: nothing happens
    assert Round.objects.get(pk=funding_round.pk).closed_at is None
    response = confirm_post(client, f"/rounds/{funding_round.pk}/close/", follow=True)
    assert Round.objects.get(pk=funding_round.pk).closed_at is not None
    assert "The round is closed" in response.content.decode()
    client.post(f"/rounds/{funding_round.pk}/close/", {"confirm": "yes"})  # twice: harmless
    assert Proposal.objects.filter(bucket__round=funding_round).count() == 1


def test_admins_can_show_each_members_envelope_members_cannot(client, funding_round, accountant, member):
    html = login(client, accountant).get(f"/rounds/{funding_round.pk}/results/?members=1").content.decode()
    assert "Each member&#x27;s envelope" in html or "Each member's envelope" in html
    assert "Member2" in html
    client.logout()
    html = login(client, member).get(f"/rounds/{funding_round.pk}/results/?members=1").content.decode()
    assert "Each member" not in html


def test_outsiders_get_404(client, funding_round, outsider):
    login(client, outsider)
    assert client.get(f"/rounds/{funding_round.pk}/results/").status_code == 404
    assert client.get(f"/rounds/{funding_round.pk}/exports/").status_code == 404


def test_the_exports_page_offers_three_files_in_both_separators(client, funding_round, accountant, member):
    html = login(client, accountant).get(f"/rounds/{funding_round.pk}/exports/").content.decode()
    for kind in ("results", "allocations", "envelopes"):
        assert f'href="/api/rounds/{funding_round.pk}/export/{kind}.csv"' in html
        assert f'href="/api/rounds/{funding_round.pk}/export/{kind}.csv?sep=semicolon"' in html
    client.logout()
    assert login(client, member).get(f"/rounds/{funding_round.pk}/exports/").status_code == 403


def test_an_accountant_downloads_through_the_session(client, funding_round, accountant):
    login(client, accountant)
    response = client.get(f"/api/rounds/{funding_round.pk}/export/results.csv?sep=semicolon")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith("\ufeff".encode())
    assert "-fr.csv" in response["Content-Disposition"]


def test_results_take_a_bounded_number_of_queries_whatever_the_size(client, api, group, admin_user, member, accountant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round = make_round(group, admin_user, decide="50", buckets_during_funding=True, phase="proposals")
    buckets = [make_bucket(round, member, title=f"B{i}", min_amount="100.00", max_amount="200.00") for i in range(3)]
    open_funding(round)
    login(client, accountant)

    def count(path, user_client):
        with CaptureQueriesContext(connection) as ctx:
            response = user_client.get(path)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(ctx)

    paths = [f"/rounds/{round.pk}/results/", f"/rounds/{round.pk}/results/?members=1",
             f"/rounds/{round.pk}/results/live/", f"/rounds/{round.pk}/exports/"]
    small = [count(p, client) for p in paths]
    small_api = count(f"/api/rounds/{round.pk}/results/", api(type(accountant).objects.get(pk=accountant.pk)))
    for i in range(12):
        buckets.append(make_bucket(round, member, title=f"More {i}", min_amount="100.00", max_amount="200.00"))
    for b in buckets[:8]:
        allocate(member, b, "10.00")
    closing.close_round(round=round, actor=admin_user)
    big = [count(p, client) for p in paths]
    big_api = count(f"/api/rounds/{round.pk}/results/", api(type(accountant).objects.get(pk=accountant.pk)))
    assert big == small and big_api == small_api
    assert max(big + [big_api]) <= 15
