"""The phase strip shows members the phases that concern them: never "Draft" (the admins'
affair); a round published ahead of its dates reads "Upcoming", not "Draft"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.builders import make_round

pytestmark = pytest.mark.django_db


def _strip(html):
    return html[html.index('<ol class="timeline"'):html.index("</ol>")]


def test_members_never_see_draft_in_the_strip_admins_do(client, group, admin_user, member):
    round = make_round(group, admin_user)
    client.force_login(member)
    assert "Draft" not in _strip(client.get(f"/rounds/{round.pk}/").content.decode())
    client.force_login(admin_user)
    assert "Draft" in _strip(client.get(f"/rounds/{round.pk}/").content.decode())


def test_a_round_published_before_its_dates_reads_upcoming(client, group, admin_user, member):
    now = timezone.now()
    round = make_round(group, admin_user, phase="draft", proposals_open_at=now + timedelta(days=3),
                       funding_opens_at=now + timedelta(days=10), funding_closes_at=now + timedelta(days=20),
                       meeting_at=now + timedelta(days=21))
    assert round.phase == "draft" and round.published_at is not None
    client.force_login(member)
    html = client.get(f"/rounds/{round.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "À venir" in html and "Brouillon" not in html
    assert "À venir" in client.get("/g/artefacts/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
