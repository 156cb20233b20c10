"""Fixtures of the alerting tests: settings written to a temporary directory and a real SQLite store."""

from __future__ import annotations

import pytest

from alert_support import make_settings, open_test_store


@pytest.fixture
def alert_env(tmp_path):
    """``build(**make_settings options) -> (settings, store)``; stores are closed after the test."""
    opened = []

    def build(**options):
        settings = make_settings(tmp_path, **options)
        store = open_test_store(settings)
        opened.append(store)
        return settings, store

    yield build
    for store in opened:
        store.close()
