"""A real crawl against a server that misbehaves: 5xx, a timeout, a redirect loop, a 50 MB page.

No crash, a clear stat and health verdict for each source, and every valid review kept (the
``half-good`` source's first page is fine, its second page answers 500).
"""

import json
import time

import pytest
from crawler_support import _RecordingHandler, crawl_config, run_crawl_subprocess, serve_directory

GOOD_PAGE = {"@context": "https://schema.org", "@type": "LocalBusiness", "name": "Le Comptoir",
             "aggregateRating": {"@type": "AggregateRating", "ratingValue": 4.1, "reviewCount": 2},
             "review": [{"@type": "Review", "@id": f"https://comptoir.example/r/{n}", "author": name,
                         "reviewRating": {"ratingValue": rating}, "reviewBody": text, "datePublished": "2024-05-02"}
                        for n, name, rating, text in [(1, "Lou", 5, "Service rapide et souriant."),
                                                      (2, "Sam", 3, "Decent coffee, loud music.")]]}


class HostileHandler(_RecordingHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        self.site.requested_paths.append(self.path)
        try:
            self.hostile_answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up on purpose (timeout, size limit)

    def hostile_answer(self):
        if self.path == "/robots.txt":
            return self.send_error(404)
        if self.path == "/error":
            return self.send_error(503, "Service Unavailable")
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            return self.end_headers()
        if self.path == "/slow":
            time.sleep(2.5)
            return self.send_error(504)
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"<p>" + b"x" * (1024 * 1024 - 3))
            return None
        if self.path == "/good":
            body = (f'<html lang="fr"><head><link rel="next" href="/error"><script type="application/ld+json">'
                    f"{json.dumps(GOOD_PAGE)}</script></head><body></body></html>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        return self.send_error(404)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    site, server = serve_directory(tmp_path_factory.mktemp("empty"), HostileHandler)
    names = {"five-hundred": "/error", "slow": "/slow", "loop": "/loop", "huge": "/huge", "half-good": "/good"}
    config = crawl_config([{"id": source, "url": site.url(path)} for source, path in names.items()])
    config["crawl"]["download_timeout_seconds"] = 1
    try:
        run = run_crawl_subprocess(tmp_path_factory.mktemp("hostile"), config)
    finally:
        server.shutdown()
        server.server_close()
    assert run.report is not None, run.stderr[-3000:]
    return run


def test_the_crawl_survives_and_reports_failure(crawl):
    assert crawl.returncode == 1  # sources reported errors; nothing crashed
    for source in ("five-hundred", "slow", "loop", "huge"):
        report = crawl.source(source)
        assert report["health"] == "failed", (source, report)
        assert report["errors"], source


def test_each_failure_names_its_cause(crawl):
    assert "HTTP 503" in crawl.source("five-hundred")["errors"][-1]
    assert "redirect" in " ".join(crawl.source("loop")["errors"] + crawl.source("loop")["health_problems"])
    assert any("timeout" in e.lower() or "took longer" in e for e in crawl.source("slow")["errors"])
    assert "larger than download max size" in " ".join(crawl.source("huge")["errors"])


def test_valid_reviews_before_a_broken_page_are_kept(crawl):
    report = crawl.source("half-good")
    assert (report["reviews_collected"], report["snapshots"]) == (2, 1)
    assert report["health"] == "degraded" and not report["complete_listing"]
