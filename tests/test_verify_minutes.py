"""`manage.py verify_minutes GROUP_SLUG` recomputes the chain of sealed minutes and exits
non-zero on any difference, naming the meeting."""

import pytest
from django.core.management import CommandError, call_command

from meetings import services
from meetings.models import Meeting
from tests.builders import attend, plan_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(group, admin_user, member):
    sealed = []
    for title in ("January board", "February board", "March board"):
        meeting = plan_meeting(group, admin_user, title=title, buckets=[], proposals=[])
        attend(meeting, admin_user, group, [admin_user, member])
        sealed.append(services.seal_minutes(meeting=meeting, actor=admin_user))
    return sealed


def test_an_untouched_register_verifies(register, capsys):
    call_command("verify_minutes", "artefacts")
    out = capsys.readouterr().out
    assert "3 sealed minutes of artefacts verify" in out
    assert out.count("ok ") == 3


def test_a_tampered_minute_fails_and_is_named(register, capsys):
    tampered = register[1]
    html = tampered.minutes_html.replace("Present (2):", "Present (3):")
    assert html != tampered.minutes_html
    Meeting.objects.filter(pk=tampered.pk).update(minutes_html=html)
    with pytest.raises(CommandError) as failed:
        call_command("verify_minutes", "artefacts")
    assert "February board" in str(failed.value)
    err = capsys.readouterr().err
    assert "FAILED minutes no. 2" in err and "content changed" in err
    assert "January board" not in err and "March board" not in err


def test_rewriting_a_minute_and_its_hash_breaks_the_chain_after_it(register):
    tampered = register[0]
    html = tampered.minutes_html.replace("January board", "Secret board")
    from meetings.minutes import sha256_of

    Meeting.objects.filter(pk=tampered.pk).update(minutes_html=html, sha256=sha256_of(html))
    with pytest.raises(CommandError) as failed:
        call_command("verify_minutes", "artefacts")
    assert "February board" in str(failed.value)


def test_a_missing_number_is_found(register):
    Meeting.objects.filter(pk=register[1].pk).delete()
    with pytest.raises(CommandError) as failed:
        call_command("verify_minutes", "artefacts")
    assert "March board" in str(failed.value)


def test_an_unknown_group_is_an_error():
    with pytest.raises(CommandError, match="no group"):
        call_command("verify_minutes", "nope")


def test_the_django_admin_cannot_edit_sealed_minutes(register, admin_user, client):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    sealed = register[0]
    page = client.get(f"/admin/meetings/meeting/{sealed.pk}/change/").content.decode()
    assert sealed.sha256 in page and 'name="minutes_html"' not in page and 'name="title"' not in page
    client.post(f"/admin/meetings/meeting/{sealed.pk}/change/", {"title": "Changed"})
    assert Meeting.objects.get(pk=sealed.pk).title == "January board"
    call_command("verify_minutes", "artefacts")
