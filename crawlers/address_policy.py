"""Which network addresses a crawl may reach: public ones, loopback only when allowed.

Source URLs are configuration data that customers may supply, so a crawl must not be turned into
a probe of the internal network (cloud metadata at 169.254.169.254, a database on 10.0.0.5).
Private, link-local, multicast and reserved addresses are always refused; loopback
(127.0.0.0/8, ::1, ``localhost``) only when ``settings.crawl.allow_loopback`` is true, which the
tests and the demo set. Host names are not resolved here: ``AddressGuardMiddleware`` checks the
address each response actually came from.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

from crawlers.errors import CrawlConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def literal_address(host: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def address_refusal(address: IPAddress, allow_loopback: bool) -> str | None:
    """Why this address may not be crawled, or None when it may."""
    if address.is_loopback:
        if allow_loopback:
            return None
        return f"{address} is a loopback address; set crawl.allow_loopback: true (tests and demos only)"
    if address.is_link_local:
        return f"{address} is a link-local address, which is never crawled"
    if address.is_multicast:
        return f"{address} is a multicast address, which is never crawled"
    if address.is_private or not address.is_global:
        return f"{address} is a private or reserved address, which is never crawled"
    return None


def host_refusal(host: str | None, allow_loopback: bool) -> str | None:
    """Why this URL host may not be crawled (literal addresses and localhost names), or None."""
    if not host:
        return "the URL has no host"
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return None if allow_loopback else (
            f"{host} is a loopback host; set crawl.allow_loopback: true (tests and demos only)"
        )
    address = literal_address(name)
    return address_refusal(address, allow_loopback) if address is not None else None


def check_source_url(source_id: str, url: str, allow_loopback: bool) -> None:
    """Raise ``CrawlConfigError`` when a configured source URL points somewhere we never crawl."""
    reason = host_refusal(urlparse(url).hostname, allow_loopback)
    if reason:
        raise CrawlConfigError(f"source {source_id!r} ({url}) refused: {reason}")
