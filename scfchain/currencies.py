"""ISO 4217 currencies and the conversion of decimal amounts into integer minor units.

The chain stores amounts as integers in the currency's minor unit (cents for EUR,
yen for JPY, fils for BHD). :func:`to_minor_units` converts the decimal text of an
e-invoice or CSV amount exactly, with :class:`decimal.Decimal`, and refuses anything
that would need rounding.

``MINOR_UNITS`` is ISO 4217 List One (current currencies and funds) as of early 2026.
Left out on purpose:

* codes whose minor unit is "N.A." (precious metals XAU/XAG/XPT/XPD, the bond-market
  units XBA-XBD, XDR, XSU, XUA) and the non-currencies XTS (testing) and XXX: nobody
  invoices a receivable in them;
* withdrawn codes (HRK since Croatia joined the euro in 2023, ANG replaced by XCG in
  2025, SLL replaced by SLE, ZWL replaced by ZWG, VEF, MRO, STD, ...).

BGN is kept: Bulgaria adopted the euro on 2026-01-01, but lev receivables issued
before the changeover can still be outstanding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

UINT256_MAX = 2**256 - 1
UINT256_DIGITS = len(str(UINT256_MAX))  # 78: a number of 79 or more digits cannot fit
# The registry's Terms.faceValue is a uint96: the largest receivable, in minor units.
FACE_VALUE_MAX = 2**96 - 1

MINOR_UNITS: Mapping[str, int] = MappingProxyType(
    {
        "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2,
        "AZN": 2, "BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2,
        "BND": 2, "BOB": 2, "BOV": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2,
        "BZD": 2, "CAD": 2, "CDF": 2, "CHE": 2, "CHF": 2, "CHW": 2, "CLF": 4, "CLP": 0,
        "CNY": 2, "COP": 2, "COU": 2, "CRC": 2, "CUC": 2, "CUP": 2, "CVE": 2, "CZK": 2,
        "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2,
        "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GNF": 0,
        "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2,
        "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2,
        "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2,
        "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3, "MAD": 2, "MDL": 2,
        "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2, "MVR": 2,
        "MWK": 2, "MXN": 2, "MXV": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2,
        "NOK": 2, "NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2,
        "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0,
        "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2,
        "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2,
        "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2,
        "UAH": 2, "UGX": 0, "USD": 2, "USN": 2, "UYI": 0, "UYU": 2, "UYW": 4, "UZS": 2,
        "VED": 2, "VES": 2, "VND": 0, "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XCG": 2,
        "XOF": 0, "XPF": 0, "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
    }
)  # fmt: skip

# Codes people write that are not ISO 4217 (or no longer are), with the code to use instead.
REPLACED_CODES: Mapping[str, str] = MappingProxyType(
    {
        "RMB": "CNY: RMB is the currency's name, CNY its code",
        "NTD": "TWD",
        "HRK": "EUR: the kuna was withdrawn in 2023",
        "ANG": "XCG: the Netherlands Antillean guilder was replaced in 2025",
        "SLL": "SLE: the redenominated leone",
        "ZWL": "ZWG: Zimbabwe Gold",
        "VEF": "VES or VED: the redenominated bolivar",
        "MRO": "MRU: the redenominated ouguiya",
        "STD": "STN: the redenominated dobra",
    }
)

# Plain decimal text as XML Schema's xs:decimal writes it: optional sign, digits, and an
# optional dot followed by digits. No exponent, no thousands separators, no comma.
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class AmountError(ValueError):
    """An amount that cannot be converted exactly into integer minor units."""


class UnknownCurrencyError(AmountError):
    """A currency code that is not an active ISO 4217 alphabetic code."""


def minor_units(currency: str) -> int:
    """Number of decimals of an active ISO 4217 currency (``"EUR"`` -> 2, ``"JPY"`` -> 0).

    Raises :class:`UnknownCurrencyError` for anything else (codes are case-sensitive:
    ISO 4217 codes are upper case).
    """
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise UnknownCurrencyError(unknown_currency_reason(currency)) from None


def is_known_currency(currency: str) -> bool:
    """True when ``currency`` is an active ISO 4217 alphabetic code."""
    return currency in MINOR_UNITS


def unknown_currency_reason(currency: str) -> str:
    """Why ``currency`` is refused, with the code to use when one is obvious.

    >>> unknown_currency_reason("eur")
    "unknown currency 'eur': not an active ISO 4217 code (codes are upper case: EUR)"
    """
    reason = f"unknown currency {currency!r}: not an active ISO 4217 code"
    upper = currency.strip().upper()
    if upper != currency and upper in MINOR_UNITS:
        return f"{reason} (codes are upper case: {upper})"
    if upper in REPLACED_CODES:
        return f"{reason} (use {REPLACED_CODES[upper]})"
    return reason


def shown(value: object, limit: int = 40) -> str:
    """``str(value)``, shortened in the middle when longer than ``limit`` characters."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:20]}...{text[-10:]} ({len(text)} characters)"


