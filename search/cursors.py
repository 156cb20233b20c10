"""Opaque page cursors for deep pagination, the same idea on both backends.

A cursor holds the sort key of the last hit of a page (Elasticsearch ``search_after`` values,
or the SQLite keyset ``(score, published_at, doc_id)``), the backend that made it, and a
fingerprint of the search it belongs to. Passing it back as ``SearchQuery.cursor`` returns the
hits strictly after that key, so page 10,000 costs what page 2 costs, unlike ``offset``, which
stops at the first 10,000 results. The fingerprint makes a cursor from another search (other
text, filters or sort) an error that says so, instead of a silently wrong page.

How consistent the pages are depends on the backend:

- **Elasticsearch** cursors also carry a point-in-time id (``search.backends.es_point_in_time``):
  every page is read from the snapshot the first page opened, so documents indexed, edited or
  deleted meanwhile neither repeat, skip nor appear. The key then ends with the ``_shard_doc``
  tie-breaker Elasticsearch adds in a point in time (three values instead of two).
- **SQLite** cursors carry the key only; each page reads the current data. Sorted by date, the
  key is unique (``published_at, doc_id``), so a document that did not change is never
  repeated or skipped, and a new one shows up only if it sorts after the cursor. Sorted by
  relevance, bm25 scores follow the corpus, so a page may shift by a hit when many documents
  arrive between two pages. That is enough for one machine, where ingestion comes in batches
  and a person pages by hand; holding a read transaction open between two CLI calls is not
  possible in a stateless cursor.

A cursor is plain base64url JSON, not signed and not a secret: it only narrows a search the
caller may run anyway. A tampered key or fingerprint fails validation with a ``QueryError``; a
tampered point-in-time id cannot reach another index, because Elasticsearch searches in a point
in time are restricted to the documents indices (``queries_search.in_point_in_time``). Reads no
settings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Collection

from search.backends.base import QueryError, SearchQuery

CURSOR_VERSION = 1
# A point-in-time id grows by about 130 characters per shard searched; 8 KB leaves room for
# dozens of shards. A cursor that would be longer is written without its point in time.
MAX_CURSOR_CHARS = 8192
_PIT_ID = re.compile(r"[A-Za-z0-9+/=_-]{1,6000}")
# The fields that define *which* hits a search returns, in which order; limit, offset, facets
# and the cursor itself may change from one page to the next.
_IDENTITY_FIELDS = ("text", "entity_ids", "kinds", "sources", "languages", "sentiment_labels", "min_rating",
                    "max_rating", "since", "until", "sort", "aspects", "flags", "exclude_flags")


@dataclass(frozen=True)
class CursorPosition:
    """Where the next page starts: after ``key``, in the point in time ``pit_id`` if any."""

    key: list[Any]
    pit_id: str | None = None


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


def encode_cursor(backend: str, query: SearchQuery, sort_key: list[Any], pit_id: str | None = None) -> str:
    """The cursor for the hits after ``sort_key`` in ``query`` (and in the point in time ``pit_id``).

    Example::

        encode_cursor("elasticsearch", query, [1714550400000, "r_1", 7], pit_id=response["pit_id"])
    """
    payload: dict[str, Any] = {"v": CURSOR_VERSION, "b": backend, "f": query_fingerprint(query), "k": sort_key}
    if pit_id is not None:
        payload["p"] = pit_id
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def fits(cursor: str) -> bool:
    """Whether ``cursor`` is short enough to be accepted back."""
    return len(cursor) <= MAX_CURSOR_CHARS


def decode_position(backend: str, query: SearchQuery, key_lengths: Collection[int]) -> CursorPosition | None:
    """The position inside ``query.cursor`` (None when there is no cursor).

    :param key_lengths: the sort key lengths this backend makes (Elasticsearch: 2, or 3 in a
        point in time).
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
    pit_id = payload.get("p")
    if (not isinstance(key, list) or len(key) not in key_lengths or not all(_plain(v) for v in key)
            or not (pit_id is None or isinstance(pit_id, str) and _PIT_ID.fullmatch(pit_id))):
        raise QueryError("this cursor is damaged; start the search again without a cursor")
    return CursorPosition(key, pit_id)


def decode_cursor(backend: str, query: SearchQuery, key_length: int) -> list[Any] | None:
    """The sort key inside ``query.cursor`` (None when there is no cursor), for stores without
    points in time; see ``decode_position``.

    :raises QueryError: the cursor is malformed, from another backend or from another search.
    """
    position = decode_position(backend, query, (key_length,))
    return None if position is None else position.key


def _payload(cursor: str) -> dict[str, Any]:
    damaged = QueryError("this cursor is not one starwatch made (it may be cut or altered); "
                         "copy the whole next_cursor value, or start again without a cursor")
    if not isinstance(cursor, str) or not cursor or not fits(cursor):
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
