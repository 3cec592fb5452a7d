"""API tokens, as a script or a phone app sends them (`Authorization: Token <key>`): an unknown,
revoked or inactive user's token is a 401 with a code; nothing is cached, so revoking a token
works at the next request."""


import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.builders import make_bucket, make_round


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_a_member_allocates_with_their_token(group, admin_user, member, member2):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    response = client_with(Token.objects.create(user=member).key).put(
        f"/api/buckets/{bucket.pk}/allocation/", {"amount": "12.00"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "12.00"


@pytest.mark.django_db
def test_unknown_revoked_and_inactive_tokens_are_refused(group, member):
    token = Token.objects.create(user=member)
    client = client_with(token.key)
    assert client.get(f"/api/groups/{group.slug}/rounds/").status_code == 200
    unknown = client_with("f" * 40).get(f"/api/groups/{group.slug}/rounds/")
    assert unknown.status_code == 401 and unknown.json()["code"] and unknown.json()["detail"]
    token.delete()  # revoked: refused at the very next request
    assert client.get(f"/api/groups/{group.slug}/rounds/").status_code == 401
    token = Token.objects.create(user=member)
    type(member).objects.filter(pk=member.pk).update(is_active=False)
    inactive = client_with(token.key).get(f"/api/groups/{group.slug}/rounds/")
    assert inactive.status_code == 401 and inactive.json()["code"]
