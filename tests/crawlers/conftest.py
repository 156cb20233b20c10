"""Crawler test fixtures: the invented ``schema_org_shop`` site served on 127.0.0.1 (free port)."""

import pytest
from crawler_support import serve_site


@pytest.fixture(scope="module")
def schema_org_shop():
    site, server = serve_site("schema_org_shop")
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def messy_site():
    site, server = serve_site("schema_org_messy")
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
