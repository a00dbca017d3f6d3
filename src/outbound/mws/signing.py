"""Signature Version 2, shared by the server (verify) and the SDK (sign).

The string to sign is four lines: method, host, path and the canonical query (every parameter but
``Signature``, RFC 3986-encoded, sorted by the UTF-8 bytes of the name). Real clients disagree on the host line
and, for ``~`` and ``*``, on the encoding; :func:`verify` accepts each known variant. None of them weakens the
check: the secret key is still required.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from urllib.parse import quote

SIGNATURE_METHODS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}

Pairs = Sequence[tuple[str, str]]


_UNRESERVED = re.compile("[A-Za-z0-9_.~-]*")


def encode(value: str) -> str:
    """RFC 3986 percent-encoding: unreserved characters stay, every other UTF-8 byte is ``%XX``."""
    if _UNRESERVED.fullmatch(value):  # most names and values: nothing to encode
        return value
    return quote(value.encode("utf-8"), safe="-_.~")


def encode_whatwg(value: str) -> str:
    """The encoding ScaleLeap's SDK signs with (URLSearchParams): ``~`` becomes ``%7E``, ``*`` stays."""
    return quote(value.encode("utf-8"), safe="-_.~*").replace("~", "%7E")


def canonical_query(params: Iterable[tuple[str, str]], enc: Callable[[str], str] = encode) -> str:
    """Every parameter but ``Signature``, encoded, sorted by the bytes of the name, joined with ``&``. (Sorting the
    names as text gives the same order: UTF-8 keeps the order of the code points.)"""
    pairs = sorted(((k, v) for k, v in params if k != "Signature"), key=itemgetter(0))
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)


def string_to_sign(method: str, host: str, path: str, params: Iterable[tuple[str, str]]) -> str:
    """The documented string to sign (``docs/mws-protocol.md`` "Signing")."""
    return "\n".join((method.upper(), host.lower(), encode_path(path), canonical_query(params)))


def encode_path(path: str) -> str:
    """Each ``/``-separated segment RFC 3986-encoded; an empty path is ``/``."""
    return "/".join(encode(segment) for segment in path.split("/")) if path else "/"


def sign(secret_key: str, message: str, method: str = "HmacSHA256") -> str:
    """Base64 of the HMAC of ``message`` keyed with the secret."""
    digest = SIGNATURE_METHODS[method]
    mac = hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), digest).digest()
    return base64.b64encode(mac).decode("ascii")


def host_lines(host: str) -> list[str]:
    """The host lines real clients sign for one Host header, documented form first."""
    host = host.lower()
    bare = host.rsplit(":", 1)[0] if _has_port(host) else host
    lines = [host]
    if bare != host:
        lines.append(bare)  # Amazon's PHP client and amazon-mws (npm) drop the port
    lines += [f"http://{host}", f"https://{host}"]  # python-amazon-mws and ScaleLeap keep the scheme
    return lines


def _has_port(host: str) -> bool:
    if host.startswith("["):  # IPv6 literal: [::1]:8000
        return "]:" in host
    return host.count(":") == 1


def verify(
    secret_key: str,
    signature: str,
    method: str,
    host: str,
    path: str,
    params: Pairs,
    signature_method: str = "HmacSHA256",
) -> bool:
    """True when ``signature`` matches the request under any host-line or encoding variant real clients use."""
    try:
        expected = base64.b64decode(signature, validate=True)
    except ValueError:
        return False
    digest = SIGNATURE_METHODS[signature_method]
    key = secret_key.encode("utf-8")
    head_path = encode_path(path)
    queries = [canonical_query(params)]
    # only a "~" or a "*" makes ScaleLeap's encoding differ; the canonical query keeps the one and writes the
    # other %2A (a "%" of the request is written %25, so no other text gives %2A)
    if "~" in queries[0] or "%2A" in queries[0]:
        queries.append(canonical_query(params, encode_whatwg))
    for query in queries:
        for host_line in host_lines(host):
            message = "\n".join((method.upper(), host_line, head_path, query)).encode("utf-8")
            if hmac.compare_digest(hmac.new(key, message, digest).digest(), expected):
                return True
    return False
