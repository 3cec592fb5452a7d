"""Dates are written one way per context, in the group's time zone: moments as
« 1er décembre 2026 à 21:14 », days as « 2 décembre 2026 », never two formats on one page."""

import re
from datetime import UTC, datetime

import pytest

from buckets.models import Round
from cobudget.dates import format_when
from groups.models import Group
from tests.builders import make_bucket, make_round

pytestmark = pytest.mark.django_db

SHORT = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")  # 01/12/2026: the other format, never on these pages


def test_a_moment_and_a_day_in_french_and_in_the_groups_time_zone(settings):
    moment = datetime(2026, 12, 1, 20, 14, tzinfo=UTC)
    from django.utils import translation

    with translation.override("fr"):
        assert format_when(moment, "datetime", "Europe/Paris") == "1er décembre 2026 à 21:14"
        assert format_when(moment, "datetime", "America/Montreal") == "1er décembre 2026 à 15:14"
        assert format_when(moment, "date", "Europe/Paris") == "1er décembre 2026"
        assert format_when(datetime(2026, 12, 2, 0, 30, tzinfo=UTC), "date", "UTC") == "2 décembre 2026"
    with translation.override("en"):
        assert format_when(moment, "datetime", "Europe/Paris") == "1 December 2026 at 21:14"


def test_the_round_page_writes_every_date_the_same_way_in_the_groups_zone(client, group, admin_user, member):
    Group.objects.filter(pk=group.pk).update(time_zone="America/Montreal")
    round = make_round(group, admin_user)
    Round.objects.filter(pk=round.pk).update(funding_closes_at=datetime(2030, 6, 1, 16, 0, tzinfo=UTC))
    bucket = make_bucket(round, member)
    from buckets.services import add_comment

    add_comment(bucket=bucket, author=member, body="Bonne idée")
    client.force_login(member)
    for url in (f"/rounds/{round.pk}/", f"/buckets/{bucket.pk}/", "/g/artefacts/"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert not SHORT.search(html), f"{url} mixes date formats"
    html = client.get(f"/rounds/{round.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1er juin 2030 à 12:00" in html  # 16:00 UTC is noon in Montreal
    assert '<time datetime="2030-06-01T16:00:00+00:00">' in html
