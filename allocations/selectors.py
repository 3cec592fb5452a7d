"""Reads that pages and the API share for envelopes, allocations and results."""

from allocations.models import Envelope


def envelopes_for_dashboard(user):
    """The user's envelopes in rounds that are published and not closed."""
    envelopes = (
        Envelope.objects.filter(user=user, round__published_at__isnull=False, round__closed_at=None)
        .select_related("round", "round__group")
        .order_by("round__funding_closes_at", "round_id")
    )
    return [e for e in envelopes if e.round.phase != "closed"]
