"""Page forms for rounds, buckets and comments. They shape input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from buckets.models import Round
from cobudget.errors import DomainError
from cobudget.money import CURRENCY_CHOICES, parse_amount

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ITEM_ROWS = 3  # blank budget-item rows offered on top of the existing ones


class AmountField(forms.CharField):
    """An amount typed the local way (430 or 430,50); parsed by cobudget.money.parse_amount."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            return parse_amount(value)
        except DomainError as exc:
            raise forms.ValidationError(str(exc.detail), code=exc.code) from None


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description (Markdown)"), widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Round.Kind.choices, initial=Round.Kind.FIXED)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="EUR")
    envelope_amount = AmountField(label=_("Default envelope per member"))
    proposals_open_at = forms.DateTimeField(label=_("Proposals open at"), widget=DATETIME_WIDGET, required=False)
    funding_opens_at = forms.DateTimeField(label=_("Funding opens at"), widget=DATETIME_WIDGET, required=False)
    funding_closes_at = forms.DateTimeField(label=_("Funding closes at"), widget=DATETIME_WIDGET, required=False,
                                            help_text=_("Leave empty for a permanent round."))
    meeting_at = forms.DateTimeField(label=_("Board meeting at"), widget=DATETIME_WIDGET, required=False)
    max_per_member_per_bucket = AmountField(label=_("Cap per member and bucket"), required=False,
                                            help_text=_("Empty: no cap."))
    min_coleads = forms.IntegerField(label=_("Minimum co-leads per bucket"), min_value=0, max_value=20, initial=1)
    funded_if_percent_of_min = forms.DecimalField(label=_("Funded from % of the minimum goal"), min_value=0, max_value=100,
                                                  decimal_places=2, initial=100)
    decide_if_percent_of_min = forms.DecimalField(label=_("To decide at the meeting from % of the minimum goal"),
                                                  min_value=0, max_value=100, decimal_places=2, required=False,
                                                  help_text=_("Empty: no “to decide” band."))
    buckets_during_funding = forms.BooleanField(label=_("New buckets may be proposed during funding"), required=False)
    expires_after_days = forms.IntegerField(
        label=_("Open buckets expire after (days)"), min_value=1, max_value=3650, required=False,
        help_text=_("Permanent fund only: a bucket still unfunded that many days after it was published is closed "
                    "not funded, and its allocations go back to the envelopes. Empty: never."))

    def __init__(self, *args, published=False, **kwargs):
        super().__init__(*args, **kwargs)
        if published:
            for name in ("kind", "currency"):
                self.fields[name].disabled = True

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("kind", "currency"):
            if self.fields[name].disabled:
                data.pop(name, None)
        return data


class BucketForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=500, required=False)
    description = forms.CharField(label=_("Description (Markdown)"), widget=forms.Textarea, required=False)
    coleads = forms.CharField(label=_("Add a co-lead"), required=False, max_length=2000,
                              help_text=_("Type a name and choose the person in the list; several names or "
                                          "e-mail addresses may be separated by commas."))
    tags = forms.CharField(label=_("Tags (separated by commas)"), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_count = len(items) + ITEM_ROWS
        for n in range(self.item_count):
            item = items[n] if n < len(items) else None
            self.fields[f"item-{n}-description"] = forms.CharField(
                label=_("Budget item %(n)d") % {"n": n + 1}, max_length=300, required=False,
                initial=item.description if item else "")
            self.fields[f"item-{n}-min"] = AmountField(label=_("Minimum"), required=False,
                                                       initial=item.min_amount if item else "")
            self.fields[f"item-{n}-max"] = AmountField(label=_("Maximum"), required=False,
                                                       initial=item.max_amount if item else "")

    def item_rows(self):
        return [(self[f"item-{n}-description"], self[f"item-{n}-min"], self[f"item-{n}-max"]) for n in range(self.item_count)]

    def service_fields(self, colead_ids=()) -> dict:
        """The fields for create_bucket / update_bucket; `colead_ids` are the member ids of the
        co-leads ticked on the form, before the names and addresses typed in `coleads`."""
        data = self.cleaned_data
        items = []
        for n in range(self.item_count):
            description = data.get(f"item-{n}-description")
            low, high = data.get(f"item-{n}-min"), data.get(f"item-{n}-max")
            if description or low is not None or high is not None:
                items.append({"description": description or "", "min_amount": low, "max_amount": high})
        split = lambda text: [part.strip() for part in (text or "").split(",") if part.strip()]  # noqa: E731
        return {
            "title": data["title"],
            "summary": data.get("summary") or "",
            "description": data.get("description") or "",
            "budget_items": items,
            "coleads": [int(i) for i in colead_ids if str(i).isdigit()] + split(data.get("coleads")),
            "tags": split(data.get("tags")),
        }


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment (Markdown)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