def face_value_problem(minor: int) -> str | None:
    """Why an amount in minor units cannot be a receivable's face value, or None.

    A receivable is a claim for payment: zero and negative amounts are refused, and so is
    anything above the registry's uint96 face value (:data:`FACE_VALUE_MAX`).
    """
    if minor == 0:
        return "payable amount is zero"
    if minor < 0:
        return "negative payable amount: a correction, not a receivable"
    if minor > FACE_VALUE_MAX:
        return (
            f"payable amount is too large: {shown(minor)} minor units exceed the registry's "
            f"uint96 face value (at most {FACE_VALUE_MAX})"
        )
    return None


def parse_decimal(text: str) -> Decimal:
    """Parse plain decimal text (``"1656.25"``, ``"-12"``, ``"336.9"``) exactly.

    Surrounding whitespace is ignored. A decimal comma, thousands separators, exponents,
    ``NaN`` and ``Infinity`` are refused with :class:`AmountError`.
    """
    stripped = text.strip()
    if "," in stripped:
        raise AmountError(
            f"not a number: {shown(repr(text))} (a decimal comma is not accepted here)"
        )
    if not _DECIMAL_TEXT.fullmatch(stripped):
        raise AmountError(f"not a number: {shown(repr(text))}")
    try:
        return Decimal(stripped)
    except InvalidOperation:  # pragma: no cover - the regex already guarantees validity
        raise AmountError(f"not a number: {shown(repr(text))}") from None


def decimal_to_minor_units(value: Decimal, currency: str) -> int:
    """Convert an exact decimal in major units into an integer of minor units.

    Trailing zeros are fine (``Decimal("87859.00")`` HUF -> 8785900, ``Decimal("100.0")``
    JPY -> 100); a non-zero digit beyond the currency's minor unit is refused rather than
    rounded. The result may be negative or zero: deciding what a valid receivable amount
    is belongs to the caller. Its magnitude must fit in a uint256.
    """
    digits = minor_units(currency)
    sign, coefficient_digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise AmountError(f"not a number: {value}")
    # Work on the digits, never on int() of a long text (Python refuses more than 4300
    # digits): Decimal drops leading zeros, so the integer part in minor units has
    # len(coefficient_digits) + shift digits.
    shift = exponent + digits
    integer_digits = len(coefficient_digits) + shift
    if any(coefficient_digits) and integer_digits > UINT256_DIGITS:
        raise AmountError(f"{shown(value)} {currency} is too large: it does not fit in a uint256")
    if shift >= 0:
        minor = int("".join(map(str, coefficient_digits))) * 10**shift
    else:
        split = max(integer_digits, 0)
        kept, dropped = coefficient_digits[:split], coefficient_digits[split:]
        if any(dropped):
            raise AmountError(
                f"{shown(value)} has more decimals than {currency} allows ({digits}); "
                "no rounding is done"
            )
        minor = int("".join(map(str, kept)) or "0")
    if sign:
        minor = -minor
    if abs(minor) > UINT256_MAX:
        raise AmountError(f"{shown(value)} {currency} is too large: it does not fit in a uint256")
    return minor


def to_minor_units(text: str, currency: str) -> int:
    """Convert the decimal text of an amount into integer minor units of ``currency``.

    >>> to_minor_units("801.78", "NOK")
    80178
    >>> to_minor_units("87859.00", "HUF")
    8785900
    >>> to_minor_units("100.0", "JPY")
    100

    Raises a :class:`AmountError` (a :class:`ValueError`) when the currency is unknown,
    the text is not a plain decimal number (decimal commas included), it has more
    decimals than the currency allows, or its magnitude exceeds a uint256.
    """
    minor_units(currency)  # unknown currency is reported before a bad number
    return decimal_to_minor_units(parse_decimal(text), currency)


def major_units(amount: int, currency: str, grouping: bool = False) -> str | None:
    """`amount` minor units as a decimal in major units with the currency's decimals
    (125000 EUR -> "1250.00", or "1,250.00" with `grouping`); None for a code that is not an
    ISO 4217 currency."""
    try:
        decimals = minor_units(currency)
    except UnknownCurrencyError:
        return None
    whole, fraction = divmod(abs(amount), 10**decimals)
    text = f"{whole:,}" if grouping else str(whole)
    return ("-" if amount < 0 else "") + text + (f".{fraction:0{decimals}d}" if decimals else "")


def format_amount(amount: int, currency: str) -> str:
    """For people: "1,250.00 EUR"; a currency with unknown decimals shows its minor units."""
    major = major_units(amount, currency, grouping=True)
    return f"{major} {currency}" if major is not None else f"{amount:,} minor units {currency}"
