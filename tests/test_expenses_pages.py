"""The expense pages without a browser: the form on the bucket page (form errors, a 50 MB
upload refused before it is read, nothing written), the accountant's queue and its forms;
and the private storage's settings (a folder by default, S3 from the environment)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from expenses.models import Expense
from tests.builders import PDF_BYTES, funded_in_closed_round, pdf_upload
from tests.settings_helpers import run_manage


@pytest.fixture
def bucket(group, admin_user, member, member2):
    return funded_in_closed_round(group, admin_user, member, member2)


def post_expense(client, bucket, receipt, **extra):
    data = {"description": "Peinture", "amount": "12,50", "spent_on": "2026-11-20", "supplier": "Leroy"}
    data.update(extra)
    if receipt is not None:
        data["receipt"] = receipt
    return client.post(f"/buckets/{bucket.pk}/expenses/", data, HTTP_ACCEPT_LANGUAGE="fr")


def test_the_bucket_page_shows_figures_and_the_form_to_its_coleads(client, bucket, member, member2):
    client.force_login(member)
    html = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert 'id="expenses"' in html and 'enctype="multipart/form-data"' in html
    client.force_login(member2)
    html = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert 'id="expenses"' in html and 'name="receipt"' not in html


def test_a_colead_submits_from_the_page(client, bucket, member):
    client.force_login(member)
    response = post_expense(client, bucket, pdf_upload())
    assert response.status_code == 302 and response["Location"].endswith(f"/buckets/{bucket.pk}/#expenses")
    assert Expense.objects.get().amount == 12.50


def test_a_50_mb_upload_through_the_page_is_refused_and_nothing_written(client, bucket, member,
                                                                        _private_files_in_a_temporary_folder):
    client.force_login(member)
    big = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"0" * (50 * 1024 * 1024), "application/pdf")
    response = post_expense(client, bucket, big)
    assert response.status_code == 302
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "10\u202fMo" in page
    assert not Expense.objects.exists()
    assert not [p for p in _private_files_in_a_temporary_folder.rglob("*") if p.is_file()]


def test_a_renamed_executable_through_the_page_is_a_form_error(client, bucket, member):
    client.force_login(member)
    fake = SimpleUploadedFile("facture.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = post_expense(client, bucket, fake)
    assert response.status_code == 400
    assert "son contenu a été vérifié" in response.content.decode()
    assert 'value="Peinture"' in response.content.decode()  # what was typed stays
    assert not Expense.objects.exists()


def test_the_queue_decides_and_pays(client, bucket, member, accountant):
    client.force_login(member)
    post_expense(client, bucket, pdf_upload())
    expense = Expense.objects.get()
    client.force_login(accountant)
    assert "Peinture" in client.get("/g/artefacts/expenses/").content.decode()
    client.post(f"/expenses/{expense.pk}/approve/")
    client.post(f"/expenses/{expense.pk}/pay/", {"paid_at": "2026-11-21", "payment_reference": "VIR-1"})
    expense.refresh_from_db()
    bucket.refresh_from_db()
    assert expense.status == "paid" and bucket.paid_amount == expense.amount


def test_the_private_storage_is_a_folder_by_default_and_s3_when_configured():
    code = ("from django.conf import settings as s; from django.core.files.storage import storages;"
            "p = storages['private']; print(s.STORAGES['private']['BACKEND'], type(p).__name__,"
            " getattr(p, 'bucket_name', '-'), getattr(p, 'location', '-'), getattr(p, 'endpoint_url', '-'))")
    folder = run_manage("shell", "-c", code, env_extra={}).stdout.strip().splitlines()[-1].split()
    assert folder[0] == "django.core.files.storage.FileSystemStorage" and folder[3].endswith("var/private")
    s3 = run_manage("shell", "-c", code, env_extra={
        "S3_BUCKET": "cobudget-receipts", "S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud", "S3_REGION": "fr-par",
        "S3_ACCESS_KEY_ID": "key", "S3_SECRET_ACCESS_KEY": "secret"}).stdout.strip().splitlines()[-1].split()
    assert s3 == ["storages.backends.s3.S3Storage", "S3Storage", "cobudget-receipts", "private",
                  "https://s3.fr-par.scw.cloud"]
