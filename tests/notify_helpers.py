"""What the notification tests share: an SQS-compatible server (moto's, a real subprocess speaking the SQS
protocol), a webhook receiver (a threaded ``http.server``), Amazon's JSON schemas, and a delivery loop run until
the outbox is empty."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest

from outbound.notify import deliverer, sinks
from outbound.service import notifications
from outbound.store import Database
from tests.helpers import free_port

FIXTURES = Path(__file__).parent / "fixtures" / "notifications"
FAST = deliverer.Settings(lease=5.0, backoff=0.05, backoff_max=0.3, timeout=3.0, interval=0.05)
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def amazon_schema(name: str) -> dict[str, Any]:
    """Amazon's schema as published, with the parts its generator made required from one all-in example made
    conditional as Amazon's notification description has them: FulfillmentShipment for Shipment events,
    FulfillmentReturnItem for Return events, EstimatedArrivalDateTime unless cancelled, and no ``info``."""
    schema: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    if name != "FulfillmentOrderStatusNotification":
        return schema
    schema = copy.deepcopy(schema)
    inner = schema["properties"]["Payload"]["properties"]["FulfillmentOrderStatusNotification"]
    inner["required"] = [r for r in inner["required"] if r not in ("FulfillmentShipment", "FulfillmentReturnItem")]
    shipment = inner["properties"]["FulfillmentShipment"]
    shipment["required"] = ["FulfillmentShipmentStatus", "AmazonShipmentId"]
    inner["allOf"] = [
        {
            "if": {"properties": {"EventType": {"const": "Shipment"}}},
            "then": {"required": ["FulfillmentShipment"]},
            "else": {"not": {"required": ["FulfillmentShipment"]}},
        },
        {
            "if": {"properties": {"EventType": {"const": "Return"}}},
            "then": {"required": ["FulfillmentReturnItem"]},
            "else": {"not": {"required": ["FulfillmentReturnItem"]}},
        },
        {"properties": {"EventType": {"enum": ["Order", "Shipment", "Return"]}}},
    ]
    shipment["if"] = {"properties": {"FulfillmentShipmentStatus": {"const": "SHIPPED"}}}
    shipment["then"] = {"required": ["EstimatedArrivalDateTime", "FulfillmentShipmentPackages"]}
    return schema


def validate(notification: dict[str, Any]) -> None:
    name = (
        "FBAOutboundShipmentStatusNotification"
        if notification["NotificationType"] == "FBA_OUTBOUND_SHIPMENT_STATUS"
        else "FulfillmentOrderStatusNotification"
    )
    jsonschema.validate(notification, amazon_schema(name))


# --------------------------------------------------------------------------------------------- SQS


@dataclass
class Sqs:
    endpoint: str

    def client(self) -> Any:
        return boto3.client(
            "sqs",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def settings(self) -> sinks.SqsSettings:
        return sinks.SqsSettings(self.endpoint, "us-east-1", "testing", "testing")

    def queue(self, name: str) -> tuple[str, str]:
        """A new FIFO queue (messages come back in the order sent): its URL and ARN."""
        client = self.client()
        url = client.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def drain(self, url: str) -> list[dict[str, Any]]:
        client = self.client()
        found: list[dict[str, Any]] = []
        while True:
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = got.get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture(scope="session")
def sqs_server() -> Iterator[Sqs]:
    """moto's standalone server on a free port, for the whole session."""
    binary = shutil.which("moto_server") or str(Path(os.sys.executable).parent / "moto_server")
    port = free_port()
    process = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **CREDENTIALS},
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            Sqs(endpoint).client().list_queues()
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.2)
    yield Sqs(endpoint)
    process.terminate()
    process.wait(timeout=10)


# --------------------------------------------------------------------------------------------- webhooks


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    up: bool = True
    delay: float = 0.0
    got: list[Received] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.got if r.path == path]

    def bodies(self, path: str = "/hook") -> list[Any]:
        return [r.json() for r in self.at(path)]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            if box.delay:
                time.sleep(box.delay)
            if not box.up:
                with box.lock:
                    box.refused += 1
                self.send_response(503)
                self.end_headers()
                return
            with box.lock:
                box.got.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------------------------- delivering


def deliver_all(db: Database, sqs: Sqs | None = None, timeout: float = 30.0) -> None:
    """Run the delivery loop until nothing is pending (or fail after ``timeout`` seconds)."""
    loop = deliverer.Deliverer(db, FAST, sqs.settings() if sqs else sinks.SqsSettings(None, "us-east-1", None, None))
    deadline = time.monotonic() + timeout
    try:
        while notifications.outbox_counts(db).get("pending", 0):
            if loop.run_once() == 0:
                time.sleep(0.05)
            assert time.monotonic() < deadline, notifications.delivery_log(db, state="pending")[:3]
    finally:
        loop.close()


def summary(notification: dict[str, Any]) -> tuple[str, ...]:
    """(order, event, status) of a notification: what a sequence is compared on."""
    payload = notification["Payload"]
    if "FBAOutboundShipmentStatusNotification" in payload:
        inner = payload["FBAOutboundShipmentStatusNotification"]
        return (inner["AmazonOrderId"], "FBA", inner["ShipmentStatus"])
    inner = payload["FulfillmentOrderStatusNotification"]
    if inner["EventType"] == "Shipment":
        return (
            inner["SellerFulfillmentOrderId"],
            "Shipment",
            inner["FulfillmentShipment"]["FulfillmentShipmentStatus"],
        )
    if inner["EventType"] == "Return":
        return (inner["SellerFulfillmentOrderId"], "Return", inner["FulfillmentReturnItem"]["SellerSKU"])
    return (inner["SellerFulfillmentOrderId"], "Order", inner["FulfillmentOrderStatus"])


LEASE_FAST = timedelta(seconds=2)
