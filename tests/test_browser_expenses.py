"""In Debian's Chromium, by clicking only: a co-lead of a funded bucket submits an expense
with its receipt from the bucket page; the accountant finds it in the group's queue,
approves it and records its payment; the bucket page then shows it paid, with funded, paid
and balance. The same pages in French, phone and desktop sized, are saved as screenshots
(SHOTS_DIR, to look at them)."""

import os
from decimal import Decimal

import pytest

from expenses.models import Expense
from groups.models import User
from tests.builders import funded_in_closed_round, image_bytes
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_colead_submits_and_the_accountant_approves_and_pays_by_clicking(
        page, live_server, group, admin_user, member, member2, accountant, tmp_path):
    bucket = funded_in_closed_round(group, admin_user, member, member2, amount="300.00")
    receipt = tmp_path / "ticket de caisse.png"
    receipt.write_bytes(image_bytes("PNG"))

    browser_login(page, live_server, member)
    page.goto(f"{live_server.url}/buckets/{bucket.pk}/")
    section = page.locator("#expenses")
    assert "€300.00" in section.inner_text()
    page.get_by_label("What was bought").fill("Peinture et rouleaux")
    page.get_by_label("Amount").last.fill("120,50")
    page.get_by_label("Date of the receipt").fill("2026-11-20")
    page.get_by_label("Supplier").fill("Leroy")
    page.get_by_label("Receipt", exact=True).set_input_files(str(receipt))
    page.get_by_role("button", name="Submit the expense").click()
    page.wait_for_load_state()
    assert "Expense submitted" in page.content()
    assert "Pending" in page.locator("#expenses").inner_text()
    expense = Expense.objects.get()
    assert expense.amount == Decimal("120.50") and expense.receipt_content_type == "image/png"

    page.context.clear_cookies()
    browser_login(page, live_server, accountant)
    page.goto(f"{live_server.url}/g/{group.slug}/")
    page.get_by_role("link", name="Expenses to decide and to pay").click()
    card = page.locator(f"#expense-{expense.pk}")
    assert "Peinture et rouleaux" in card.inner_text()
    card.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "Expense approved" in page.content()
    card = page.locator(f"#expense-{expense.pk}")
    card.get_by_label("Payment reference").fill("VIR-0042")
    card.get_by_role("button", name="Record the payment").click()
    page.wait_for_load_state()
    assert "Payment recorded" in page.content()
    expense.refresh_from_db()
    assert expense.status == "paid" and expense.payment_reference == "VIR-0042"

    page.goto(f"{live_server.url}/buckets/{bucket.pk}/")
    assert "Paid" in page.locator("#expenses").inner_text()
    # Funded, paid and balance stand once, in the "After funding" panel.
    figures = page.locator(".after-funding").inner_text()
    assert "€300.00" in figures and "€120.50" in figures and "€179.50" in figures


SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def test_the_pages_in_french_at_phone_and_desktop_sizes(_browser, live_server, group, admin_user, member, member2,
                                                        accountant, tmp_path):
    from expenses import services

    User.objects.filter(pk__in=[member.pk, accountant.pk]).update(language="fr")
    bucket = funded_in_closed_round(group, admin_user, member, member2, amount="1500.00", title="Atelier de réparation",
                           envelope="2000.00")
    from tests.builders import pdf_upload, png_upload

    def submit(amount, description, supplier):
        return services.submit(bucket=bucket, actor=member, description=description, amount=amount,
                               spent_on="2026-11-03", supplier=supplier, receipt=pdf_upload())

    paid = submit("1234.56", "Établi et outillage", "Bricomarché")
    services.approve(expense=paid, actor=accountant)
    services.pay(expense=paid, actor=accountant, paid_at="2026-11-20", payment_reference="VIR-0042")
    approved = submit("80.00", "Peinture", "Leroy")
    services.approve(expense=approved, actor=accountant)
    services.submit(bucket=bucket, actor=member, description="Rouleaux", amount="25.90", spent_on="2026-11-21",
                    supplier="", receipt=png_upload())
    rejected = submit("40.00", "Taxi", "")
    services.reject(expense=rejected, actor=accountant, reason="Hors budget")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from expenses import attachments

    for color in ((40, 120, 200), (200, 160, 40)):
        attachments.add(bucket=bucket, actor=member, upload=SimpleUploadedFile(
            "photo.jpg", image_bytes("JPEG", size=(1200, 800), color=color), "image/jpeg"))
    attachments.add(bucket=bucket, actor=member, upload=pdf_upload("Devis Bricomarché.pdf"))

    folder = os.environ.get("SHOTS_DIR") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    for who, path in ((member, f"/buckets/{bucket.pk}/"), (accountant, f"/g/{group.slug}/expenses/")):
        for size, (width, height) in SIZES.items():
            context = _browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
            page = context.new_page()
            browser_login(page, live_server, who)
            page.goto(f"{live_server.url}{path}")
            text = page.locator("main, body").first.inner_text()
            if who == member:
                # The thumbnails load (through the role-checked view) and the quote is listed.
                images = page.locator(".file-gallery img")
                assert images.count() == 2 and "Devis" in text
                for i in range(images.count()):
                    images.nth(i).scroll_into_view_if_needed()
                    for _attempt in range(50):
                        if images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"):
                            break
                        page.wait_for_timeout(100)
                    else:
                        raise AssertionError("a thumbnail did not load")
            assert "1\u202f234,56\u00a0€" in text or "1 234,56" in text.replace("\u202f", " ").replace("\u00a0", " ")
            assert "Payée" in text and ("Refusée" in text)
            if who == accountant:
                assert "En attente" in text and "Approuvée" in text and "20 novembre 2026" in text
                # Nothing overflows the phone's width.
                assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=f"{folder}/{'colead' if who == member else 'accountant'}-{size}.png", full_page=True)
            context.close()
