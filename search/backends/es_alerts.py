"""The alerting part of ``ElasticsearchReviewStore``: grouped reads, incidents in bulk, the delivery log.

A mixin so the alerting additions stay in one file: the store inherits it and supplies
``alias``, ``_ensured`` (client context that creates an index on first use) and ``_search``.
Request bodies come from ``search.alert_queries``. Grouped reads that could exceed the cluster's
bucket limit are split into entity chunks sent together in ONE ``_msearch`` round trip.

The delivery log lives in the ``<prefix>-alertlog`` index (``mappings/v1/alertlog.json``), with
the engine's marks. Claims use optimistic concurrency (``if_seq_no`` / ``if_primary_term``): two
workers may read the same pending delivery, but only the first write of ``sending`` succeeds,
the other gets a version conflict and backs off. Every alert-log and incident write uses
``refresh=True`` because the engine reads them back at once. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from search import alert_queries
from search.backends.alert_stats import AspectSentiment, SentimentStats, SourceActivity, claimable
from search.backends.base import StoreError
from search.backends.records import as_utc, document_from_fields
from search.documents import AlertDelivery, DeliveryStatus, Incident, RatingSnapshot, Review, SentimentLabel

ALERTLOG = "alertlog"


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):  # a max aggregation on a date answers epoch milliseconds
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    return as_utc(datetime.fromisoformat(str(value)))


def _delivery_source(delivery: AlertDelivery) -> dict[str, Any]:
    return {**delivery.model_dump(mode="json"), "entry_type": "delivery"}


def _delivery_from(source: dict[str, Any]) -> AlertDelivery:
    return AlertDelivery.model_validate({k: v for k, v in source.items() if k in AlertDelivery.model_fields})


class ElasticsearchAlertMixin:
    """Alerting methods of ``ReviewStore`` for Elasticsearch (see ``search.backends.base``)."""

    # -- plumbing ----------------------------------------------------------------------------

    def _msearch(self, name: str, bodies: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
        """Run several searches on one alias in a single request; any failed part raises StoreError."""
        if not bodies:
            return []
        searches: list[dict[str, Any]] = []
        for body in bodies:
            searches.extend(({"index": self.alias(name)}, body))
        with self._ensured(name, action) as client:
            responses = client.msearch(searches=searches).body["responses"]
        for response in responses:
            if "error" in response:
                error = response["error"]
                reason = error.get("reason", error) if isinstance(error, dict) else error
                raise StoreError(f"Elasticsearch failed while {action}: {reason}")
        return responses

    def _bulk(self, name: str, operations: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
        with self._ensured(name, action) as client:
            return client.bulk(operations=operations, refresh=True).body["items"]

    # -- grouped reads for rules ---------------------------------------------------------------

    def review_counts(
        self, entity_ids: Sequence[str], end: datetime, period: timedelta, periods: int, *,
        max_rating: float | None = None, sentiment_labels: Sequence[SentimentLabel] | None = None,
    ) -> dict[str, list[int]]:
        entity_ids = list(dict.fromkeys(entity_ids))
        result = {entity_id: [0] * periods for entity_id in entity_ids}
        if not entity_ids or periods < 1:
            return result
        bodies = [alert_queries.review_counts_body(chunk, end, period, periods, max_rating=max_rating,
                                                   sentiment_labels=sentiment_labels)
                  for chunk in alert_queries.entity_chunks(entity_ids, periods)]
        for response in self._msearch("documents", bodies, "counting reviews per period"):
            for bucket in response["aggregations"]["entities"]["buckets"]:
                for period_bucket in bucket["periods"]["buckets"]:
                    result[bucket["key"]][int(period_bucket["key"])] = period_bucket["doc_count"]
        return result

    def sentiment_stats(
        self, entity_ids: Sequence[str], since: datetime | None, until: datetime | None, *, by_aspect: bool = False
    ) -> dict[str, SentimentStats]:
        entity_ids = list(dict.fromkeys(entity_ids))
        result = {entity_id: SentimentStats(entity_id, 0, None) for entity_id in entity_ids}
        per_entity = alert_queries.MAX_ASPECTS if by_aspect else 0
        bodies = [alert_queries.sentiment_stats_body(chunk, since, until, by_aspect=by_aspect)
                  for chunk in alert_queries.entity_chunks(entity_ids, per_entity)]
        for response in self._msearch("documents", bodies, "computing sentiment statistics"):
            for bucket in response["aggregations"]["entities"]["buckets"]:
                aspects = {
                    str(a["key"]): AspectSentiment(a["doc_count"], a["score"]["value"])
                    for a in bucket.get("aspects", {}).get("buckets", [])
                }
                result[bucket["key"]] = SentimentStats(bucket["key"], bucket["doc_count"], bucket["score"]["value"],
                                                       aspects=aspects)
        return result

    def matching_reviews(
        self, entity_ids: Sequence[str], since: datetime | None, until: datetime | None, *,
        max_rating: float | None = None, flag_prefixes: Sequence[str] | None = None, limit: int = 500,
    ) -> list[Review]:
        if not entity_ids or limit <= 0:
            return []
        body = alert_queries.matching_reviews_body(entity_ids, since, until, max_rating=max_rating,
                                                   flag_prefixes=flag_prefixes, limit=limit)
        response = self._search("documents", body, "finding matching reviews")
        return [document_from_fields(hit["_source"]) for hit in response["hits"]["hits"]]

    def snapshots_before(self, entity_ids: Sequence[str], until: datetime) -> dict[str, list[RatingSnapshot]]:
        entity_ids = list(dict.fromkeys(entity_ids))
        result: dict[str, list[RatingSnapshot]] = {entity_id: [] for entity_id in entity_ids}
        bodies = [alert_queries.snapshots_before_body(chunk, until)
                  for chunk in alert_queries.entity_chunks(entity_ids, alert_queries.TYPICAL_SOURCES)]
        for response in self._msearch("snapshots", bodies, "reading rating snapshots"):
            for entity_bucket in response["aggregations"]["entities"]["buckets"]:
                for source_bucket in entity_bucket["sources"]["buckets"]:
                    (top,) = source_bucket["latest"]["hits"]["hits"]
                    result[entity_bucket["key"]].append(RatingSnapshot.model_validate(top["_source"]))
        return result

    def source_activity(
        self, entity_ids: Sequence[str], until: datetime | None = None
    ) -> dict[str, list[SourceActivity]]:
        entity_ids = list(dict.fromkeys(entity_ids))
        result: dict[str, list[SourceActivity]] = {entity_id: [] for entity_id in entity_ids}
        bodies = [alert_queries.source_activity_body(chunk, until)
                  for chunk in alert_queries.entity_chunks(entity_ids, alert_queries.TYPICAL_SOURCES)]
        for response in self._msearch("documents", bodies, "reading source activity"):
            for entity_bucket in response["aggregations"]["entities"]["buckets"]:
                for bucket in entity_bucket["sources"]["buckets"]:
                    result[entity_bucket["key"]].append(SourceActivity(
                        entity_bucket["key"], bucket["key"], bucket["doc_count"],
                        _time(bucket["published"]["value"]), _time(bucket["collected"]["value"]),
                    ))
        return result

    # -- incidents -------------------------------------------------------------------------------

    def get_incident(self, incident_id: str) -> Incident | None:
        from elasticsearch import NotFoundError

        with self._ensured("incidents", "reading an incident") as client:
            try:
                source = client.get(index=self.alias("incidents"), id=incident_id)["_source"]
            except NotFoundError:
                return None
        return Incident.model_validate(source)

    def save_incidents(self, incidents: Sequence[Incident]) -> None:
        if not incidents:
            return
        alias = self.alias("incidents")
        operations: list[dict[str, Any]] = []
        for incident in incidents:
            operations.extend(({"index": {"_index": alias, "_id": incident.incident_id}},
                               incident.model_dump(mode="json")))
        items = self._bulk("incidents", operations, f"saving incidents in {alias}")
        failed = [item["index"] for item in items if item["index"].get("status", 500) >= 300]
        if failed:
            raise StoreError(f"{len(failed)} incident(s) were not saved in {alias}: {failed[0].get('error')}")

    def latest_incidents(self, rule_id: str, entity_ids: Sequence[str]) -> dict[str, Incident]:
        entity_ids = list(dict.fromkeys(entity_ids))
        if not entity_ids:
            return {}
        body = alert_queries.latest_incidents_body(rule_id, entity_ids)
        response = self._search("incidents", body, "reading incidents")
        found = {}
        for bucket in response["aggregations"]["entities"]["buckets"]:
            (top,) = bucket["latest"]["hits"]["hits"]
            found[bucket["key"]] = Incident.model_validate(top["_source"])
        return found

    # -- delivery log ----------------------------------------------------------------------------

    def add_deliveries(self, deliveries: Sequence[AlertDelivery]) -> list[str]:
        if not deliveries:
            return []
        alias = self.alias(ALERTLOG)
        operations: list[dict[str, Any]] = []
        for delivery in deliveries:
            operations.extend(({"create": {"_index": alias, "_id": delivery.delivery_id}}, _delivery_source(delivery)))
        created = []
        for item in self._bulk(ALERTLOG, operations, f"recording alert deliveries in {alias}"):
            result = item["create"]
            if result.get("status") == 201:
                created.append(result["_id"])
            elif result.get("status") != 409:  # 409: recorded before, which is the point
                raise StoreError(f"alert delivery {result.get('_id')} was not recorded in {alias}: {result.get('error')}")
        return created

    def claim_delivery(
        self, delivery_id: str, claimant: str, now: datetime, stale_before: datetime
    ) -> AlertDelivery | None:
        from elasticsearch import ConflictError, NotFoundError

        alias = self.alias(ALERTLOG)
        with self._ensured(ALERTLOG, f"claiming an alert delivery in {alias}") as client:
            try:
                found = client.get(index=alias, id=delivery_id)
            except NotFoundError:
                return None
            delivery = _delivery_from(found["_source"])
            if not claimable(delivery, now, stale_before):
                return None
            claimed = delivery.model_copy(update={"status": "sending", "claimed_by": claimant, "claimed_at": now,
                                                  "attempts": delivery.attempts + 1})
            try:
                client.index(index=alias, id=delivery_id, document=_delivery_source(claimed), refresh=True,
                             if_seq_no=found["_seq_no"], if_primary_term=found["_primary_term"])
            except ConflictError:
                return None  # another worker claimed it between our read and our write
        return claimed

    def save_delivery(self, delivery: AlertDelivery) -> None:
        alias = self.alias(ALERTLOG)
        with self._ensured(ALERTLOG, f"saving an alert delivery in {alias}") as client:
            client.index(index=alias, id=delivery.delivery_id, document=_delivery_source(delivery), refresh=True)

    def list_deliveries(
        self, statuses: Sequence[DeliveryStatus] | None = None, incident_id: str | None = None, limit: int = 1000
    ) -> list[AlertDelivery]:
        body = alert_queries.list_deliveries_body(statuses, incident_id, limit)
        response = self._search(ALERTLOG, body, "reading alert deliveries")
        return [_delivery_from(hit["_source"]) for hit in response["hits"]["hits"]]

    def get_alert_marks(self) -> dict[str, datetime]:
        response = self._search(ALERTLOG, alert_queries.alert_marks_body(), "reading alert marks")
        return {hit["_source"]["name"]: _time(hit["_source"]["at"]) for hit in response["hits"]["hits"]}

    def set_alert_mark(self, name: str, at: datetime) -> None:
        alias = self.alias(ALERTLOG)
        with self._ensured(ALERTLOG, f"saving an alert mark in {alias}") as client:
            client.index(index=alias, id=f"mark:{name}", refresh=True,
                         document={"entry_type": "mark", "name": name, "at": as_utc(at).isoformat()})
