"""One reader and one writer of Polish numbers: what one writes, the other reads back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iok_saas.web.formatting import decimal_comma, money, parse_decimal

READINGS = st.decimals(min_value=Decimal("-99999999999.999"),
                       max_value=Decimal("99999999999.999"), places=3,
                       allow_nan=False, allow_infinity=False)
AMOUNTS = st.decimals(min_value=Decimal("-9999999999.99"), max_value=Decimal("9999999999.99"),
                      places=2, allow_nan=False, allow_infinity=False)


@given(READINGS)
def test_a_reading_written_with_a_comma_is_read_back_exactly(value):
    assert parse_decimal(decimal_comma(value)) == value


@given(AMOUNTS)
def test_an_amount_as_pages_show_it_is_read_back_exactly(value):
    assert parse_decimal(money(value).removesuffix("\xa0zł")) == value


@given(AMOUNTS)
def test_amounts_with_dots_grouping_thousands_are_read_back(value):
    text = f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert parse_decimal(text) == value


@given(st.text(alphabet="0123456789,. -eE+naif\xa0", max_size=12))
def test_anything_else_is_refused_never_misread(text):
    try:
        value = parse_decimal(text)
    except ValueError:
        return
    assert value.is_finite()
    plain = text.replace(" ", "").replace("\xa0", "")
    assert "e" not in plain.lower() and "+" not in plain and plain.count(",") <= 1


@pytest.mark.parametrize(("raw", "value"), [
    ("1234,56", "1234.56"), ("1 234,56", "1234.56"), ("1.234,56", "1234.56"),
    ("1234.56", "1234.56"), ("-5", "-5"), ("1.234", "1.234"), ("12\u202f345,6", "12345.6"),
    ("\t12,5\n", "12.5"),
])
def test_how_people_write_numbers(raw, value):
    assert parse_decimal(raw) == Decimal(value)


@pytest.mark.parametrize("raw", ["", "-", "1e5", "inf", "NaN", "1,234.56", "1.23,4", "1.2.3",
                                 ".5", "1,", "+5", "12a", "\u0663\u0664", "\uff11\uff12"])
def test_what_is_not_a_number(raw):
    with pytest.raises(ValueError):
        parse_decimal(raw)


def test_reading_values_drop_trailing_zeros_and_never_show_minus_zero():
    assert decimal_comma(Decimal("123.450")) == "123,45"
    assert decimal_comma(Decimal("100")) == "100"
    assert decimal_comma(Decimal("-0.0001")) == "0"
    assert decimal_comma(None) == ""
