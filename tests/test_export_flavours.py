"""The two flavours of every export (API.md, "Exports"): `?sep=semicolon` is for a French
spreadsheet (French headers, statuses in words, dd/mm/yyyy hh:mm in the group's time zone,
decimal commas); the default is machine-readable (stable keys, codes, ISO 8601 UTC, points).
File names carry the round, the export, the day and the flavour; an allocation entered on a
member's behalf names the admin who entered it."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.utils import translation

from allocations.models import Allocation
from results import exports
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.conftest import requires_postgres
from tests.export_readers import body, download

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 1, 12, 5, 0, 123456, tzinfo=UTC)


@pytest.fixture
def round_(group, admin_user, member, member2):
    group.time_zone = "Pacific/Noumea"  # UTC+11: the French dates are not the UTC ones
    group.save()
    round_ = make_round(group, admin_user, title="Budget 2026", decide="50", phase="proposals")
    funded = make_bucket(round_, member, title="Four solaire", min_amount="100.00", max_amount="300.00")
    decide = make_bucket(round_, member, title="Vélo cargo", min_amount="400.00", max_amount="600.00")
    lost = make_bucket(round_, member2, title="Serre", min_amount="1000.00", max_amount="1200.00")
    open_funding(round_)
    allocate(member, funded, "120.50")
    allocate(member, decide, "250.00")
    allocate(member2, lost, "10.00", actor=admin_user)  # entered from a paper form
    Allocation.objects.update(updated_at=MOMENT)
    closing.close_round(round=round_, actor=admin_user)
    return round_


def rows(response, delimiter):
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def test_the_french_flavour_speaks_french_to_a_spreadsheet(api, round_, accountant):
    client = api(accountant)
    results = rows(download(client, round_, "results", french=True), ";")
    with translation.override("fr"):
        assert results[0] == [str(column.label) for column in exports.RESULTS.columns]
    assert results[0][:3] == ["N° de projet", "Projet", "Statut"]
    by_title = {row[1]: row for row in results[1:]}
    assert by_title["Four solaire"][2] == "Financé" and by_title["Four solaire"][5] == "120,50"
    assert by_title["Vélo cargo"][2] == "À décider" and by_title["Serre"][2] == "Non financé"
    allocations = rows(download(client, round_, "allocations", french=True), ";")
    updated = {row[5]: row[8] for row in allocations[1:]}
    # 12:05 UTC is 23:05 in Nouméa; no seconds, no offset, no microseconds.
    assert set(updated.values()) == {"01/03/2026 23:05"}
    envelopes = rows(download(client, round_, "envelopes", french=True), ";")
    assert envelopes[0][4:7] == ["Enveloppe", "Montant fixé pour ce membre", "Réparti"]
    assert {row[5] for row in envelopes[1:]} == {"non"}


def test_the_default_flavour_is_for_programs(api, round_, accountant):
    client = api(accountant)
    results = rows(download(client, round_, "results"), ",")
    assert results[0] == [column.key for column in exports.RESULTS.columns]
    assert results[0][:4] == ["bucket_id", "title", "status", "min_goal"]
    assert {row[2] for row in results[1:]} == {"funded", "to_decide", "not_funded"}
    allocations = rows(download(client, round_, "allocations"), ",")
    assert {row[8] for row in allocations[1:]} == {"2026-03-01T12:05:00.123456+00:00"}
    assert "120.50" in {row[7] for row in allocations[1:]}


def test_each_file_has_its_own_name(api, round_, accountant):
    client = api(accountant)
    names = set()
    for kind in exports.KINDS:
        for extension in ("csv", "xlsx"):
            for french in (False, True):
                disposition = download(client, round_, kind, extension=extension, french=french)["Content-Disposition"]
                name = re.search(r'filename="([^"]+)"', disposition).group(1)
                assert re.fullmatch(rf"artefacts-budget-2026-{kind}-\d{{4}}-\d\d-\d\d(-fr)?\.{extension}", name), name
                assert name.endswith(f"-fr.{extension}") == french
                names.add(name)
    assert len(names) == 4 * len(exports.KINDS)


def test_an_allocation_entered_on_a_members_behalf_names_who_entered_it(api, round_, accountant, admin_user, member2):
    client = api(accountant)
    for french, delimiter in ((False, ","), (True, ";")):
        table = rows(download(client, round_, "allocations", french=french), delimiter)
        entered = {row[5]: row[9] for row in table[1:]}
        assert entered == {"Four solaire": "", "Vélo cargo": "", "Serre": admin_user.email}


def test_a_member_who_changes_it_themselves_is_no_longer_marked(api, group, admin_user, member, accountant):
    round_ = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round_, member, min_amount="200.00", max_amount="400.00")
    open_funding(round_)
    allocate(member, bucket, "10.00", actor=admin_user)
    allocate(member, bucket, "15.00")
    table = rows(download(api(accountant), round_, "allocations"), ",")
    assert [row[9] for row in table[1:]] == [""]


@requires_postgres
def test_copy_writes_the_paper_forms_mark_as_the_python_path_does(round_):
    copied = b"".join(exports.csv_bytes(round=round_, kind="allocations"))
    written = "".join(exports.csv_lines(round=round_, kind="allocations")).encode("utf-8")
    assert copied == written
    assert b"admin@example.org" in copied
