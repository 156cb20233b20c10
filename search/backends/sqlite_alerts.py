"""The alerting part of ``SQLiteReviewStore``: grouped reads for rules, incidents, the delivery log.

A mixin so the alerting additions to the store stay in one file: ``SQLiteReviewStore`` inherits
it and supplies ``_reading`` / ``_writing`` (connection and error handling). Every read is one
grouped statement over all requested entities, whatever their number. Times are compared as
``utc_key`` text, which sorts like the instant, so window boundaries are exact (no float days).

Claiming a delivery runs inside ``BEGIN IMMEDIATE``: SQLite lets one writer in at a time, so the
read-check-update of two concurrent claimants is serialised and exactly one wins. Reads no
settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Sequence

from search.backends import sqlite_sql
from search.backends.alert_stats import AspectSentiment, SentimentStats, SourceActivity, claimable
from search.backends.records import as_utc, utc_key
from search.backends.sqlite_driver import sqlite3
from search.documents import AlertDelivery, DeliveryStatus, Incident, RatingSnapshot, Review, SentimentLabel

SENTIMENT_SCORE = "json_extract(d.record, '$.sentiment_score')"


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else as_utc(datetime.fromisoformat(value))


def _reviews_where(entity_ids: Sequence[str], since: datetime | None, until: datetime | None) -> sqlite_sql.Where:
    where = sqlite_sql.Where()
    where.add("d.kind = 'review'")
    where.add_in("d.entity_id", list(entity_ids))
    where.add_window("d.published_at", since, until)
    return where


class SQLiteAlertMixin:
    """Alerting methods of ``ReviewStore`` for SQLite (see ``search.backends.base``)."""

    # -- grouped reads for rules ---------------------------------------------------------------

    def review_counts(
        self, entity_ids: Sequence[str], end: datetime, period: timedelta, periods: int, *,
        max_rating: float | None = None, sentiment_labels: Sequence[SentimentLabel] | None = None,
    ) -> dict[str, list[int]]:
        result = {entity_id: [0] * periods for entity_id in entity_ids}
        if not result or periods < 1:
            return result
        starts = [utc_key(end - period * (index + 1)) for index in range(periods)]
        where = _reviews_where(list(result), end - period * periods, end)
        matching = []
        if max_rating is not None:
            matching.append(("d.rating <= ?", [max_rating]))
        if sentiment_labels:
            labels = list(sentiment_labels)
            matching.append((f"d.sentiment_label IN ({', '.join('?' for _ in labels)})", labels))
        if matching:
            where.add("(" + " OR ".join(sql for sql, _ in matching) + ")", *[p for _, ps in matching for p in ps])
        bucket = "CASE " + " ".join(f"WHEN d.published_at >= ? THEN {i}" for i in range(periods)) + " END"
        sql = (f"SELECT d.entity_id, {bucket} AS bucket, COUNT(*) FROM documents d"
               f" WHERE {where.sql()} GROUP BY d.entity_id, bucket")
        with self._reading("counting reviews per period") as connection:
            for entity_id, index, count in connection.execute(sql, starts + where.params):
                if index is not None:
                    result[entity_id][index] = count
        return result

    def sentiment_stats(
        self, entity_ids: Sequence[str], since: datetime | None, until: datetime | None, *, by_aspect: bool = False
    ) -> dict[str, SentimentStats]:
        entity_ids = list(dict.fromkeys(entity_ids))
        if not entity_ids:
            return {}
        where = _reviews_where(entity_ids, since, until)
        where.add(f"{SENTIMENT_SCORE} IS NOT NULL")
        overall_sql = (f"SELECT d.entity_id, COUNT(*), AVG({SENTIMENT_SCORE}) FROM documents d"
                       f" WHERE {where.sql()} GROUP BY d.entity_id")
        aspect_sql = (f"SELECT d.entity_id, a.value, COUNT(*), AVG({SENTIMENT_SCORE})"
                      f" FROM documents d, json_each(d.record, '$.aspects') a"
                      f" WHERE {where.sql()} GROUP BY d.entity_id, a.value")
        aspects: dict[str, dict[str, AspectSentiment]] = {entity_id: {} for entity_id in entity_ids}
        with self._reading("computing sentiment statistics") as connection:
            overall = {row[0]: row[1:] for row in connection.execute(overall_sql, where.params)}
            if by_aspect:
                for entity_id, aspect, count, average in connection.execute(aspect_sql, where.params):
                    aspects[entity_id][str(aspect)] = AspectSentiment(count, average)
        return {
            entity_id: SentimentStats(entity_id, *(overall.get(entity_id) or (0, None)), aspects=aspects[entity_id])
            for entity_id in entity_ids
        }

    def matching_reviews(
        self, entity_ids: Sequence[str], since: datetime | None, until: datetime | None, *,
        max_rating: float | None = None, flag_prefixes: Sequence[str] | None = None, limit: int = 500,
    ) -> list[Review]:
        if not entity_ids:
            return []
        where = _reviews_where(entity_ids, since, until)
        if max_rating is not None:
            where.add("d.rating <= ?", max_rating)
        if flag_prefixes:
            likes = " OR ".join("f.value LIKE ? ESCAPE '\\'" for _ in flag_prefixes)
            where.add(f"EXISTS (SELECT 1 FROM json_each(d.record, '$.flags') f WHERE {likes})",
                      *[_like_prefix(prefix) for prefix in flag_prefixes])
        sql = f"SELECT d.record FROM documents d WHERE {where.sql()} ORDER BY {sqlite_sql.DATE_ORDER} LIMIT ?"
        with self._reading("finding matching reviews") as connection:
            rows = connection.execute(sql, where.params + [max(0, limit)]).fetchall()
        return [Review.model_validate_json(row[0]) for row in rows]

    def snapshots_before(self, entity_ids: Sequence[str], until: datetime) -> dict[str, list[RatingSnapshot]]:
        return self._latest_snapshots(entity_ids, until)

    def source_activity(
        self, entity_ids: Sequence[str], until: datetime | None = None
    ) -> dict[str, list[SourceActivity]]:
        result: dict[str, list[SourceActivity]] = {entity_id: [] for entity_id in entity_ids}
        if not result:
            return result
        where = _reviews_where(list(result), None, until)
        sql = (
            "SELECT d.entity_id, d.source, COUNT(*), MAX(d.published_at),"
            " MAX(json_extract(d.record, '$.collected_at'))"
            f" FROM documents d WHERE {where.sql()} GROUP BY d.entity_id, d.source ORDER BY d.entity_id, d.source"
        )
        with self._reading("reading source activity") as connection:
            for entity_id, source, count, published, collected in connection.execute(sql, where.params):
                result[entity_id].append(
                    SourceActivity(entity_id, source, count, _parse_time(published), _parse_time(collected))
                )
        return result

    # -- incidents -------------------------------------------------------------------------------

    def get_incident(self, incident_id: str) -> Incident | None:
        with self._reading("reading an incident") as connection:
            row = connection.execute("SELECT record FROM incidents WHERE incident_id = ?", (incident_id,)).fetchone()
        return None if row is None else Incident.model_validate_json(row[0])

    def save_incidents(self, incidents: Sequence[Incident]) -> None:
        if not incidents:
            return
        with self._writing("saving incidents") as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO incidents (incident_id, rule_id, entity_id, status, opened_at, record)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(i.incident_id, i.rule_id, i.entity_id, i.status, utc_key(i.opened_at), i.model_dump_json())
                 for i in incidents],
            )

    def latest_incidents(self, rule_id: str, entity_ids: Sequence[str]) -> dict[str, Incident]:
        wanted = list(dict.fromkeys(entity_ids))
        if not wanted:
            return {}
        where = sqlite_sql.Where()
        where.add("rule_id = ?", rule_id)
        where.add_in("entity_id", wanted)
        sql = ("SELECT record FROM (SELECT record, ROW_NUMBER() OVER (PARTITION BY entity_id"
               " ORDER BY opened_at DESC, incident_id ASC) AS position"
               f" FROM incidents WHERE {where.sql()}) WHERE position = 1")
        with self._reading("reading incidents") as connection:
            found = [Incident.model_validate_json(row[0]) for row in connection.execute(sql, where.params)]
        return {incident.entity_id: incident for incident in found}

    # -- delivery log ----------------------------------------------------------------------------

    @staticmethod
    def _delivery_row(delivery: AlertDelivery) -> tuple[Any, ...]:
        return (delivery.delivery_id, delivery.status, delivery.incident_id, utc_key(delivery.created_at),
                utc_key(delivery.not_before), utc_key(delivery.claimed_at), delivery.model_dump_json())

    def add_deliveries(self, deliveries: Sequence[AlertDelivery]) -> list[str]:
        created: list[str] = []
        if not deliveries:
            return created
        with self._writing("recording alert deliveries") as connection:
            for delivery in deliveries:
                cursor = connection.execute(
                    "INSERT OR IGNORE INTO alert_deliveries (delivery_id, status, incident_id, created_at,"
                    " not_before, claimed_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    self._delivery_row(delivery),
                )
                if cursor.rowcount == 1:
                    created.append(delivery.delivery_id)
        return created

    def claim_delivery(
        self, delivery_id: str, claimant: str, now: datetime, stale_before: datetime
    ) -> AlertDelivery | None:
        with self._writing("claiming an alert delivery") as connection:
            row = connection.execute(
                "SELECT record FROM alert_deliveries WHERE delivery_id = ?", (delivery_id,)
            ).fetchone()
            if row is None:
                return None
            delivery = AlertDelivery.model_validate_json(row[0])
            if not claimable(delivery, now, stale_before):
                return None
            claimed = delivery.model_copy(update={"status": "sending", "claimed_by": claimant, "claimed_at": now,
                                                  "attempts": delivery.attempts + 1})
            self._replace_delivery(connection, claimed)
        return claimed

    def save_delivery(self, delivery: AlertDelivery) -> None:
        with self._writing("saving an alert delivery") as connection:
            self._replace_delivery(connection, delivery)

    def _replace_delivery(self, connection: sqlite3.Connection, delivery: AlertDelivery) -> None:
        connection.execute(
            "INSERT OR REPLACE INTO alert_deliveries (delivery_id, status, incident_id, created_at, not_before,"
            " claimed_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
            self._delivery_row(delivery),
        )

    def list_deliveries(
        self, statuses: Sequence[DeliveryStatus] | None = None, incident_id: str | None = None, limit: int = 1000
    ) -> list[AlertDelivery]:
        where = sqlite_sql.Where()
        where.add_in("status", statuses)
        if incident_id is not None:
            where.add("incident_id = ?", incident_id)
        sql = (f"SELECT record FROM alert_deliveries WHERE {where.sql()}"
               " ORDER BY created_at ASC, delivery_id ASC LIMIT ?")
        with self._reading("reading alert deliveries") as connection:
            rows = connection.execute(sql, where.params + [max(0, limit)]).fetchall()
        return [AlertDelivery.model_validate_json(row[0]) for row in rows]

    def get_alert_marks(self) -> dict[str, datetime]:
        with self._reading("reading alert marks") as connection:
            return {name: _parse_time(at) for name, at in connection.execute("SELECT name, at FROM alert_marks")}

    def set_alert_mark(self, name: str, at: datetime) -> None:
        with self._writing("saving an alert mark") as connection:
            connection.execute("INSERT OR REPLACE INTO alert_marks (name, at) VALUES (?, ?)", (name, utc_key(at)))

