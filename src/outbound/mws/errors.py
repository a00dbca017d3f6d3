"""MWS error codes, their HTTP statuses, and the exception that carries one to the wire.

Every refusal the server makes is an :class:`MwsError`; the endpoint renders it as an ``ErrorResponse``. The
constructors below hold the message wording (``docs/mws-protocol.md`` "Errors") so it is written once.
"""

from __future__ import annotations

from outbound.domain.errors import DomainError, InsufficientStock, InvalidValue, NotAllowed

STATUS = {
    "InputStreamDisconnected": 400,
    "InvalidParameterValue": 400,
    "InvalidRequest": 400,
    "InvalidRequestException": 400,
    "RequestExpired": 400,
    "AccessDenied": 401,
    "InvalidAccessKeyId": 403,
    "SignatureDoesNotMatch": 403,
    "InvalidAddress": 404,
    "MethodNotAllowed": 405,
    "InternalError": 500,
    "RequestThrottled": 503,
}


class MwsError(Exception):
    """A refusal with an MWS error code; ``status`` and ``type`` follow from the code unless given."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status if status is not None else STATUS.get(code, 400)

    @property
    def type(self) -> str:
        """``Sender`` for the client's faults (throttling included), ``Receiver`` for the server's."""
        return "Receiver" if self.status >= 500 and self.code != "RequestThrottled" else "Sender"


def missing(name: str) -> MwsError:
    return MwsError("InvalidParameterValue", f"Missing required parameter {name}.")


def invalid(name: str, value: str, reason: str | None = None) -> MwsError:
    message = f"Value {value} for parameter {name} is invalid."
    return MwsError("InvalidParameterValue", f"{message} Reason: {reason}." if reason else message)


def too_long(name: str, value: str, limit: int) -> MwsError:
    return invalid(name, value, f"exceeds maximum length {limit}")


def invalid_request(message: str) -> MwsError:
    return MwsError("InvalidRequest", message)


def throttled() -> MwsError:
    return MwsError("RequestThrottled", "Request is throttled")


def service_unavailable() -> MwsError:
    """The store could not be reached, or a write could not be confirmed: a retry may succeed."""
    return MwsError("ServiceUnavailable", "Service is temporarily unavailable. Please try again.", 503)


def internal_error() -> MwsError:
    return MwsError("InternalError", "We encountered an internal error. Please try again.")


def from_domain(error: DomainError) -> MwsError:
    """The MWS error for a business refusal of the domain or service layer."""
    if isinstance(error, InvalidValue):
        return invalid(error.field, error.value, error.reason)
    if isinstance(error, InsufficientStock):
        return MwsError("InvalidRequestException", f"Value {error.value} for parameter {error.parameter} is invalid.")
    if isinstance(error, NotAllowed):
        return MwsError("InvalidRequest", error.message)
    return MwsError("InvalidRequest", str(error))
