"""Percentages are rounded down wherever they are shown, so that a bucket the closing rule
leaves not funded never reads "100 %" (995,00 € of a 1 000,00 € minimum is 99 %)."""

from decimal import Decimal

from django.utils import translation

from buckets.models import Bucket
from groups.templatetags.cobudget import percent


def test_a_bucket_just_under_its_minimum_never_reads_100_percent():
    bucket = Bucket(total=Decimal("995.00"), min_goal=Decimal("1000.00"))
    assert bucket.percent_of_min == Decimal("99.50")
    with translation.override("fr"):
        assert percent(bucket.percent_of_min) == "99\u00a0%"
    almost = Bucket(total=Decimal("999.99"), min_goal=Decimal("1000.00"))
    assert almost.percent_of_min == Decimal("99.99")
    assert percent(almost.percent_of_min).startswith("99")


def test_exactly_the_minimum_reads_100_percent():
    assert percent(Bucket(total=Decimal("1000.00"), min_goal=Decimal("1000.00")).percent_of_min).startswith("100")
