"""Signature Version 2: the worked examples (docs/mws-protocol.md "Signing") and every real-client capture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from outbound.mws import signing
from outbound.mws.params import collect
from tests.helpers import VECTOR_DIR, VECTORS

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

EXAMPLE_A = [
    ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
    ("Action", "GetFulfillmentOrder"),
    ("SellerId", "A2NKEXAMPLEF53"),
    ("MWSAuthToken", "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"),
    ("SignatureMethod", "HmacSHA256"),
    ("SignatureVersion", "2"),
    ("Timestamp", "2016-09-29T02:40:36Z"),
    ("Version", "2010-10-01"),
    ("SellerFulfillmentOrderId", "extern_id_1154539615776"),
]
EXAMPLE_A_STS = (
    "POST\nmws.amazonservices.jp\n/FulfillmentOutboundShipment/2010-10-01/\n"
    "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=GetFulfillmentOrder"
    "&MWSAuthToken=amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"
    "&SellerFulfillmentOrderId=extern_id_1154539615776&SellerId=A2NKEXAMPLEF53&SignatureMethod=HmacSHA256"
    "&SignatureVersion=2&Timestamp=2016-09-29T02%3A40%3A36Z&Version=2010-10-01"
)
EXAMPLE_A_SIGNATURE = "98BelGJ5K4wrioBfoDfV7RBAVsT1OhpTzKH9B8gVd68="


def example_b(signature_method: str = "HmacSHA256") -> list[tuple[str, str]]:
    return [
        ("Action", "CreateFulfillmentReturn"),
        ("Version", "2010-10-01"),
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
        ("SellerId", "A2NKEXAMPLEF53"),
        ("SignatureVersion", "2"),
        ("SignatureMethod", signature_method),
        ("Timestamp", "2026-11-22T17:23:25.000Z"),
        ("SellerFulfillmentOrderId", "ORD-1001"),
        ("Items.member.1.SellerReturnItemId", "r~1"),
        ("Items.member.1.SellerFulfillmentOrderItemId", "ORD-1001-a"),
        ("Items.member.1.AmazonShipmentId", "DnMDLWJWN"),
        ("Items.member.1.ReturnReasonCode", "NOLONGERWANTED"),
        ("Items.member.1.ReturnComment", "Zoë said: too big / 50% off + (rush)*"),
        ("Items.member.10.SellerReturnItemId", "r10"),
    ]


EXAMPLE_B_STS = (
    "GET\nlocalhost:8080\n/FulfillmentOutboundShipment/2010-10-01\n"
    "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=CreateFulfillmentReturn"
    "&Items.member.1.AmazonShipmentId=DnMDLWJWN"
    "&Items.member.1.ReturnComment=Zo%C3%AB%20said%3A%20too%20big%20%2F%2050%25%20off%20%2B%20%28rush%29%2A"
    "&Items.member.1.ReturnReasonCode=NOLONGERWANTED&Items.member.1.SellerFulfillmentOrderItemId=ORD-1001-a"
    "&Items.member.1.SellerReturnItemId=r~1&Items.member.10.SellerReturnItemId=r10"
    "&SellerFulfillmentOrderId=ORD-1001&SellerId=A2NKEXAMPLEF53&SignatureMethod=HmacSHA256&SignatureVersion=2"
    "&Timestamp=2026-11-22T17%3A23%3A25.000Z&Version=2010-10-01"
)
EXAMPLE_B_PATH = "/FulfillmentOutboundShipment/2010-10-01"


# --- the worked examples ----------------------------------------------------------------------------------------


def test_example_a_string_to_sign_and_signature() -> None:
    sts = signing.string_to_sign("POST", "mws.amazonservices.jp", "/FulfillmentOutboundShipment/2010-10-01/", EXAMPLE_A)
    assert sts == EXAMPLE_A_STS
    assert signing.sign(SECRET, sts) == EXAMPLE_A_SIGNATURE
    assert signing.verify(
        SECRET,
        EXAMPLE_A_SIGNATURE,
        "POST",
        "mws.amazonservices.jp",
        "/FulfillmentOutboundShipment/2010-10-01/",
        EXAMPLE_A,
    )


def test_example_a_refused_without_the_trailing_slash_it_was_signed_with() -> None:
    path = "/FulfillmentOutboundShipment/2010-10-01"
    assert not signing.verify(SECRET, EXAMPLE_A_SIGNATURE, "POST", "mws.amazonservices.jp", path, EXAMPLE_A)


def test_example_b_string_to_sign_mixed_case_host_with_port() -> None:
    assert signing.string_to_sign("get", "LocalHost:8080", EXAMPLE_B_PATH, example_b()) == EXAMPLE_B_STS


def test_example_b_hmac_sha256() -> None:
    signature = "smZldGoWqdSVcBoqn57/gtFeV47yNPvUdFx+8x1L+cs="
    assert signing.sign(SECRET, EXAMPLE_B_STS) == signature
    assert signing.verify(SECRET, signature, "GET", "LocalHost:8080", EXAMPLE_B_PATH, example_b())


def test_example_b_hmac_sha1() -> None:
    params = example_b("HmacSHA1")
    sts = signing.string_to_sign("GET", "LocalHost:8080", EXAMPLE_B_PATH, params)
    assert sts == EXAMPLE_B_STS.replace("SignatureMethod=HmacSHA256", "SignatureMethod=HmacSHA1")
    assert signing.sign(SECRET, sts, "HmacSHA1") == "cU2/G8JukW043d3NQjAuXaC/Tkw="
    assert signing.verify(
        SECRET, "cU2/G8JukW043d3NQjAuXaC/Tkw=", "GET", "LocalHost:8080", EXAMPLE_B_PATH, params, "HmacSHA1"
    )
    # the SHA-1 signature is not accepted as if it were SHA-256, nor the other way round
    assert not signing.verify(SECRET, "cU2/G8JukW043d3NQjAuXaC/Tkw=", "GET", "LocalHost:8080", EXAMPLE_B_PATH, params)


def test_example_b_host_without_port_variant() -> None:
    sts = signing.string_to_sign("GET", "localhost", EXAMPLE_B_PATH, example_b())
    signature = "dusZiQ2GIiNdKyRg7b2NKdcnRs9OKLYycFujmyWhdLk="
    assert signing.sign(SECRET, sts) == signature
    # a client that signs the bare host while its Host header carries the port (Amazon's PHP client) is accepted
    assert signing.verify(SECRET, signature, "GET", "LocalHost:8080", EXAMPLE_B_PATH, example_b())
    # ... but only for the right host
    assert not signing.verify(SECRET, signature, "GET", "otherhost:8080", EXAMPLE_B_PATH, example_b())


@pytest.mark.parametrize("host_line", ["http://127.0.0.1:8000", "https://127.0.0.1:8000"])
def test_scheme_in_host_variant(host_line: str) -> None:
    params = example_b()
    signature = signing.sign(SECRET, signing.string_to_sign("POST", host_line, EXAMPLE_B_PATH, params))
    assert signing.verify(SECRET, signature, "POST", "127.0.0.1:8000", EXAMPLE_B_PATH, params)


def test_whatwg_encoding_variant_only_with_the_secret() -> None:
    params = [*example_b(), ("Note", "a~b*c")]
    host = "127.0.0.1:8000"
    query = signing.canonical_query(params, signing.encode_whatwg)
    assert "Note=a%7Eb*c" in query
    signature = signing.sign(SECRET, "\n".join(("POST", f"http://{host}", EXAMPLE_B_PATH, query)))
    assert signing.verify(SECRET, signature, "POST", host, EXAMPLE_B_PATH, params)
    assert not signing.verify("another-secret", signature, "POST", host, EXAMPLE_B_PATH, params)


@pytest.mark.parametrize("signature", ["", "not base64!", "====", "smZldGoWqdSVcBoqn57/gtFeV47yNPvUdFx+8x1L+cs"])
def test_malformed_signature_is_false_not_an_exception(signature: str) -> None:
    assert not signing.verify(SECRET, signature, "GET", "LocalHost:8080", EXAMPLE_B_PATH, example_b())


# --- canonical encoding ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (" ", "%20"),
        ("*", "%2A"),
        ("~", "~"),
        ("-_.", "-_."),
        ("AZaz09", "AZaz09"),
        ("+", "%2B"),
        ("/", "%2F"),
        (":", "%3A"),
        ("@", "%40"),
        ("=", "%3D"),
        ("&", "%26"),
        ("%", "%25"),
        ("ë", "%C3%AB"),
        ("\n", "%0A"),
        ("😀", "%F0%9F%98%80"),
    ],
)
def test_encode_rfc3986_upper_case_hex(raw: str, encoded: str) -> None:
    assert signing.encode(raw) == encoded


def test_canonical_query_sorts_by_bytes_and_drops_signature() -> None:
    params = [
        ("member.2", "b"),
        ("member.10", "a"),
        ("Action", "x"),
        ("AWSAccessKeyId", "k"),
        ("Signature", "ignored"),
        ("action", "lower"),
        ("Empty", ""),
    ]
    assert signing.canonical_query(params) == ("AWSAccessKeyId=k&Action=x&Empty=&action=lower&member.10=a&member.2=b")


def test_canonical_query_orders_non_ascii_names_by_their_utf8_bytes() -> None:
    import random

    rng = random.Random(3)
    alphabet = ["a", "Z", "~", "é", "ÿ", "Ā", "€", "\uffff", "😀", "\U0010fffd"]
    for _ in range(500):
        names = list({"".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 4))) for _ in range(6)})
        by_bytes = sorted(names, key=lambda name: name.encode("utf-8"))
        expected = "&".join(f"{signing.encode(n)}=v" for n in by_bytes)
        assert signing.canonical_query([(n, "v") for n in names]) == expected


def test_canonical_query_encodes_names_too() -> None:
    assert signing.canonical_query([("a b", "c d")]) == "a%20b=c%20d"


def test_path_segments_encoded_and_empty_path_is_slash() -> None:
    assert signing.encode_path("") == "/"
    assert signing.encode_path("/a b/c") == "/a%20b/c"
    assert signing.encode_path(EXAMPLE_B_PATH + "/") == EXAMPLE_B_PATH + "/"


def test_host_lines_documented_first() -> None:
    assert signing.host_lines("LocalHost:8080") == [
        "localhost:8080",
        "localhost",
        "http://localhost:8080",
        "https://localhost:8080",
    ]
    assert signing.host_lines("[::1]:8000")[:2] == ["[::1]:8000", "[::1]"]
    assert signing.host_lines("example.com") == ["example.com", "http://example.com", "https://example.com"]


# --- real-client captures ----------------------------------------------------------------------------------------


class Vector:
    def __init__(self, path: Path) -> None:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self.data = data
        self.method: str = data["method"]
        url = urlsplit(data["path"])
        self.path = url.path
        self.query = url.query.encode("ascii")
        self.body = data["body"].encode("utf-8") if self.method == "POST" else None
        self.host = next(v for k, v in data["headers"].items() if k.lower() == "host")
        self.secret: str = data["secret_key"]

    def pairs(self) -> list[tuple[str, str]]:
        """Decoded exactly as the server decodes a request: query string plus, for a POST, the form body."""
        return collect(self.query, self.body)

    def verify(
        self,
        pairs: list[tuple[str, str]] | None = None,
        *,
        secret: str | None = None,
        method: str | None = None,
        path: str | None = None,
        host: str | None = None,
    ) -> bool:
        params = self.pairs() if pairs is None else pairs
        values = dict(self.pairs())
        return signing.verify(
            self.secret if secret is None else secret,
            values["Signature"],
            method or self.method,
            self.host if host is None else host,
            self.path if path is None else path,
            params,
            values["SignatureMethod"],
        )


@pytest.fixture(params=VECTORS, ids=[p.stem for p in VECTORS])
def vector(request: pytest.FixtureRequest) -> Vector:
    return Vector(request.param)


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 8, f"no real-client captures in {VECTOR_DIR}"
    assert len(DECODED) >= 8


def test_vector_verifies(vector: Vector) -> None:
    assert vector.verify()


DECODED = [p for p in VECTORS if "query_params" in json.loads(p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("path", DECODED, ids=[p.stem for p in DECODED])
def test_vector_decoding_matches_the_recorded_parameters(path: Path) -> None:
    """The captures that carry their parameters decoded (the newer ones) decode the same here."""
    vector = Vector(path)
    recorded = [tuple(p) for p in vector.data["query_params"] + vector.data["body_params"]]
    assert vector.pairs() == recorded


def test_vector_documented_flag_is_reproduced(vector: Vector) -> None:
    values = dict(vector.pairs())
    sts = signing.string_to_sign(vector.method, vector.host, vector.path, vector.pairs())
    documented = signing.sign(vector.secret, sts, values["SignatureMethod"]) == values["Signature"]
    assert documented == vector.data["signature_verifies_with_documented_algorithm"]
    if "string_to_sign" in vector.data and vector.data.get("signature_matches_variant") == "documented":
        assert sts == vector.data["string_to_sign"]


def test_vector_any_changed_value_is_refused(vector: Vector) -> None:
    pairs = vector.pairs()
    for i, (name, value) in enumerate(pairs):
        if name == "Signature":
            continue
        changed = [*pairs[:i], (name, value + "x"), *pairs[i + 1 :]]
        assert not vector.verify(changed), name
        if value:
            emptied = [*pairs[:i], (name, ""), *pairs[i + 1 :]]
            assert not vector.verify(emptied), name


def test_vector_added_or_removed_parameter_is_refused(vector: Vector) -> None:
    pairs = vector.pairs()
    assert not vector.verify([*pairs, ("ExtraParameter", "1")])
    without_seller = [p for p in pairs if p[0] not in ("SellerId", "Merchant")]
    assert not vector.verify(without_seller)


def test_vector_wrong_secret_is_refused(vector: Vector) -> None:
    assert not vector.verify(secret=vector.secret[:-1] + "X")
    assert not vector.verify(secret="")


def test_vector_other_method_is_refused(vector: Vector) -> None:
    assert not vector.verify(method="GET" if vector.method == "POST" else "POST")


def test_vector_other_path_is_refused(vector: Vector) -> None:
    toggled = vector.path[:-1] if vector.path.endswith("/") else vector.path + "/"
    assert not vector.verify(path=toggled)
    assert not vector.verify(path="/FulfillmentInboundShipment/2010-10-01")
    assert not vector.verify(path="/FulfillmentOutboundShipment_Sandbox/2010-10-01")


def test_vector_other_host_is_refused(vector: Vector) -> None:
    assert not vector.verify(host="mws.amazonservices.com")
