"""Every main page passes axe-core (vendored from npm: tests/vendor/axe.min.js, v4.14.1)
with no serious or critical violation, signed in as an admin who sees every control."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from buckets import services as bucket_services
from buckets.guidelines import services as guideline_services
from proposals import services as proposal_services
from tests.builders import allocate, make_bucket, make_round
from tests.conftest import browser_login
from tests.notify_helpers import send

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def axe_page(_browser, live_server):
    """A page whose context lets axe's injected script past the CSP (the app's own pages
    keep theirs: nothing inline is allowed)."""
    context = _browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert result["passes"], "axe did not run its rules"
    return [
        f"{v['impact']} {v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_passes_axe(axe_page, live_server, group, admin_user, member, member2):
    round = make_round(group, admin_user, phase="funding")
    bucket = make_bucket(round, member2, title="Shared garden", coleads=[admin_user.email])
    allocate(member, bucket, "50.00")
    bucket_services.add_comment(bucket=bucket, author=member, body="Where will it be? @member2")
    guideline = guideline_services.create_guideline(round=round, actor=admin_user, title="Realistic budget")
    guideline_services.raise_flag(bucket=bucket, guideline=guideline, actor=member, comment="No quote")
    proposal = proposal_services.open_proposal(
        group=group, title="Sign the lease", author=admin_user, closes_at=timezone.now() + timedelta(days=3),
    )
    send([admin_user], kind="proposal", title="A notification", url=f"/proposals/{proposal.pk}/", group=group)

    pages = {
        "dashboard": "/",
        "group": f"/g/{group.slug}/",
        "round": f"/rounds/{round.pk}/",
        "bucket": f"/buckets/{bucket.pk}/",
        "proposal": f"/proposals/{proposal.pk}/",
        "results": f"/rounds/{round.pk}/results/",
        "members (admin)": f"/g/{group.slug}/members/",
        "envelopes (admin)": f"/rounds/{round.pk}/envelopes/",
        "guidelines": f"/rounds/{round.pk}/guidelines/",
        "notifications": "/notifications/",
        "preferences": "/notifications/preferences/",
        "allocation sheet": f"/rounds/{round.pk}/allocate/",
        "bucket form": f"/buckets/{bucket.pk}/edit/",
        "guide": "/guide/",
        "developers": "/developers/",
    }
    page = axe_page
    browser_login(page, live_server, admin_user)
    found = {}
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, (name, response.status)
        problems = violations(page)
        if problems:
            found[name] = problems
    assert found == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_unsubscribe_page_passes_axe_without_login(axe_page, live_server, member):
    page = axe_page
    from notifications.delivery import unsubscribe_token

    page.goto(f"{live_server.url}/notifications/unsubscribe/{unsubscribe_token(user=member, kind='proposal')}/")
    assert violations(page) == []
