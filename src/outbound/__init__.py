"""Outbound: a self-hosted, wire-compatible Amazon MWS Fulfillment Outbound Shipment API (2010-10-01)."""

__version__ = "0.1.0"
