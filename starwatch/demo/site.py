"""The demo's own review site: three invented cafés publishing schema.org reviews on loopback.

Pages carry JSON-LD the way real review sites do (a LocalBusiness with an aggregateRating and a
page of Review objects, ``rel=next`` pagination), so the demo exercises the real spider, not a
shortcut. Review dates are rendered relative to the moment the site starts, which keeps the
planted rating dip inside the alert window whenever the demo runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlparse

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape

REVIEWS_PER_PAGE = 10
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"


def load_demo_data() -> dict:
    """The bundled businesses and reviews (``businesses.yaml`` next to this module)."""
    text = resources.files("starwatch.demo").joinpath("businesses.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass
class DemoSite:
    """Renders and serves the demo pages; ``url_for(business_id)`` is each business's first page."""

    data: dict
    now: datetime
    host: str = "127.0.0.1"
    port: int = 0

    @cached_property
    def _templates(self) -> Environment:
        return Environment(
            loader=PackageLoader("starwatch.demo", "templates"), autoescape=select_autoescape(["html", "j2"])
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url_for(self, business_id: str, page: int = 1) -> str:
        return f"{self.base_url}/{business_id}/reviews" + (f"?page={page}" if page > 1 else "")

    def business(self, business_id: str) -> dict | None:
        return next((b for b in self.data["businesses"] if b["id"] == business_id), None)

    def render_reviews_page(self, business: dict, page: int) -> str | None:
        reviews = business["reviews"]
        pages = max(1, -(-len(reviews) // REVIEWS_PER_PAGE))
        if not 1 <= page <= pages:
            return None
        chunk = reviews[(page - 1) * REVIEWS_PER_PAGE : page * REVIEWS_PER_PAGE]
        aggregate = self._aggregate(reviews)
        jsonld = {
            "@context": "https://schema.org",
            "@type": "CafeOrCoffeeShop",
            "name": business["name"],
            "url": self.url_for(business["id"]),
            "aggregateRating": {"@type": "AggregateRating", **aggregate, "bestRating": 5, "worstRating": 1},
            "review": [self._review_jsonld(business, review) for review in chunk],
        }
        next_url = self.url_for(business["id"], page + 1) if page < pages else None
        template = self._templates.get_template("reviews_page.html.j2")
        return template.render(
            business=business, reviews=chunk, page=page, pages=pages,
            next_url=next_url, jsonld=jsonld, aggregate=aggregate,
        )

    def _published(self, review: dict) -> datetime:
        return self.now - timedelta(days=review["days"], hours=1)

    def _review_jsonld(self, business: dict, review: dict) -> dict:
        stars = review["stars"]
        if isinstance(stars, str) and "/" in stars:  # a deliberately impossible rating, e.g. "11/10"
            value, best = stars.split("/", 1)
            rating = {"@type": "Rating", "ratingValue": value, "bestRating": best}
        else:
            rating = {"@type": "Rating", "ratingValue": stars, "bestRating": 5, "worstRating": 1}
        return {
            "@type": "Review",
            "@id": f"{self.url_for(business['id'])}#{review['id']}",
            "identifier": review["id"],
            "author": {"@type": "Person", "name": review["author"]},
            "datePublished": self._published(review).isoformat(timespec="seconds"),
            "inLanguage": review["lang"],
            "reviewRating": rating,
            "reviewBody": review["text"],
        }

    @staticmethod
    def _aggregate(reviews: list[dict]) -> dict:
        valid = [r["stars"] for r in reviews if isinstance(r["stars"], int)]
        return {"ratingValue": round(sum(valid) / len(valid), 1), "reviewCount": len(valid)}

    def handle(self, path_and_query: str) -> tuple[int, str, str]:
        """(status, content type, body) for one request path; pure, so it is easy to test."""
        parsed = urlparse(path_and_query)
        if parsed.path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", ROBOTS_TXT
        parts = [p for p in parsed.path.split("/") if p]
        if len(parts) == 2 and parts[1] == "reviews" and (business := self.business(parts[0])):
            try:
                page = int(parse_qs(parsed.query).get("page", ["1"])[0])
            except ValueError:
                page = 0
            body = self.render_reviews_page(business, page)
            if body is not None:
                return 200, "text/html; charset=utf-8", body
        return 404, "text/plain; charset=utf-8", "not found\n"


class DemoSiteServer:
    """Serves a ``DemoSite`` from a background thread on 127.0.0.1 (a free port by default)."""

    def __init__(self, site: DemoSite):
        self.site = site
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> DemoSite:
        site = self.site

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                status, content_type, body = site.handle(self.path)
                payload = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep the demo's output readable
                pass

        self._server = ThreadingHTTPServer((site.host, site.port), Handler)
        site.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return site

    def __exit__(self, *exc) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def demo_site(now: datetime | None = None) -> DemoSiteServer:
    """``with demo_site() as site:`` serves the bundled demo businesses until the block ends."""
    return DemoSiteServer(DemoSite(load_demo_data(), now or datetime.now(timezone.utc)))
