"""The Python SDK: a typed MWS client that signs with the same code the server verifies with."""

from outbound.client.client import MwsClientError, OutboundClient, ServiceStatus

__all__ = ["MwsClientError", "OutboundClient", "ServiceStatus"]
