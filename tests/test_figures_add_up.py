"""Every figure the accountant sees adds up (PRODUCT.md): per member, envelope = funded + to
decide + returned + being funded + unspent; per round, the sums of the three exports, in every
file (CSV in both flavours, .xlsx in both) equal the results page, its API and the round page.

The round has one bucket of each fate: funded, left to decide, not funded (its money
returned), withdrawn and merged (their money given back at once, so unspent), and an
allocation an admin entered from a paper form."""

import re
from decimal import Decimal

import pytest

from allocations import services as allocation_services
from results import services as closing
from tests.builders import allocate, make_bucket, make_round, open_funding
from tests.export_readers import FLAVOURS, read, total

pytestmark = pytest.mark.django_db

D = Decimal
PARTS = ("funded", "to_decide", "returned", "open", "unspent")


@pytest.fixture
def closed_round(group, admin_user, member, member2, accountant):
    round = make_round(group, admin_user, decide="50", phase="proposals")
    funded = make_bucket(round, member, title="Four solaire", min_amount="300.00", max_amount="500.00")
    decide = make_bucket(round, member, title="Vélo cargo", min_amount="400.00", max_amount="600.00")
    lost = make_bucket(round, member2, title="Serre", min_amount="1000.00", max_amount="1200.00")
    withdrawn = make_bucket(round, member2, title="Atelier", min_amount="100.00", max_amount="200.00")
    merged = make_bucket(round, admin_user, title="Fours", min_amount="100.00", max_amount="200.00")
    open_funding(round)
    allocate(member, funded, "150.00")
    allocate(member, decide, "230.00")
    allocate(member, withdrawn, "50.00")
    allocate(member2, funded, "150.00")
    allocate(member2, lost, "100.00")
    allocate(member2, withdrawn, "20.00")
    allocate(admin_user, merged, "30.00")
    allocate(member2, decide, "40.00", actor=admin_user)  # a paper form
    allocation_services.withdraw_bucket(bucket=withdrawn, actor=member2)
    allocation_services.merge_bucket(bucket=merged, into=funded, actor=admin_user)
    allocate(admin_user, funded, "60.00")
    closing.close_round(round=round, actor=admin_user)
    return round


EXPECTED = {  # 3 envelopes of 430 (admin, member, member2; the accountant has none)
    "envelopes": D("1290.00"), "allocated": D("730.00"), "funded": D("360.00"), "to_decide": D("270.00"),
    "returned": D("100.00"), "open": D("0.00"), "unspent": D("560.00"),
}


def test_the_results_api_splits_every_envelope(api, closed_round, accountant, member, member2):
    body = api(accountant).get(f"/api/rounds/{closed_round.pk}/results/").json()
    assert {key: D(value) for key, value in body["totals"].items()} == EXPECTED
    members = {row["member"]["email"]: row for row in body["members"]}
    # member: 150 funded + 230 to decide; the 50 on the withdrawn bucket came back: unspent.
    assert members[member.email] == {**members[member.email], "envelope": "430.00", "funded": "150.00",
                                     "to_decide": "230.00", "returned": "0.00", "unspent": "50.00"}
    # member2: 150 funded + 40 to decide (entered on paper) + 100 returned from Serre + 140 unspent.
    assert members[member2.email] == {**members[member2.email], "envelope": "430.00", "funded": "150.00",
                                      "to_decide": "40.00", "returned": "100.00", "unspent": "140.00"}
    for row in body["members"]:
        assert D(row["envelope"]) == sum(D(row[part]) for part in PARTS), row
    for key in ("envelope", "allocated", *PARTS):
        assert sum(D(row[key]) for row in body["members"]) == EXPECTED["envelopes" if key == "envelope" else key]
    given_back = {row["status"]: (row["contributions"], D(row["amount"])) for row in body["given_back"]}
    assert given_back == {"withdrawn": (2, D("70.00")), "merged": (1, D("30.00"))}


