"""The product's face: its name and icon in the tab, the language chosen in one click (no
extra button), the API behind a small "Developers" page rather than in everyone's footer."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_tab_shows_the_app_name_and_its_icon(client, member, group):
    client.force_login(member)
    html = client.get("/g/artefacts/").content.decode()
    assert "<title>Artefacts · cobudget</title>" in html
    assert 'rel="icon" href="/static/img/cobudget.svg"' in html and 'rel="apple-touch-icon"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.ico"
    assert client.get("/static/favicon.ico").status_code == 200


def test_the_language_is_chosen_in_one_click(client, member, group):
    client.force_login(member)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    switch = html[html.index('class="lang-form"'):html.index("</form>", html.index('class="lang-form"'))]
    assert switch.count("<button") == 1 and 'name="language" value="en"' in switch and "<select" not in switch
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert "My groups" in response.content.decode()


def test_the_api_is_on_a_developers_page_not_in_the_footer(client, member, group):
    client.force_login(member)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    footer = html[html.index('<footer'):]
    assert "/api/docs/" not in footer and 'href="/developers/"' in footer and "Développeurs" in footer
    page = client.get("/developers/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'href="/api/docs/"' in page and "/api/auth/token/" in page and "Authorization: Token" in page
