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
