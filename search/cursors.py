"""Opaque page cursors for deep pagination, the same idea on both backends.

A cursor holds the sort key of the last hit of a page (Elasticsearch ``search_after`` values,
or the SQLite keyset ``(score, published_at, doc_id)``), the backend that made it, and a
fingerprint of the search it belongs to. Passing it back as ``SearchQuery.cursor`` returns the
hits strictly after that key, so page 10,000 costs what page 2 costs, unlike ``offset``, which
stops at the first 10,000 results. The fingerprint makes a cursor from another search (other
text, filters or sort) an error that says so, instead of a silently wrong page.

A cursor is plain base64url JSON, not a secret: it only narrows a search the caller may run
anyway, and a tampered one fails validation with a ``QueryError``. Reads no settings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from search.backends.base import QueryError, SearchQuery

CURSOR_VERSION = 1
MAX_CURSOR_CHARS = 4096
# The fields that define *which* hits a search returns, in which order; limit, offset, facets
# and the cursor itself may change from one page to the next.
_IDENTITY_FIELDS = ("text", "entity_ids", "kinds", "sources", "languages", "sentiment_labels", "min_rating",
                    "max_rating", "since", "until", "sort", "aspects", "flags", "exclude_flags")


def query_fingerprint(query: SearchQuery) -> str:
    """A short digest of what the search matches and how it sorts."""
    identity: dict[str, Any] = {}
    for name in _IDENTITY_FIELDS:
        value = getattr(query, name)
        if isinstance(value, (list, tuple)):
            value = list(value)
        elif value is not None and hasattr(value, "isoformat"):
            value = value.isoformat()
        identity[name] = value
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()[:16]


def encode_cursor(backend: str, query: SearchQuery, sort_key: list[Any]) -> str:
    """The cursor for the hits after ``sort_key`` in ``query``."""
    payload = {"v": CURSOR_VERSION, "b": backend, "f": query_fingerprint(query), "k": sort_key}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(backend: str, query: SearchQuery, key_length: int) -> list[Any] | None:
    """The sort key inside ``query.cursor`` (None when there is no cursor).

    :raises QueryError: the cursor is malformed, from another backend or from another search.
    """
    cursor = query.cursor
    if cursor is None:
        return None
    if query.offset:
        raise QueryError("use either a cursor or an offset, not both (set offset to 0 when passing a cursor)")
    payload = _payload(cursor)
    if payload.get("b") != backend:
        raise QueryError(f"this cursor was made by the {payload.get('b')!r} store, not {backend!r}; "
                         "start the search again without a cursor")
    if payload.get("f") != query_fingerprint(query):
        raise QueryError("this cursor belongs to another search (its text, filters or sort differ); "
                         "run the same search again, or start without a cursor")
    key = payload.get("k")
    if not isinstance(key, list) or len(key) != key_length or not all(_plain(v) for v in key):
        raise QueryError("this cursor is damaged; start the search again without a cursor")
    return key


def _payload(cursor: str) -> dict[str, Any]:
    damaged = QueryError("this cursor is not one starwatch made (it may be cut or altered); "
                         "copy the whole next_cursor value, or start again without a cursor")
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_CHARS:
        raise damaged
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw.decode("ascii"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise damaged from None
    if not isinstance(payload, dict) or payload.get("v") != CURSOR_VERSION:
        raise damaged
    return payload


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool)
