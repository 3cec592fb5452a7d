"""The seed's OPTEOS case, end to end through the HTTP API: a permanent fund of 30 members at
100 € a year (weighted envelopes for those who give the cooperative most), three projects —
one funded at its max goal by the allocation that reaches it, one accepted by its co-lead at
its minimum, one left to expire — then expenses with receipts, their approval and payment,
and the completion that gives what is left back to the funders. The ledger is checked after
every step, and the accountant's figures add up at the end.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from allocations.models import Envelope, LedgerEntry
from buckets.models import Bucket
from groups.models import Membership, Role
from results.sweep import sweep
from tests.builders import assert_ledger_clean, make_bucket, make_round
from tests.conftest import api_client_for, make_user
from tests.export_readers import read, total

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def receipt(name="facture.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def put(user, bucket, amount):
    return api_client_for(user).put(f"/api/buckets/{bucket.pk}/allocation/", {"amount": amount}, format="json")


@pytest.fixture
def opteos(group, admin_user, accountant):
    members = [make_user(f"m{i:02d}@opteos.example", f"Entrepreneur {i:02d}") for i in range(30)]
    Membership.objects.bulk_create(Membership(group=group, user=m, role=Role.MEMBER) for m in members)
    fund = make_round(group, admin_user, title="Bourse OPTEOS", kind="permanent", envelope="100.00",
                      expires_after_days=60)
    return fund, members


@pytest.mark.django_db
def test_opteos_a_year_of_a_permanent_fund(opteos, group, admin_user, accountant):
    fund, members = opteos
    admin = api_client_for(admin_user)
    assert Envelope.objects.filter(round=fund, user__in=members).count() == 30
    assert all(e.amount == D("100.00") for e in Envelope.objects.filter(round=fund, user__in=members))

    # Weighted envelopes: the five who give the cooperative most get 150 €.
    for m in members[:5]:
        mid = Membership.objects.get(group=group, user=m).pk
        response = admin.put(f"/api/rounds/{fund.pk}/envelopes/{mid}/", {"amount": "150.00"}, format="json")
        assert response.status_code == 200, response.content
    assert_ledger_clean(fund)
    total_envelopes = sum(e.amount for e in Envelope.objects.filter(round=fund, user__in=members))
    assert total_envelopes == D("3250.00")

    printer = make_bucket(fund, members[0], title="Imprimante 3D partagée", min_amount="600.00",
                          max_amount="800.00", coleads=[members[1]])
    training = make_bucket(fund, members[2], title="Formation comptabilité", min_amount="500.00",
                           max_amount="900.00", coleads=[members[3]])
    fair = make_bucket(fund, members[4], title="Salon des entrepreneurs", min_amount="1500.00",
                       max_amount="2000.00")
    # The fair was published 61 days ago: past the fund's 60 days once the sweep comes by.
    Bucket.objects.filter(pk=fair.pk).update(published_at=timezone.now() - timedelta(days=61))

    # 1. The printer: 16 members give 50 €; the 16th allocation reaches 800 € and funds it.
    for m in members[5:20]:
        assert put(m, printer, "50.00").status_code == 200
        assert Bucket.objects.get(pk=printer.pk).status == Bucket.Status.OPEN
    assert put(members[20], printer, "50.00").status_code == 200
    printer.refresh_from_db()
    assert (printer.status, printer.total, printer.funded_amount) == (Bucket.Status.FUNDED, D("800.00"), D("800.00"))
    assert printer.funded_at is not None
    late = put(members[21], printer, "10.00")
    assert late.status_code == 409 and late.json()["code"] == "bucket_not_open"
    assert_ledger_clean(fund)

    # 2. The training: 500 € reached, below its 900 € max; its co-lead accepts the funding.
    colead = api_client_for(members[3])
    for m in members[21:26]:
        assert put(m, training, "80.00").status_code == 200  # 400 €
    early = colead.post(f"/api/buckets/{training.pk}/accept-funding/", {}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "funding_not_reached"
    assert put(members[0], training, "100.00").status_code == 200  # 500 €: the minimum
    accepted = colead.post(f"/api/buckets/{training.pk}/accept-funding/", {}, format="json")
    assert accepted.status_code == 200, accepted.content
    training.refresh_from_db()
    assert (training.status, training.funded_amount) == (Bucket.Status.FUNDED, D("500.00"))
    assert_ledger_clean(fund)

    # 3. The fair: 300 € from three members, then it expires and the money goes back.
    for m in members[26:29]:
        assert put(m, fair, "100.00").status_code == 200
    before = {m.pk: Envelope.objects.get(round=fund, user=m).allocated for m in members[26:29]}
    result = sweep()
    fair.refresh_from_db()
    assert fair.status == Bucket.Status.NOT_FUNDED and fair.total == D("0.00")
    for m in members[26:29]:
        assert Envelope.objects.get(round=fund, user=m).allocated == before[m.pk] - D("100.00")
    assert result["fundings_announced"] == 2  # the printer and the training, each announced once
    assert sweep()["fundings_announced"] == 0
    assert_ledger_clean(fund)

    # 4. Expenses on the printer: its co-lead submits two receipts, the accountant decides and pays.
    printer_colead = api_client_for(members[1])
    bookkeeper = api_client_for(accountant)
    machine = printer_colead.post(f"/api/buckets/{printer.pk}/expenses/", {
        "description": "Imprimante", "amount": "640.00", "spent_on": "2026-11-20", "supplier": "Lille 3D",
        "receipt": receipt()}, format="multipart")
    assert machine.status_code == 201, machine.content
    too_much = printer_colead.post(f"/api/buckets/{printer.pk}/expenses/", {
        "description": "Filament", "amount": "200.00", "spent_on": "2026-11-21", "supplier": "Filaments & Co",
        "receipt": receipt("filament.pdf")}, format="multipart")
    assert too_much.status_code == 409 and too_much.json()["code"] == "expense_exceeds_balance"
    filament = printer_colead.post(f"/api/buckets/{printer.pk}/expenses/", {
        "description": "Filament", "amount": "112.50", "spent_on": "2026-11-21", "supplier": "Filaments & Co",
        "receipt": receipt("filament.pdf")}, format="multipart")
    assert filament.status_code == 201, filament.content
    for expense in (machine.json(), filament.json()):
        assert bookkeeper.post(f"/api/expenses/{expense['id']}/approve/", {}, format="json").status_code == 200
        paid = bookkeeper.post(f"/api/expenses/{expense['id']}/pay/",
                               {"paid_at": "2026-11-25", "payment_reference": f"VIR-{expense['id']}"}, format="json")
        assert paid.status_code == 200, paid.content
    printer.refresh_from_db()
    assert (printer.paid_amount, printer.balance) == (D("752.50"), D("47.50"))
    assert_ledger_clean(fund)

    # 5. Completion: the 47,50 € left go back to the 16 funders' envelopes, pro rata to the cent.
    allocated_before = {e.user_id: e.allocated for e in Envelope.objects.filter(round=fund)}
    done = bookkeeper.post(f"/api/buckets/{printer.pk}/complete/", {}, format="json")
    assert done.status_code == 200, done.content
    printer.refresh_from_db()
    assert printer.completed_at is not None and printer.returned_amount == D("47.50")
    returns = LedgerEntry.objects.filter(round=fund, bucket=printer, kind=LedgerEntry.Kind.RETURN)
    assert returns.count() == 16
    shares = {row.member_id: row.before - row.after for row in returns}
    assert sum(shares.values()) == D("47.50")
    assert set(shares.values()) <= {D("2.96"), D("2.97")}  # 47,50 € / 16 = 2,96875 €
    for user_id, share in shares.items():
        assert Envelope.objects.get(round=fund, user_id=user_id).allocated == allocated_before[user_id] - share
    # Every funder's history stays: their allocation rows and the return rows.
    assert LedgerEntry.objects.filter(round=fund, bucket=printer, kind=LedgerEntry.Kind.ALLOCATION).count() == 16
    again = bookkeeper.post(f"/api/buckets/{printer.pk}/complete/", {}, format="json")
    assert again.status_code == 409
    assert_ledger_clean(fund)

    # 6. The accountant's figures add up, per member and for the fund, and the exports agree
    #    with the results, in both flavours.
    reader = api_client_for(accountant)
    results = reader.get(f"/api/rounds/{fund.pk}/results/").json()
    totals = {key: D(value) for key, value in results["totals"].items()}
    assert totals["funded"] == D("800.00") - D("47.50") + D("500.00")
    assert totals["envelopes"] == sum(e.amount for e in Envelope.objects.filter(round=fund))
    assert totals["envelopes"] == sum(totals[p] for p in ("funded", "to_decide", "returned", "open", "unspent"))
    assert len(results["members"]) == Envelope.objects.filter(round=fund).count()
    for row in results["members"]:
        parts = [D(row[p]) for p in ("funded", "to_decide", "returned", "open", "unspent")]
        assert D(row["envelope"]) == sum(parts), row
    for french in (False, True):
        envelopes = read(reader, fund, "envelopes", french=french)
        assert total(envelopes, "envelope") == totals["envelopes"]
        assert total(envelopes, "funded") == totals["funded"]
        assert total(envelopes, "unspent") == totals["unspent"]
        by_bucket = {row["title"]: row for row in read(reader, fund, "results", french=french)}
        assert by_bucket["Imprimante 3D partagée"]["paid"] == D("752.50")
        assert by_bucket["Imprimante 3D partagée"]["returned"] == D("47.50")
        assert by_bucket["Formation comptabilité"]["balance"] == D("500.00")
        expenses = read(reader, fund, "expenses", french=french)
        assert total(expenses, "amount") == D("752.50") and len(expenses) == 2
    assert_ledger_clean(fund)
