"""An invite link is no dead end for someone without an account: they create one on the
link's page (name, e-mail, password), even when sign-up is closed, and land in the group.
Bad input (an expired or revoked link, an address that already has an account, a weak
password) is refused in words and creates nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from allocations.models import Envelope
from groups import services
from groups.models import InviteLink, Membership, Role, User
from tests.builders import make_round

pytestmark = pytest.mark.django_db

GOOD = {"name": "Nadia Benali", "email": "Nadia@Example.org", "password": "un potager partagé 2026"}


@pytest.fixture
def link(group, admin_user):
    return services.create_invite_link(group=group, actor=admin_user, role=Role.MEMBER)


def test_a_newcomer_creates_an_account_from_the_link_and_lands_in_the_group(client, settings, group, admin_user, link):
    settings.SIGNUP_OPEN = False
    round = make_round(group, admin_user)
    assert client.get("/accounts/signup/").status_code == 200  # the closed page: sign-up stays closed
    response = client.post(f"/join/{link.token}/", GOOD)
    assert response.status_code == 302 and response["Location"] == f"/g/{group.slug}/"
    user = User.objects.get(email="nadia@example.org")
    assert user.name == "Nadia Benali" and user.check_password(GOOD["password"])
    assert Membership.objects.get(group=group, user=user).role == Role.MEMBER
    assert Envelope.objects.filter(round=round, user=user).exists()  # ready to allocate
    assert client.get(f"/g/{group.slug}/").status_code == 200  # logged in


def test_the_link_keeps_its_role(client, group, admin_user):
    link = services.create_invite_link(group=group, actor=admin_user, role=Role.CONTRIBUTOR)
    client.post(f"/join/{link.token}/", GOOD)
    assert Membership.objects.get(group=group, user__email="nadia@example.org").role == Role.CONTRIBUTOR


def _nothing_created(count_before):
    assert User.objects.count() == count_before
    assert not User.objects.filter(email="nadia@example.org").exists()


def test_an_address_that_has_an_account_is_told_to_log_in(client, group, link, outsider):
    before = User.objects.count()
    html = client.post(f"/join/{link.token}/", {**GOOD, "email": "OUTSIDER@example.org"},
                       HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Un compte existe déjà pour cette adresse" in html
    assert User.objects.count() == before
    assert not Membership.objects.filter(group=group, user=outsider).exists()
    assert not client.session.get("_auth_user_id")


@pytest.mark.parametrize("field,value,words", [
    ("password", "12345678", "entièrement numérique"),
    ("password", "court", "trop court"),
    ("email", "pas-une-adresse", "Saisissez une adresse e-mail valide"),
    ("name", "", "Ce champ est obligatoire"),
])
def test_bad_input_is_refused_in_french_and_creates_nothing(client, link, field, value, words):
    before = User.objects.count()
    response = client.post(f"/join/{link.token}/", {**GOOD, field: value}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200 and words in response.content.decode()
    _nothing_created(before)


def test_an_expired_link_says_so_and_creates_nothing(client, link):
    InviteLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    before = User.objects.count()
    response = client.post(f"/join/{link.token}/", GOOD, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert "Ce lien d’invitation a expiré." in response.content.decode()
    _nothing_created(before)


def test_a_revoked_link_says_so_and_creates_nothing(client, admin_user, link):
    services.revoke_invite_link(link=link, actor=admin_user)
    before = User.objects.count()
    response = client.post(f"/join/{link.token}/", GOOD, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert "révoqué" in response.content.decode()
    _nothing_created(before)


def test_a_member_who_follows_the_link_again_goes_to_the_group(client, group, link, member):
    client.force_login(member)
    response = client.get(f"/join/{link.token}/")
    assert response.status_code == 302 and response["Location"] == f"/g/{group.slug}/"
