"""GET, POST /api/rounds/{id}/guidelines/: the group reads, admins write."""

import pytest

from buckets.models import Guideline
from tests.flag_helpers import bucket_fixture, guidelines_fixture, round_fixture  # noqa: F401


@pytest.mark.django_db
def test_the_group_reads_the_guidelines_in_order(api, round, guidelines, member, accountant, contributor):
    for person in (member, accountant, contributor):
        response = api(person).get(f"/api/rounds/{round.pk}/guidelines/")
        assert response.status_code == 200
        assert [g["title"] for g in response.json()["results"]] == ["Serves the whole cooperative", "Realistic budget"]
    first = response.json()["results"][1]
    assert set(first) == {"id", "title", "description", "position"}
    assert first["description"] == "Quotes attached." and first["position"] == 1


@pytest.mark.django_db
def test_outsiders_get_404_and_anonymous_401(api, round, outsider, other_group):
    assert api(outsider).get(f"/api/rounds/{round.pk}/guidelines/").status_code == 404
    assert api(outsider).post(f"/api/rounds/{round.pk}/guidelines/", {"title": "x"}, format="json").status_code == 404
    assert api(None).get(f"/api/rounds/{round.pk}/guidelines/").status_code == 401


@pytest.mark.django_db
def test_admins_add_edit_reorder_and_delete(api, round, guidelines, admin_user):
    client = api(admin_user)
    created = client.post(f"/api/rounds/{round.pk}/guidelines/", {"title": "Two co-leads", "description": "At least"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["title"] == "Two co-leads" and body["position"] == 2

    first = client.post(f"/api/rounds/{round.pk}/guidelines/", {"title": "Ecology", "position": 0}, format="json").json()
    assert first["position"] == 0
    titles = [g["title"] for g in client.get(f"/api/rounds/{round.pk}/guidelines/").json()["results"]]
    assert titles == ["Ecology", "Serves the whole cooperative", "Realistic budget", "Two co-leads"]

    patched = client.patch(f"/api/guidelines/{body['id']}/", {"title": "Two co-leads at least", "position": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["title"] == "Two co-leads at least"
    titles = [g["title"] for g in client.get(f"/api/rounds/{round.pk}/guidelines/").json()["results"]]
    assert titles == ["Ecology", "Two co-leads at least", "Serves the whole cooperative", "Realistic budget"]

    assert client.delete(f"/api/guidelines/{first['id']}/").status_code == 204
    assert not Guideline.objects.filter(pk=first["id"]).exists()


@pytest.mark.django_db
def test_members_may_not_write_guidelines(api, round, guidelines, member, accountant):
    for person in (member, accountant):
        response = api(person).post(f"/api/rounds/{round.pk}/guidelines/", {"title": "Mine"}, format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden" and response.json()["detail"]
        assert api(person).patch(f"/api/guidelines/{guidelines[0].pk}/", {"title": "x"}, format="json").status_code == 403
        assert api(person).delete(f"/api/guidelines/{guidelines[0].pk}/").status_code == 403
    assert Guideline.objects.count() == 2


@pytest.mark.django_db
def test_a_guideline_needs_a_title(api, round, admin_user):
    response = api(admin_user).post(f"/api/rounds/{round.pk}/guidelines/", {"title": "   "}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] in ("blank", "invalid") and response.json()["detail"]


@pytest.mark.django_db
def test_a_guideline_with_flags_is_kept(api, round, bucket, guidelines, admin_user, member):
    api(member).post(f"/api/buckets/{bucket.pk}/flags/", {"guideline": guidelines[0].pk, "comment": "Only for a few"}, format="json")
    response = api(admin_user).delete(f"/api/guidelines/{guidelines[0].pk}/")
    assert response.status_code == 409 and response.json()["code"] == "guideline_in_use"
