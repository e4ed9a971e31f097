"""What a checkout adds to the watches: a validated shipping address, a shipping method with its
cost, and tax from a configurable rate table; totals that add up to the cent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

from commerce.errors import InvalidAddress

CENT = Decimal("0.01")
# Codes are read case-blind ("ca", " sw1a 2aa"): normalised before the patterns are checked.
_UPPER = BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value)
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class ShippingMethod(StrEnum):
    standard = "standard"
    express = "express"


class ShippingAddress(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "name": "Ana Silva", "line1": "1 Market St", "line2": "Apt 4", "city": "San Francisco", "region": "CA",
        "postal_code": "94105", "country": "US"}})

    name: Line
    line1: Line
    line2: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = None
    city: Line
    region: Annotated[str, _UPPER, StringConstraints(max_length=40)] | None = None
    postal_code: Annotated[str, _UPPER,
                           StringConstraints(min_length=2, max_length=12, pattern=r"^[A-Z0-9][A-Z0-9 -]*$")]
    country: Annotated[str, _UPPER, StringConstraints(pattern=r"^[A-Z]{2}$")]


class ShippingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: ShippingAddress
    method: ShippingMethod = ShippingMethod.standard


@dataclass(frozen=True)
class CheckoutRates:
    """Shipping costs per method (standard is free from `free_shipping_over`) and tax rates by
    country or country-region ("US-CA" before "US"); orders ship only to countries in the tax table."""

    shipping: dict[str, Decimal] = field(default_factory=lambda: {"standard": Decimal("9.95"),
                                                                  "express": Decimal("24.95")})
    free_shipping_over: Decimal | None = Decimal("500.00")
    tax: dict[str, Decimal] = field(default_factory=lambda: {
        "US": Decimal("0"), "US-CA": Decimal("0.0725"), "US-NY": Decimal("0.04"), "US-TX": Decimal("0.0625"),
        "US-WA": Decimal("0.065"), "CA": Decimal("0.05"), "GB": Decimal("0.20"), "DE": Decimal("0.19"),
        "FR": Decimal("0.20"), "JP": Decimal("0.10"), "AU": Decimal("0.10")})


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping_cost: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal


_US_REGIONS = frozenset({"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
                         "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
                         "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
                         "VT", "VA", "WA", "WV", "WI", "WY", "PR"})
_POSTAL = {"US": r"^\d{5}(-\d{4})?$", "CA": r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$", "DE": r"^\d{5}$", "FR": r"^\d{5}$",
           "JP": r"^\d{3}-?\d{4}$", "AU": r"^\d{4}$", "GB": r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"}


def check_address(address: ShippingAddress, rates: CheckoutRates) -> None:
    """What a schema cannot say alone: where we ship, and each country's postal format."""
    if address.country not in rates.tax:
        countries = ", ".join(sorted({key.split("-")[0] for key in rates.tax}))
        raise InvalidAddress(f"We do not ship to {address.country} yet; we ship to {countries}", field="country")
    if address.country == "US" and address.region not in _US_REGIONS:
        raise InvalidAddress("Choose the US state (two letters, such as CA)", field="region")
    pattern = _POSTAL.get(address.country)
    if pattern and not re.match(pattern, address.postal_code):
        raise InvalidAddress(f"{address.postal_code} is not a postal code of {address.country}", field="postal_code")


def quote(subtotal: Decimal, shipping: ShippingIn | None, rates: CheckoutRates) -> Totals:
    """Shipping, then tax on goods and shipping at the destination's rate, each rounded to the cent
    (half up) so that subtotal + shipping + tax is exactly the total charged."""
    if shipping is None:  # an API order without shipping details: collected in store, no tax added
        return Totals(subtotal, Decimal("0.00"), Decimal("0"), Decimal("0.00"), subtotal)
    check_address(shipping.address, rates)
    cost = shipping_cost(subtotal, shipping.method, rates)
    address = shipping.address
    rate = rates.tax.get(f"{address.country}-{address.region}", rates.tax[address.country])
    tax = ((subtotal + cost) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return Totals(subtotal, cost, rate, tax, subtotal + cost + tax)


def shipping_cost(subtotal: Decimal, method: ShippingMethod, rates: CheckoutRates) -> Decimal:
    if method is ShippingMethod.standard and rates.free_shipping_over is not None \
            and subtotal >= rates.free_shipping_over:
        return Decimal("0.00")
    return rates.shipping[method.value].quantize(CENT)


_COUNTRY_NAMES = {"US": "United States", "CA": "Canada", "GB": "United Kingdom", "DE": "Germany", "FR": "France",
                  "JP": "Japan", "AU": "Australia"}


def shipping_countries(rates: CheckoutRates) -> list[tuple[str, str]]:
    """The countries we ship to (those of the tax table), as (code, name), United States first."""
    codes = sorted({key.split("-")[0] for key in rates.tax}, key=lambda code: (code != "US", code))
    return [(code, _COUNTRY_NAMES.get(code, code)) for code in codes]


def shipping_options(rates: CheckoutRates, subtotal: Decimal) -> list[tuple[str, Decimal]]:
    """Each method with what it costs for this subtotal (standard may be free)."""
    return [(method.value, shipping_cost(subtotal, method, rates))
            for method in ShippingMethod if method.value in rates.shipping]
