"""Spreadsheet formulas in EVERY user-written column of every export: results.csv (bucket
title), allocations.csv (member e-mail, member name, bucket title), envelopes.csv (member
e-mail, member name) and decisions.csv (title, statement), with each dangerous start
(=, +, -, @, tab, CR), in both separators. On PostgreSQL allocations.csv comes from COPY,
so running this file on both databases covers both paths.

Each such cell is written with a leading quote (the spreadsheet shows it as text), every
other cell keeps its value, and nothing else starts with a dangerous character.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from buckets.models import Bucket
from groups import services as group_services
from groups.models import Role, User
from proposals import services as proposal_services
from proposals.models import Proposal
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.conftest import make_user, requires_postgres

pytestmark = pytest.mark.django_db

STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = [start + 'cmd|" /C calc"!A0' for start in STARTS] + ["=HYPERLINK(\"http://evil.example\";\"x\")"]

USER_COLUMNS = {
    "results": ["title"],
    "allocations": ["member_email", "member_name", "bucket_title"],
    "envelopes": ["member_email", "member_name"],
}


@pytest.fixture
def world(group, admin_user, accountant):
    round_ = make_round(group, admin_user, phase="proposals")
    people, buckets = [], []
    for i in range(len(PAYLOADS)):
        person = make_user(f"voter{i}@example.org")
        group_services.add_member(group=group, email=person.email, role=Role.MEMBER, actor=None, send_invitation=False)
        people.append(person)
        buckets.append(make_bucket(round_, person, title=f"Bucket {i}", min_amount="10.00", max_amount="500.00"))
    open_funding(round_)
    for i, (person, bucket) in enumerate(zip(people, buckets, strict=True)):
        allocate(person, bucket, f"{10 + i}.00")
    # The text as it could be stored (pages strip leading spaces and tabs; imports and older
    # data need not): written straight to the rows the exports read.
    for i, (person, bucket, payload) in enumerate(zip(people, buckets, PAYLOADS, strict=True)):
        User.objects.filter(pk=person.pk).update(name=payload, email=f"{payload[0]}voter{i}@example.org")
        Bucket.objects.filter(pk=bucket.pk).update(title=payload)
    closing.close_round(round=round_, actor=admin_user)
    return round_


def parse(response, delimiter, keys=None):
    """Rows as dicts; keyed by `keys` (the columns' stable keys) when the headers are in words."""
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    if keys is None:
        return list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=delimiter))
    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))[1:]
    return [dict(zip(keys, row, strict=True)) for row in rows]


@pytest.mark.parametrize("sep, delimiter", [("comma", ","), ("semicolon", ";")])
@pytest.mark.parametrize("kind", sorted(USER_COLUMNS))
def test_every_user_written_column_of_the_round_exports_is_neutralised(world, api, accountant, kind, sep, delimiter):
    from results.exports import EXPORTS

    keys = [column.key for column in EXPORTS[kind].columns]
    rows = parse(api(accountant).get(f"/api/rounds/{world.pk}/export/{kind}.csv", {"sep": sep}), delimiter, keys)
    assert rows
    wrong = []
    for column in USER_COLUMNS[kind]:
        cells = [row[column] for row in rows]
        wrong += [f"{column}: {cell!r}" for cell in cells if cell.startswith(STARTS)]
        if column in ("title", "bucket_title", "member_name"):
            expected = {"'" + payload for payload in PAYLOADS}
            assert expected <= set(cells), (column, sorted(set(cells)))
        if column == "member_email":
            assert {"'" + start + "voter0@example.org" for start in STARTS[:1]} <= set(cells)
            assert all(cell.startswith("'") for cell in cells if "voter" in cell)
    # Nothing else starts a formula either (amounts are never negative, dates are ISO).
    for row in rows:
        for column, cell in row.items():
            if column not in USER_COLUMNS[kind] and cell and cell.startswith(STARTS):
                wrong.append(f"{column}: {cell!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("sep, delimiter", [("comma", ","), ("semicolon", ";")])
def test_decision_titles_and_statements_are_neutralised(group, admin_user, member, api, sep, delimiter):
    for payload in PAYLOADS:
        proposal = proposal_services.open_proposal(
            group=group, title="Decision", author=admin_user, notify=False, closes_at=timezone.now() + timedelta(days=1),
        )
        proposal_services.close_proposal(proposal=proposal, actor=admin_user, notify=False)
        Proposal.objects.filter(pk=proposal.pk).update(title=payload, statement=payload)
    rows = parse(api(member).get(f"/api/groups/{group.slug}/decisions.csv", {"sep": sep}), delimiter)
    assert len(rows) == len(PAYLOADS)
    wrong = [f"{column}: {cell!r}" for row in rows for column, cell in row.items() if cell and cell.startswith(STARTS)]
    assert not wrong, "\n".join(wrong)
    title_column, statement_column = list(rows[0])[1], [c for c in rows[0] if "statement" in c][0]
    assert {row[title_column] for row in rows} == {"'" + p for p in PAYLOADS}
    assert {row[statement_column] for row in rows} == {"'" + p for p in PAYLOADS}


@requires_postgres
@pytest.mark.parametrize("semicolon", [False, True])
def test_the_copy_path_writes_the_same_bytes_as_the_python_path_for_formulas(world, semicolon):
    from results import exports

    copied = b"".join(exports.csv_bytes(round=world, kind="allocations", semicolon=semicolon))
    written = "".join(exports.csv_lines(round=world, kind="allocations", semicolon=semicolon)).encode("utf-8")
    assert copied == written
