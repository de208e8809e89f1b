"""Money sums are exact on SQLite and PostgreSQL (SQLite keeps decimals as REAL)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from salesdesk.core.money import fen_sum, fen_to_yuan, to_money
from salesdesk.customers.models import Customer

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


class TestFenSum(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(st.lists(amounts, min_size=1, max_size=40))
    def test_database_sum_equals_exact_decimal_sum(self, values):
        Customer.objects.bulk_create(
            [
                Customer(code=f"M{i:05d}", name=f"客户{i}", credit_limit=v)
                for i, v in enumerate(values)
            ]
        )
        fen = Customer.objects.aggregate(total=fen_sum("credit_limit"))["total"]
        assert fen_to_yuan(fen) == sum(values, Decimal("0.00"))
        Customer.objects.all().delete()


@pytest.mark.django_db
def test_fen_sum_of_nothing_is_zero():
    assert fen_to_yuan(Customer.objects.aggregate(t=fen_sum("credit_limit"))["t"]) == Decimal(
        "0.00"
    )


def test_to_money_reads_what_people_type():
    assert to_money("1,234.5") == Decimal("1234.50")
    assert to_money("¥0.125") == Decimal("0.13")
    assert to_money(2.675) == Decimal("2.68")
    with pytest.raises(ValueError):
        to_money("abc")
