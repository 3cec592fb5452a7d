"""Page forms for expenses. They shape input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExpenseForm(forms.Form):
    description = forms.CharField(label=_("What was bought"), max_length=300)
    amount = forms.CharField(label=_("Amount"), max_length=32,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    spent_on = forms.DateField(label=_("Date of the receipt"), widget=DATE_WIDGET)
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    receipt = forms.FileField(
        label=_("Receipt"), required=False, help_text=_("PDF, PNG or JPEG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.TextInput)


class PayForm(forms.Form):
    paid_at = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET)
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_at"].initial = timezone.localdate()
