"""Reviews embedded in a Trustpilot-style business page's ``__NEXT_DATA__`` script.

Such pages are rendered by Next.js and carry their data as JSON in
``<script id="__NEXT_DATA__" type="application/json">``: ``props.pageProps.reviews`` (id, rating,
title, text, ``dates.publishedDate``, ``consumer.displayName``, language),
``props.pageProps.businessUnit`` (``trustScore``, ``numberOfReviews``) and
``props.pageProps.filters.pagination`` (``currentPage``, ``totalPages``). Reading that JSON is far
steadier than the generated CSS classes of the visible HTML. No settings are read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HTMLParser, fromstring


@dataclass
class EmbeddedReviewsPage:
    """Flat, still raw, review fields; the displayed summary; paging; problems found."""

    reviews: list[dict] = field(default_factory=list)
    summary: dict | None = None
    current_page: int = 1
    total_pages: int | None = None
    errors: list[str] = field(default_factory=list)


def _get(data: object, *path: str) -> object:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _review_fields(review: dict) -> dict:
    return {
        "external_id": review.get("id"),
        "author_name": _get(review, "consumer", "displayName"),
        "rating_value": review.get("rating"),
        "rating_best": 5,
        "title": review.get("title"),
        "text": review.get("text"),
        "date": _get(review, "dates", "publishedDate") or _get(review, "dates", "experiencedDate"),
        "language_hint": review.get("language"),
    }


def _next_data(html: bytes | str, errors: list[str]) -> dict | None:
    try:
        tree = fromstring(html.encode("utf-8") if isinstance(html, str) else html, parser=HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError) as exc:
        errors.append(f"html_invalid: page could not be parsed ({exc})")
        return None
    scripts = tree.xpath('//script[@id="__NEXT_DATA__"]/text()')
    if not scripts:
        errors.append("next_data_missing: no __NEXT_DATA__ script; the page layout changed or is not a business page")
        return None
    try:
        return json.loads(scripts[0], strict=False)
    except ValueError as exc:
        errors.append(f"json_invalid: __NEXT_DATA__ is not valid JSON ({exc})")
        return None


def extract_next_data_reviews(html: bytes | str) -> EmbeddedReviewsPage:
    """Reviews, displayed rating and paging of one Trustpilot-style page."""
    page = EmbeddedReviewsPage()
    props = _get(_next_data(html, page.errors), "props", "pageProps")
    if props is None:
        return page
    reviews = props.get("reviews") if isinstance(props, dict) else None
    if not isinstance(reviews, list):
        page.errors.append("reviews_missing: pageProps has no reviews list")
        reviews = []
    page.reviews = [_review_fields(review) for review in reviews if isinstance(review, dict)]
    unit = props.get("businessUnit") or {}
    if isinstance(unit, dict) and unit.get("trustScore") is not None:
        page.summary = {"rating_value": unit.get("trustScore"), "rating_best": 5,
                        "review_count": unit.get("numberOfReviews")}
    pagination = _get(props, "filters", "pagination") or {}
    if isinstance(pagination, dict):
        page.current_page = pagination.get("currentPage") or 1
        page.total_pages = pagination.get("totalPages")
    return page
