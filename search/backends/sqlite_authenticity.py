"""The authenticity part of ``SQLiteReviewStore``: read every review, keep report cards and campaigns.

A mixin so the main store module stays about documents. ``AUTHENTICITY_SCHEMA`` is appended to
``sqlite_schema.SCHEMA``: ``authenticity_cards`` (one JSON card per entity and per entity and
source), ``campaigns`` (one JSON record each, keyed by the entity most of its reviews are about)
and ``campaign_entities`` (every entity a campaign touches, for "campaigns about X" reads).
``replace_authenticity`` swaps an entity's cards and campaigns in one transaction, so a reader
never sees half an assessment. Relies on the store's ``_reading``/``_writing`` helpers. Reads no
settings.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from search.authenticity_records import AuthenticityCard, Campaign
from search.backends.base import QueryError
from search.backends.records import utc_key
from search.backends.sqlite_sql import Where
from search.documents import Review

AUTHENTICITY_SCHEMA = """
CREATE TABLE IF NOT EXISTS authenticity_cards (
    card_id TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL,
    source TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS authenticity_cards_by_entity ON authenticity_cards (entity_id, source);
CREATE TABLE IF NOT EXISTS campaigns (
    campaign_id TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL,
    last_published TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS campaigns_by_entity ON campaigns (entity_id);
CREATE TABLE IF NOT EXISTS campaign_entities (
    entity_id TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    PRIMARY KEY (entity_id, campaign_id)
) WITHOUT ROWID;
"""

MAX_BATCH = 10_000
MAX_CAMPAIGNS = 10_000


def check_batch_size(batch_size: int) -> None:
    if not 1 <= batch_size <= MAX_BATCH:
        raise QueryError(f"batch_size must be between 1 and {MAX_BATCH} (got {batch_size})")


def check_campaign_limit(limit: int) -> None:
    if not 0 <= limit <= MAX_CAMPAIGNS:
        raise QueryError(f"limit must be between 0 and {MAX_CAMPAIGNS} (got {limit})")


def check_records(cards: Sequence[AuthenticityCard], campaigns: Sequence[Campaign], entity_ids: Sequence[str]) -> None:
    """Refuse records that would escape the replaced entities (they would never be cleaned up)."""
    if isinstance(entity_ids, str):
        raise QueryError(f"entity_ids must be a list of ids, e.g. [{entity_ids!r}], not a single string")
    allowed = set(entity_ids)
    for record in [*cards, *campaigns]:
        if not isinstance(record, (AuthenticityCard, Campaign)):
            raise TypeError(f"expected AuthenticityCard or Campaign records, got {type(record).__name__}")
        if record.entity_id not in allowed:
            raise QueryError(f"{type(record).__name__} for entity {record.entity_id!r} is outside the replaced "
                             f"entities {sorted(allowed)}; add it to entity_ids")


class SQLiteAuthenticityMixin:
    """Every review in batches, and the last authenticity assessment (see ``ReviewStore``)."""

    def iter_reviews(self, entity_ids: Sequence[str] | None = None, *, batch_size: int = 1000) -> Iterator[Review]:
        """Every stored review (of these entities, or all), in batches; order is unspecified."""
        check_batch_size(batch_size)
        last_row = 0
        while True:
            where = Where()
            where.add("kind = 'review'")
            where.add("id > ?", last_row)
            where.add_in("entity_id", list(entity_ids) if entity_ids is not None else None)
            with self._reading("reading reviews") as connection:
                rows = connection.execute(
                    f"SELECT id, record FROM documents WHERE {where.sql()} ORDER BY id LIMIT ?",
                    where.params + [batch_size],
                ).fetchall()
            for _row_id, record_json in rows:
                yield Review.model_validate_json(record_json)
            if len(rows) < batch_size:
                return
            last_row = rows[-1][0]

    def replace_authenticity(
        self, entity_ids: Sequence[str], cards: Sequence[AuthenticityCard], campaigns: Sequence[Campaign]
    ) -> None:
        """Drop the cards and campaigns of ``entity_ids`` and store these instead, atomically."""
        check_records(cards, campaigns, entity_ids)
        entity_ids = list(entity_ids)
        if not entity_ids:
            return
        placeholders = ", ".join("?" for _ in entity_ids)
        with self._writing("saving authenticity cards and campaigns") as connection:
            connection.execute(f"DELETE FROM authenticity_cards WHERE entity_id IN ({placeholders})", entity_ids)
            connection.execute(
                "DELETE FROM campaign_entities WHERE campaign_id IN"
                f" (SELECT campaign_id FROM campaigns WHERE entity_id IN ({placeholders}))", entity_ids)
            connection.execute(f"DELETE FROM campaigns WHERE entity_id IN ({placeholders})", entity_ids)
            for card in cards:
                connection.execute(
                    "INSERT OR REPLACE INTO authenticity_cards (card_id, entity_id, source, record)"
                    " VALUES (?, ?, ?, ?)",
                    (card.card_id, card.entity_id, card.source, card.model_dump_json()))
            for campaign in campaigns:
                connection.execute(
                    "INSERT OR REPLACE INTO campaigns (campaign_id, entity_id, last_published, record)"
                    " VALUES (?, ?, ?, ?)",
                    (campaign.campaign_id, campaign.entity_id, utc_key(campaign.last_published),
                     campaign.model_dump_json()))
                connection.executemany(
                    "INSERT OR IGNORE INTO campaign_entities (entity_id, campaign_id) VALUES (?, ?)",
                    [(entity_id, campaign.campaign_id) for entity_id in {campaign.entity_id, *campaign.entity_ids}])

    def get_authenticity_cards(self, entity_id: str) -> list[AuthenticityCard]:
        """The entity's card (all sources) first, then one per source by source id; [] if never assessed."""
        with self._reading("reading authenticity cards") as connection:
            rows = connection.execute(
                "SELECT record FROM authenticity_cards WHERE entity_id = ?"
                " ORDER BY source IS NOT NULL, source", (entity_id,)).fetchall()
        return [AuthenticityCard.model_validate_json(row[0]) for row in rows]

    def list_campaigns(self, entity_ids: Sequence[str] | None = None, *, limit: int = 1000) -> list[Campaign]:
        """Campaigns touching any of these entities (or all), latest activity first."""
        check_campaign_limit(limit)
        where = Where()
        if entity_ids is not None:
            if isinstance(entity_ids, str):
                raise QueryError(f"entity_ids must be a list of ids, e.g. [{entity_ids!r}], not a single string")
            ids = list(entity_ids)
            where.add(f"c.campaign_id IN (SELECT campaign_id FROM campaign_entities WHERE entity_id IN"
                      f" ({', '.join('?' for _ in ids)}))", *ids)
        with self._reading("reading campaigns") as connection:
            rows = connection.execute(
                f"SELECT c.record FROM campaigns c WHERE {where.sql()}"
                " ORDER BY c.last_published DESC NULLS LAST, c.campaign_id LIMIT ?", where.params + [limit],
            ).fetchall()
        return [Campaign.model_validate_json(row[0]) for row in rows]
