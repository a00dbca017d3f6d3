"""The operators' web dashboard under ``/dashboard/``: server-rendered pages over the service layer; and the RMA label
page that SP-API's ``rmaPageURL`` links to (``rma.py``), open to whoever has the link."""

from outbound.web.pages import routes
from outbound.web.rma import routes as rma_routes

__all__ = ["rma_routes", "routes"]