@pytest.mark.parametrize("extension, french", FLAVOURS)
def test_every_export_adds_up_to_the_results(api, closed_round, accountant, extension, french):
    client = api(accountant)
    results = read(client, closed_round, "results", extension=extension, french=french)
    allocations = read(client, closed_round, "allocations", extension=extension, french=french)
    envelopes = read(client, closed_round, "envelopes", extension=extension, french=french)

    # results: a row a bucket that holds money at close; its totals by status.
    assert total(results, "total", status="funded") == EXPECTED["funded"]
    assert total(results, "total", status="to_decide") == EXPECTED["to_decide"]
    assert total(results, "total", status="not_funded") == EXPECTED["returned"]
    assert total(results, "total") == EXPECTED["allocated"]
    # allocations: a row a member and bucket; by the bucket's status.
    assert total(allocations, "amount", bucket_status="funded") == EXPECTED["funded"]
    assert total(allocations, "amount", bucket_status="to_decide") == EXPECTED["to_decide"]
    assert total(allocations, "amount", bucket_status="not_funded") == EXPECTED["returned"]
    assert total(allocations, "amount") == EXPECTED["allocated"]
    assert not [row for row in allocations if row["bucket_status"] in ("withdrawn", "merged")]
    # envelopes: a row a member; every column sums to the round's figure, every row adds up.
    assert total(envelopes, "envelope") == EXPECTED["envelopes"]
    for key in ("allocated", *PARTS):
        assert total(envelopes, key) == EXPECTED[key], key
    for row in envelopes:
        assert row["envelope"] == sum(row[part] for part in PARTS), row
        assert row["allocated"] == row["envelope"] - row["unspent"], row


def test_the_results_page_shows_the_same_figures(client, closed_round, accountant, settings):
    client.force_login(accountant)
    html = client.get(f"/rounds/{closed_round.pk}/results/?members=1").content.decode()
    tiles = dict(re.findall(r'data-total="(\w+)">([^<]+)<', html))
    assert tiles == {
        "envelopes": "€1,290.00", "allocated": "€730.00", "funded": "€360.00", "to_decide": "€270.00",
        "returned": "€100.00", "unspent": "€560.00",
    }
    # The members' table ends with the same totals, and says where withdrawn money went.
    footer = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1)
    assert re.findall(r'class="num">([^<]+)<', footer) == ["€1,290.00", "€360.00", "€270.00", "€100.00", "€560.00"]
    assert "Withdrawn or merged" in html and "2 contributions, €70.00, given back" in html
    assert "that money counts as unspent" in html


def test_the_round_page_and_the_exports_page_agree(client, closed_round, admin_user):
    client.force_login(admin_user)
    round_page = client.get(f"/rounds/{closed_round.pk}/").content.decode()
    assert "€1,290.00" in round_page and "€730.00" in round_page
    exports_page = client.get(f"/rounds/{closed_round.pk}/exports/").content.decode()
    assert ("envelopes €1,290.00 = funded €360.00 + to decide €270.00 + returned €100.00 + being funded €0.00 "
            "+ unspent €560.00") in exports_page


def test_a_draft_rounds_envelopes_count_the_default_for_every_member(api, group, admin_user, member, member2, accountant):
    from buckets import services as bucket_services

    draft = bucket_services.create_round(group=group, actor=admin_user, title="Next year", kind="fixed",
                                         envelope_amount=D("430.00"))
    allocation_services.set_envelope_amount(round=draft, user=member, amount=D("500.00"), actor=admin_user)
    totals = api(admin_user).get(f"/api/rounds/{draft.pk}/").json()["totals"]
    # admin and member2 will receive the default 430, member the 500 set for them; not the accountant.
    assert D(totals["envelopes"]) == D("1360.00") == D(totals["unspent"])
    envelopes = read(api(admin_user), draft, "envelopes")  # drafts are for admins only
    assert total(envelopes, "envelope") == D("1360.00") and len(envelopes) == 3


# --- after funding: a bucket completed with a leftover, another whose funding is cancelled --------


@pytest.fixture
def settled_round(group, admin_user, member, member2, accountant):
    """The round above, with a second funded bucket (Abri vélos); after close, Four solaire is
    completed with 72.65 left of its 360.00 and the funding of Abri vélos is cancelled."""
    from allocations import after_funding
    from tests.builders import record_paid

    round = make_round(group, admin_user, decide="50")
    funded = make_bucket(round, member, title="Four solaire", min_amount="300.00", max_amount="500.00")
    decide = make_bucket(round, member, title="Vélo cargo", min_amount="400.00", max_amount="600.00")
    lost = make_bucket(round, member2, title="Serre", min_amount="1000.00", max_amount="1200.00")
    withdrawn = make_bucket(round, member2, title="Atelier", min_amount="100.00")
    merged = make_bucket(round, admin_user, title="Fours", min_amount="100.00")
    shed = make_bucket(round, member2, title="Abri vélos", min_amount="100.00", max_amount="300.00")
    open_funding(round)
    allocate(member, funded, "150.00")
    allocate(member, decide, "230.00")
    allocate(member, withdrawn, "50.00")
    allocate(member2, funded, "150.00")
    allocate(member2, lost, "100.00")
    allocate(member2, withdrawn, "20.00")
    allocate(admin_user, merged, "30.00")
    allocate(member2, decide, "40.00", actor=admin_user)
    allocation_services.withdraw_bucket(bucket=withdrawn, actor=member2)
    allocation_services.merge_bucket(bucket=merged, into=funded, actor=admin_user)
    allocate(admin_user, funded, "60.00")
    allocate(member, shed, "40.00")
    allocate(admin_user, shed, "85.00")
    closing.close_round(round=round, actor=admin_user)
    funded.refresh_from_db()
    shed.refresh_from_db()
    assert funded.status == shed.status == "funded"
    record_paid(funded, "287.35")
    after_funding.complete_bucket(bucket=funded, actor=accountant)
    after_funding.cancel_funding(bucket=shed, actor=admin_user, reason="Plus de place dans la cour")
    return round


