"""The round page's cards are built from plain values (three queries, strings formatted once
by the view) so that a round of 500 buckets renders fast (bench target 5); what a member sees
on each card is unchanged: the same funding markup as the bucket page, tags, open flags,
co-leads, my allocation, French amounts, drafts only for their co-leads."""

import re
from decimal import Decimal

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from allocations import selectors
from buckets import services as bucket_services
from buckets.guidelines import services as guideline_services
from buckets.models import Bucket
from cobudget.search import french_key
from groups.models import Membership
from tests.builders import allocate, make_bucket, make_round


def _card(html: str, bucket) -> str:
    match = re.search(rf'<li class="card bucket-card" id="bucket-card-{bucket.pk}">(.*?)</li>', html, re.S)
    assert match, f"no card for {bucket.title}"
    return match.group(1)


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def test_a_card_shows_tags_open_flags_coleads_and_my_allocation(client, group, admin_user, member, member2):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member, title="Fablab <3", min_amount="100.00", max_amount="300.00", coleads=[member2])
    bucket_services.update_bucket(bucket=bucket, actor=member, tags=["tools", "Ateliers"])
    guideline = guideline_services.create_guideline(round=round, actor=admin_user, title="Useful to all")
    guideline_services.raise_flag(bucket=bucket, guideline=guideline, actor=member2, comment="Only for a few")
    allocate(member, bucket, "120.00")
    client.force_login(member)

    card = _card(client.get(f"/rounds/{round.pk}/").content.decode(), bucket)

    assert f'<a href="/buckets/{bucket.pk}/">Fablab &lt;3</a>' in card
    assert '<span class="badge">Ateliers</span> <span class="badge">tools</span>' in card
    assert "1 open flag" in card
    leads = sorted([member, member2], key=lambda u: french_key(u.display_name))  # names in French order
    assert "led by " + ", ".join(u.display_name for u in leads) in card
    assert '<progress class="funded" value="120.00" max="300.00"' in card
    assert "Funding: €120.00 of €100.00 minimum, €300.00 maximum" in card
    assert "of €100.00 minimum (120\u00a0%)" in card and "maximum €300.00" in card
    assert "1 contributor" in card
    assert 'My allocation: <span class="amount">€120.00</span>' in card


def test_the_card_funding_is_the_markup_of_the_bucket_page(client, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member, min_amount="1000.00", max_amount="2500.00")
    allocate(member, bucket, "99.50")
    bucket.refresh_from_db()
    client.force_login(member)
    for language in ("en", "fr"):
        card = _card(client.get(f"/rounds/{round.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode(), bucket)
        with translation.override(language):
            progress = render_to_string("allocations/_progress.html", {"bucket": bucket, "round": round})
        assert _squash(progress) in _squash(card), language


def test_amounts_on_cards_are_french_in_french(client, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member, min_amount="1500.00", max_amount="3000.00")
    allocate(member, bucket, "250.50")
    client.force_login(member)
    card = _card(client.get(f"/rounds/{round.pk}/cards/", HTTP_ACCEPT_LANGUAGE="fr").content.decode(), bucket)
    assert "250,50\u00a0€" in card and "1\u00a0500,00\u00a0€" in card
    assert "1 contributeur" in card


def test_drafts_are_on_the_cards_of_their_coleads_only(client, group, admin_user, member, member2):
    round = make_round(group, admin_user)
    draft = make_bucket(round, member, title="Still a draft", publish=False)
    client.force_login(member)
    assert "Still a draft" in client.get(f"/rounds/{round.pk}/").content.decode()
    client.force_login(member2)
    assert "Still a draft" not in client.get(f"/rounds/{round.pk}/").content.decode()
    client.force_login(admin_user)
    assert f"bucket-card-{draft.pk}" in client.get(f"/rounds/{round.pk}/").content.decode()


def test_the_cards_take_three_queries_whatever_their_number(group, admin_user, member, member2):
    round = make_round(group, admin_user)
    membership = Membership.objects.get(group=group, user=member)

    def cards_and_queries():
        with CaptureQueriesContext(connection) as ctx:
            cards = selectors.round_cards(round=round, user=member, membership=membership, sort="mine")
        return cards, len(ctx.captured_queries)

    make_bucket(round, member, title="First")
    _few, few_queries = cards_and_queries()
    for i in range(8):
        bucket = make_bucket(round, member, title=f"B{i}", coleads=[member2])
        bucket_services.update_bucket(bucket=bucket, actor=member, tags=[f"t{i}"])
    allocate(member, Bucket.objects.get(title="B3"), "40.00")
    cards, many_queries = cards_and_queries()

    assert few_queries == many_queries == 3
    assert cards[0].title == "B3" and cards[0].my_allocation == Decimal("40.00")  # sorted by my allocation
    assert all(len(card.leads) == 2 for card in cards if card.title.startswith("B"))
