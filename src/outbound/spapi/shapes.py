"""Decoding the structured SP-API inputs shared by several operations into the service's request types.

The rules are MWS's (``docs/mws-protocol.md`` "Parameters") with the model's names and limits; every refusal
names the field by its SP-API path.
"""

from __future__ import annotations

import re

from outbound.domain.countries import ISO_COUNTRIES
from outbound.domain.features import FEATURES, POLICIES, FeatureConstraint
from outbound.domain.orders import (
    DROP_OFF_TYPES,
    Address,
    CODSettings,
    DeliveryPreferences,
    DeliveryWindow,
    Money,
    PaymentInformation,
)
from outbound.spapi.errors import invalid, missing
from outbound.spapi.inputs import Obj

# SP-API field → (MWS Address field, limit)
ADDRESS_FIELDS = {
    "name": ("Name", 50),
    "addressLine1": ("Line1", 60),
    "addressLine2": ("Line2", 60),
    "addressLine3": ("Line3", 60),
    "districtOrCounty": ("DistrictOrCounty", 150),
    "city": ("City", 50),
    "stateOrRegion": ("StateOrProvinceCode", 150),
    "countryCode": ("CountryCode", 2),
    "postalCode": ("PostalCode", 20),
    "phone": ("PhoneNumber", 20),
}
MAX_ITEMS = 100
MAX_UNITS = 250
MAX_EMAILS = 20
MAX_FEATURES = 10
MAX_PAYMENTS = 10
_US_ZIP = re.compile(r"\d{5}(-\d{4})?")
_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_COUNTRY = re.compile(r"[A-Z]{2}")


def address(part: Obj) -> Address:
    """An Address: required fields, lengths, ISO country, US ZIP; ``city`` required outside JP."""
    country = part.require("countryCode")
    if country not in ISO_COUNTRIES:
        raise invalid(part.name("countryCode"), f"Value {country} for {part.name('countryCode')} is invalid.")
    if part.raw("postalCode") is None:
        raise missing(part.name("postalCode"))
    fields: dict[str, str] = {}
    for name, (mws_name, limit) in ADDRESS_FIELDS.items():
        required = name in ("name", "addressLine1") or (name == "city" and country != "JP")
        value = part.string(name, required=required, max_len=limit)
        if value:
            fields[mws_name] = value
    postal = fields.get("PostalCode")
    if country == "US" and (postal is None or not _US_ZIP.fullmatch(postal)):
        raise invalid(part.name("postalCode"), f"Value {postal or ''} for {part.name('postalCode')} is invalid.")
    return Address(fields)


def variable_precision_address(part: Obj) -> Address:
    """deliveryOffers' destination: only ``countryCode`` and ``postalCode`` required (a US ZIP must be one);
    what is sent narrows where the parcel goes."""
    country = part.require("countryCode")
    if country not in ISO_COUNTRIES:
        raise invalid(part.name("countryCode"), f"Value {country} for {part.name('countryCode')} is invalid.")
    postal = part.require("postalCode", max_len=20)
    if country == "US" and not _US_ZIP.fullmatch(postal):
        raise invalid(part.name("postalCode"), f"Value {postal} for {part.name('postalCode')} is invalid.")
    fields: dict[str, str] = {}
    for name, (mws_name, limit) in ADDRESS_FIELDS.items():
        if name in ("name", "phone"):
            continue  # not part of this address
        value = part.string(name, max_len=limit)
        if value:
            fields[mws_name] = value
    return Address(fields)


def money(part: Obj, field: str) -> Money | None:
    value = part.obj(field)
    if value is None:
        return None
    code = value.require("currencyCode")
    amount = value.require("value")
    if not _CURRENCY.fullmatch(code):
        raise invalid(value.name("currencyCode"))
    if not _AMOUNT.fullmatch(amount):
        raise invalid(value.name("value"))
    return Money(code, amount)


def delivery_window(part: Obj) -> DeliveryWindow | None:
    window = part.obj("deliveryWindow")
    if window is None:
        return None
    start = window.datetime("startDate", required=True)
    end = window.datetime("endDate", required=True)
    assert start is not None and end is not None
    if end <= start:
        raise invalid(window.name("endDate"), f"{window.name('endDate')} must be after startDate.")
    return DeliveryWindow(start, end)


def emails(part: Obj) -> tuple[str, ...] | None:
    values = part.strings("notificationEmails", limit=MAX_EMAILS, max_len=64)
    if values is None:
        return None
    for n, value in enumerate(values):
        if not _EMAIL.fullmatch(value):
            raise invalid(f"{part.name('notificationEmails')}[{n}]")
    return tuple(values)


def cod(part: Obj) -> CODSettings | None:
    settings = part.obj("codSettings")
    if settings is None:
        return None
    required = settings.boolean("isCodRequired")
    if required is None:
        raise missing(settings.name("isCodRequired"))
    return CODSettings(
        is_cod_required=required,
        cod_charge=money(settings, "codCharge"),
        cod_charge_tax=money(settings, "codChargeTax"),
        shipping_charge=money(settings, "shippingCharge"),
        shipping_charge_tax=money(settings, "shippingChargeTax"),
    )


def feature_constraints(part: Obj) -> tuple[FeatureConstraint, ...] | None:
    """At most 10; each a feature this network offers, once, with a known policy."""
    entries = part.objects("featureConstraints", limit=MAX_FEATURES)
    if part.raw("featureConstraints") is None:
        return None
    found: dict[str, FeatureConstraint] = {}
    for entry in entries:
        name = entry.enum("featureName", FEATURES, required=True)
        assert name is not None
        if name in found:
            raise invalid(entry.name("featureName"), f"Feature {name} is given more than once.")
        found[name] = FeatureConstraint(name, entry.enum("featureFulfillmentPolicy", POLICIES))
    return tuple(found.values())


def delivery_preferences(part: Obj) -> DeliveryPreferences | None:
    prefs = part.obj("deliveryPreferences")
    if prefs is None:
        return None
    instructions = prefs.string("deliveryInstructions", max_len=250, trim=False)
    drop_off = prefs.obj("dropOffLocation")
    kind = None
    attributes: tuple[tuple[str, str], ...] = ()
    if drop_off is not None:
        kind = drop_off.enum("type", DROP_OFF_TYPES, required=True)
        given = drop_off.obj("attributes")
        if given is not None:
            pairs = []
            for key, value in given.entries():
                if not isinstance(value, str):
                    raise invalid(given.name(key), f"{given.name(key)} must be a string.")
                pairs.append((key, value))
            attributes = tuple(pairs)
        if kind == "FALLBACK_NEIGHBOR_DELIVERY":
            keys = {k for k, v in attributes if v.strip()}
            for needed in ("neighborName", "houseNumber"):
                if needed not in keys:
                    raise missing(f"{drop_off.name('attributes')}.{needed}")
    return DeliveryPreferences(instructions, kind, attributes)


def payment_information(part: Obj) -> tuple[PaymentInformation, ...]:
    found = []
    for entry in part.objects("paymentInformation", limit=MAX_PAYMENTS):
        date = entry.datetime("paymentDate", required=True)
        assert date is not None
        found.append(PaymentInformation(entry.require("paymentTransactionId"), entry.require("paymentMode"), date))
    return tuple(found)


def country(part: Obj, field: str) -> str | None:
    value = part.string(field)
    if value is not None and not (_COUNTRY.fullmatch(value) and value in ISO_COUNTRIES):
        raise invalid(part.name(field))
    return value
