"""The authenticity part of ``ElasticsearchReviewStore``: read every review, keep report cards and campaigns.

A mixin so these additions stay in one file: the store inherits it and supplies ``alias``,
``_ensured`` (client context that creates an index on first use) and ``_search``. Cards and
campaigns share one small index, ``<prefix>-authenticity`` (``mappings/v1/authenticity.json``),
told apart by ``entry_type``; the full record sits in a disabled ``record`` object and only the
filter fields are indexed. ``iter_reviews`` pages with ``search_after`` on ``doc_id``, so it
reads any number of reviews without the 10,000-hit window. The stripped node has no
``_delete_by_query``: replacing an entity's assessment lists the old ids, then deletes and
writes in one ``_bulk`` with ``refresh=True`` (the CLI reads the card back at once). Reads no
settings.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from search.authenticity_records import AuthenticityCard, Campaign
from search.backends.base import QueryError, StoreError
from search.backends.records import document_from_fields
from search.backends.sqlite_authenticity import check_batch_size, check_campaign_limit, check_records
from search.documents import Review

AUTHENTICITY = "authenticity"
PAGE_SIZE = 5_000
MAX_CARDS = 1_000  # one per source of an entity


def reviews_page_body(entity_ids: Sequence[str] | None, batch_size: int, after: list[Any] | None) -> dict[str, Any]:
    """One page of reviews in ``doc_id`` order; pure, so it is tested as a dict."""
    filters: list[dict[str, Any]] = [{"term": {"kind": "review"}}]
    if entity_ids is not None:
        filters.append({"terms": {"entity_id": list(entity_ids)}})
    body: dict[str, Any] = {
        "query": {"bool": {"filter": filters}},
        "sort": [{"doc_id": "asc"}],
        "size": batch_size,
        "track_total_hits": False,
    }
    if after is not None:
        body["search_after"] = after
    return body


def campaigns_body(entity_ids: Sequence[str] | None, limit: int) -> dict[str, Any]:
    filters: list[dict[str, Any]] = [{"term": {"entry_type": "campaign"}}]
    if entity_ids is not None:
        filters.append({"terms": {"entity_ids": list(entity_ids)}})
    return {
        "query": {"bool": {"filter": filters}},
        "sort": [{"last_published": {"order": "desc", "missing": "_last"}}, {"record_id": "asc"}],
        "size": limit,
        "track_total_hits": False,
    }


def _card_entry(card: AuthenticityCard) -> dict[str, Any]:
    return {"entry_type": "card", "record_id": card.card_id, "entity_id": card.entity_id, "source": card.source,
            "grade": card.grade, "record": card.model_dump(mode="json")}


def _campaign_entry(campaign: Campaign) -> dict[str, Any]:
    touched = sorted({campaign.entity_id, *campaign.entity_ids})
    last = campaign.last_published.isoformat() if campaign.last_published else None
    return {"entry_type": "campaign", "record_id": campaign.campaign_id, "entity_id": campaign.entity_id,
            "entity_ids": touched, "last_published": last, "record": campaign.model_dump(mode="json")}


class ElasticsearchAuthenticityMixin:
    """Every review in pages, and the last authenticity assessment (see ``ReviewStore``)."""

    def iter_reviews(self, entity_ids: Sequence[str] | None = None, *, batch_size: int = 1000) -> Iterator[Review]:
        """Every stored review (of these entities, or all), in pages of ``batch_size``."""
        check_batch_size(batch_size)
        after = None
        while True:
            body = reviews_page_body(entity_ids, batch_size, after)
            hits = self._search("documents", body, "reading reviews")["hits"]["hits"]
            for hit in hits:
                yield document_from_fields(hit["_source"])
            if len(hits) < batch_size:
                return
            after = hits[-1]["sort"]

    def replace_authenticity(
        self, entity_ids: Sequence[str], cards: Sequence[AuthenticityCard], campaigns: Sequence[Campaign]
    ) -> None:
        """Drop the cards and campaigns of ``entity_ids`` and store these instead (one bulk request)."""
        check_records(cards, campaigns, entity_ids)
        entity_ids = list(entity_ids)
        if not entity_ids:
            return
        alias = self.alias(AUTHENTICITY)
        new = {card.card_id: _card_entry(card) for card in cards}
        new.update({campaign.campaign_id: _campaign_entry(campaign) for campaign in campaigns})
        operations: list[dict[str, Any]] = [{"delete": {"_index": alias, "_id": old_id}}
                                            for old_id in self._entry_ids(entity_ids) if old_id not in new]
        for record_id, entry in new.items():
            operations += [{"index": {"_index": alias, "_id": record_id}}, entry]
        if not operations:
            return
        with self._ensured(AUTHENTICITY, "saving authenticity cards and campaigns") as client:
            items = client.bulk(operations=operations, refresh=True, require_alias=True).body["items"]
        failed = [result for item in items for result in item.values()
                  if result.get("error") and result.get("status") != 404]
        if failed:
            raise StoreError(f"Elasticsearch refused {len(failed)} authenticity record(s), e.g. {failed[0]}; "
                             "check the authenticity index mapping (search/mappings/v1/authenticity.json)")

    def _entry_ids(self, entity_ids: list[str]) -> Iterator[str]:
        """Ids of every card and campaign owned by these entities, page after page."""
        after = None
        while True:
            body: dict[str, Any] = {"query": {"bool": {"filter": [{"terms": {"entity_id": entity_ids}}]}},
                                    "sort": [{"record_id": "asc"}], "size": PAGE_SIZE, "_source": False,
                                    "track_total_hits": False}
            if after is not None:
                body["search_after"] = after
            hits = self._search(AUTHENTICITY, body, "reading authenticity cards")["hits"]["hits"]
            yield from (hit["_id"] for hit in hits)
            if len(hits) < PAGE_SIZE:
                return
            after = hits[-1]["sort"]

    def get_authenticity_cards(self, entity_id: str) -> list[AuthenticityCard]:
        """The entity's card (all sources) first, then one per source by source id; [] if never assessed."""
        body = {
            "query": {"bool": {"filter": [{"term": {"entry_type": "card"}}, {"term": {"entity_id": entity_id}}]}},
            "sort": [{"source": {"order": "asc", "missing": "_first"}}],
            "size": MAX_CARDS, "track_total_hits": False,
        }
        hits = self._search(AUTHENTICITY, body, "reading authenticity cards")["hits"]["hits"]
        return [AuthenticityCard.model_validate(hit["_source"]["record"]) for hit in hits]

    def list_campaigns(self, entity_ids: Sequence[str] | None = None, *, limit: int = 1000) -> list[Campaign]:
        """Campaigns touching any of these entities (or all), latest activity first."""
        check_campaign_limit(limit)
        if isinstance(entity_ids, str):
            raise QueryError(f"entity_ids must be a list of ids, e.g. [{entity_ids!r}], not a single string")
        if limit == 0:
            return []
        hits = self._search(AUTHENTICITY, campaigns_body(entity_ids, limit), "reading campaigns")["hits"]["hits"]
        return [Campaign.model_validate(hit["_source"]["record"]) for hit in hits]
