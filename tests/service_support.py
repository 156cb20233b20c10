"""Helpers shared by test modules (importable by name, unlike conftest.py files)."""

from __future__ import annotations

import os
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def service_missing(name: str, url: str, detail: str) -> None:
    """Fail under CI, skip elsewhere: a CI run must prove the integration, never pass without it."""
    message = f"{name} is not reachable at {url} ({detail}); start it with: scripts/services start"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def extra_missing(module: str, extra: str) -> None:
    """Fail under CI, skip elsewhere, when an optional extra's package is absent: the test command
    installs every extra whose tests matter (``scripts/test``), so CI must run them."""
    import importlib.util

    if importlib.util.find_spec(module) is not None:
        return
    message = f"the '{extra}' extra is not installed ({module} missing); install it with: pip install -e '.[{extra}]'"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (aiosmtpd cannot bind port 0 itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drop_index_prefix(es_url: str, prefix: str) -> None:
    """Delete every index and index template a test created under ``prefix`` (Haystack's idea)."""
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url, request_timeout=30)
    try:
        client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, allow_no_indices=True)
        client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")
    finally:
        client.close()
