"""deliveryOffers: what a shopper would be promised for one product, per speed, as the model's offers."""

from __future__ import annotations

from outbound.service import delivery_offers as service
from outbound.spapi import render, shapes
from outbound.spapi.call import SpCall
from outbound.spapi.errors import invalid
from outbound.spapi.inputs import INT32_MAX, Obj

UNITS = ("Eaches",)


def _quantity(product: Obj) -> int:
    """``amount.value``: a whole number of units as a string (the model's Decimal), 1 when no amount is sent."""
    amount = product.obj("amount")
    if amount is None:
        return 1
    amount.enum("unitOfMeasure", UNITS, required=True)
    value = amount.require("value")
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= INT32_MAX):
        raise invalid(amount.name("value"), f"{amount.name('value')} must be a whole number of units.")
    return int(value)


def delivery_offers(call: SpCall) -> render.Json:
    body = Obj.root(call.body)
    product = body.obj("product", required=True)
    terms = body.obj("terms", required=True)
    assert product is not None and terms is not None
    identifier = product.obj("productIdentifier", required=True)
    assert identifier is not None
    sku = identifier.require("merchantSku", max_len=50)
    quantity = _quantity(product)
    origin = terms.obj("origin", required=True)
    destination = terms.obj("destination", required=True)
    assert origin is not None and destination is not None
    country = shapes.country(origin, "countryCode")
    if country is None:
        raise invalid(origin.name("countryCode"), f"Missing required field {origin.name('countryCode')}.")
    address_part = destination.obj("deliveryAddress", required=True)  # the IP address alone locates nothing
    assert address_part is not None
    address = shapes.variable_precision_address(address_part)
    offers = service.get_delivery_offers(
        call.ctx.db, call.caller.seller_id, sku, quantity, country, address, call.ctx.clock.now()
    )
    return {"deliveryOffers": [render.delivery_offer(o) for o in offers]}
