"""Bad amounts, the whole catalogue, through every API field and page form that takes money:
an allocation, an envelope, a top-up, budget items, a round's default envelope. Every form
PRODUCT.md names (negative, non-numeric, too precise, absurdly large) plus NaN, infinities,
exponents, 10,000-digit strings and numbers, and digits that are not ASCII (Arabic-Indic,
fullwidth, superscripts). Each is a 400 with a code (API) or an error in words (pages), and
nothing changes: no allocation, envelope, ledger row, bucket or round is written.
"""

import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db.models import Sum
from django.test import Client

from allocations.models import Allocation, Envelope, LedgerEntry
from buckets.models import Bucket, BudgetItem, Round
from groups.models import Membership
from tests.builders import allocate, make_bucket, make_round

# As text (form fields and JSON strings).
BAD_TEXT = [
    "-1", "-0.01", "-0", "abc", "ten", "1.234", "0.001", "10.005", "1000000000", "999999999999", "1000000000.00",
    "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "1e3", "1E3", "1e-2", "0x10", "1_000", "+5", "5-",
    "12,3,4", "10.5.5", "1..5", ".", ",", "", "   ",
    "٣٠", "١٢٫٥٠", "３０", "３０.５", "³⁰", "30²", "½", "۳۰",  # Arabic-Indic, fullwidth, superscripts, Persian
    "1" * 10_000, "0." + "0" * 9_998 + "1", "-" + "9" * 10_000,
]
# As raw JSON values (numbers the parser turns into Decimals, constants, wrong types).
BAD_JSON = [
    "-5", "-0.01", "1.234", "0.001", "1e12", "1E400", "1e-400", "-1e3", "1000000000", "NaN", "Infinity", "-Infinity",
    "1" + "0" * 9_999, "0." + "0" * 9_998 + "1", "true", "false", "null", "[10]", '{"value": 10}',
]
ALL_JSON = BAD_JSON + [json.dumps(text) for text in BAD_TEXT]


def amount_body(raw_json_value: str) -> str:
    return '{"amount": ' + raw_json_value + "}"


def state():
    """Everything an amount could change."""
    return (
        list(Allocation.objects.order_by("pk").values_list("pk", "amount")),
        list(Envelope.objects.order_by("pk").values_list("pk", "amount", "is_custom")),
        LedgerEntry.objects.count(),
        list(Bucket.objects.order_by("pk").values_list("pk", "total", "status")),
        list(BudgetItem.objects.order_by("pk").values_list("pk", "min_amount", "max_amount")),
        list(Round.objects.order_by("pk").values_list("pk", "envelope_amount")),
    )


@pytest.fixture
def world(group, admin_user, member, member2):
    round_ = make_round(group, admin_user)
    bucket = make_bucket(round_, member2, max_amount="1000.00")
    allocate(member, bucket, "10.00")
    permanent = make_round(group, admin_user, kind="permanent", title="Fund")
    return {"round": round_, "bucket": bucket, "permanent": permanent}


def _api_calls(world, admin_user, member):
    round_, bucket, permanent = world["round"], world["bucket"], world["permanent"]
    member_id = Membership.objects.get(group=round_.group, user=member).pk
    def item(low, high):
        return '{"title": "Tools", "budget_items": [{"description": "All", "min_amount": ' + low + ', "max_amount": ' + high + "}]}"

    return [
        ("allocation", member, "PUT", f"/api/buckets/{bucket.pk}/allocation/", amount_body),
        ("envelope", admin_user, "PUT", f"/api/rounds/{round_.pk}/envelopes/{member_id}/", amount_body),
        ("top-up", admin_user, "POST", f"/api/rounds/{permanent.pk}/topup/", amount_body),
        ("budget item min", member, "POST", f"/api/rounds/{permanent.pk}/buckets/", lambda v: item(v, '"20"')),
        ("budget item max", member, "POST", f"/api/rounds/{permanent.pk}/buckets/", lambda v: item('"10"', v)),
        ("round envelope", admin_user, "POST", f"/api/groups/{round_.group.slug}/rounds/",
         lambda v: '{"title": "R", "kind": "permanent", "envelope_amount": ' + v + "}"),
    ]


@pytest.mark.django_db
def test_every_bad_amount_is_a_400_with_a_code_through_every_api_field(world, admin_user, member, api):
    before = state()
    wrong = []
    for name, user, method, url, body in _api_calls(world, admin_user, member):
        client = api(user)
        for raw in ALL_JSON:
            if name == "budget item max" and raw in ("null", '""'):
                continue  # an empty maximum means "the same as the minimum" (a fixed cost)
            response = client.generic(method, url, body(raw), content_type="application/json")
            shown = raw if len(raw) < 40 else raw[:20] + f"…({len(raw)} chars)"
            if response.status_code != 400:
                wrong.append(f"{name} {shown}: {response.status_code} {response.content[:200]!r}")
                continue
            data = response.json()
            if not (data.get("code") and data.get("detail")):
                wrong.append(f"{name} {shown}: no code/detail {data}")
            elif raw.startswith('"') and data["code"] != "invalid_amount":
                wrong.append(f"{name} {shown}: code {data['code']}")
    assert not wrong, "\n".join(wrong)
    assert state() == before


