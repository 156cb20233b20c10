"""The one store interface every backend implements, and the query/result types it speaks.

Two backends implement ``ReviewStore``: ``sqlite.SQLiteReviewStore`` (the embedded default,
FTS5) and ``elasticsearch.ElasticsearchReviewStore``. ``search/testing.py`` holds the contract
suite that both must pass, so a capability written against this protocol behaves the same on a
laptop and on a cluster.

Filters are typed fields on ``SearchQuery`` rather than free-form dicts: a user's query text is
never interpreted as backend syntax, so no user input can reach another index or table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, Sequence, runtime_checkable

from search.documents import DocumentKind, Incident, Mention, RatingSnapshot, Review, SentimentLabel


class StoreError(Exception):
    """Base class for store failures; the message always says how to fix it."""


class StoreUnavailable(StoreError):
    """The backing service cannot be reached (the message names the URL or path)."""


class QueryError(StoreError):
    """The user's query cannot be run as written (the message says what to change)."""


@dataclass(frozen=True)
class SearchQuery:
    """What a user asks the search box, plus typed filters.

    ``text`` uses a small safe syntax: words, "quoted phrases", ``OR``, ``-excluded`` words and
    ``prefix*``. Backends translate it themselves; an empty text matches everything.
    """

    text: str = ""
    entity_ids: Sequence[str] | None = None
    kinds: Sequence[DocumentKind] | None = None
    sources: Sequence[str] | None = None
    languages: Sequence[str] | None = None
    sentiment_labels: Sequence[SentimentLabel] | None = None
    min_rating: float | None = None
    max_rating: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: Literal["relevance", "date"] = "relevance"
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class SearchHit:
    document: Review | Mention
    score: float | None = None
    snippet: str | None = None


@dataclass(frozen=True)
class SearchPage:
    total: int
    hits: list[SearchHit] = field(default_factory=list)


@dataclass(frozen=True)
class RatingStats:
    """Count and average of rated reviews for one entity in a time window."""

    entity_id: str
    count: int
    average: float | None
    distribution: dict[int, int] = field(default_factory=dict)  # star (1..5) -> count


@dataclass(frozen=True)
class WriteSummary:
    created: int = 0
    updated: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated


@runtime_checkable
class ReviewStore(Protocol):
    """Everything the rest of starwatch may ask of a store.

    Writes are upserts keyed by the record id, so re-crawls and redelivered tasks are harmless.
    """

    def ensure_ready(self) -> None:
        """Create tables / indexes if missing (idempotent). Raises ``StoreUnavailable``."""

    def upsert_reviews(self, reviews: Sequence[Review]) -> WriteSummary: ...

    def upsert_mentions(self, mentions: Sequence[Mention]) -> WriteSummary: ...

    def add_snapshots(self, snapshots: Sequence[RatingSnapshot]) -> int: ...

    def get_review(self, review_id: str) -> Review | None: ...

    def count(self, kind: DocumentKind = "review", entity_id: str | None = None) -> int: ...

    def search(self, query: SearchQuery) -> SearchPage: ...

    def rating_stats(
        self, entity_ids: Sequence[str], since: datetime | None, until: datetime | None
    ) -> dict[str, RatingStats]:
        """Per entity: rated reviews with ``since <= published_at < until`` (None = open end).

        Every requested entity is present in the result, with count 0 when it has nothing.
        """

    def lowest_rated(
        self, entity_id: str, since: datetime | None, until: datetime | None, limit: int = 5
    ) -> list[Review]:
        """The worst-rated reviews of a window, newest first among equals: why a rating dipped."""

    def latest_snapshots(self, entity_ids: Sequence[str]) -> dict[str, list[RatingSnapshot]]:
        """Per entity, the most recent snapshot of each of its sources."""

    def get_open_incident(self, rule_id: str, entity_id: str) -> Incident | None: ...

    def save_incident(self, incident: Incident) -> None: ...

    def list_incidents(self, status: Literal["open", "resolved"] | None = None) -> list[Incident]: ...

    def refresh(self) -> None:
        """Make every write so far visible to searches (a no-op where writes are immediate)."""

    def close(self) -> None: ...
