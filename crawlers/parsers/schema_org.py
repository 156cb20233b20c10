"""Extract schema.org reviews, the aggregate rating and the next-page link from one HTML page.

Uses extruct for JSON-LD, microdata and RDFa (``crawlers.parsers.rdfa``). extruct stops at the first invalid JSON-LD block, so each
``<script type="application/ld+json">`` is handed to it separately: a broken block is recorded in
``errors`` and the valid blocks and microdata on the same page are still read.

Every crawled page goes through here, so the page is parsed once and each syntax costs only
when the page uses it: a block of valid JSON is decoded by the standard library directly (extruct
does the same and then falls back to its comment-tolerant reader, which only a broken block
needs), the microdata and RDFa walks only run when the raw page mentions ``itemscope`` or
``typeof``, and the XPath expressions are compiled once per process.

Reviews are found at the top level, inside ``@graph`` and nested in any item (Product,
LocalBusiness, Organization...) under ``review``/``reviews``; the aggregate rating is the first
``aggregateRating`` or ``AggregateRating`` met in document order. A page whose rating is only in
the DOM, as an ``aria-label`` such as "4.4 out of 5 stars", gets that as its aggregate (marked
``"_origin": "dom"``). ``flatten_review`` and
``flatten_aggregate`` turn those schema.org dicts into flat, still raw, field values.
No settings are read.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse

import extruct
from extruct.jsonld import JsonLdExtractor
from lxml import etree
from lxml.html import HTMLParser, fromstring

from crawlers.parsers.ratings import RatingError, parse_rating
from crawlers.parsers.rdfa import rdfa_items

_REVIEW_KEYS = {"review", "reviews"}
_AGGREGATE_KEY = "aggregateRating"
# An aria-label that reads as a rating ("4.4 out of 5 stars", "Note : 4,5 sur 5"), not "3 items".
_ARIA_RATING = re.compile(r"\d\s*(?:/|out of|sur|stars?|étoiles?)", re.IGNORECASE)
# Compiled once: lxml compiles a string XPath on every call, which costs more than evaluating it.
_ITEMSCOPE = etree.XPath("//*[@itemscope]")
_ARIA_LABELLED = etree.XPath("//*[@aria-label]")
_LANG = etree.XPath("/html/@lang")
_JSONLD_EXTRACTOR = JsonLdExtractor()


@dataclass
class SchemaOrgPage:
    """What one page holds. ``errors`` are ``"<code>: <detail>"`` strings; ``language`` is ``<html lang>``."""

    reviews: list[dict] = field(default_factory=list)
    aggregate: dict | None = None
    next_url: str | None = None
    errors: list[str] = field(default_factory=list)
    language: str | None = None


@functools.lru_cache(maxsize=1024)  # a site uses a handful of types, on every node of every page
def _type_name(name: str) -> str:
    """``"http://schema.org/Review"``, ``"schema:Review"`` → ``"Review"``."""
    return name.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _type_names(node: dict) -> set[str]:
    raw = node.get("@type") or node.get("type") or []
    names = raw if isinstance(raw, list) else [raw]
    return {_type_name(str(name)) for name in names}


def _is_review(node: dict, key: str | None) -> bool:
    names = _type_names(node)
    if any(name.endswith("Review") for name in names):
        return True
    return key in _REVIEW_KEYS and not names


class _Collector:
    """Walks decoded schema.org data; does not descend into reviews (their itemReviewed is not ours)."""

    def __init__(self) -> None:
        self.reviews: list[dict] = []
        self.aggregate: dict | None = None

    def visit(self, node: object, key: str | None = None) -> None:
        if isinstance(node, list):
            for item in node:
                self.visit(item, key)
            return
        if not isinstance(node, dict):
            return
        if _is_review(node, key):
            self.reviews.append(node)
            return
        if key == _AGGREGATE_KEY or "AggregateRating" in _type_names(node):
            self.aggregate = self.aggregate or node
            return
        for child_key, child in node.items():
            if isinstance(child, (dict, list)):
                self.visit(child, child_key)


def collect_schema_org(data: object) -> SchemaOrgPage:
    """Reviews and aggregate rating found in already-decoded schema.org-shaped data (any JSON)."""
    collector = _Collector()
    collector.visit(data)
    return SchemaOrgPage(reviews=collector.reviews, aggregate=collector.aggregate)


_PARSERS = threading.local()  # an lxml parser may be reused, but by one thread at a time


def _parser() -> HTMLParser:
    """This thread's HTML parser: building one costs a quarter of parsing a review page."""
    parser = getattr(_PARSERS, "html", None)
    if parser is None:
        parser = _PARSERS.html = HTMLParser(encoding="utf-8")
    return parser


