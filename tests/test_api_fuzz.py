"""API fuzzing: schemathesis generates requests for every operation of the project's own
OpenAPI schema (/api/schema/) and sends them to the WSGI application, authenticated as a
member and as an admin, in a world where the ids of the paths exist. Every response must not
be a server error and must conform to the schema. Few examples per operation, derandomised,
so that the run is reproducible and stays within a couple of minutes per database."""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from cobudget.wsgi import application

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The raw WSGI application closes the database connection at the end of each request
    (it is inside the test's transaction, so "unusable" to Django); the test client avoids
    this the same way: by not closing connections while the test runs."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world():
    from tests.access_world import build_world

    return build_world()


def _path_value(path: str, name: str, w):
    if name == "slug":
        return w.group.slug
    if name == "round_id":
        return w.round.pk
    if name == "cid":
        return w.comment.pk
    if name == "member_id":
        return w.spare.pk
    owner = re.search(r"(\w+)/\{" + name + r"\}", path)
    owners = {"rounds": w.round, "buckets": w.bucket, "proposals": w.proposal, "guidelines": w.guideline,
              "flags": w.flag, "members": w.spare, "meetings": w.meeting, "proxies": w.proxy,
              "expenses": w.expense}
    obj = owners.get(owner.group(1)) if owner else None
    return obj.pk if obj is not None else None


@pytest.mark.parametrize("role", ["member", "admin"])
@schema.parametrize()
@settings(
    max_examples=6, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_response_conforms_to_the_schema(case, role, world):
    from django.core.cache import cache

    cache.clear()  # the token endpoint's throttle answers 429 after 20 tries
    for name in list(case.path_parameters or {}):
        value = _path_value(case.path, name, world)
        if value is not None:
            case.path_parameters[name] = value
    token, _ = Token.objects.get_or_create(user=world.users[role])
    case.call_and_validate(
        headers={"Authorization": f"Token {token.key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
