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
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol, Sequence, runtime_checkable

from search.backends.alert_stats import SentimentStats, SourceActivity
from search.documents import (
    AlertDelivery, DeliveryStatus, DocumentKind, Incident, Mention, RatingSnapshot, Review, SentimentLabel,
)

if TYPE_CHECKING:  # defined next to their logic; imported lazily to avoid an import cycle
    from search.figures import EntityFigures, FiguresRequest
    from search.saved_searches import SavedSearch
    from search.crawl_records import CrawlEvent, CrawlState, ReviewEvent
    from search.authenticity_records import AuthenticityCard, Campaign
    from collections.abc import Iterator


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
    # Added for deep search (issue 6); every default keeps older callers' behaviour.
    aspects: Sequence[str] | None = None  # documents tagged with any of these aspects
    flags: Sequence[str] | None = None  # documents carrying any of these flags
    exclude_flags: Sequence[str] | None = None  # documents carrying none of these flags
    facets: Sequence[str] = ()  # names from search.facets.FACET_NAMES: counts returned in SearchPage.facets
    cursor: str | None = None  # SearchPage.next_cursor of the previous page (then offset must be 0)
    exact_total_up_to: int = 10_000  # count exactly up to this many hits, then report a lower bound


@dataclass(frozen=True)
class SearchHit:
    document: Review | Mention
    score: float | None = None
    snippet: str | None = None


@dataclass(frozen=True)
class SearchPage:
    total: int
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # facet -> value -> count
    next_cursor: str | None = None  # pass as SearchQuery.cursor for the next page; None on the last
    total_exact: bool = True  # False: ``total`` is a lower bound (more than exact_total_up_to hits)


