"""The Apple App Store's public customer-reviews feed (JSON) and its lookup answer.

The feed, ``<base>/<country>/rss/customerreviews/page=<n>/id=<app id>/sortby=mostrecent/json``,
lists up to 50 reviews a page and at most 10 pages per storefront country. Every value is wrapped
as ``{"label": ...}``: an entry has ``id``, ``author.name``, ``im:rating``, ``title``,
``content``, ``updated`` (ISO date) and ``im:version``. Old feeds put the app itself first as an
entry without ``im:rating``; it is skipped. ``feed.entry`` is a single object, not a list, when
there is one review, and absent when there is none. The ``rel="last"`` link tells the last page.

The displayed rating is not in the feed: ``<base>/lookup?id=<app id>&country=<cc>`` answers
``{"results": [{"averageUserRating": 4.6, "userRatingCount": 10234, ...}]}``.
No settings are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_FEED_PAGES = 10  # the feed serves no page after the 10th
_PAGE_IN_URL = re.compile(r"/page=(\d+)/")


@dataclass
class AppStoreFeedPage:
    reviews: list[dict] = field(default_factory=list)
    last_page: int | None = None
    errors: list[str] = field(default_factory=list)


def _label(node: object, *path: str) -> object:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node.get("label") if isinstance(node, dict) else None


def feed_url(base: str, country: str, app_id: str, page: int) -> str:
    return f"{base.rstrip('/')}/{country}/rss/customerreviews/page={page}/id={app_id}/sortby=mostrecent/json"


def lookup_url(base: str, country: str, app_id: str) -> str:
    return f"{base.rstrip('/')}/lookup?id={app_id}&country={country}"


def _last_page(links: object) -> int | None:
    for link in links if isinstance(links, list) else [links]:
        attributes = link.get("attributes", {}) if isinstance(link, dict) else {}
        if attributes.get("rel") == "last" and (match := _PAGE_IN_URL.search(attributes.get("href", ""))):
            return int(match[1])
    return None


def extract_app_store_feed(data: object) -> AppStoreFeedPage:
    """Flat raw review fields of one decoded feed page."""
    page = AppStoreFeedPage()
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        page.errors.append("feed_missing: the answer has no 'feed' object; is the app id right?")
        return page
    entries = feed.get("entry") or []
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict) or _label(entry, "im:rating") is None:
            continue  # the app's own description entry of older feeds
        page.reviews.append({
            "external_id": _label(entry, "id"),
            "author_name": _label(entry, "author", "name"),
            "rating_value": _label(entry, "im:rating"),
            "rating_best": 5,
            "title": _label(entry, "title"),
            "text": _label(entry, "content"),
            "date": _label(entry, "updated"),
        })
    page.last_page = _last_page(feed.get("link"))
    return page


def extract_app_store_lookup(data: object) -> dict | None:
    """The displayed average and count, or None when the app is unknown."""
    results = data.get("results") if isinstance(data, dict) else None
    if not results or not isinstance(results[0], dict) or results[0].get("averageUserRating") is None:
        return None
    app = results[0]
    return {"rating_value": app.get("averageUserRating"), "rating_best": 5, "rating_count": app.get("userRatingCount")}
