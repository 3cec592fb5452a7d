"""/rounds/{id}/guidelines/: the group reads the list; admins add, edit, reorder, delete."""

import pytest

from buckets.models import Guideline
from tests.flag_helpers import bucket_fixture, guidelines_fixture, round_fixture  # noqa: F401


def titles(round):
    return list(Guideline.objects.filter(round=round).order_by("position", "id").values_list("title", flat=True))


@pytest.mark.django_db
def test_members_read_the_guidelines_without_the_admin_forms(client, round, guidelines, member, contributor):
    for person in (member, contributor):
        client.force_login(person)
        html = client.get(f"/rounds/{round.pk}/guidelines/").content.decode()
        assert "Serves the whole cooperative" in html and "Quotes attached." in html
        assert "Add a guideline" not in html and "Move down" not in html


@pytest.mark.django_db
def test_admins_add_edit_reorder_and_delete_from_the_page(client, round, guidelines, admin_user):
    client.force_login(admin_user)
    html = client.get(f"/rounds/{round.pk}/guidelines/").content.decode()
    assert "Add a guideline" in html and '<label for="g-title-new">' in html

    client.post(f"/rounds/{round.pk}/guidelines/add/", {"title": "Two co-leads", "description": ""})
    assert titles(round)[-1] == "Two co-leads"
    added = Guideline.objects.get(title="Two co-leads")
    client.post(f"/guidelines/{added.pk}/move/", {"direction": "up"})
    assert titles(round) == ["Serves the whole cooperative", "Two co-leads", "Realistic budget"]
    client.post(f"/guidelines/{added.pk}/move/", {"direction": "up"})
    client.post(f"/guidelines/{added.pk}/move/", {"direction": "up"})  # already first: nothing moves
    assert titles(round) == ["Two co-leads", "Serves the whole cooperative", "Realistic budget"]
    client.post(f"/guidelines/{added.pk}/edit/", {"title": "At least two co-leads", "description": "Artefacts' rule"})
    added.refresh_from_db()
    assert added.title == "At least two co-leads" and added.description == "Artefacts' rule"
    client.post(f"/guidelines/{added.pk}/delete/")
    assert titles(round) == ["Serves the whole cooperative", "Realistic budget"]


@pytest.mark.django_db
def test_a_member_posting_to_the_admin_forms_changes_nothing(client, round, guidelines, member):
    client.force_login(member)
    response = client.post(f"/rounds/{round.pk}/guidelines/add/", {"title": "Mine"}, follow=True)
    assert "Only an admin of the group may change the guidelines." in response.content.decode()
    client.post(f"/guidelines/{guidelines[1].pk}/move/", {"direction": "up"})
    client.post(f"/guidelines/{guidelines[1].pk}/delete/")
    assert titles(round) == ["Serves the whole cooperative", "Realistic budget"]


@pytest.mark.django_db
def test_outsiders_get_404(client, round, guidelines, outsider):
    client.force_login(outsider)
    assert client.get(f"/rounds/{round.pk}/guidelines/").status_code == 404
    assert client.post(f"/rounds/{round.pk}/guidelines/add/", {"title": "x"}).status_code == 404
    assert client.post(f"/guidelines/{guidelines[0].pk}/edit/", {"title": "x"}).status_code == 404
    assert titles(round) == ["Serves the whole cooperative", "Realistic budget"]