def _parse_tree(html: str | bytes):
    data = html.encode("utf-8") if isinstance(html, str) else html
    return fromstring(data, parser=_parser())


def _jsonld_block(script) -> object:
    """One JSON-LD block decoded; a block plain JSON cannot read goes to extruct's lenient reader."""
    if len(script) == 0 and script.text:  # a script's body is one text node (HTML parses it raw)
        try:
            return json.loads(script.text, strict=False)  # what extruct tries first, minus its overhead
        except ValueError:
            pass
    return _JSONLD_EXTRACTOR.extract_items(script)  # HTML/JS comments, or raises the final error


def _jsonld_items(tree, errors: list[str]) -> list:
    items: list = []
    # <script type="application/ld+json">, by lxml's element walk: cheaper than an XPath evaluation
    # (the whole document, as "//" reads it, even when lxml returned a fragment's element)
    document = tree.getroottree()
    scripts = [script for script in document.iter("script") if script.get("type") == "application/ld+json"]
    for number, script in enumerate(scripts, start=1):
        try:
            items.append(_jsonld_block(script))
        except ValueError as exc:  # json.JSONDecodeError and jstyleson errors are ValueErrors
            errors.append(f"jsonld_invalid: block {number} of {len(scripts)} skipped ({exc})")
    return items


def _marked_up_with(html: str | bytes) -> tuple[bool, bool]:
    """Whether the raw page mentions microdata (``itemscope``) and RDFa (``typeof``), in any case.

    A substring test over the page is far cheaper than a tree walk, and without the word no
    element can carry the attribute.
    """
    lowered = html.lower()
    if isinstance(lowered, bytes):
        return b"itemscope" in lowered, b"typeof" in lowered
    return "itemscope" in lowered, "typeof" in lowered


def _microdata_items(tree, url: str, errors: list[str]) -> list:
    if not _ITEMSCOPE(tree):
        return []  # most pages carry JSON-LD only; skip extruct's microdata walk
    try:
        return extruct.extract(tree, base_url=url, syntaxes=["microdata"], uniform=True)["microdata"]
    except Exception as exc:  # extruct raises assorted errors on odd markup; keep the JSON-LD
        errors.append(f"microdata_invalid: microdata skipped ({type(exc).__name__}: {exc})")
        return []


def dom_aggregate(tree) -> dict | None:
    """The first rating-like ``aria-label`` of the page, as an AggregateRating, or None."""
    for element in _ARIA_LABELLED(tree):
        label = " ".join((element.get("aria-label") or "").split())
        if not _ARIA_RATING.search(label):
            continue
        try:
            parse_rating(label)
        except RatingError:
            continue
        return {"@type": "AggregateRating", "ratingValue": label, "_origin": "dom"}
    return None


def _next_url(tree, url: str) -> str | None:
    # <link> and <a> with rel and href, in document order, by lxml's element walk (cheaper than XPath).
    document = tree.getroottree()  # the whole document, as "//" reads it
    for element in document.iter("link", "a"):
        rel, href = element.get("rel"), element.get("href")
        if rel is None or href is None:
            continue
        if "next" in rel.lower().split():
            base_href = next((base.get("href") for base in document.iter("base") if base.get("href") is not None), "")
            base = urljoin(url, base_href) if base_href else url  # urljoin(url, "") is url
            candidate = urljoin(base, href.strip())
            if urlparse(candidate).scheme in {"http", "https"}:
                return candidate
    return None


