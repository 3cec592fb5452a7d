"""Every list page and list endpoint makes the same number of queries whatever the size of
the round (and at most 15): the query-count target of the benchmark (bench/, target 2), kept
in the ordinary suite so that an N+1 fails CI. `make bench` measures the same pages at 10 vs
1,000 buckets and 100 vs 10,000 members."""

import pytest

from bench import queries
from demo.scale import seed_scale

pytestmark = pytest.mark.django_db

SMALL = {"members": 4, "buckets": 2, "allocations": 5, "proposals": 2}
LARGE = {"members": 30, "buckets": 24, "allocations": 200, "proposals": 9}

NAMES = queries.target_names()


@pytest.fixture
def sizes():
    return seed_scale(slug="small", **SMALL), seed_scale(slug="large", **LARGE)


@pytest.mark.parametrize("name", NAMES)
def test_it_makes_as_many_queries_for_a_large_round_as_for_a_small_one(sizes, name):
    small, large = sizes
    (who, small_path), (_who, large_path) = (
        next((w, p) for n, w, p in queries.list_targets(scale) if n == name) for scale in (small, large)
    )
    if not queries.exists(small_path):
        pytest.skip(f"{name} ({small_path}) is not built yet")
    small_status, small_count = queries.count_queries(queries.client_for(queries.viewer(small, who)), small_path)
    large_status, large_count = queries.count_queries(queries.client_for(queries.viewer(large, who)), large_path)

    assert small_status == large_status == 200
    assert large_count == small_count, f"{name}: {small_count} queries at the small size, {large_count} at the large"
    assert large_count <= queries.MAX_QUERIES
