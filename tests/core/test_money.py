from decimal import Decimal

import pytest

from apps.core.errors import ApplicationError
from apps.core.money import format_money, parse_amount


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.01", Decimal("0.01")),
        ("100", Decimal("100.00")),
        ("1,234.5", Decimal("1234.50")),
        (" 49.99 ", Decimal("49.99")),
        ("1.230", Decimal("1.23")),
        (Decimal("50"), Decimal("50.00")),
        (12, Decimal("12.00")),
    ],
)
def test_amounts_with_at_most_two_decimals_are_parsed(raw, expected):
    # given an amount a customer may type
    # when it is parsed
    value = parse_amount(raw)
    # then it is a two-place Decimal
    assert value == expected
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "The amount must be at least 0.01."),
        ("0.00", "The amount must be at least 0.01."),
        ("-5", "The amount must be at least 0.01."),
        ("0.001", "An amount has at most two decimal places."),
        ("1.234", "An amount has at most two decimal places."),
        ("abc", "Enter an amount such as 100.00."),
        ("", "Enter an amount such as 100.00."),
        (None, "Enter an amount such as 100.00."),
        ("NaN", "Enter an amount such as 100.00."),
        ("Infinity", "Enter an amount such as 100.00."),
        ("1000000000000", "The amount is too large."),
        ("123456789012345678901234567.123", "The amount is too large."),
    ],
)
def test_bad_amounts_are_refused_with_a_field_message(raw, message):
    # given an amount that is not a valid invoice amount
    # when it is parsed
    with pytest.raises(ApplicationError) as raised:
        parse_amount(raw)
    # then the error names the amount field with a clear message
    assert raised.value.code == "invalid_amount"
    assert [str(m) for m in raised.value.fields["amount"]] == [message]


def test_money_is_formatted_with_two_decimals():
    # given amounts with various scales
    # when they are formatted
    # then they always show two decimals
    assert format_money(Decimal("12.3")) == "12.30"
    assert format_money(Decimal("0")) == "0.00"
    assert format_money(None) == "0.00"
    assert format_money(Decimal("1234.565")) == "1234.57"
