"""Where a notification goes: an SQS queue (the SQS protocol itself, boto3: real SQS or any SQS-compatible server
named by ``OUTBOUND_SQS_ENDPOINT_URL``) or a webhook (an HTTP POST, signed).

The webhook signature: ``X-Outbound-Signature: sha256=<hex>``, the HMAC-SHA256 under the destination's secret of
the bytes ``<X-Outbound-Timestamp>.<body>`` (the timestamp header's decimal Unix seconds, one full stop, the body
exactly as sent). A receiver recomputes it and compares in constant time, and refuses old timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

SIGNATURE = "X-Outbound-Signature"
TIMESTAMP = "X-Outbound-Timestamp"
NOTIFICATION_ID = "X-Outbound-Notification-Id"


class DeliveryFailed(Exception):
    """The destination did not take the notification; tried again later."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The value of ``X-Outbound-Signature`` for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(frozen=True)
class SqsSettings:
    endpoint_url: str | None
    region: str
    access_key_id: str | None
    secret_access_key: str | None

    @classmethod
    def from_env(cls) -> SqsSettings:
        return cls(
            os.environ.get("OUTBOUND_SQS_ENDPOINT_URL") or None,
            os.environ.get("OUTBOUND_SQS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            os.environ.get("OUTBOUND_SQS_ACCESS_KEY_ID") or None,
            os.environ.get("OUTBOUND_SQS_SECRET_ACCESS_KEY") or None,
        )


def parse_arn(target: str) -> tuple[str, str, str] | None:
    """``arn:aws:sqs:REGION:ACCOUNT:NAME`` → (region, account, name); None for anything else (a queue URL)."""
    parts = target.split(":")
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "sqs" and all(parts[3:]):
        return parts[3], parts[4], parts[5]
    return None


class Sqs:
    """SQS clients per region, queue URLs per ARN: made once, used by one deliverer thread."""

    def __init__(self, settings: SqsSettings, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self._clients: dict[str, Any] = {}
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()

    def _client(self, region: str) -> Any:
        with self._lock:
            found = self._clients.get(region)
            if found is None:
                import boto3  # a second's import that only SQS delivery needs
                from botocore.config import Config

                found = boto3.session.Session().client(
                    "sqs",
                    region_name=region,
                    endpoint_url=self.settings.endpoint_url,
                    aws_access_key_id=self.settings.access_key_id,
                    aws_secret_access_key=self.settings.secret_access_key,
                    config=Config(connect_timeout=self.timeout, read_timeout=self.timeout, retries={"max_attempts": 1}),
                )
                self._clients[region] = found
            return found

    def send(self, target: str, body: bytes, group: str, dedup: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        arn = parse_arn(target)
        region = arn[0] if arn else self.settings.region
        client = self._client(region)
        try:
            url = self._urls.get(target)
            if url is None:
                if arn is None:
                    url = target
                else:
                    url = client.get_queue_url(QueueName=arn[2], QueueOwnerAWSAccountId=arn[1])["QueueUrl"]
                self._urls[target] = url
            extra = {"MessageGroupId": group, "MessageDeduplicationId": dedup} if url.endswith(".fifo") else {}
            client.send_message(QueueUrl=url, MessageBody=body.decode(), **extra)
        except (BotoCoreError, ClientError) as exc:
            self._urls.pop(target, None)
            raise DeliveryFailed(f"SQS: {exc}") from exc


class Webhooks:
    def __init__(self, timeout: float) -> None:
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, url: str, body: bytes, content_type: str, secret: str | None, notification_id: str) -> None:
        stamp = str(int(time.time()))
        headers = {"content-type": content_type, TIMESTAMP: stamp, NOTIFICATION_ID: notification_id}
        if secret:
            headers[SIGNATURE] = sign(secret, stamp, body)
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"webhook: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"webhook: HTTP {response.status_code}")

    def close(self) -> None:
        self.client.close()
