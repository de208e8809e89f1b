from decimal import Decimal

from salesdesk.core.templatetags.core import yuan


def test_yuan_groups_thousands_and_keeps_two_places():
    assert yuan(Decimal("100000")) == "¥100,000.00"
    assert yuan(Decimal("1234567.5")) == "¥1,234,567.50"
    assert yuan(Decimal("-12.345")) == "-¥12.35"
    assert yuan(None) == ""
