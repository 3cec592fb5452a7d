"""The demo makes a good first impression: a bucket's description tells something its title
and summary (shown just above it) do not, and no description repeats the title."""

import pytest
from django.core.management import call_command

from buckets.models import Bucket


@pytest.mark.django_db
def test_no_demo_description_repeats_its_title_or_its_summary():
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))
    buckets = list(Bucket.objects.all())
    assert len(buckets) >= 15
    for bucket in buckets:
        assert bucket.description.strip(), bucket.title
        assert bucket.title not in bucket.description, bucket.title
        assert bucket.summary not in bucket.description, bucket.title
