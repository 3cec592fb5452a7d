"""Not builders: the world the guideline and flag tests share, as pytest fixtures (import them
with their *_fixture names): a round in its proposals phase, two guidelines, a bucket created by
member2."""

import pytest

from buckets.guidelines import services as guideline_services
from tests.builders import make_bucket, make_round


@pytest.fixture(name="round")
def round_fixture(group, admin_user):
    return make_round(group, admin_user, phase="proposals")


@pytest.fixture(name="guidelines")
def guidelines_fixture(round, admin_user):
    return [
        guideline_services.create_guideline(round=round, actor=admin_user, title="Serves the whole cooperative"),
        guideline_services.create_guideline(round=round, actor=admin_user, title="Realistic budget", description="Quotes attached."),
    ]


@pytest.fixture(name="bucket")
def bucket_fixture(round, member2, guidelines):
    return make_bucket(round, member2, title="Shared garden")
