"""The operators' web dashboard under ``/dashboard/``: server-rendered pages over the service layer."""

from outbound.web.pages import routes

__all__ = ["routes"]
