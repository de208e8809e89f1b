import pytest

from salesdesk.core.models import NumberSequence
from salesdesk.core.numbers import next_numbers


@pytest.mark.django_db
def test_series_start_continue_and_stay_apart_by_prefix_and_year():
    assert next_numbers("SO", 2026) == ["SO2026000001"]
    assert next_numbers("SO", 2026, 3) == ["SO2026000002", "SO2026000003", "SO2026000004"]
    assert next_numbers("FH", 2026) == ["FH2026000001"]
    assert next_numbers("SO", 2027) == ["SO2027000001"]
    assert NumberSequence.objects.get(prefix="SO", year=2026).last == 4


@pytest.mark.django_db
def test_one_round_trip_once_the_series_exists(django_assert_num_queries):
    next_numbers("SO", 2026)
    with django_assert_num_queries(1):
        next_numbers("SO", 2026)
