"""The decision history as CSV: one row a proposal, for a French spreadsheet, formulas neutralised."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(group, admin_user, member, member2):
    proposal = services.open_proposal(
        group=group, title="=HYPERLINK(\"http://evil\")", author=admin_user, notify=False,
        closes_at=timezone.now() + timedelta(days=1),
    )
    services.set_stance(proposal=proposal, user=member, choice="agree")
    services.set_stance(proposal=proposal, user=member2, choice="block")
    services.close_proposal(proposal=proposal, actor=admin_user, notify=False)
    services.set_statement(proposal=proposal, actor=admin_user, statement="-1 vote; à revoir, “bloqué”")
    return proposal


def _rows(response, delimiter=","):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def test_one_row_a_proposal_with_its_counts(api, decided, member):
    response = api(member).get("/api/groups/artefacts/decisions.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, row = _rows(response)
    assert header == [
        "id", "title", "opened", "closed", "voters", "voted", "agree", "abstain", "disagree", "block",
        "outcome", "statement", "link", "kind", "majority", "winner",
    ]
    record = dict(zip(header, row, strict=True))
    assert record["id"] == str(decided.pk)
    assert (record["voters"], record["voted"], record["agree"], record["block"]) == ("3", "2", "1", "1")
    assert record["outcome"] == "blocked"
    assert record["link"].endswith(f"/proposals/{decided.pk}/")
    assert (record["kind"], record["majority"], record["winner"]) == ("proposal", "simple", "")


def test_formulas_are_neutralised_and_accents_kept(api, decided, member):
    _header, row = _rows(api(member).get("/api/groups/artefacts/decisions.csv"))
    assert row[1] == "'=HYPERLINK(\"http://evil\")"
    assert row[11] == "'-1 vote; à revoir, “bloqué”"


def test_semicolon_separator(api, decided, member):
    response = api(member).get("/api/groups/artefacts/decisions.csv?sep=semicolon")
    header, row = _rows(response, delimiter=";")
    assert len(header) == len(row) == 16
    assert row[11] == "'-1 vote; à revoir, “bloqué”"


def test_the_page_link_gives_the_same_file(client, decided, contributor):
    client.force_login(contributor)
    response = client.get("/g/artefacts/decisions.csv")
    assert response.status_code == 200
    assert _rows(response)[1][0] == str(decided.pk)


def test_open_proposals_are_not_in_the_file(api, group, admin_user):
    services.open_proposal(
        group=group, title="Open", author=admin_user, notify=False, closes_at=timezone.now() + timedelta(days=1)
    )
    assert len(_rows(api(admin_user).get("/api/groups/artefacts/decisions.csv"))) == 1
