"""Refusals the domain and service layer raise; each protocol adapter maps them to its own wire errors."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every business refusal."""


class InvalidValue(DomainError):
    """A parameter value the rules refuse (unknown id, SKU, marketplace, ...)."""

    def __init__(self, field: str, value: str, reason: str | None = None) -> None:
        super().__init__(f"{field}={value!r}: {reason or 'invalid'}")
        self.field = field
        self.value = value
        self.reason = reason


class NotAllowed(DomainError):
    """The request is well formed but the object's state does not allow it (cancel a shipped order)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InsufficientStock(DomainError):
    """Creating the order would need units the network does not have (``AllQuantityZero``, FillOrKill short)."""

    def __init__(self, value: str, parameter: str) -> None:
        super().__init__(f"{value} for {parameter!r}")
        self.value = value
        self.parameter = parameter
