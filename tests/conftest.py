"""Shared fixtures: one person per role, a group, and an API client per person."""

import os
import re

import pytest
from django.db import connection
from rest_framework.test import APIClient

from groups import services as group_services
from groups.models import Role, User

PASSWORD = "correct horse battery staple"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


requires_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (row locks, triggers, real concurrency): set DATABASE_URL=postgres://...",
)


def make_user(email: str, name: str = "", language: str = "en") -> User:
    """A person who reads English, so that tests read English mails unless they ask otherwise
    (real people default to French)."""
    return User.objects.create_user(
        email=email, password=PASSWORD, name=name or email.split("@")[0].title(), language=language
    )


@pytest.fixture
def admin_user(db):
    return make_user("admin@example.org", "Alice Admin")


@pytest.fixture
def group(admin_user):
    return group_services.create_group(creator=admin_user, name="Artefacts", slug="artefacts")


def _member(group, email, role):
    user = make_user(email)
    group_services.add_member(group=group, email=email, role=role, actor=None, send_invitation=False)
    return user


@pytest.fixture
def member(group):
    return _member(group, "member@example.org", Role.MEMBER)


@pytest.fixture
def member2(group):
    return _member(group, "member2@example.org", Role.MEMBER)


@pytest.fixture
def accountant(group):
    return _member(group, "accountant@example.org", Role.ACCOUNTANT)


@pytest.fixture
def contributor(group):
    return _member(group, "contributor@example.org", Role.CONTRIBUTOR)


@pytest.fixture
def outsider(db):
    return make_user("outsider@example.org", "Oscar Outsider")


@pytest.fixture
def other_group(outsider):
    return group_services.create_group(creator=outsider, name="OPTEOS", slug="opteos")


def api_client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def api():
    """api(user) -> an authenticated DRF test client (api(None) for anonymous)."""
    return api_client_for


class _TokenClient(APIClient):
    """An allocation PUT of the person's own that the fast path should answer (a JSON body
    without `member`, accepted or refused by a rule) must not have reached DRF's view."""

    def generic(self, method, path, data="", content_type="application/octet-stream", secure=False, **extra):
        response = super().generic(method, path, data, content_type, secure, **extra)
        from rest_framework.response import Response

        body = data.decode() if isinstance(data, bytes) else str(data)
        if (method == "PUT" and re.fullmatch(r"/api/buckets/[0-9]+/allocation/", path) and content_type ==
                "application/json" and '"member"' not in body and response.status_code in (200, 409)):
            assert not isinstance(response, Response), "the allocation fast path did not answer"
        return response


def token_client_for(user) -> APIClient:
    """A client sending the person's API token, as a script or a phone app does (for the
    allocation PUT, that is allocations/fastpath.py's way)."""
    from rest_framework.authtoken.models import Token

    client = _TokenClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture(params=["session", "token"])
def api_both(request):
    """Like api, once authenticated as the DRF view sees a session, once with a real API token."""
    return api_client_for if request.param == "session" else token_client_for


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Tests read English messages unless they ask for French explicitly.
    settings.LANGUAGE_CODE = "en"


# --- browser tests -------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def _browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); browser test skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser, live_server):
    """A fresh browser page (phone-sized when asked through `page.set_viewport_size`)."""
    context = _browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def browser_login(page, live_server, user, password: str = PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:not(.button-small):not(.link-button) >> nth=-1")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords slowly protects production, not tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Tasks queued by the code under test run in-process, so their effects (mails) can be
    checked even when REDIS_URL is set; the real worker is proven by its own test."""
    from cobudget.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached values never leak from one test into the next."""
    from django.core.cache import cache

    try:
        cache.clear()
    except Exception:  # a test that points the cache at a dead Redis cleans up after itself
        pass
    yield


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(settings, tmp_path_factory):
    """Receipts and attachments written by a test land in a folder of its own, never in the
    project's var/private."""
    folder = tmp_path_factory.mktemp("private")
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}}}
    yield folder
