"""Open flags show on the bucket page and as a badge on the round's bucket cards."""

import pytest

from buckets.guidelines import services as guideline_services
from tests.flag_helpers import bucket_fixture, guidelines_fixture, round_fixture  # noqa: F401


@pytest.mark.django_db
def test_open_flags_show_on_the_bucket_page_and_its_card(client, round, bucket, guidelines, member):
    client.force_login(member)
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert 'id="flags"' in page and "Flag this bucket" in page
    assert "open flag" not in client.get(f"/rounds/{round.pk}/").content.decode()

    guideline_services.raise_flag(bucket=bucket, guideline=guidelines[0], actor=member, comment="Only for a few")
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert "Only for a few" in page and "1 open" in page
    cards = client.get(f"/rounds/{round.pk}/").content.decode()
    assert "1 open flag" in cards
    assert f'href="/rounds/{round.pk}/guidelines/"' in cards