def extract_schema_org(html: str | bytes, url: str) -> SchemaOrgPage:
    """Reviews, aggregate rating and next page of one HTML page.

    :param html: the page body.
    :param url: the page's URL, used to resolve relative links.

    Example::

        page = extract_schema_org(response.text, response.url)
        for review in page.reviews:
            fields = flatten_review(review)
    """
    page = SchemaOrgPage()
    try:
        tree = _parse_tree(html)
    except (etree.ParserError, ValueError) as exc:
        page.errors.append(f"html_invalid: page could not be parsed ({exc})")
        return page
    collector = _Collector()
    has_microdata, has_rdfa = _marked_up_with(html)
    collector.visit(_jsonld_items(tree, page.errors))
    if has_microdata:
        collector.visit(_microdata_items(tree, url, page.errors))
    if has_rdfa:
        collector.visit(rdfa_items(tree, html, url, page.errors))
    page.reviews, page.aggregate = collector.reviews, collector.aggregate or dom_aggregate(tree)
    page.next_url = _next_url(tree, url)
    page.language = (_LANG(tree) or [None])[0] or None
    return page


def _first(value: object) -> object:
    if isinstance(value, list):
        return next((item for item in value if item not in (None, "")), None)
    return value


def _text(value: object) -> str | None:
    if type(value) is str:  # nearly every field of every review: skip the list and dict checks
        return value.strip() or None
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value", value.get("name", value.get("value")))
        value = _first(value)
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _scalar(value: object) -> object:
    if value is None or type(value) in (str, int, float):  # the usual case: nothing to unwrap
        return value
    value = _first(value)
    if isinstance(value, dict):
        return _first(value.get("@value"))
    return value


def _author_name(value: object) -> str | None:
    value = _first(value)
    if isinstance(value, dict) and not value.get("name"):
        parts = [_text(value.get("givenName")), _text(value.get("familyName"))]
        return " ".join(part for part in parts if part) or None
    return _text(value)


def _external_id(review: dict) -> str | None:
    for key in ("@id", "identifier", "id"):
        candidate = _text(review.get(key))
        # "#r3" or "_:b0" only make sense inside one page: page 2 today is page 3 tomorrow.
        if candidate and not candidate.startswith(("#", "_:")):
            return candidate
    return None


def flatten_review(review: dict) -> dict:
    """Flat raw fields of one schema.org Review (values still as found on the page)."""
    rating = _first(review.get("reviewRating"))
    if isinstance(rating, dict):
        value, best, worst = (_scalar(rating.get("ratingValue")), _scalar(rating.get("bestRating")),
                              _scalar(rating.get("worstRating")))
    else:
        value, best, worst = _scalar(rating), None, None
    return {
        "external_id": _external_id(review),
        "author_name": _author_name(review.get("author")),
        "rating_value": value,
        "rating_best": best,
        "rating_worst": worst,
        "title": _text(review.get("name")) or _text(review.get("headline")),
        "text": _text(review.get("reviewBody")) or _text(review.get("description")),
        "date": _text(review.get("datePublished")) or _text(review.get("dateCreated")),
        "language_hint": _text(review.get("inLanguage")),
        "url": _text(review.get("url")),
    }


def flatten_aggregate(aggregate: dict) -> dict:
    """Flat raw fields of one schema.org AggregateRating."""
    return {
        "rating_value": _scalar(aggregate.get("ratingValue")),
        "rating_best": _scalar(aggregate.get("bestRating")),
        "rating_worst": _scalar(aggregate.get("worstRating")),
        "rating_count": _scalar(aggregate.get("ratingCount")),
        "review_count": _scalar(aggregate.get("reviewCount")),
    }
