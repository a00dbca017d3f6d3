"""Refusals of operator requests (the CLI, the admin API): what is wrong and how to fix it, in one message.

``ValueError`` subclasses, so a caller that only knows "bad input" still catches them; the admin API tells the kinds
apart for the HTTP status (400, 404).
"""

from __future__ import annotations


class Refused(ValueError):
    """A request the service will not carry out as asked (bad value, wrong state)."""


class NotFound(Refused):
    """The request names something that does not exist (a seller, an order, a key)."""


def unknown_seller(seller_id: str) -> NotFound:
    return NotFound(f"unknown seller {seller_id}; add it first (`outbound seller add` or POST /admin/sellers)")
