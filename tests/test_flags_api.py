"""GET, POST /api/buckets/{id}/flags/ and POST /api/flags/{id}/resolve/ with their permissions
and the co-leads' notification."""

import pytest

from buckets.models import Flag
from notifications.models import Kind, Notification
from tests.flag_helpers import bucket_fixture, guidelines_fixture, round_fixture  # noqa: F401


def raise_(api, person, bucket, guideline, comment="The budget has no quote"):
    return api(person).post(f"/api/buckets/{bucket.pk}/flags/", {"guideline": guideline.pk, "comment": comment}, format="json")


@pytest.mark.django_db
def test_a_member_flags_a_bucket_and_its_coleads_are_told_once(api, bucket, guidelines, member, member2, admin_user, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = raise_(api, member, bucket, guidelines[1])
    assert response.status_code == 201
    body = response.json()
    assert body["guideline"] == guidelines[1].pk and body["comment"] == "The budget has no quote"
    assert body["raised_by"]["id"] == member.pk and body["resolved_at"] is None
    # member2 is the bucket's co-lead; the raiser and the admin are not told.
    assert [m.to for m in mailoutbox] == [[member2.email]]
    assert "Realistic budget" in mailoutbox[0].subject and "The budget has no quote" in mailoutbox[0].body
    note = Notification.objects.get(kind=Kind.BUCKET_FLAG)
    assert note.user == member2 and note.url == f"/buckets/{bucket.pk}/#flags"

    listing = api(member2).get(f"/api/buckets/{bucket.pk}/flags/").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == body["id"]


@pytest.mark.django_db
def test_only_admins_and_members_raise_flags(api, bucket, guidelines, admin_user, accountant, contributor):
    assert raise_(api, admin_user, bucket, guidelines[0]).status_code == 201
    for person in (accountant, contributor):
        response = raise_(api, person, bucket, guidelines[0])
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
        assert api(person).get(f"/api/buckets/{bucket.pk}/flags/").status_code == 200
    assert Flag.objects.count() == 1


@pytest.mark.django_db
def test_outsiders_see_nothing(api, bucket, guidelines, member, outsider, other_group):
    flag_id = raise_(api, member, bucket, guidelines[0]).json()["id"]
    assert api(outsider).get(f"/api/buckets/{bucket.pk}/flags/").status_code == 404
    assert raise_(api, outsider, bucket, guidelines[0]).status_code == 404
    assert api(outsider).post(f"/api/flags/{flag_id}/resolve/").status_code == 404
    assert api(None).get(f"/api/buckets/{bucket.pk}/flags/").status_code == 401


@pytest.mark.django_db
def test_bad_input_is_a_400_with_code_and_detail(api, bucket, guidelines, member, group, admin_user):
    from tests.builders import make_round

    other_round = make_round(group, admin_user, phase="proposals")
    from buckets.guidelines import services as guideline_services

    foreign = guideline_services.create_guideline(round=other_round, actor=admin_user, title="Elsewhere")
    for payload in ({"guideline": foreign.pk, "comment": "x"}, {"guideline": 999999, "comment": "x"},
                    {"guideline": guidelines[0].pk, "comment": "   "}, {"comment": "no guideline"}):
        response = api(member).post(f"/api/buckets/{bucket.pk}/flags/", payload, format="json")
        assert response.status_code == 400, payload
        assert response.json()["code"] and response.json()["detail"]
    assert not Flag.objects.exists()


@pytest.mark.django_db
def test_one_open_flag_per_person_and_guideline(api, bucket, guidelines, member):
    assert raise_(api, member, bucket, guidelines[0]).status_code == 201
    again = raise_(api, member, bucket, guidelines[0])
    assert again.status_code == 409 and again.json()["code"] == "already_flagged"
    assert raise_(api, member, bucket, guidelines[1]).status_code == 201


@pytest.mark.django_db
def test_the_raiser_or_an_admin_resolves_and_the_others_may_not(api, bucket, guidelines, member, member2, admin_user, django_capture_on_commit_callbacks, mailoutbox):
    first = raise_(api, member, bucket, guidelines[0]).json()["id"]
    second = raise_(api, member, bucket, guidelines[1]).json()["id"]
    # The co-lead answers in the comments but does not resolve; nor does another member.
    response = api(member2).post(f"/api/flags/{first}/resolve/")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"

    with django_capture_on_commit_callbacks(execute=True):
        resolved = api(member).post(f"/api/flags/{first}/resolve/")
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] is not None
    assert resolved.json()["resolved_by"]["id"] == member.pk
    assert [m.to for m in mailoutbox] == [[member2.email]]

    with django_capture_on_commit_callbacks(execute=True):
        assert api(admin_user).post(f"/api/flags/{second}/resolve/").status_code == 200
        # Resolving again changes nothing and tells nobody again.
        assert api(admin_user).post(f"/api/flags/{second}/resolve/").status_code == 200
    assert sorted(m.to[0] for m in mailoutbox[1:]) == sorted([member2.email, member.email])
    open_flags = api(member).get(f"/api/buckets/{bucket.pk}/flags/?open=1").json()
    assert open_flags["count"] == 0


@pytest.mark.django_db
def test_a_withdrawn_bucket_cannot_be_flagged(api, bucket, guidelines, member, member2):
    from buckets.models import Bucket

    Bucket.objects.filter(pk=bucket.pk).update(status=Bucket.Status.WITHDRAWN)
    response = raise_(api, member, bucket, guidelines[0])
    assert response.status_code == 409 and response.json()["code"] == "bucket_not_open"
