"""The decision history as CSV, streamed: one row a proposal, first column its id.

UTF-8 with a BOM so that a French spreadsheet opens it right; `sep=semicolon` gives `;`;
user text that a spreadsheet would take for a formula (= + - @, and tab or carriage return)
is neutralised with a leading single quote.
"""

import csv

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import timezone

from proposals import selectors

HEADER = [
    "id", "title", "opened", "closed", "voters", "voted", "agree", "abstain", "disagree", "block",
    "outcome", "statement", "link", "kind", "majority", "winner",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def neutralise(value: str) -> str:
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _when(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def decision_rows(proposals):
    yield HEADER
    for p in proposals:
        yield [
            p.pk,
            neutralise(p.title),
            _when(p.created_at),
            _when(p.closed_at),
            p.final_voters,
            p.final_voted,
            p.final_agree,
            p.final_abstain,
            p.final_disagree,
            p.final_block,
            p.outcome or "",
            neutralise(p.statement),
            f"{settings.SITE_URL}/proposals/{p.pk}/",
            p.kind,
            p.majority,
            neutralise(p.winner.label) if p.winner_id else "",
        ]


def decisions_csv_response(*, group, q: str = "", sep: str = "comma") -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";" if sep == "semicolon" else ",")
    proposals = selectors.decisions(group=group, q=q).iterator(chunk_size=500)

    def stream():
        yield "\ufeff"
        for row in decision_rows(proposals):
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{group.slug}-decisions.csv"'
    return response
