from decimal import Decimal

from salesdesk.finance.selectors.reports import collection_chart


def _report(*dues):
    return {
        "rows": [
            {
                "label": f"2026-{i + 1:02d}",
                "due": Decimal(d),
                "collected": Decimal(d),
                "rate": Decimal("100.0"),
            }
            for i, d in enumerate(dues)
        ]
    }


def test_money_axis_covers_the_largest_bar_in_five_round_steps():
    chart = collection_chart(_report("1561698.19", "1637151.65", "892011.79"))
    money, percent = chart["yAxis"]
    assert money["min"] == 0 and money["max"] >= Decimal("1637151.65")
    assert money["max"] == 5 * money["interval"]
    assert str(money["interval"])[0] in "125" and set(str(money["interval"])[1:]) <= {"0"}
    assert (percent["min"], percent["max"], percent["interval"]) == (0, 100, 20)


def test_an_empty_period_still_draws_an_axis():
    money, _percent = collection_chart(_report())["yAxis"]
    assert money["max"] == 5 and money["interval"] == 1
