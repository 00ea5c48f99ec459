"""Amounts are parsed strictly (plain ASCII decimals) and shown one way: ¥4,267.50."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from apps.core.errors import ApplicationError
from apps.core.money import format_cny, format_money, parse_amount, parse_page_amount

NOT_AN_AMOUNT = "Enter an amount such as 100.00."
NO_SEPARATORS = "Enter the amount without thousands separators, such as 1000.50."


def _refusal(parse, raw) -> str:
    with pytest.raises(ApplicationError) as raised:
        parse(raw)
    assert raised.value.code == "invalid_amount"
    assert list(raised.value.fields) == ["amount"]
    [message] = [str(m) for m in raised.value.fields["amount"]]
    assert str(raised.value.message) == message
    return message


# --- parse_amount: the API and CSV rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.01", Decimal("0.01")),
        ("100", Decimal("100.00")),
        ("1234.5", Decimal("1234.50")),
        (" 49.99 ", Decimal("49.99")),
        ("1.230", Decimal("1.23")),
        ("0.5", Decimal("0.50")),
        ("999999999999.99", Decimal("999999999999.99")),
        (Decimal("50"), Decimal("50.00")),
        (Decimal("1E+2"), Decimal("100.00")),  # a Decimal from our own code is a number, not text
        (12, Decimal("12.00")),
        (12.5, Decimal("12.50")),  # a JSON number
        # full-width digits and point, as a Chinese input method types them in full-width mode
        ("１０００．５０", Decimal("1000.50")),
        ("\u3000８８\u3000", Decimal("88.00")),
    ],
)
def test_plain_decimals_with_at_most_two_places_are_parsed(raw, expected):
    # given an amount as a client or a customer sends it
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
        ("1000000000000", "The amount is too large."),
        ("123456789012345678901234567.12", "The amount is too large."),
        ("1,000", NO_SEPARATORS),
        ("1,000.50", NO_SEPARATORS),
    ],
)
def test_amounts_breaking_a_rule_are_refused_with_that_rule(raw, message):
    # given an amount that reads as a number but breaks a rule
    # when it is parsed
    # then the amount field says which rule
    assert _refusal(parse_amount, raw) == message


@pytest.mark.parametrize(
    "raw",
    [
        "1e2",  # Decimal() reads it as 100
        "1E2",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "sNaN",
        "1_000",  # Decimal() and int() read it as 1000
        "١٠٠",  # Arabic-Indic digits: Decimal() reads them as 100
        "۱۰۰",  # Persian digits
        "१००",  # Devanagari digits
        "+5",
        "100abc",
        "abc100",
        "100 元",
        "¥100",  # the API takes plain decimals; the pages strip the sign (parse_page_amount)
        "1.2.3",
        ".",
        "-",
        "1 000",
        "100\x00",
        "100\n1",
        "0x10",
        "一百",
        "",
        "   ",
        None,
        True,
        [100],
        "9" * 100,
    ],
)
def test_anything_but_a_plain_ascii_decimal_is_refused(raw):
    # given a value Python's Decimal() might accept, or junk
    # when it is parsed as an amount
    # then it is refused as not an amount (never read as 100, never a 500)
    assert _refusal(parse_amount, raw) == NOT_AN_AMOUNT


def test_a_non_finite_decimal_is_refused():
    # given Decimal NaN / Infinity values (e.g. from code, not text)
    # when they are parsed
    # then they are refused like the text
    assert _refusal(parse_amount, Decimal("NaN")) == NOT_AN_AMOUNT
    assert _refusal(parse_amount, Decimal("Infinity")) == NOT_AN_AMOUNT


def test_the_error_names_the_field_it_was_asked_for():
    # given a caller whose amount field has another name (a CSV column)
    # when a bad amount is parsed
    with pytest.raises(ApplicationError) as raised:
        parse_amount("1e2", field="consumed")
    # then the error is on that field
    assert list(raised.value.fields) == ["consumed"]


# --- parse_page_amount: what people paste into a page -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("¥1,000.50", Decimal("1000.50")),
        ("￥1,000.50", Decimal("1000.50")),  # the full-width yuan sign of a Chinese input method
        ("¥ 1000", Decimal("1000.00")),
        (" ¥4,267.50 ", Decimal("4267.50")),
        ("1,234,567.89", Decimal("1234567.89")),
        ("1,000", Decimal("1000.00")),
        ("１，０００．５０", Decimal("1000.50")),
        ("1000.5", Decimal("1000.50")),
        ("50", Decimal("50.00")),
    ],
)
def test_pages_accept_a_pasted_amount_with_the_yuan_sign_and_thousands_separators(raw, expected):
    # given an amount copied from a page or a statement
    # when the page parses it
    # then the sign and separators are dropped and the amount is exact
    assert parse_page_amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1,00", NOT_AN_AMOUNT),  # separators not every three digits: maybe a decimal comma
        ("10,00,000", NOT_AN_AMOUNT),
        ("1,000.5,0", NOT_AN_AMOUNT),
        (",100", NOT_AN_AMOUNT),
        ("¥¥5", NOT_AN_AMOUNT),
        ("5¥", NOT_AN_AMOUNT),
        ("¥1e2", NOT_AN_AMOUNT),
        ("¥NaN", NOT_AN_AMOUNT),
        ("¥1_000", NOT_AN_AMOUNT),
        ("¥+5", NOT_AN_AMOUNT),
        ("$100", NOT_AN_AMOUNT),
        ("¥", NOT_AN_AMOUNT),
        ("-¥5", "The amount must be at least 0.01."),
        ("¥0.00", "The amount must be at least 0.01."),
        ("¥1,000.505", "An amount has at most two decimal places."),
    ],
)
def test_pages_still_refuse_what_is_not_a_plain_amount(raw, message):
    # given a pasted value that is not a plain amount once the sign and separators are gone
    # when the page parses it
    # then it is refused with the same messages as the API
    assert _refusal(parse_page_amount, raw) == message


# --- format_cny and the money filter: one look everywhere -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("4267.5"), "¥4,267.50"),
        (Decimal("4267.50"), "¥4,267.50"),
        (Decimal("1234567.891"), "¥1,234,567.89"),
        (Decimal("0.005"), "¥0.01"),  # half up, like every amount
        (Decimal("0"), "¥0.00"),
        (Decimal("-0.001"), "¥0.00"),  # no "-¥0.00"
        (Decimal("-1234.5"), "-¥1,234.50"),
        (50, "¥50.00"),
        ("4267.5", "¥4,267.50"),
        (None, "¥0.00"),
    ],
)
def test_money_is_shown_with_the_yuan_sign_separators_and_two_decimals(value, expected):
    # given an amount in a service (message, e-mail, formula)
    # when it is formatted for people
    # then it has one look
    assert format_cny(value) == expected


def _render_money(value) -> str:
    return Template("{% load money %}{{ value|money }}").render(Context({"value": value}))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("4267.5"), "¥4,267.50"),
        (Decimal("-1234.5"), "-¥1,234.50"),
        (Decimal("0"), "¥0.00"),
        ("4267.5", "¥4,267.50"),
        (None, ""),
        ("", ""),
        ("n/a", "n/a"),
    ],
)
def test_the_money_template_filter_gives_the_same_look(value, expected):
    # given a value in a template of the console, the back-office or the admin
    # when it is rendered with |money
    # then it reads like format_cny (empty stays empty, text stays text)
    assert _render_money(value) == expected


def test_machine_form_stays_plain_for_the_api_and_csv():
    # given amounts with various scales
    # when they are formatted for the API or a CSV file
    # then they have two decimals and nothing else
    assert format_money(Decimal("12.3")) == "12.30"
    assert format_money(Decimal("4267.5")) == "4267.50"
    assert format_money(Decimal("0")) == "0.00"
    assert format_money(None) == "0.00"
    assert format_money(Decimal("1234.565")) == "1234.57"
