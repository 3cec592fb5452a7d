"""Expenses through the API (API.md "After funding"): co-leads submit with a receipt checked
by its content, accountants and admins decide, accountants pay; paid + asked never passes
the funded amount; every refusal changes nothing, leaves no file behind."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from buckets.models import Bucket
from expenses.models import Expense
from tests.builders import (
    PDF_BYTES,
    funded_in_closed_round,
    image_bytes,
    jpeg_upload,
    make_bucket,
    make_round,
    pdf_upload,
    png_upload,
)


@pytest.fixture
def bucket(group, admin_user, member, member2):
    return funded_in_closed_round(group, admin_user, member, member2)


def stored_files(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def submit(client, bucket, *, amount="120.50", receipt=None, **extra):
    body = {"description": "Paint", "amount": amount, "spent_on": "2026-11-20", "supplier": "Leroy",
            "receipt": receipt if receipt is not None else pdf_upload()}
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    body.update({k: v for k, v in extra.items() if not k.startswith("HTTP_")})
    body = {k: v for k, v in body.items() if v is not None}
    return client.post(f"/api/buckets/{bucket.pk}/expenses/", body, format="multipart", **headers)


def test_a_colead_submits_an_expense_with_its_receipt(api, bucket, member, accountant, member2,
                                                      _private_files_in_a_temporary_folder):
    response = submit(api(member), bucket, receipt=pdf_upload("Facture mars.pdf"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["amount"] == "120.50" and body["spent_on"] == "2026-11-20"
    assert set(body) >= {"id", "description", "amount", "spent_on", "supplier", "status", "receipt_url",
                         "submitted_by", "decided_by", "decided_at", "reason", "paid_at", "payment_reference"}
    assert body["receipt_url"].endswith(f"/api/expenses/{body['id']}/receipt/")
    assert body["submitted_by"] == {"id": member.pk, "name": member.display_name}
    expense = Expense.objects.get(pk=body["id"])
    assert expense.receipt_content_type == "application/pdf" and expense.receipt_name == "Facture_mars.pdf"
    # Stored under a random name of ours, in the private folder.
    assert stored_files(_private_files_in_a_temporary_folder)[0].suffix == ".pdf"
    assert "Facture" not in expense.receipt.name
    assert AuditEntry.objects.filter(action="expense.submitted", object_id=str(expense.pk)).exists()
    # The group reads the list; receipts' addresses only for those who may open them.
    listed = api(member2).get(f"/api/buckets/{bucket.pk}/expenses/").json()
    assert listed["count"] == 1 and listed["results"][0]["receipt_url"] is None
    assert api(accountant).get(f"/api/buckets/{bucket.pk}/expenses/").json()["results"][0]["receipt_url"]


@pytest.mark.parametrize("upload", [png_upload, jpeg_upload])
def test_images_are_receipts_too(api, bucket, member, upload):
    response = submit(api(member), bucket, receipt=upload())
    assert response.status_code == 201, response.json()


BAD_FILES = [
    ("an executable renamed .pdf", SimpleUploadedFile("facture.pdf", b"MZ\x90\x00" + b"\x00" * 500, "application/pdf"),
     "file_type"),
    ("an ELF renamed .png", SimpleUploadedFile("photo.png", b"\x7fELF" + b"\x00" * 500, "image/png"), "file_type"),
    ("an empty file", SimpleUploadedFile("vide.pdf", b"", "application/pdf"), "file_empty"),
    ("HTML announced as a PDF", SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script>", "application/pdf"),
     "file_type"),
    ("a truncated PNG", SimpleUploadedFile("t.png", image_bytes("PNG")[:40], "image/png"), "file_type"),
    ("a GIF", SimpleUploadedFile("a.gif", b"GIF89a" + b"\x00" * 100, "image/gif"), "file_type"),
    ("a PNG named .jpg whose bytes are text", SimpleUploadedFile("a.jpg", b"\xff\xd8\xffnot a jpeg", "image/jpeg"),
     "file_type"),
]


@pytest.mark.parametrize("label, upload, code", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_file_that_is_not_a_receipt_is_refused_in_french_and_nothing_is_written(
        api, bucket, member, settings, label, upload, code, _private_files_in_a_temporary_folder):
    settings.LANGUAGE_CODE = "fr"
    client = api(member)
    response = client.post(f"/api/buckets/{bucket.pk}/expenses/",
                           {"description": "Paint", "amount": "10", "spent_on": "2026-11-20", "receipt": upload},
                           format="multipart", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert response.json()["field"] == "receipt"
    assert "fichier" in response.json()["detail"]
    assert not Expense.objects.exists()
    assert stored_files(_private_files_in_a_temporary_folder) == []


def test_a_missing_receipt_is_a_400(api, bucket, member):
    response = api(member).post(f"/api/buckets/{bucket.pk}/expenses/",
                                {"description": "Paint", "amount": "10", "spent_on": "2026-11-20"}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "file_required"


def test_a_50_mb_upload_is_refused_from_its_length_before_it_is_read(api, bucket, member,
                                                                      _private_files_in_a_temporary_folder):
    big = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"0" * (50 * 1024 * 1024), "application/pdf")
    response = submit(api(member), bucket, receipt=big, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert "10\u202fMo" in response.json()["detail"]
    assert not Expense.objects.exists() and stored_files(_private_files_in_a_temporary_folder) == []


def test_a_file_growing_past_10_mb_without_a_length_is_dropped_while_read(rf, bucket, member):
    """A chunked body (no Content-Length) is parsed through the limiting handler: the file is
    dropped past 10 MB, never kept whole, and the answer says it was too large."""
    from django.core.files.uploadhandler import SkipFile

    from expenses import files

    request = rf.post("/")
    files.limit_uploads(request)
    handler = request.upload_handlers[0]
    handler.new_file("receipt", "scan.pdf", "application/pdf", None)
    chunk = b"0" * (1024 * 1024)
    with pytest.raises(SkipFile):
        for start in range(0, 12):
            handler.receive_data_chunk(chunk, start * len(chunk))
    assert request.upload_too_large
    with pytest.raises(Exception) as refused:
        files.checked(None, request=request)
    assert refused.value.code == "file_too_large"


def test_just_under_10_mb_is_accepted(api, bucket, member):
    upload = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024 - len(PDF_BYTES) - 10),
                                "application/pdf")
    assert submit(api(member), bucket, receipt=upload).status_code == 201


def test_only_its_coleads_submit(api, bucket, member2, accountant, admin_user):
    for user in (member2, accountant, admin_user):
        assert submit(api(user), bucket).status_code == 403
    assert not Expense.objects.exists()


def test_an_expense_on_an_open_bucket_is_bucket_not_funded(api, group, admin_user, member):
    round = make_round(group, admin_user, title="Round 2027")
    open_bucket = make_bucket(round, member, title="Open one")
    response = submit(api(member), open_bucket)
    assert response.status_code == 409 and response.json()["code"] == "bucket_not_funded"
    assert not Expense.objects.exists()


@pytest.mark.parametrize("field", ["completed_at", "cancelled_at"])
def test_a_completed_or_cancelled_bucket_takes_no_expense(api, bucket, member, field):
    from django.utils import timezone

    Bucket.objects.filter(pk=bucket.pk).update(**{field: timezone.now()})
    response = submit(api(member), bucket)
    assert response.status_code == 409 and response.json()["code"] == "bucket_not_funded"


def test_paid_plus_asked_never_passes_the_funded_amount(api, bucket, member, accountant):
    client = api(member)
    assert submit(client, bucket, amount="200.00").status_code == 201
    refused = submit(client, bucket, amount="100.01", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409 and refused.json()["code"] == "expense_exceeds_balance"
    assert "€100.00" in refused.json()["detail"]
    assert submit(client, bucket, amount="100.00").status_code == 201
    assert Expense.objects.count() == 2
    # A rejected expense frees what it asked.
    first = Expense.objects.order_by("id").first()
    assert api(accountant).post(f"/api/expenses/{first.pk}/reject/", {"reason": "No receipt"}).status_code == 200
    assert submit(client, bucket, amount="200.00").status_code == 201


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.234", "1e400"])
def test_a_bad_amount_is_a_400(api, bucket, member, amount):
    response = submit(api(member), bucket, amount=amount)
    assert response.status_code == 400, response.json()
    assert not Expense.objects.exists()


def test_a_date_in_the_future_is_a_400(api, bucket, member):
    response = submit(api(member), bucket, spent_on="2999-01-01")
    assert response.status_code == 400 and response.json()["field"] == "spent_on"


def test_accountants_and_admins_approve_or_reject_with_a_reason(api, bucket, member, accountant, admin_user, member2):
    client = api(member)
    one = submit(client, bucket, amount="10").json()["id"]
    two = submit(client, bucket, amount="20").json()["id"]
    for user in (member, member2):
        assert api(user).post(f"/api/expenses/{one}/approve/").status_code == 403
    response = api(accountant).post(f"/api/expenses/{one}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["decided_by"] == {"id": accountant.pk, "name": accountant.display_name}
    no_reason = api(admin_user).post(f"/api/expenses/{two}/reject/", {"reason": "  "})
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    assert Expense.objects.get(pk=two).status == "pending"
    rejected = api(admin_user).post(f"/api/expenses/{two}/reject/", {"reason": "Not in the budget"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "Not in the budget"
    again = api(accountant).post(f"/api/expenses/{two}/approve/")
    assert again.status_code == 409 and again.json()["code"] == "expense_not_pending"
    assert Expense.objects.get(pk=two).status == "rejected"
    assert AuditEntry.objects.filter(action="expense.approved").count() == 1
    assert AuditEntry.objects.filter(action="expense.rejected").count() == 1


def test_the_accountant_pays_an_approved_expense_once(api, bucket, member, accountant, admin_user):
    expense = submit(api(member), bucket, amount="120.50").json()["id"]
    early = api(accountant).post(f"/api/expenses/{expense}/pay/", {"paid_at": "2026-11-25", "payment_reference": "VIR-1"})
    assert early.status_code == 409 and early.json()["code"] == "expense_not_approved"
    api(accountant).post(f"/api/expenses/{expense}/approve/")
    assert api(admin_user).post(f"/api/expenses/{expense}/pay/", {"paid_at": "2026-11-25"}).status_code == 403
    paid = api(accountant).post(f"/api/expenses/{expense}/pay/", {"paid_at": "2026-11-25", "payment_reference": "VIR-1"})
    assert paid.status_code == 200, paid.json()
    assert paid.json()["status"] == "paid" and paid.json()["paid_at"] == "2026-11-25"
    assert paid.json()["payment_reference"] == "VIR-1"
    bucket.refresh_from_db()
    assert bucket.paid_amount == Decimal("120.50") and bucket.balance == Decimal("179.50")
    twice = api(accountant).post(f"/api/expenses/{expense}/pay/", {"paid_at": "2026-11-26", "payment_reference": "VIR-2"})
    assert twice.status_code == 409 and twice.json()["code"] == "expense_already_paid"
    bucket.refresh_from_db()
    assert bucket.paid_amount == Decimal("120.50")
    assert Expense.objects.get(pk=expense).payment_reference == "VIR-1"
    assert AuditEntry.objects.filter(action="expense.paid").count() == 1


def test_paying_a_rejected_expense_changes_nothing(api, bucket, member, accountant):
    expense = submit(api(member), bucket, amount="50").json()["id"]
    api(accountant).post(f"/api/expenses/{expense}/reject/", {"reason": "Duplicate"})
    response = api(accountant).post(f"/api/expenses/{expense}/pay/", {"paid_at": "2026-11-25"})
    assert response.status_code == 409 and response.json()["code"] == "expense_not_approved"
    assert "rejected" in response.json()["detail"]
    bucket.refresh_from_db()
    assert bucket.paid_amount == 0 and Expense.objects.get(pk=expense).status == "rejected"


@pytest.mark.parametrize("body", [{}, {"paid_at": "soon"}, {"paid_at": "2999-01-01"}])
def test_a_payment_needs_a_past_date(api, bucket, member, accountant, body):
    expense = submit(api(member), bucket, amount="50").json()["id"]
    api(accountant).post(f"/api/expenses/{expense}/approve/")
    assert api(accountant).post(f"/api/expenses/{expense}/pay/", body).status_code == 400
    assert Expense.objects.get(pk=expense).status == "approved"


def test_the_receipt_is_streamed_to_those_who_may_read_it(api, bucket, member, member2, accountant, admin_user,
                                                          outsider):
    expense = submit(api(member), bucket, receipt=png_upload("photo du ticket.PNG")).json()["id"]
    url = f"/api/expenses/{expense}/receipt/"
    for user in (member, accountant, admin_user):
        response = api(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "photo_du_ticket.png" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert api(member2).get(url).status_code == 403
    assert api(outsider).get(url).status_code == 404
    assert api(None).get(url).status_code == 401


def test_the_content_type_is_ours_never_the_clients(api, bucket, member):
    lying = SimpleUploadedFile("page.html", PDF_BYTES, content_type="text/html")
    expense = submit(api(member), bucket, receipt=lying).json()["id"]
    response = api(member).get(f"/api/expenses/{expense}/receipt/")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="page.pdf"' in response["Content-Disposition"]


def test_a_failure_after_the_file_was_written_removes_it(api, bucket, member, monkeypatch,
                                                         _private_files_in_a_temporary_folder):
    from audit import services as audit_services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_services, "record", broken)
    with pytest.raises(RuntimeError):
        submit(api(member), bucket)
    assert not Expense.objects.exists()
    assert stored_files(_private_files_in_a_temporary_folder) == []
