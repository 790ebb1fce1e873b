"""ISO 4217 minor units and the exact conversion of amounts into integers."""

import pytest

from scfchain.currencies import (
    FACE_VALUE_MAX,
    MINOR_UNITS,
    UINT256_MAX,
    AmountError,
    UnknownCurrencyError,
    face_value_problem,
    minor_units,
    to_minor_units,
    unknown_currency_reason,
)


def test_a_euro_amount_with_cents_becomes_an_integer_of_cents():
    assert to_minor_units("1656.25", "EUR") == 165625


def test_an_amount_with_fewer_decimals_than_the_currency_is_scaled_up():
    assert to_minor_units("336.9", "EUR") == 33690
    assert to_minor_units("115000", "SEK") == 11500000


def test_trailing_zeros_beyond_the_minor_unit_are_accepted():
    assert to_minor_units("87859.00", "HUF") == 8785900
    assert to_minor_units("100.0", "JPY") == 100


def test_yen_and_won_have_no_minor_unit():
    assert to_minor_units("1500", "JPY") == 1500
    assert to_minor_units("250000", "KRW") == 250000


@pytest.mark.parametrize("currency", ["BHD", "KWD", "JOD", "OMR", "TND"])
def test_dinar_amounts_have_three_decimals(currency):
    assert to_minor_units("1.234", currency) == 1234


def test_a_negative_amount_keeps_its_sign_for_the_caller_to_judge():
    assert to_minor_units("-1656.25", "EUR") == -165625


@pytest.mark.parametrize(("text", "currency"), [("12.345", "EUR"), ("100.5", "JPY")])
def test_more_decimals_than_the_currency_allows_are_refused_not_rounded(text, currency):
    with pytest.raises(AmountError, match="more decimals than"):
        to_minor_units(text, currency)


@pytest.mark.parametrize("currency", ["XYZ", "eur", "", "XAU", "HRK"])
def test_an_unknown_or_inactive_currency_is_refused(currency):
    with pytest.raises(UnknownCurrencyError, match="unknown currency"):
        to_minor_units("10.00", currency)


@pytest.mark.parametrize("text", ["abc", "", "1e3", "NaN", "Infinity", "1 000", "--5", "1.2.3"])
def test_text_that_is_not_a_plain_decimal_number_is_refused(text):
    with pytest.raises(AmountError, match="not a number"):
        to_minor_units(text, "EUR")


def test_a_decimal_comma_is_refused_in_e_invoice_amounts():
    with pytest.raises(AmountError, match="decimal comma"):
        to_minor_units("12,50", "EUR")


def test_an_amount_beyond_uint256_is_refused():
    too_big = str(UINT256_MAX // 100 + 1)
    with pytest.raises(AmountError, match="uint256"):
        to_minor_units(too_big, "EUR")


def test_the_largest_uint256_amount_is_still_accepted():
    assert to_minor_units(str(UINT256_MAX), "JPY") == UINT256_MAX


def test_an_amount_of_thousands_of_digits_is_refused_as_too_large_and_shown_shortened():
    with pytest.raises(AmountError) as refused:
        to_minor_units("9" * 5000, "EUR")
    assert str(refused.value) == (
        "99999999999999999999...9999999999 (5000 characters) EUR is too large: "
        "it does not fit in a uint256"
    )


def test_thousands_of_zero_decimals_beyond_the_minor_unit_are_still_exact():
    assert to_minor_units("12.5" + "0" * 5000, "EUR") == 1250


def test_a_non_zero_digit_thousands_of_decimals_deep_is_refused_not_rounded():
    with pytest.raises(AmountError, match="more decimals than EUR allows"):
        to_minor_units("12." + "0" * 5000 + "1", "EUR")


def test_the_largest_face_value_is_the_registrys_uint96():
    assert FACE_VALUE_MAX == 2**96 - 1
    assert face_value_problem(FACE_VALUE_MAX) is None
    assert "uint96 face value" in (face_value_problem(FACE_VALUE_MAX + 1) or "")


@pytest.mark.parametrize(
    ("code", "hint"),
    [("eur", "(codes are upper case: EUR)"), ("RMB", "(use CNY: "), ("HRK", "(use EUR: ")],
)
def test_a_lower_case_or_replaced_currency_code_is_refused_naming_the_code_to_use(code, hint):
    assert unknown_currency_reason(code).startswith(f"unknown currency {code!r}")
    assert hint in unknown_currency_reason(code)


def test_conversion_errors_are_value_errors():
    with pytest.raises(ValueError):
        to_minor_units("12.345", "EUR")


def test_the_table_holds_every_european_currency_and_the_main_others():
    european = ["EUR", "GBP", "CHF", "SEK", "NOK", "DKK", "ISK", "PLN", "CZK", "HUF", "RON"]
    others = ["BGN", "RSD", "MKD", "ALL", "BAM", "MDL", "UAH", "TRY", "GEL", "USD", "CNY"]
    assert all(code in MINOR_UNITS for code in european + others)
    assert minor_units("ISK") == 0
    assert len(MINOR_UNITS) > 150


def test_full_width_digits_are_read_as_their_ascii_equivalents():
    from scfchain.currencies import to_minor_units

    assert to_minor_units("１２５０.００", "EUR") == 125000
