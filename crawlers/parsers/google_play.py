"""Google Play reviews from the store's public web endpoint, and the request that asks for them.

The Play Store web page loads its reviews with a ``batchexecute`` call: a form POST to
``<base>/_/PlayStoreUi/data/batchexecute?hl=<lang>&gl=<country>`` whose ``f.req`` field holds the
RPC ``UsvDTd`` with the app's package name, the sort order (2 = newest first), the page size and
the continuation token of the previous page. The answer starts with the anti-JSON-hijacking
line ``)]}'``, then a JSON array of envelopes; the ``["wrb.fr", "UsvDTd", "<payload>"]`` one
carries the payload as a JSON *string*: ``[[review, ...], [null, "<next token>"]]``.

A review is a positional array: ``[0]`` its id, ``[1][0]`` the author name, ``[2]`` the stars
(1–5), ``[4]`` the text, ``[5][0]`` the time in epoch seconds, ``[10]`` the app version.
Positional formats move; every read here is guarded, and an answer that does not fit gives an
error in ``errors`` rather than an exception. The displayed rating comes from the app's details
page, which carries schema.org JSON-LD (``SoftwareApplication`` with ``aggregateRating``).
No settings are read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlencode

REVIEWS_RPC = "UsvDTd"
SORT_NEWEST = 2
PAGE_SIZE = 40


@dataclass
class GooglePlayPage:
    reviews: list[dict] = field(default_factory=list)
    next_token: str | None = None
    errors: list[str] = field(default_factory=list)


def reviews_endpoint(base: str, language: str, country: str) -> str:
    return f"{base.rstrip('/')}/_/PlayStoreUi/data/batchexecute?{urlencode({'hl': language, 'gl': country})}"


def details_url(base: str, app_id: str, language: str, country: str) -> str:
    return f"{base.rstrip('/')}/store/apps/details?{urlencode({'id': app_id, 'hl': language, 'gl': country})}"


def reviews_form(app_id: str, token: str | None = None, page_size: int = PAGE_SIZE) -> dict[str, str]:
    """The form fields of one reviews request (the first page without a token)."""
    paging = [page_size, None, token] if token else [page_size, None, None]
    inner = [None, None, [2, SORT_NEWEST, paging, None, []], [app_id, 7]]
    return {"f.req": json.dumps([[[REVIEWS_RPC, json.dumps(inner), None, "generic"]]])}


def _at(node: object, *path: int) -> object:
    for index in path:
        if not isinstance(node, list) or not -len(node) <= index < len(node):
            return None
        node = node[index]
    return node


def _review_fields(raw: list) -> dict:
    seconds = _at(raw, 5, 0)
    when = datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat() if isinstance(seconds, (int, float)) else None
    return {"external_id": _at(raw, 0), "author_name": _at(raw, 1, 0), "rating_value": _at(raw, 2),
            "rating_best": 5, "text": _at(raw, 4), "date": when}


def _payload(body: str) -> object:
    text = body.lstrip()
    if text.startswith(")]}'"):
        text = text[4:]
    for envelope in json.loads(text):
        if isinstance(envelope, list) and envelope[:2] == ["wrb.fr", REVIEWS_RPC]:
            return json.loads(envelope[2]) if isinstance(envelope[2], str) else None
    return None


def extract_google_play_reviews(body: bytes | str) -> GooglePlayPage:
    """Flat raw review fields and the next-page token of one batchexecute answer."""
    page = GooglePlayPage()
    try:
        payload = _payload(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (ValueError, UnicodeDecodeError, TypeError) as exc:
        page.errors.append(f"json_invalid: the reviews answer is not the expected JSON ({exc})")
        return page
    if payload is None:
        return page  # no reviews at all: the envelope carries null
    reviews = _at(payload, 0)
    if not isinstance(reviews, list):
        page.errors.append("reviews_missing: the answer's payload has no review list; the format may have changed")
        return page
    page.reviews = [_review_fields(raw) for raw in reviews if isinstance(raw, list)]
    token = _at(payload, -1, -1)
    page.next_token = token if isinstance(token, str) and token else None
    return page
