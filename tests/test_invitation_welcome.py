"""An e-mail invitation opens a "welcome, choose your password" page for its group (not the
password-reset page); the link works once, for 30 days, while the person is in the group."""

import re
from datetime import timedelta

import pytest

from groups import services
from groups.models import Membership, User

pytestmark = pytest.mark.django_db


def _invite(group, admin_user, django_capture_on_commit_callbacks, mailoutbox, email="zoe@example.org"):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_member(group=group, email=email, name="Zoé", actor=admin_user)
    mail = mailoutbox[-1]
    match = re.search(r"http://[^/]+(/welcome/[^/\s]+/)", mail.body)
    return mail, (match.group(1) if match else None)


def test_the_mail_opens_a_welcome_page_where_the_person_chooses_a_password(
        client, group, admin_user, django_capture_on_commit_callbacks, mailoutbox):
    mail, path = _invite(group, admin_user, django_capture_on_commit_callbacks, mailoutbox)
    assert path and "/accounts/password/reset/" not in mail.body
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Bienvenue dans Artefacts" in html and "zoe@example.org" in html and 'name="password"' in html
    response = client.post(path, {"name": "Zoé Martin", "password": "un potager partagé 2026"})
    assert response.status_code == 302 and response["Location"] == "/g/artefacts/"
    user = User.objects.get(email="zoe@example.org")
    assert user.check_password("un potager partagé 2026") and user.name == "Zoé Martin"
    assert client.get("/g/artefacts/").status_code == 200  # logged in


def test_the_link_works_once(client, group, admin_user, django_capture_on_commit_callbacks, mailoutbox):
    _mail, path = _invite(group, admin_user, django_capture_on_commit_callbacks, mailoutbox)
    client.post(path, {"name": "", "password": "un potager partagé 2026"})
    other = type(client)()
    response = other.post(path, {"password": "another secret 2026 !"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 409 and "déjà choisi" in response.content.decode()
    assert User.objects.get(email="zoe@example.org").check_password("un potager partagé 2026")


def test_an_expired_link_points_to_the_login_code(client, group, admin_user, django_capture_on_commit_callbacks,
                                                 mailoutbox, monkeypatch):
    _mail, path = _invite(group, admin_user, django_capture_on_commit_callbacks, mailoutbox)
    monkeypatch.setattr(services, "WELCOME_MAX_AGE", timedelta(seconds=-1))
    response = client.post(path, {"password": "un potager partagé 2026"}, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert response.status_code == 404 and "a expiré" in html and "/accounts/login/code/" in html
    assert not User.objects.get(email="zoe@example.org").has_usable_password()


def test_a_person_removed_from_the_group_cannot_use_it(client, group, admin_user, django_capture_on_commit_callbacks,
                                                      mailoutbox):
    _mail, path = _invite(group, admin_user, django_capture_on_commit_callbacks, mailoutbox)
    services.remove_member(membership=Membership.objects.get(user__email="zoe@example.org"), actor=admin_user)
    assert client.post(path, {"password": "un potager partagé 2026"}).status_code == 404
    assert not User.objects.get(email="zoe@example.org").has_usable_password()


def test_a_tampered_link_is_refused(client, group, admin_user, django_capture_on_commit_callbacks, mailoutbox):
    _mail, path = _invite(group, admin_user, django_capture_on_commit_callbacks, mailoutbox)
    assert client.get(path.replace("/welcome/", "/welcome/x")).status_code == 404


def test_a_weak_password_is_refused_and_the_link_still_works(client, group, admin_user,
                                                            django_capture_on_commit_callbacks, mailoutbox):
    _mail, path = _invite(group, admin_user, django_capture_on_commit_callbacks, mailoutbox)
    html = client.post(path, {"password": "zoe"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "trop court" in html
    assert not User.objects.get(email="zoe@example.org").has_usable_password()
    assert client.get(path).status_code == 200


def test_someone_who_already_has_a_password_is_asked_to_log_in(group, admin_user, outsider,
                                                              django_capture_on_commit_callbacks, mailoutbox):
    mail, path = _invite(group, admin_user, django_capture_on_commit_callbacks, mailoutbox, email=outsider.email)
    assert path is None and "/g/artefacts/" in mail.body
