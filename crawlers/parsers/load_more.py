"""Reviews from a JSON "load more" endpoint, the kind a review widget calls for page 2 onwards.

Such endpoints answer either with schema.org-shaped review objects
(``{"reviews": [{"@type": "Review", "reviewRating": {...}, ...}], "hasMore": true}``) or with an
HTML fragment of marked-up reviews (``{"html": "<div itemscope itemtype=...Review>...", "next":
"/api/reviews?page=3"}``). Both are read: the JSON is walked like JSON-LD, and every string
value under an ``html``/``content``/``fragment`` key goes through the schema.org page parser.

Whether there is more comes from the first of ``next``/``nextUrl``/``next_url``/``nextPage``
(a URL, or a page number) and ``hasMore``/``has_more``/``more``; without any of them, a page that
yields reviews is assumed to have a successor and an empty page ends the listing.
No settings are read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urljoin

from crawlers.parsers.schema_org import collect_schema_org, extract_schema_org

_HTML_KEYS = {"html", "content", "fragment", "markup"}
_NEXT_KEYS = ("next", "nextUrl", "next_url", "nextPage", "next_page")
_MORE_KEYS = ("hasMore", "has_more", "more", "hasNextPage")


@dataclass
class LoadMorePage:
    """What one endpoint answer holds; ``has_more`` is None when the answer does not say."""

    reviews: list[dict] = field(default_factory=list)
    next_url: str | None = None
    has_more: bool | None = None
    errors: list[str] = field(default_factory=list)


def _fragments(node: object, found: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _HTML_KEYS and isinstance(value, str):
                found.append(value)
            else:
                _fragments(value, found)
    elif isinstance(node, list):
        for item in node:
            _fragments(item, found)


def _paging(data: object, url: str, page: LoadMorePage) -> None:
    if not isinstance(data, dict):
        return
    for key in _NEXT_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            page.next_url, page.has_more = urljoin(url, value.strip()), True
            return
        if value is None and key in data:
            page.has_more = False
    for key in _MORE_KEYS:
        if isinstance(data.get(key), bool):
            page.has_more = data[key]
            return


def extract_load_more(body: bytes | str, url: str) -> LoadMorePage:
    """Reviews and paging of one JSON answer; invalid JSON gives an error, never an exception.

    :param body: the response body.
    :param url: the endpoint URL, to resolve a relative ``next`` link.
    """
    page = LoadMorePage()
    try:
        data = json.loads(body, strict=False)  # raw control characters inside strings are common
    except ValueError as exc:
        page.errors.append(f"json_invalid: the load-more answer is not JSON ({exc})")
        return page
    page.reviews = collect_schema_org(data).reviews
    fragments: list[str] = []
    _fragments(data, fragments)
    for fragment in fragments:
        parsed = extract_schema_org(fragment, url)
        page.reviews.extend(parsed.reviews)
        page.errors.extend(parsed.errors)
    _paging(data, url, page)
    return page