@dataclass(frozen=True)
class RatingStats:
    """Count and average of rated reviews for one entity in a time window."""

    entity_id: str
    count: int
    average: float | None
    distribution: dict[int, int] = field(default_factory=dict)  # star (1..5) -> count
    # Authenticity-adjusted average (see search.figures): None unless some review of the set
    # carries an authenticity signal (an ``authenticity_weight`` or an excluding flag).
    adjusted_average: float | None = None
    adjusted_weight: float | None = None  # the summed weights behind adjusted_average


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

    # -- alerting (issue 7): grouped reads for rules, incidents in bulk, the delivery log --------
    # Every read takes all entities at once, so a full evaluation costs the same number of
    # requests for 10 entities or 10,000. See workers/alerts/ for how each one is used.

    def review_counts(
        self, entity_ids: Sequence[str], end: datetime, period: timedelta, periods: int, *,
        max_rating: float | None = None, sentiment_labels: Sequence[SentimentLabel] | None = None,
    ) -> dict[str, list[int]]:
        """Per entity, reviews published in ``periods`` back-to-back periods ending at ``end``.

        Index 0 counts ``[end - period, end)``, index 1 the period before, and so on. With
        ``max_rating`` and/or ``sentiment_labels`` only matching reviews count (either one
        suffices when both are given). Every requested entity is present.
        """

    def sentiment_stats(
        self, entity_ids: Sequence[str], since: datetime | None, until: datetime | None, *, by_aspect: bool = False
    ) -> dict[str, SentimentStats]:
        """Per entity, mean sentiment of scored reviews in ``[since, until)``; per aspect on request."""

    def matching_reviews(
        self, entity_ids: Sequence[str], since: datetime | None, until: datetime | None, *,
        max_rating: float | None = None, flag_prefixes: Sequence[str] | None = None, limit: int = 500,
    ) -> list[Review]:
        """Reviews of these entities in ``[since, until)`` rated at most ``max_rating`` and/or carrying
        a flag that starts with one of ``flag_prefixes`` (all given conditions must hold); newest first."""

    def snapshots_before(self, entity_ids: Sequence[str], until: datetime) -> dict[str, list[RatingSnapshot]]:
        """Per entity, the latest snapshot of each source observed before ``until``."""

    def source_activity(
        self, entity_ids: Sequence[str], until: datetime | None = None
    ) -> dict[str, list[SourceActivity]]:
        """Per entity, per source that has reviews: how many, newest publication and collection times."""

    def get_incident(self, incident_id: str) -> Incident | None: ...

    def save_incidents(self, incidents: Sequence[Incident]) -> None:
        """Upsert many incidents in one request (visible at once, like ``save_incident``)."""

    def latest_incidents(self, rule_id: str, entity_ids: Sequence[str]) -> dict[str, Incident]:
        """Per entity that has any, the incident of ``rule_id`` opened last (open or resolved)."""

    def add_deliveries(self, deliveries: Sequence[AlertDelivery]) -> list[str]:
        """Record deliveries whose id is new; existing ids are left untouched. Returns the new ids."""

    def claim_delivery(
        self, delivery_id: str, claimant: str, now: datetime, stale_before: datetime
    ) -> AlertDelivery | None:
        """Atomically mark a delivery ``sending`` by ``claimant``; None if someone else holds it.

        Claimable: ``pending`` with ``not_before <= now``, or ``sending`` claimed before
        ``stale_before`` (its worker died). Exactly one of two concurrent claimants wins.
        """

    def save_delivery(self, delivery: AlertDelivery) -> None:
        """Replace a delivery record (confirm a send, record a failure, cancel)."""

    def list_deliveries(
        self, statuses: Sequence[DeliveryStatus] | None = None, incident_id: str | None = None, limit: int = 1000
    ) -> list[AlertDelivery]:
        """Deliveries, oldest first, optionally only some statuses or one incident's."""

    def get_alert_marks(self) -> dict[str, datetime]:
        """Named moments the alert engine keeps (e.g. when a rule's first run happened)."""

    def set_alert_mark(self, name: str, at: datetime) -> None: ...

    def entity_figures(self, request: "FiguresRequest") -> dict[str, "EntityFigures"]:
        """Everything a comparison needs for many entities at once (see ``search.figures``).

        Cost does not grow in requests with the number of entities: one round trip on
        Elasticsearch, a fixed number of grouped statements on SQLite.
        """

    def save_search(self, saved: "SavedSearch") -> None:
        """Create or replace the saved search ``saved.name`` (visible at once)."""

    def get_saved_search(self, name: str) -> "SavedSearch | None": ...

    def list_saved_searches(self) -> "list[SavedSearch]":
        """Every saved search, by name."""

    def delete_saved_search(self, name: str) -> bool:
        """Remove a saved search; False when there was none by that name."""

    # -- crawl bookkeeping (issue 3; records in search.crawl_records) ---------------------------

    def get_crawl_state(self, source_id: str) -> "CrawlState | None":
        """What earlier crawls of this source saw (None before its first crawl); visible at once."""

    def save_crawl_state(self, state: "CrawlState") -> None:
        """Create or replace the crawl state of ``state.source`` (visible at once)."""

    def add_review_events(self, events: "Sequence[ReviewEvent]") -> int:
        """Store review edit/deletion events, upserted by ``event_id``; returns how many were new."""

    def list_review_events(
        self, *, source_ids: Sequence[str] | None = None, entity_ids: Sequence[str] | None = None,
        review_ids: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
        since: datetime | None = None, until: datetime | None = None, limit: int = 100,
    ) -> "list[ReviewEvent]":
        """Review events matching every given filter (``since <= occurred_at < until``), newest first."""

    def add_crawl_events(self, events: "Sequence[CrawlEvent]") -> int:
        """Store crawl health events, upserted by ``event_id``; returns how many were new."""

    def list_crawl_events(
        self, *, source_ids: Sequence[str] | None = None, entity_ids: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None, since: datetime | None = None, until: datetime | None = None,
        limit: int = 100,
    ) -> "list[CrawlEvent]":
        """Crawl events (one per crawl of a source) matching every filter, newest first; visible at once.

        For operators: ``statuses=["empty", "degraded", "failed"]`` lists broken crawls; the
        newest ``ok`` event with ``new_reviews > 0`` tells when a source last brought news.
        """

    # -- authenticity (issue 5; records in search.authenticity_records) -------------------------

    def iter_reviews(self, entity_ids: Sequence[str] | None = None, *, batch_size: int = 1000) -> "Iterator[Review]":
        """Every stored review of these entities (None: of all entities), read in batches; any order."""

    def replace_authenticity(
        self, entity_ids: Sequence[str], cards: "Sequence[AuthenticityCard]", campaigns: "Sequence[Campaign]"
    ) -> None:
        """Replace the cards and campaigns whose ``entity_id`` is in ``entity_ids`` (visible at once).

        Every record given must belong to one of ``entity_ids``; a campaign is listed for every
        entity in its ``entity_ids`` but owned (and replaced) by its ``entity_id``.
        """

    def get_authenticity_cards(self, entity_id: str) -> "list[AuthenticityCard]":
        """The entity's last card (all sources) first, then one per source; [] if never assessed."""

    def list_campaigns(self, entity_ids: Sequence[str] | None = None, *, limit: int = 1000) -> "list[Campaign]":
        """Campaigns touching any of these entities (None: all), latest activity first."""

    def refresh(self) -> None:
        """Make every write so far visible to searches (a no-op where writes are immediate)."""

    def close(self) -> None: ...
