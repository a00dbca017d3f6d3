"""The Jinja2 environment (templates packaged with the code, autoescaped) and the helpers templates call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

STATUS_TONES = {
    "RECEIVED": "info",
    "PLANNING": "info",
    "PROCESSING": "work",
    "PENDING": "work",
    "COMPLETE": "good",
    "SHIPPED": "good",
    "DELIVERED": "good",
    "COMPLETE_PARTIALLED": "warn",
    "CANCELLED": "muted",
    "CANCELLED_BY_SELLER": "muted",
    "CANCELLED_BY_FULFILLER": "bad",
    "UNFULFILLABLE": "bad",
    "INVALID": "bad",
}


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when(moment: datetime | None, zone: str = "UTC") -> Markup:
    """An instant in the marketplace's local time, with the UTC instant on hover and in ``datetime``."""
    if moment is None:
        return Markup("<span class='none'>—</span>")
    utc = moment.astimezone(UTC)
    local = moment.astimezone(_zone(zone))
    iso = utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    shown = local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or zone)
    title = utc.strftime("%Y-%m-%d %H:%M:%S UTC")
    return Markup(f'<time datetime="{iso}" title="{escape(title)}">{escape(shown)}</time>')


def status(value: str | None) -> Markup:
    """A status as coloured text: the colour helps, the word says it."""
    if not value:
        return Markup("")
    tone = STATUS_TONES.get(value, "info")
    return Markup(f'<span class="status tone-{tone}">{escape(value)}</span>')


def duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} d {hours % 24} h"


def query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from the current filters with some changed (empty values left out)."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("outbound.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(when=when, status=status, duration=duration, query=query)
    return env


def page(name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    html = environment().get_template(name).render(**context)
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={
            # everything is served from here: no inline script, no other origin (the chart data travels as JSON in
            # a data element, read by the packaged script)
            "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin",
            "cache-control": "no-store",
        },
    )
