"""A bucket's bar and its percentage tell the same thing: the bar is scaled to the maximum
goal and a tick marks the minimum, so that "61 % of the minimum" fills 61 % of the way to
the tick, on the round page, the bucket page and the allocation sheet."""

import re

import pytest

from tests.builders import allocate, make_bucket, make_round

pytestmark = pytest.mark.django_db


def test_the_tick_sits_at_the_minimum_on_a_bar_scaled_to_the_maximum(client, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member, min_amount="1000.00", max_amount="2500.00")
    allocate(member, bucket, "200.00")
    client.force_login(member)
    for url in (f"/rounds/{round.pk}/", f"/buckets/{bucket.pk}/", f"/rounds/{round.pk}/allocate/"):
        html = client.get(url).content.decode()
        assert 'value="200.00" max="2500.00"' in html, url
        marker = re.search(r'class="bar-min" style="left: ([0-9.]+)%"', html)
        assert marker and float(marker.group(1)) == pytest.approx(40.0), url  # 1,000 of 2,500
        assert "(20\u00a0%)" in html, url  # 200 of the 1,000 minimum: half way to the tick


def test_no_tick_when_minimum_and_maximum_are_the_same(client, group, admin_user, member):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member, min_amount="500.00", max_amount="500.00")
    client.force_login(member)
    assert "bar-min" not in client.get(f"/buckets/{bucket.pk}/").content.decode()
