"""{% bucket_expenses bucket %}: a funded bucket's money after funding on its page (funded,
paid, balance, its expenses) and, for its co-leads, the form to submit one. A tag, so that
the bucket page (a lower app's template) shows it without importing this app."""

from django import template

from expenses import selectors, services
from expenses.forms import ExpenseForm

register = template.Library()


@register.inclusion_tag("expenses/_bucket_expenses.html", takes_context=True)
def bucket_expenses(context, bucket):
    user = context["request"].user
    shown = bucket.funded_amount is not None
    is_lead = shown and services.is_bucket_colead(user, bucket)
    return {
        "shown": shown,
        "bucket": bucket,
        "round": bucket.round,
        "expenses": list(selectors.expenses_of(bucket)) if shown else [],
        "is_lead": is_lead,
        "may_read_receipts": shown and services.may_read_receipts(user, bucket),
        "open": services.takes_expenses(bucket),
        "left": services.left_to_ask(bucket) if shown else None,
        "form": ExpenseForm() if is_lead and services.takes_expenses(bucket) else None,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("expenses/_bucket_files.html", takes_context=True)
def bucket_files(context, bucket):
    """The bucket's images (as thumbnails) and documents, and for its co-leads and the admins
    the form to attach one."""
    from expenses import attachments
    from expenses.models import Attachment

    user = context["request"].user
    found = list(Attachment.objects.filter(bucket=bucket))
    # The bucket page has decided already whether the reader is a co-lead or an admin.
    manages = context["is_lead"] if "is_lead" in context else attachments.may_manage(user, bucket)
    return {
        "bucket": bucket,
        "images": [a for a in found if a.is_image],
        "documents": [a for a in found if not a.is_image],
        "manages": manages,
        "open": bucket.status not in attachments.CLOSED,
        "csrf_token": context.get("csrf_token"),
    }
