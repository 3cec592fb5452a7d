"""In Chromium, by clicking only, from `/`: the admin and the accountant reach every page of a
round their role opens, and download each export (results, allocations, envelopes; CSV and
.xlsx; for a French spreadsheet and for a program), each under its own name."""

import re

import pytest

from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rounds(group, admin_user, member, member2):
    live = make_round(group, admin_user, title="Budget 2026", decide="50", phase="proposals")
    bucket = make_bucket(live, member, title="Four solaire", min_amount="300.00", max_amount="600.00")
    open_funding(live)
    allocate(member, bucket, "120.00")
    allocate(member2, bucket, "80.00")
    past = make_round(group, admin_user, title="Budget 2025", phase="proposals")
    closing.close_round(round=past, actor=admin_user, notify=False)
    return live, past


def hub_click(page, label: str, path: str):
    page.locator(".main .round-hub").first.get_by_role("link", name=label, exact=True).click()
    page.wait_for_url(re.compile(re.escape(path) + r"(\?.*)?$"))


def download_everything(page) -> dict[str, bytes]:
    """Click every download link of the exports page; {file name: content}. Between two files
    the page is opened again from its hub link, as a person coming back to it would (Chromium
    may hold back a page's many downloads in a row)."""
    files = {}
    url = page.url
    for i in range(page.locator("a[data-export]").count()):
        with page.expect_download(timeout=30_000) as info:
            page.locator("a[data-export]").nth(i).click()
        download = info.value
        with open(download.path(), "rb") as fh:
            files[download.suggested_filename] = fh.read()
        page.locator(".main .round-hub").first.get_by_role("link", name="Exports", exact=True).click()
        page.wait_for_url(url)
        page.wait_for_load_state()
    return files


def check_downloads(files: dict[str, bytes]):
    assert len(files) == 16  # 4 exports × (CSV, .xlsx) × (French, machine), each its own name
    for name, content in files.items():
        assert re.fullmatch(r"artefacts-budget-2026-(results|allocations|envelopes|expenses)-\d{4}-\d\d-\d\d(-fr)?\.(csv|xlsx)", name)
        if name.endswith(".csv"):
            # A header and rows; this round has no expense, so that file is its header alone.
            lines = 1 if "-expenses-" in name else 2
            assert content.startswith("\ufeff".encode()) and content.count(b"\r\n") >= lines, name
        else:
            assert content.startswith(b"PK"), name  # a zip: the .xlsx workbook


def open_the_round_from_the_dashboard(page, live_server, group, round_title):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=group.name, exact=True).first.click()
    page.wait_for_url(f"{live_server.url}/g/{group.slug}/")
    page.get_by_role("link", name=round_title, exact=True).click()


def test_the_accountant_reaches_every_page_and_file_by_clicking(page, live_server, group, rounds, accountant):
    live, past = rounds
    browser_login(page, live_server, accountant)
    open_the_round_from_the_dashboard(page, live_server, group, "Budget 2026")
    page.wait_for_url(f"{live_server.url}/rounds/{live.pk}/")
    hub_click(page, "Live results", f"/rounds/{live.pk}/results/")
    assert page.locator("[data-total=allocated]").inner_text() == "€200.00"
    hub_click(page, "Envelopes", f"/rounds/{live.pk}/envelopes/")
    hub_click(page, "Guidelines", f"/rounds/{live.pk}/guidelines/")
    hub_click(page, "Exports", f"/rounds/{live.pk}/exports/")
    check_downloads(download_everything(page))
    # Nothing an accountant may not do is offered.
    hub = page.locator(".main .round-hub").first
    for label in ("Paper forms", "Edit the round", "Close early"):
        assert hub.get_by_role("link", name=label).count() == 0
    # Last year's round, closed: its results, with the day it closed.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Budget 2025", exact=True).first.click()
    hub_click(page, "Results", f"/rounds/{past.pk}/results/")
    assert page.get_by_text("Closed on").count() >= 1


def test_the_admin_reaches_every_page_and_file_by_clicking(page, live_server, group, rounds, admin_user):
    live, _past = rounds
    browser_login(page, live_server, admin_user)
    open_the_round_from_the_dashboard(page, live_server, group, "Budget 2026")
    page.wait_for_url(f"{live_server.url}/rounds/{live.pk}/")
    for label, path in (
        ("Live results", "results/"), ("Envelopes", "envelopes/"), ("Paper forms", "paper/"),
        ("Guidelines", "guidelines/"), ("Edit the round", "edit/"), ("Exports", "exports/"),
    ):
        hub_click(page, label, f"/rounds/{live.pk}/{path}")
    check_downloads(download_everything(page))
    hub_click(page, "Close early", f"/rounds/{live.pk}/close/")
    assert page.get_by_text("Allocation ends now for everyone").count() == 1
    page.get_by_role("button", name="Close the round now").click()
    page.wait_for_url(f"{live_server.url}/rounds/{live.pk}/results/")
    assert page.get_by_text("Final results").count() == 1