@pytest.mark.django_db
def test_good_amounts_in_every_form_are_still_accepted(world, admin_user, member, api):
    """The other side of the catalogue: a decimal comma, a JSON number, spaces as thousands."""
    bucket = world["bucket"]
    for raw, expected in (('"25,50"', "25.50"), ("25.5", "25.50"), ('"1 000"', "430.00"), ("0", "0.00")):
        response = api(member).put(f"/api/buckets/{bucket.pk}/allocation/", amount_body(raw),
                                   content_type="application/json")
        if expected == "430.00":  # above the envelope: refused by the rule, not the parser
            assert response.status_code == 409 and response.json()["code"] == "envelope_exceeded"
            continue
        assert response.status_code == 200, response.content
        assert response.json()["amount"] == expected


def _error_messages(response) -> list[str]:
    """The error messages this request added: still queued (a redirect) or shown in the page."""
    queued = getattr(get_messages(response.wsgi_request), "_queued_messages", [])
    shown = ["shown"] if 'class="message message-error"' in response.content.decode() else []
    return [str(m) for m in queued if m.level_tag == "error"] + shown


@pytest.mark.django_db
def test_every_bad_amount_is_refused_in_words_by_every_page_form(world, admin_user, member):
    round_, bucket, permanent = world["round"], world["bucket"], world["permanent"]
    membership = Membership.objects.get(group=round_.group, user=member)
    as_member, as_admin = Client(), Client()
    as_member.force_login(member)
    as_admin.force_login(admin_user)
    before = state()
    wrong = []
    for raw in BAD_TEXT:
        shown = raw if len(raw) < 40 else raw[:20] + f"…({len(raw)} chars)"
        # Answered (redirected back, or the form again) with the refusal as an error message.
        for name, client, url, data in (
            ("allocate", as_member, f"/buckets/{bucket.pk}/allocate/", {"amount": raw}),
            ("top-up", as_admin, f"/rounds/{permanent.pk}/topup/", {"amount": raw}),
            ("paper form", as_admin, f"/rounds/{round_.pk}/paper/",
             {"member": membership.pk, f"amount-{bucket.pk}": raw}),
        ):
            if name == "paper form" and not raw.strip():
                continue  # a blank line of a paper form removes that allocation: a valid 0
            response = client.post(url, data)
            if response.status_code not in (200, 302) or not _error_messages(response):
                wrong.append(f"{name} {shown}: {response.status_code} without an error message")
        # The htmx allocation form answers the fragment with the refusal.
        response = as_member.post(f"/buckets/{bucket.pk}/allocate/", {"amount": raw}, HTTP_HX_REQUEST="true")
        if response.status_code != 200 or 'role="alert"' not in response.content.decode():
            wrong.append(f"allocate (htmx) {shown}: {response.status_code}")
        # Forms shown again with the error by the field.
        for name, client, url, data, field in (
            ("envelopes", as_admin, f"/rounds/{round_.pk}/envelopes/", {f"amount-{membership.pk}": raw}, None),
            ("new bucket", as_member, f"/rounds/{permanent.pk}/buckets/new/",
             {"title": "Tools", "item-0-description": "All", "item-0-min": raw, "item-0-max": "20"}, "item-0-min"),
            ("new round", as_admin, f"/g/{round_.group.slug}/rounds/new/",
             {"title": "R", "kind": "permanent", "currency": "EUR", "envelope_amount": raw,
              "min_coleads": "1", "funded_if_percent_of_min": "100"}, "envelope_amount"),
        ):
            response = client.post(url, data)
            if name == "envelopes" and not raw.strip():
                continue  # a blank cell leaves that envelope as it is
            if response.status_code != 200:
                wrong.append(f"{name} {shown}: {response.status_code}")
            elif field is not None and not (response.context["form"].errors.get(field)
                                            or response.context["form"].non_field_errors()):
                wrong.append(f"{name} {shown}: no error on {field}: {response.context['form'].errors}")
            elif field is None and not any(row["error"] for row in response.context["rows"]) and raw.strip():
                wrong.append(f"{name} {shown}: no error on the row")
    assert not wrong, "\n".join(wrong)
    assert state() == before
    assert Allocation.objects.aggregate(total=Sum("amount"))["total"] == Decimal("10.00")


def test_minus_zero_is_zero_on_every_database():
    """JSON's -0.0 is an amount of 0.00, written and answered without a sign (PostgreSQL's
    numeric has no negative zero; SQLite and Python's Decimal have one)."""
    from cobudget.money import parse_amount

    for raw in (Decimal("-0.0"), Decimal("-0"), json.loads("-0.0", parse_float=Decimal)):
        assert str(parse_amount(raw)) == "0.00"
