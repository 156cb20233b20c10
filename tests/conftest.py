"""Shared fixtures: real services on loopback, and the rule that CI never skips them.

Services come from ``scripts/services start`` (Redis on 6390, Elasticsearch on 9250 by default;
override with ``STARWATCH_TEST_REDIS_URL`` / ``STARWATCH_TEST_ES_URL``). The SMTP server is a
real aiosmtpd server started in-process per test.

A test that needs a service asks for its fixture. When the service is missing the test is
skipped on a developer machine, with the command that starts it, and FAILS when ``CI=true``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlparse

import pytest

REDIS_URL = os.environ.get("STARWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6390/0")
ES_URL = os.environ.get("STARWATCH_TEST_ES_URL", "http://127.0.0.1:9250")
from tests.service_support import drop_index_prefix, free_port, service_missing


@pytest.fixture(scope="session")
def redis_url() -> str:
    parsed = urlparse(REDIS_URL)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(16).startswith(b"+PONG"):
                service_missing("Redis", REDIS_URL, "no PONG")
    except OSError as exc:
        service_missing("Redis", REDIS_URL, str(exc))
    return REDIS_URL


@pytest.fixture(scope="session")
def es_url() -> str:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(ES_URL, request_timeout=5)
    try:
        client.cluster.health(wait_for_status="yellow", timeout="10s")
    except Exception as exc:  # any transport error means "not usable here"
        service_missing("Elasticsearch", ES_URL, type(exc).__name__)
    finally:
        client.close()
    return ES_URL


@pytest.fixture
def es_index_prefix(request, es_url) -> str:
    """A per-test index prefix (Haystack's idea), deleted with everything under it afterwards."""
    prefix = "t-" + uuid.uuid4().hex[:10]
    yield prefix
    drop_index_prefix(es_url, prefix)


@dataclass
class SmtpCapture:
    """A real SMTP server on loopback and the messages it received."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} email(s) on SMTP port {self.port}, got {len(self.messages)}")


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    capture = SmtpCapture(host="127.0.0.1", port=free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            with capture._lock:
                capture.messages.append(message)
                capture.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=capture.host, port=capture.port)
    controller.start()
    try:
        yield capture
    finally:
        controller.stop()
