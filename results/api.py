"""API of closing and results: close a round now, read its results, download its exports."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from allocations.api import RoundSerializer
from allocations.figures import PARTS_AND_ALLOCATED
from audit import services as audit
from buckets.selectors import get_round_for
from groups.models import Role
from results import exports, services
from results.selectors import can_export, can_see_member_detail, round_results


def _money(value) -> str:
    return f"{value:.2f}"


def _after_funding_figures(bucket) -> dict:
    """funded (what it was funded with), paid, balance (funded − paid) and returned (what its
    completion or cancellation gave back); null for a bucket never funded."""
    if bucket.funded_amount is None:
        return {"funded": None, "paid": None, "balance": None, "returned": None}
    return {"funded": _money(bucket.funded_amount), "paid": _money(bucket.paid_amount),
            "balance": _money(bucket.balance), "returned": _money(bucket.returned_amount)}


def results_payload(results, *, with_members: bool) -> dict:
    round = results.round
    body = {
        "round": {
            "id": round.id,
            "title": round.title,
            "kind": round.kind,
            "currency": round.currency,
            "phase": round.phase,
            "closed_at": round.closed_at.isoformat() if round.closed_at else None,
            "funding_closes_at": round.funding_closes_at.isoformat() if round.funding_closes_at else None,
            "meeting_at": round.meeting_at.isoformat() if round.meeting_at else None,
            "funded_if_percent_of_min": _money(round.funded_if_percent_of_min),
            "decide_if_percent_of_min": (
                _money(round.decide_if_percent_of_min) if round.decide_if_percent_of_min is not None else None
            ),
        },
        "final": results.closed,
        "totals": {key: _money(value) for key, value in results.totals.items()},
        "given_back": [
            {"bucket": row["bucket"].id, "status": row["bucket"].status, "contributions": row["contributions"],
             "amount": _money(row["amount"])}
            for row in results.given_back
        ],
        "returned_after_funding": [
            {"bucket": row["bucket"].id, "outcome": row["outcome"], "at": row["at"].isoformat(),
             "funders": row["funders"], "amount": _money(row["amount"]),
             "to": "envelopes" if row["to_envelopes"] else "returned",
             "reason": row["bucket"].cancel_reason if row["outcome"] == "funding_cancelled" else ""}
            for row in results.after_funding
        ],
        "buckets": [
            {
                "id": item.bucket.id,
                "title": item.bucket.title,
                "status": item.bucket.status,
                "min_goal": _money(item.bucket.min_goal),
                "max_goal": _money(item.bucket.max_goal),
                "total": _money(item.bucket.total),
                "contributors_count": item.bucket.contributors_count,
                "percent_of_min": _money(item.percent),
                "proposal": item.proposal_id,
                **_after_funding_figures(item.bucket),
            }
            for item in results.buckets
        ],
    }
    if with_members:
        body["members"] = [
            {
                "member": {"id": row["user"].id, "email": row["user"].email, "name": row["user"].name},
                "envelope": _money(row["figures"].envelope),
                **{part: _money(getattr(row["figures"], part)) for part in PARTS_AND_ALLOCATED},
            }
            for row in results.members
        ]
    return body


@extend_schema(
    responses=OpenApiTypes.OBJECT,
    description="Totals {envelopes, allocated, funded, to_decide, returned, open, unspent} (envelopes = funded + "
    "to_decide + returned + open + unspent), each bucket of the results (funded first), the withdrawn and merged "
    "buckets with what they gave back before close, the funded buckets completed or cancelled with what they gave "
    "back (`to`: envelopes in a permanent fund, returned in a fixed round), each bucket's funded, paid, balance and "
    "returned, and, for admins and accountants, each member's figures.",
)
@api_view(["GET"])
def round_results_view(request, round_id: int):
    round, membership = get_round_for(request.user, round_id)
    with_members = can_see_member_detail(membership)
    results = round_results(round, with_members=with_members)
    return Response(results_payload(results, with_members=with_members))


@extend_schema(request=None, responses=RoundSerializer, description="Close the round now (admins; idempotent).")
@api_view(["POST"])
def close_round_view(request, round_id: int):
    round, membership = get_round_for(request.user, round_id)
    if membership.role != Role.ADMIN:
        raise PermissionDenied(_("Only an admin of the group can close a round."))
    services.close_round(round=round, actor=request.user)
    round.refresh_from_db()
    return Response(RoundSerializer(round).data)


class CSVRenderer(renderers.BaseRenderer):
    """Lets a client ask for text/csv; errors are still written as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data)


class XLSXRenderer(CSVRenderer):
    media_type = exports.XLSX_TYPE
    format = "xlsx"
    charset = None


FLAVOUR = OpenApiParameter(
    "sep", str, enum=["semicolon"],
    description="The French flavour: `;` separators, decimal commas, French headers, statuses in words, dates "
    "dd/mm/yyyy hh:mm in the group's time zone (the default is machine-readable: codes, ISO 8601 UTC)",
)


def _export_view(kind: str, extension: str):
    media = "text/csv" if extension == "csv" else exports.XLSX_TYPE

    @extend_schema(
        responses={(200, media): OpenApiTypes.BINARY if extension == "xlsx" else OpenApiTypes.STR},
        parameters=[FLAVOUR],
        description=(f"The {kind} of the round as CSV (UTF-8 with BOM), streamed; admins and accountants."
                     if extension == "csv" else
                     f"The {kind} of the round as an .xlsx workbook with typed cells; admins and accountants."),
    )
    @api_view(["GET"])
    @renderer_classes([renderers.JSONRenderer, CSVRenderer if extension == "csv" else XLSXRenderer])
    def view(request, round_id: int):
        round, membership = get_round_for(request.user, round_id)
        if not can_export(membership):
            raise PermissionDenied(_("Only admins and accountants can download the exports."))
        french = request.query_params.get("sep") == "semicolon"
        audit.record_download(actor=request.user, group=round.group_id, obj=round,
                              export=f"{kind}{'-fr' if french else ''}.{extension}")
        if extension == "xlsx":
            return exports.xlsx_response(round=round, kind=kind, french=french)
        return exports.streaming_response(round=round, kind=kind, semicolon=french)

    view.__name__ = f"export_{kind}_{extension}"
    return view


export_results = _export_view("results", "csv")
export_allocations = _export_view("allocations", "csv")
export_envelopes = _export_view("envelopes", "csv")
export_results_xlsx = _export_view("results", "xlsx")
export_allocations_xlsx = _export_view("allocations", "xlsx")
export_envelopes_xlsx = _export_view("envelopes", "xlsx")
export_expenses = _export_view("expenses", "csv")
export_expenses_xlsx = _export_view("expenses", "xlsx")
