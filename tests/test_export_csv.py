"""The three CSV exports of a round: what an accountant opens in a French spreadsheet."""

import csv
import io
from decimal import Decimal

import pytest

from buckets.models import Bucket
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding

pytestmark = pytest.mark.django_db

BOM = "\ufeff"


def download(client, round, kind, **params):
    response = client.get(f"/api/rounds/{round.pk}/export/{kind}.csv", params)
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content).decode("utf-8")


def parse(text, delimiter=","):
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=delimiter))


@pytest.fixture
def closed_round(group, admin_user, member, member2):
    member.name = "=HYPERLINK(\"http://evil.example\",\"click\")"
    member.save()
    round = make_round(group, admin_user, decide="50", phase="proposals")
    a = make_bucket(round, member, title="=1+2 Solar oven", min_amount="300.00", max_amount="500.00")
    b = make_bucket(round, member, title="Vélo-cargo, « partagé »", min_amount="400.00", max_amount="600.00")
    c = make_bucket(round, member2, title="@SUM(A1) -lost +plus", min_amount="1000.00", max_amount="1200.00")
    open_funding(round)
    allocate(member, a, "200.10")
    allocate(member2, a, "150.25")
    allocate(member, b, "229.90")
    allocate(member2, c, "100.05")
    allocate(admin_user, c, "0.01")
    closing.close_round(round=round, actor=admin_user)
    return round


def test_the_sums_of_every_export_match_the_results(api, closed_round, accountant):
    client = api(accountant)
    totals = client.get(f"/api/rounds/{closed_round.pk}/results/").json()["totals"]
    results = parse(download(client, closed_round, "results"))
    allocations = parse(download(client, closed_round, "allocations"))
    envelopes = parse(download(client, closed_round, "envelopes"))

    funded = sum(Decimal(r["total"]) for r in results if r["status"] == "funded")
    to_decide = sum(Decimal(r["total"]) for r in results if r["status"] == "to_decide")
    returned = sum(Decimal(r["total"]) for r in results if r["status"] == "not_funded")
    assert funded == Decimal(totals["funded"]) == Decimal("350.35")
    assert sum(Decimal(r["total"]) for r in results) == Decimal(totals["allocated"]) == Decimal("680.31")
    assert sum(Decimal(r["amount"]) for r in allocations) == Decimal(totals["allocated"])
    assert sum(Decimal(r["envelope"]) for r in envelopes) == Decimal(totals["envelopes"])
    assert sum(Decimal(r["allocated"]) for r in envelopes) == Decimal(totals["allocated"])
    assert sum(Decimal(r["unspent"]) for r in envelopes) == Decimal(totals["unspent"])
    # Money on the bucket that was not funded went back to its funders: returned, not unspent.
    assert Decimal(totals["returned"]) == returned == sum(Decimal(r["returned"]) for r in envelopes)
    assert Decimal(totals["unspent"]) == Decimal(totals["envelopes"]) - funded - to_decide - returned
    assert len(allocations) == 5 and len(envelopes) == 3 and len(results) == 3


def test_the_first_column_is_a_stable_id(api, closed_round, admin_user):
    client = api(admin_user)
    results = download(client, closed_round, "results")
    assert results.startswith(BOM + "bucket_id,")
    ids = [int(r["bucket_id"]) for r in parse(results)]
    assert set(ids) == set(Bucket.objects.filter(round=closed_round).values_list("pk", flat=True))
    assert download(client, closed_round, "allocations").startswith(BOM + "allocation_id,")
    assert download(client, closed_round, "envelopes").startswith(BOM + "envelope_id,")
    assert download(client, closed_round, "results") == results  # the same bytes twice


def test_semicolon_mode_uses_decimal_commas(api, closed_round, accountant):
    text = download(api(accountant), closed_round, "results", sep="semicolon")
    rows = [list(row.values()) for row in parse(text, delimiter=";")]
    by_title = {row[1]: row for row in rows}
    assert by_title["'=1+2 Solar oven"][5] == "350,35"  # total
    assert by_title["'=1+2 Solar oven"][3] == "300,00"  # minimum goal
    assert by_title["Vélo-cargo, « partagé »"][7] == "57,47"  # percent of the minimum
    allocations = parse(download(api(accountant), closed_round, "allocations", sep="semicolon"), delimiter=";")
    assert sorted(list(r.values())[7] for r in allocations) == ["0,01", "100,05", "150,25", "200,10", "229,90"]


def test_the_default_is_commas_and_points_with_quoted_text(api, closed_round, accountant):
    text = download(api(accountant), closed_round, "results")
    assert '"Vélo-cargo, « partagé »"' in text  # a comma inside a title is quoted, never split
    assert ",350.35," in text


def test_spreadsheet_formulas_are_neutralised_in_every_user_written_cell(api, closed_round, accountant):
    client = api(accountant)
    results = {r["bucket_id"]: r for r in parse(download(client, closed_round, "results"))}
    titles = sorted(r["title"] for r in results.values())
    assert "'=1+2 Solar oven" in titles
    assert "'@SUM(A1) -lost +plus" in titles
    allocations = parse(download(client, closed_round, "allocations"))
    names = {r["member_name"] for r in allocations}
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in names
    assert all(not r["bucket_title"].startswith(("=", "+", "-", "@")) for r in allocations)
    envelopes = parse(download(client, closed_round, "envelopes"))
    assert all(not r["member_name"].startswith(("=", "+", "-", "@")) for r in envelopes)


def test_neutralise_covers_every_dangerous_start():
    from results.exports import neutralise

    for text in ("=1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Vélo") == "Vélo"
    assert neutralise("") == ""


def test_members_get_403_outsiders_404_and_anonymous_401(api, closed_round, member, contributor, outsider):
    for kind in ("results", "allocations", "envelopes"):
        url = f"/api/rounds/{closed_round.pk}/export/{kind}.csv"
        assert api(member).get(url).status_code == 403
        assert api(contributor).get(url).status_code == 403
        assert api(outsider).get(url).status_code == 404
        assert api(None).get(url).status_code == 401


def test_a_client_asking_for_text_csv_gets_it(api, closed_round, accountant):
    response = api(accountant).get(f"/api/rounds/{closed_round.pk}/export/envelopes.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(BOM.encode("utf-8"))


def test_exports_during_funding_add_up_to_the_live_results(api, group, admin_user, member, accountant):
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member, title="Live", min_amount="100.00", max_amount="200.00")
    open_funding(round)
    allocate(member, bucket, "42.42")
    client = api(accountant)
    totals = client.get(f"/api/rounds/{round.pk}/results/").json()["totals"]
    envelopes = parse(download(client, round, "envelopes"))
    assert sum(Decimal(r["unspent"]) for r in envelopes) == Decimal(totals["unspent"])
    assert sum(Decimal(r["allocated"]) for r in envelopes) == Decimal("42.42")
