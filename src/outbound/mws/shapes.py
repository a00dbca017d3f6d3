"""Decoding the structured request types shared by several operations: Address, Currency, DeliveryWindow.

The rules are the parameter constraints of ``docs/mws-protocol.md`` "Parameters"; every refusal names the wire name.
"""

from __future__ import annotations

import re

from outbound.domain.countries import ISO_COUNTRIES
from outbound.domain.orders import ADDRESS_FIELDS, Address, DeliveryWindow, Money
from outbound.mws.errors import invalid, missing
from outbound.mws.params import Params

ADDRESS_LIMITS = {
    "Name": 50,
    "Line1": 60,
    "Line2": 60,
    "Line3": 60,
    "DistrictOrCounty": 150,
    "City": 50,
    "StateOrProvinceCode": 150,
    "CountryCode": 2,
    "PostalCode": 20,
    "PhoneNumber": 20,
}
_US_ZIP = re.compile(r"\d{5}(-\d{4})?")
_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def address(params: Params) -> Address:
    """An Address: required fields, lengths, ISO country, and the country rules (US needs a ZIP; JP no City)."""
    country = params.require("CountryCode")
    if country not in ISO_COUNTRIES:
        raise invalid(params.name("CountryCode"), country)
    fields: dict[str, str] = {}
    for name in ADDRESS_FIELDS:
        required = name in ("Name", "Line1", "StateOrProvinceCode") or (name == "City" and country != "JP")
        value = params.string(name, required=required, max_len=ADDRESS_LIMITS[name])
        if value:
            fields[name] = value
    postal = fields.get("PostalCode")
    if country == "US":
        if postal is None:
            raise missing(params.name("PostalCode"))
        if not _US_ZIP.fullmatch(postal):
            raise invalid(params.name("PostalCode"), postal)
    return Address(fields)


def money(params: Params, field: str) -> Money | None:
    """A Currency: both parts when given; a non-negative amount with at most two decimals."""
    if not params.has(field):
        return None
    part = params.struct(field)
    code = part.require("CurrencyCode")
    value = part.require("Value")
    if not _CURRENCY.fullmatch(code):
        raise invalid(part.name("CurrencyCode"), code)
    if not _AMOUNT.fullmatch(value):
        raise invalid(part.name("Value"), value)
    return Money(code, value)


def delivery_window(params: Params) -> DeliveryWindow | None:
    if not params.has("DeliveryWindow"):
        return None
    part = params.struct("DeliveryWindow")
    start = part.datetime("StartDateTime", required=True)
    end = part.datetime("EndDateTime", required=True)
    assert start is not None and end is not None
    if end <= start:
        raise invalid(part.name("EndDateTime"), part.require("EndDateTime"))
    return DeliveryWindow(start, end)


def emails(params: Params, field: str, limit: int = 20) -> tuple[str, ...] | None:
    """A list of e-mail addresses, or ``None`` when the list was not sent at all."""
    if not params.has(field):
        return None
    values = params.values(field)
    if len(values) > limit:
        raise invalid(params.name(field), str(len(values)), f"at most {limit} addresses")
    for n, value in enumerate(values, 1):
        if len(value) > 64 or not _EMAIL.fullmatch(value):
            raise invalid(params.name(f"{field}.member.{n}"), value)
    return tuple(values)


MAX_ITEMS = 250  # [ours]: Amazon published no limit


def order_items(params: Params, *, required: bool = True) -> list[Params]:
    """An order's or preview's ``Items.member.N``: at most 250, each SellerFulfillmentOrderItemId once."""
    members = params.members("Items")
    if not members and required:
        raise missing("Items")
    if len(members) > MAX_ITEMS:
        raise invalid("Items", str(len(members)), f"at most {MAX_ITEMS} items")
    seen: set[str] = set()
    for member in members:
        item_id = member.require("SellerFulfillmentOrderItemId", max_len=50)
        if item_id in seen:
            raise invalid("SellerFulfillmentOrderItemId", item_id, "Duplicate")
        seen.add(item_id)
    return members
