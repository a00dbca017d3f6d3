"""Who may see the dashboard: the admin API's bearer token, or a signed session cookie the login form sets.

With ``OUTBOUND_ADMIN_TOKEN`` unset the dashboard is open, but only to clients on the loopback interface (a
developer's own machine). The cookie holds an expiry and its HMAC keyed by the token, so changing the token ends
every session and nothing is kept on the server.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time

from starlette.requests import Request

COOKIE = "outbound_dashboard"
LIFETIME_SECONDS = 12 * 3600


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class Gate:
    def __init__(self, token: str | None) -> None:
        self.token = token or None
        self._key = hashlib.sha256(f"outbound-dashboard-session:{token}".encode()).digest()

    def _sign(self, expires: int) -> str:
        return hmac.new(self._key, str(expires).encode(), hashlib.sha256).hexdigest()

    def session_value(self, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + LIFETIME_SECONDS)
        return f"{expires}.{self._sign(expires)}"

    def valid_session(self, value: str | None, now: float | None = None) -> bool:
        if not value or "." not in value:
            return False
        expires, _, signature = value.partition(".")
        if not expires.isdigit() or int(expires) < (now if now is not None else time.time()):
            return False
        return hmac.compare_digest(signature, self._sign(int(expires)))

    def token_matches(self, sent: str) -> bool:
        return self.token is not None and hmac.compare_digest(sent.encode(), self.token.encode())

    def allowed(self, request: Request) -> bool:
        if self.token is None:
            return is_loopback(request.client.host if request.client else None)
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer ") and self.token_matches(header[len("Bearer ") :]):
            return True
        return self.valid_session(request.cookies.get(COOKIE))


def same_origin(request: Request) -> bool:
    """A form post must come from the dashboard's own pages: no other site may move the clock through a
    browser that is logged in (or, without a token, on the loopback)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host
