"""French by default, English on request, and a language switcher that works."""

import pytest


@pytest.mark.django_db
def test_the_login_page_is_in_french_by_default(client, settings):
    settings.LANGUAGE_CODE = "fr"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html
    assert "Connexion" in html or "Se connecter" in html


@pytest.mark.django_db
def test_the_browser_language_is_honoured(client, settings):
    settings.LANGUAGE_CODE = "fr"
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switcher_changes_the_language(client, settings, member, group):
    settings.LANGUAGE_CODE = "fr"
    client.force_login(member)
    assert "Mes groupes" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "My groups" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "Mes groupes" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_language_chosen_on_the_site_is_the_one_of_the_persons_mails(client, settings, member, group):
    from cobudget.mail import language_of

    settings.LANGUAGE_CODE = "fr"
    member.language = "fr"
    member.save(update_fields=["language"])
    client.force_login(member)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert language_of(member) == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})  # not a language of the site
    member.refresh_from_db()
    assert member.language == "en"
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    member.refresh_from_db()
    assert member.language == "fr"


@pytest.mark.django_db
def test_api_error_details_follow_the_request_language(api):
    from tests.conftest import make_user

    make_user("claire@example.org")
    client = api(None)
    body = {"email": "claire@example.org", "password": "wrong"}
    english = client.post("/api/auth/token/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    french = client.post("/api/auth/token/", body, format="json", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert english["code"] == french["code"] == "invalid_credentials"
    assert english["detail"] == "Unable to log in with these credentials."
    assert french["detail"] != english["detail"] and french["detail"]


@pytest.mark.django_db
def test_amounts_are_written_the_french_way(client, settings, member, group):
    from decimal import Decimal

    from django.utils import translation

    from cobudget.money import format_money

    with translation.override("fr"):
        assert format_money(Decimal("430")) == "430,00\u00a0€"
        assert format_money(Decimal("26000.5")) == "26\u00a0000,50\u00a0€"
    with translation.override("en"):
        assert format_money(Decimal("26000.5")) == "€26,000.50"