SETTLED = {  # 72.65 of Four solaire and all 125.00 of Abri vélos returned
    "envelopes": D("1290.00"), "allocated": D("855.00"), "funded": D("287.35"), "to_decide": D("270.00"),
    "returned": D("297.65"), "open": D("0.00"), "unspent": D("435.00"),
}
SETTLED_MEMBERS = {  # 72.65 pro rata of 150 / 150 / 60: 30.27 + 30.27 + 12.10, the cent left to member
    "member@example.org": {"envelope": "430.00", "allocated": "420.00", "funded": "119.72", "to_decide": "230.00",
                           "returned": "70.28", "open": "0.00", "unspent": "10.00"},
    "member2@example.org": {"envelope": "430.00", "allocated": "290.00", "funded": "119.73", "to_decide": "40.00",
                            "returned": "130.27", "open": "0.00", "unspent": "140.00"},
    "admin@example.org": {"envelope": "430.00", "allocated": "145.00", "funded": "47.90", "to_decide": "0.00",
                          "returned": "97.10", "open": "0.00", "unspent": "285.00"},
}


def test_after_funding_the_results_api_still_adds_up(api, settled_round, accountant):
    from allocations.ledger import ledger_differences

    assert ledger_differences() == []
    body = api(accountant).get(f"/api/rounds/{settled_round.pk}/results/").json()
    assert {key: D(value) for key, value in body["totals"].items()} == SETTLED
    members = {row["member"]["email"]: row for row in body["members"]}
    for email, expected in SETTLED_MEMBERS.items():
        assert {key: members[email][key] for key in expected} == expected, email
    for row in body["members"]:
        assert D(row["envelope"]) == sum(D(row[part]) for part in PARTS), row
    for key in ("allocated", *PARTS):
        assert sum(D(row[key]) for row in body["members"]) == SETTLED[key]
    buckets = {row["title"]: row for row in body["buckets"]}
    assert {k: buckets["Four solaire"][k] for k in ("status", "total", "funded", "paid", "balance", "returned")} == {
        "status": "funded", "total": "360.00", "funded": "360.00", "paid": "287.35", "balance": "72.65",
        "returned": "72.65"}
    assert {k: buckets["Abri vélos"][k] for k in ("status", "total", "funded", "paid", "balance", "returned")} == {
        "status": "not_funded", "total": "125.00", "funded": "125.00", "paid": "0.00", "balance": "125.00",
        "returned": "125.00"}
    assert buckets["Serre"]["funded"] is None and buckets["Vélo cargo"]["returned"] is None
    back = {row["outcome"]: row for row in body["returned_after_funding"]}
    assert back["completed"]["amount"] == "72.65" and back["completed"]["funders"] == 3
    assert back["completed"]["to"] == "returned"
    assert back["funding_cancelled"]["amount"] == "125.00" and back["funding_cancelled"]["funders"] == 2
    assert back["funding_cancelled"]["reason"] == "Plus de place dans la cour"


