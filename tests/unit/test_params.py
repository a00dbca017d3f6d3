"""Request parameters: form decoding, limits, timestamps and the typed accessors of :class:`Params`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from outbound.mws.errors import MwsError
from outbound.mws.params import MAX_BODY, MAX_PARAMS, MAX_QUERY, Params, collect, decode_pairs, parse_datetime


def refused(exc: pytest.ExceptionInfo[MwsError]) -> tuple[int, str, str]:
    return exc.value.status, exc.value.code, exc.value.message


# --- decoding ----------------------------------------------------------------------------------------------------


def test_form_decoding() -> None:
    raw = b"Action=GetServiceStatus&Name=Zo%C3%AB+Smith&Plus=%2B&Tilde=%7e&Slash=a%2Fb&Empty="
    assert decode_pairs(raw) == [
        ("Action", "GetServiceStatus"),
        ("Name", "Zoë Smith"),
        ("Plus", "+"),
        ("Tilde", "~"),
        ("Slash", "a/b"),
        ("Empty", ""),
    ]


@pytest.mark.parametrize("raw", [b"&Version=2010-10-01", b"Version=2010-10-01&", b"&&Version=2010-10-01&&"])
def test_empty_pairs_are_ignored(raw: bytes) -> None:
    assert decode_pairs(raw) == [("Version", "2010-10-01")]


def test_nothing_to_decode() -> None:
    assert decode_pairs(b"") == []
    assert collect(b"", None) == []
    assert collect(b"", b"") == []


def test_collect_is_query_then_body() -> None:
    assert collect(b"A=1&B=2", b"C=3") == [("A", "1"), ("B", "2"), ("C", "3")]
    assert collect(b"A=1", None) == [("A", "1")]


@pytest.mark.parametrize(("query", "body"), [(b"A=1&A=2", None), (b"A=1", b"A=1"), (b"", b"B=1&C=2&B=3")])
def test_repeated_names_refused(query: bytes, body: bytes | None) -> None:
    with pytest.raises(MwsError) as exc:
        collect(query, body)
    status, code, message = refused(exc)
    assert (status, code) == (400, "InvalidParameterValue")
    assert message == f"Parameter {'A' if b'A' in query else 'B'} is given more than once."


def test_names_are_case_sensitive() -> None:
    assert collect(b"SellerId=a&sellerid=b", None) == [("SellerId", "a"), ("sellerid", "b")]


@pytest.mark.parametrize(
    "raw",
    [
        b"Name=%FF",  # not UTF-8 once decoded
        b"Name=%C3",  # a truncated UTF-8 sequence
        b"Name=\xc3\xab",  # raw bytes: form encoding is ASCII
        b"\x00\xff\xfe\x89PNG",  # binary junk
    ],
)
def test_invalid_utf8_and_binary_refused(raw: bytes) -> None:
    with pytest.raises(MwsError) as exc:
        decode_pairs(raw)
    assert refused(exc)[:2] == (400, "InvalidParameterValue")


@pytest.mark.parametrize("raw", [b"Name=%ZZ", b"Name=100%", b"Name=%4", b"Na%G1me=x", b"Name=%%41"])
def test_bad_percent_encoding_refused(raw: bytes) -> None:
    with pytest.raises(MwsError) as exc:
        decode_pairs(raw)
    assert refused(exc)[:2] == (400, "InvalidParameterValue")


def test_size_limits() -> None:
    at_limit = b"A=" + b"x" * (MAX_BODY - 2)
    assert collect(b"", at_limit) == [("A", "x" * (MAX_BODY - 2))]
    too_large = [
        (b"", at_limit + b"x"),
        (b"A=" + b"x" * (MAX_QUERY - 1), None),
        (b"&".join(b"P%d=1" % i for i in range(MAX_PARAMS + 1)), None),
        (
            b"&".join(b"P%d=1" % i for i in range(MAX_PARAMS // 2 + 1)),
            b"&".join(b"Q%d=1" % i for i in range(MAX_PARAMS // 2)),
        ),
    ]
    for query, body in too_large:
        with pytest.raises(MwsError) as exc:
            collect(query, body)
        assert refused(exc) == (400, "InvalidParameterValue", "Request is too large.")
    assert len(collect(b"", b"&".join(b"P%d=1" % i for i in range(MAX_PARAMS)))) == MAX_PARAMS


# --- timestamps --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-09-29T02:40:36Z", datetime(2016, 9, 29, 2, 40, 36, tzinfo=UTC)),
        ("2026-11-22T17:22:55.000Z", datetime(2026, 11, 22, 17, 22, 55, tzinfo=UTC)),
        ("2026-11-22T17:23:24.793Z", datetime(2026, 11, 22, 17, 23, 24, 793000, tzinfo=UTC)),
        ("2026-11-22T17:23:28", datetime(2026, 11, 22, 17, 23, 28, tzinfo=UTC)),
        ("2026-11-22T17:23:29.477382", datetime(2026, 11, 22, 17, 23, 29, 477382, tzinfo=UTC)),
        ("2009-02-23T18:12:22.093-07", datetime(2009, 2, 24, 1, 12, 22, 93000, tzinfo=UTC)),
        ("2009-02-23T18:12:22-07:00", datetime(2009, 2, 24, 1, 12, 22, tzinfo=UTC)),
        ("2016-09-29T02:40:36+00:00", datetime(2016, 9, 29, 2, 40, 36, tzinfo=UTC)),
        ("2016-09-29T08:10:36+05:30", datetime(2016, 9, 29, 2, 40, 36, tzinfo=UTC)),
        ("2016-09-29T08:10:36+0530", datetime(2016, 9, 29, 2, 40, 36, tzinfo=UTC)),
        ("2016-09-29t02:40:36z", datetime(2016, 9, 29, 2, 40, 36, tzinfo=UTC)),
    ],
)
def test_timestamp_formats(value: str, expected: datetime) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "2016-09-29",  # a date alone is not an instant
        "2016-13-01T00:00:00Z",
        "2016-02-30T00:00:00Z",
        "2016-09-29T24:00:00Z",
        "2016-09-29T02:40:36+24:00",
        "2016-09-29T02:40:36 UTC",
        "1475116836",
        "2016-09-29T02:40:36.Z",
        "２０１６-09-29T02:40:36Z",
    ],
)
def test_bad_timestamps(value: str) -> None:
    assert parse_datetime(value) is None


def test_date_only_when_allowed() -> None:
    assert parse_datetime("2013-12-29", date_only=True) == datetime(2013, 12, 29, tzinfo=UTC)
    assert parse_datetime("2013-12-29T10:00:00-02:00", date_only=True) == datetime(2013, 12, 29, 12, tzinfo=UTC)


def test_datetime_accessor() -> None:
    params = Params.of([("When", "2026-11-22T17:23:28"), ("Bad", "soon")])
    assert params.datetime("When") == datetime(2026, 11, 22, 17, 23, 28, tzinfo=timezone.utc)  # noqa: UP017
    assert params.datetime("Missing") is None
    with pytest.raises(MwsError) as exc:
        params.datetime("Bad")
    assert refused(exc) == (400, "InvalidParameterValue", "Value soon for parameter Bad is invalid.")
    with pytest.raises(MwsError) as exc:
        params.datetime("Missing", required=True)
    assert refused(exc)[2] == "Missing required parameter Missing."


# --- strings, integers, booleans, enums ----------------------------------------------------------------------------


def test_strings_trimmed_unless_free_text() -> None:
    params = Params.of([("Id", "  DLHg36GDN "), ("Comment", " as typed "), ("Blank", "   ")])
    assert params.string("Id") == "DLHg36GDN"
    assert params.string("Comment", trim=False) == " as typed "
    assert params.string("Absent") is None
    assert params.require("Id") == "DLHg36GDN"
    for field in ("Blank", "Absent"):
        with pytest.raises(MwsError) as exc:
            params.require(field)
        assert refused(exc) == (400, "InvalidParameterValue", f"Missing required parameter {field}.")


def test_max_length() -> None:
    params = Params.of([("Id", "abcdef")])
    assert params.string("Id", max_len=6) == "abcdef"
    with pytest.raises(MwsError) as exc:
        params.string("Id", max_len=5)
    assert refused(exc)[2] == "Value abcdef for parameter Id is invalid. Reason: exceeds maximum length 5."


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("42", 42), (" 7 ", 7), ("2147483647", 2_147_483_647)])
def test_integers(raw: str, expected: int) -> None:
    assert Params.of([("Quantity", raw)]).integer("Quantity") == expected


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "1.5", "1e3", "٣", "+5", "--5", "+-5", "5-", "2147483648", "0x10"])
def test_bad_integers(raw: str) -> None:
    with pytest.raises(MwsError) as exc:
        Params.of([("Quantity", raw)]).integer("Quantity")
    assert refused(exc) == (400, "InvalidParameterValue", f"Value {raw} for parameter Quantity is invalid.")


def test_integer_range_and_absence() -> None:
    params = Params.of([("PackageNumber", "0")])
    assert params.integer("PackageNumber", minimum=0) == 0
    assert params.integer("Absent") is None
    with pytest.raises(MwsError) as exc:
        params.integer("Absent", required=True)
    assert refused(exc)[2] == "Missing required parameter Absent."


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("false", False), ("True", True), ("False", False), ("1", True), ("0", False)]
)
def test_booleans(raw: str, expected: bool) -> None:
    assert Params.of([("Flag", raw)]).boolean("Flag") is expected


def test_boolean_default_and_refusal() -> None:
    params = Params.of([("Empty", ""), ("Bad", "yes")])
    assert params.boolean("Absent") is False
    assert params.boolean("Absent", default=True) is True
    assert params.boolean("Empty", default=True) is True
    with pytest.raises(MwsError) as exc:
        params.boolean("Bad")
    assert refused(exc)[2] == "Value yes for parameter Bad is invalid."


def test_enum() -> None:
    params = Params.of([("Speed", "Expedited"), ("Lower", "expedited")])
    assert params.enum("Speed", ("Standard", "Expedited")) == "Expedited"
    assert params.enum("Absent", ("Standard",)) is None
    with pytest.raises(MwsError) as exc:
        params.enum("Lower", ("Standard", "Expedited"))
    assert refused(exc)[2] == "Value expedited for parameter Lower is invalid."


# --- structures and lists ----------------------------------------------------------------------------------------


def test_struct_names_errors_by_full_wire_name() -> None:
    params = Params.of([("DestinationAddress.Line1", "1 Main St")])
    address = params.struct("DestinationAddress")
    assert address.require("Line1") == "1 Main St"
    assert params.has("DestinationAddress") and not params.has("Destination")
    with pytest.raises(MwsError) as exc:
        address.require("City")
    assert refused(exc)[2] == "Missing required parameter DestinationAddress.City."


def test_has_finds_values_and_structures_in_every_scope() -> None:
    """A field is there when sent as a value or as the head of a structure, whatever the scope asking; checked
    against the names themselves on random sets of dotted names."""
    import random

    rng = random.Random(5)
    pieces = ["A", "B", "member", "1", "2", ""]
    for _ in range(2_000):
        names = {".".join(rng.choice(pieces) for _ in range(rng.randrange(1, 5))) for _ in range(rng.randrange(6))}
        params = Params.of([(name, "v") for name in names])
        for prefix in ("", "A", "A.member", "A.member.1", "B."):
            scope = params.struct(prefix) if prefix else params
            for field in ("A", "B", "member", "1", "", "A.member", "member.1"):
                full = f"{prefix}." + field if prefix else field
                expected = full in names or any(name.startswith(full + ".") for name in names)
                assert scope.has(field) == expected, (sorted(names), prefix, field)


def test_members_canonical_form_in_numeric_order() -> None:
    params = Params.of(
        [
            ("Items.member.10.SellerSKU", "ten"),
            ("Items.member.2.SellerSKU", "two"),
            ("Items.member.1.SellerSKU", "one"),
            ("Items.member.1.Quantity", "3"),
        ]
    )
    items = params.members("Items")
    assert [item.require("SellerSKU") for item in items] == ["one", "two", "ten"]
    assert items[0].integer("Quantity") == 3
    assert items[0].name("Quantity") == "Items.member.1.Quantity"
    with pytest.raises(MwsError) as exc:
        items[1].integer("Quantity", required=True)
    assert refused(exc)[2] == "Missing required parameter Items.member.2.Quantity."


def test_members_short_form() -> None:
    params = Params.of([("Items.2.SellerSKU", "two"), ("Items.1.SellerSKU", "one")])
    items = params.members("Items")
    assert [item.require("SellerSKU") for item in items] == ["one", "two"]
    assert items[0].name("SellerSKU") == "Items.1.SellerSKU"


def test_members_with_gaps() -> None:
    params = Params.of([("Items.member.3.SellerSKU", "three"), ("Items.member.1.SellerSKU", "one")])
    assert [item.require("SellerSKU") for item in params.members("Items")] == ["one", "three"]


def test_absent_list_is_empty() -> None:
    params = Params.of([("Other.member.1", "x")])
    assert params.members("Items") == []
    assert params.values("NotificationEmailList") == []


@pytest.mark.parametrize(
    "key",
    [
        "Items.member.0.SellerSKU",
        "Items.0.SellerSKU",
        "Items.member.01.SellerSKU",
        "Items.member.-1.SellerSKU",
        "Items.member.x.SellerSKU",
        "Items.member..SellerSKU",
        "Items.SellerSKU",
        "Items.member.1",  # a structure list entry without a field
        "Items.member.٣.SellerSKU",  # digits are ASCII
    ],
)
def test_bad_member_indexes_refused(key: str) -> None:
    with pytest.raises(MwsError) as exc:
        Params.of([(key, "v")]).members("Items")
    status, code, message = refused(exc)
    assert (status, code) == (400, "InvalidParameterValue")
    assert key in message


def test_values_of_plain_lists() -> None:
    params = Params.of(
        [
            ("NotificationEmailList.member.2", " b@example.com "),
            ("NotificationEmailList.member.1", "a@example.com"),
            ("ShippingSpeedCategories.1", "Standard"),
            ("ShippingSpeedCategories.3", "Priority"),
        ]
    )
    assert params.values("NotificationEmailList") == ["a@example.com", "b@example.com"]
    assert params.values("ShippingSpeedCategories") == ["Standard", "Priority"]


@pytest.mark.parametrize("key", ["NotificationEmailList.member.0", "NotificationEmailList.member.1.Address"])
def test_bad_plain_list_entries_refused(key: str) -> None:
    with pytest.raises(MwsError) as exc:
        Params.of([(key, "a@example.com")]).values("NotificationEmailList")
    assert refused(exc)[:2] == (400, "InvalidParameterValue")
    assert key in refused(exc)[2]


def test_form_decoding_matches_parse_qsl_on_random_input() -> None:
    """The decoder skips unquoting where there is nothing to unquote; it must split, decode and refuse as the
    standard library's ``parse_qsl`` (blank values kept, strict UTF-8) does."""
    import random
    from urllib.parse import parse_qsl

    rng = random.Random(11)
    parts = ["a", "B", "=", "&", "+", "%2A", "%3D", "%C3%A9", "%FF", "~", "%2B", "%26", "%E2%82", "%20", "."]
    for _ in range(20_000):
        raw = "".join(rng.choice(parts) for _ in range(rng.randrange(12)))
        try:
            expected: object = parse_qsl(raw, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            expected = "not UTF-8"
        try:
            got: object = decode_pairs(raw.encode())
        except MwsError as err:
            assert "UTF-8" in err.message
            got = "not UTF-8"
        assert got == expected, raw
