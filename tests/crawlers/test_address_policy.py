import ipaddress

import pytest
from crawler_support import make_settings
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawlers.address_policy import check_source_url, host_refusal
from crawlers.errors import CrawlConfigError
from crawlers.middlewares import AddressGuardMiddleware


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "api.localhost", "::1", "[::1]", "127.8.9.10"])
def test_loopback_is_refused_unless_allowed(host):
    assert "allow_loopback" in host_refusal(host, allow_loopback=False)
    assert host_refusal(host, allow_loopback=True) is None


@pytest.mark.parametrize("host", ["10.0.0.5", "192.168.1.20", "172.16.3.4", "169.254.169.254", "fe80::1",
                                  "fd00::1", "::ffff:10.0.0.1", "0.0.0.0", "100.64.0.1", "224.0.0.1"])
def test_private_link_local_and_reserved_addresses_are_always_refused(host):
    assert host_refusal(host, allow_loopback=True) is not None


@pytest.mark.parametrize("host", ["93.184.215.14", "2606:4700::1111", "avis.example.com"])
def test_public_addresses_and_names_are_allowed(host):
    assert host_refusal(host, allow_loopback=False) is None


def test_a_refused_source_names_the_source_and_the_fix():
    expected = r"source 'shop' \(http://127.0.0.1:8080/\) refused.*allow_loopback: true"
    with pytest.raises(CrawlConfigError, match=expected):
        check_source_url("shop", "http://127.0.0.1:8080/", allow_loopback=False)


def _middleware(allow_loopback: bool) -> AddressGuardMiddleware:
    settings = make_settings(crawl={"allow_loopback": allow_loopback})
    return AddressGuardMiddleware.from_crawler(get_crawler(settings_dict={"STARWATCH_SETTINGS": settings}))


def test_the_middleware_refuses_a_request_to_a_private_address_before_sending_it():
    middleware = _middleware(allow_loopback=True)
    with pytest.raises(IgnoreRequest, match="169.254.169.254"):
        middleware.process_request(Request("http://169.254.169.254/latest/meta-data/"))
    assert middleware.crawler.stats.get_value("starwatch/blocked/address") == 1
    assert middleware.process_request(Request("http://avis.example.com/p1")) is None


def test_the_middleware_discards_a_response_that_came_from_a_private_address():
    middleware = _middleware(allow_loopback=False)
    request = Request("http://avis.example.com/p1")
    internal = HtmlResponse(request.url, body=b"<html></html>", request=request,
                            ip_address=ipaddress.ip_address("10.0.0.5"))
    with pytest.raises(IgnoreRequest, match="resolved to 10.0.0.5"):
        middleware.process_response(request, internal)
    public = HtmlResponse(request.url, body=b"", request=request, ip_address=ipaddress.ip_address("93.184.215.14"))
    assert middleware.process_response(request, public) is public