@pytest.mark.parametrize("extension, french", FLAVOURS)
def test_after_funding_every_export_adds_up(api, settled_round, accountant, extension, french):
    client = api(accountant)
    results = read(client, settled_round, "results", extension=extension, french=french)
    allocations = read(client, settled_round, "allocations", extension=extension, french=french)
    envelopes = read(client, settled_round, "envelopes", extension=extension, french=french)

    # results: funded (what each project was funded with) = paid + balance; once completed or
    # cancelled, the whole balance is returned. The round's funded is what stayed funded, its
    # returned the not-funded totals plus what funded projects gave back.
    funded_rows = [row for row in results if row["status"] == "funded"]
    assert sum(row["total"] - row["returned"] for row in funded_rows) == SETTLED["funded"]
    assert total(results, "total", status="not_funded") + sum(r["returned"] for r in funded_rows) == SETTLED["returned"]
    assert total(results, "total", status="to_decide") == SETTLED["to_decide"]
    assert total(results, "total") == SETTLED["allocated"]
    for row in results:
        if row["funded"] is None:
            assert row["paid"] is None and row["balance"] is None and row["returned"] is None, row
            continue
        assert row["funded"] == row["paid"] + row["balance"], row
        assert row["returned"] == row["balance"], row  # both were completed or cancelled
    by_title = {row["title"]: row for row in results}
    assert (by_title["Four solaire"]["funded"], by_title["Four solaire"]["paid"], by_title["Four solaire"]["returned"]) \
        == (D("360.00"), D("287.35"), D("72.65"))
    assert by_title["Abri vélos"]["status"] == "not_funded" and by_title["Abri vélos"]["returned"] == D("125.00")
    # allocations: each row split as the figures count it; the columns sum to the round's.
    assert total(allocations, "amount") == SETTLED["allocated"]
    assert total(allocations, "funded") == SETTLED["funded"]
    assert total(allocations, "returned") == SETTLED["returned"]
    assert total(allocations, "amount", bucket_status="to_decide") == SETTLED["to_decide"]
    for row in allocations:
        if row["bucket_status"] in ("funded", "not_funded"):
            assert row["amount"] == row["funded"] + row["returned"], row
        else:
            assert row["funded"] == row["returned"] == D("0.00"), row
    shares = {(row["member_email"], row["bucket_title"]): row["returned"] for row in allocations}
    assert shares[("member@example.org", "Four solaire")] == D("30.28")
    assert shares[("member2@example.org", "Four solaire")] == D("30.27")
    assert shares[("admin@example.org", "Four solaire")] == D("12.10")
    # envelopes: every column sums to the round's figure, every row adds up, per member as the API.
    assert total(envelopes, "envelope") == SETTLED["envelopes"]
    for key in ("allocated", *PARTS):
        assert total(envelopes, key) == SETTLED[key], key
    for row in envelopes:
        assert row["envelope"] == sum(row[part] for part in PARTS), row
        expected = SETTLED_MEMBERS[row["member_email"]]
        assert {key: row[key] for key in expected} == {key: D(value) for key, value in expected.items()}


def test_after_funding_the_pages_show_the_same_figures(client, settled_round, accountant, admin_user):
    client.force_login(accountant)
    html = client.get(f"/rounds/{settled_round.pk}/results/?members=1").content.decode()
    tiles = dict(re.findall(r'data-total="(\w+)">([^<]+)<', html))
    assert tiles == {
        "envelopes": "€1,290.00", "allocated": "€855.00", "funded": "€287.35", "to_decide": "€270.00",
        "returned": "€297.65", "unspent": "€435.00",
    }
    footer = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1)
    assert re.findall(r'class="num">([^<]+)<', footer) == ["€1,290.00", "€287.35", "€270.00", "€297.65", "€435.00"]
    section = re.search(r'<section class="results-section results-after-funding".*?</section>', html, re.S).group(0)
    assert "Given back after funding" in section
    assert re.search(r"Four solaire</a>\s+completed on .*€72.65 returned to 3 funders", section, re.S)
    assert re.search(r"Abri vélos</a>\s+funding cancelled on .*: Plus de place dans la cour —\s+€125.00 returned "
                     r"to 2 funders", section, re.S)
    assert "Paid €287.35 · balance €72.65 · returned €72.65" in html
    client.force_login(admin_user)
    exports_page = client.get(f"/rounds/{settled_round.pk}/exports/").content.decode()
    assert ("envelopes €1,290.00 = funded €287.35 + to decide €270.00 + returned €297.65 + being funded €0.00 "
            "+ unspent €435.00") in exports_page
    round_page = client.get(f"/rounds/{settled_round.pk}/").content.decode()
    assert "€1,290.00" in round_page and "€855.00" in round_page


def test_after_funding_postgres_copy_writes_the_python_bytes(settled_round):
    """The machine CSV of the allocations comes from COPY on PostgreSQL: its funded and
    returned cells are the Python path's, byte for byte."""
    from django.db import connection

    from results import exports

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    written = "".join(exports.csv_lines(round=settled_round, kind="allocations")).encode("utf-8")
    assert b"".join(exports.csv_bytes(round=settled_round, kind="allocations")) == written
    assert b",30.28," in written or b",119.72," in written
