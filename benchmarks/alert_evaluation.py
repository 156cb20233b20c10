"""Benchmark: a full evaluation of every alert rule type over 100, 1,000 and 10,000 entities.

Prints, per entity count, the wall time of one full pass and the number of store calls, split
into the rules' grouped reads and everything else, for:

- the first pass (incidents open, emails are rendered and recorded; one CX team receives them,
  so the per-recipient cap keeps the explanation reads bounded);
- the steady-state pass (what beat runs every few minutes: nothing new to email).

Target: the steady-state pass over 10,000 entities in at most 10 s, with a number of store calls
that does not grow with the number of entities.

Data: invented reviews (no dataset), 12 per entity over 60 days plus two rating snapshots; about
3 % of the entities have a bad week. Store: the embedded SQLite backend in a temporary
directory (``--store elasticsearch --es-url URL`` for a cluster).

Run from the repository root::

    python benchmarks/alert_evaluation.py                 # 100, 1000, 10000 entities
    python benchmarks/alert_evaluation.py --entities 1000
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import Settings  # noqa: E402
from search.documents import RatingSnapshot, Review, make_review_id, make_snapshot_id  # noqa: E402
from search.factory import get_store  # noqa: E402
from workers.alerts.engine import evaluate_alerts  # noqa: E402
from workers.alerts.loader import parse_rule  # noqa: E402

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
RULES = [
    {"id": "drop", "type": "rating_drop"},
    {"id": "displayed", "type": "displayed_rating_drop"},
    {"id": "negative-review", "type": "new_negative_review"},
    {"id": "negative-spike", "type": "negative_spike"},
    {"id": "volume-spike", "type": "volume_spike"},
    {"id": "sentiment", "type": "sentiment_drop", "aspects": ["*"]},
    {"id": "integrity", "type": "integrity_complaint"},
    {"id": "campaign", "type": "authenticity_campaign"},
    {"id": "overtake", "type": "competitor_overtake"},
    {"id": "silent", "type": "source_silent"},
]
RULE_READS = {"rating_stats", "review_counts", "sentiment_stats", "matching_reviews", "snapshots_before",
              "source_activity", "list_incidents", "latest_incidents"}
GOOD = ["Accueil chaleureux et café parfait.", "Lovely staff, great pastries.", "Service rapide, je reviendrai."]
BAD = ["Attente interminable et plats froids.", "Rude waiter, cold coffee.", "Tables sales, très déçu."]


class CountingStore:
    """Delegates to a real store and counts every method call by name."""

    def __init__(self, store) -> None:
        self._store = store
        self.calls: collections.Counter[str] = collections.Counter()

    def __getattr__(self, name):
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self.calls[name] += 1
            return attribute(*args, **kwargs)

        return counted


def build_settings(entities: int, workdir: Path, args: argparse.Namespace) -> Settings:
    store = {"backend": args.store, "sqlite_path": str(workdir / "bench.sqlite")}
    groups = [{"id": f"g{n}", "name": f"Group {n}"} for n in range(entities // 5)]
    return Settings(
        store=store, elasticsearch={"url": args.es_url, "index_prefix": f"bench-alerts-{entities}"},
        groups=groups, alerts={"rules": [], "backfill_days": 0, "operators": ["ops@chain.example"]},
        entities=[{"id": f"e{n:05d}", "name": f"Café n°{n}", "group": f"g{n // 5}", "language": "fr" if n % 2 else "en",
                   "recipients": ["cx@chain.example"],
                   "sources": [{"id": f"s{n:05d}", "type": "schema_org", "url": f"https://reviews.example/{n}"}]}
                  for n in range(entities)],
    )


def seed(store, entities: int) -> None:
    generator = random.Random(7)
    batch: list[Review] = []
    snapshots: list[RatingSnapshot] = []
    for n in range(entities):
        troubled = n % 33 == 0
        quality = 3.2 + 0.4 * (n % 5)  # group members (5 in a row) are 0.4 stars apart: few random overtakes
        for k in range(12):
            # The newest review of every entity is recent, so sources look alive (source_silent stays quiet).
            age = timedelta(hours=generator.uniform(1, 20) if k == 0 else generator.uniform(1, 24 * 60))
            bad = troubled and age < timedelta(days=6)
            rating = generator.choice([1, 2]) if bad else min(5, max(1, round(generator.gauss(quality, 0.3))))
            published = NOW - age
            batch.append(Review(
                review_id=make_review_id(f"s{n:05d}", f"{n}-{k}"), source=f"s{n:05d}", platform="schema_org",
                entity_id=f"e{n:05d}", rating=rating, text=(BAD if bad else GOOD)[k % 3], language="fr",
                published_at=published, collected_at=NOW - timedelta(hours=2),
                sentiment_score=-0.6 if bad else 0.6, sentiment_label="negative" if bad else "positive",
                aspects=["service"] if k % 2 else ["prix"], flags=["campaign:burst"] if troubled and k < 3 else []))
        for days, average in ((10, 4.5), (0.1, 4.1 if troubled else 4.5)):
            observed = NOW - timedelta(days=days)
            snapshots.append(RatingSnapshot(snapshot_id=make_snapshot_id(f"s{n:05d}", f"e{n:05d}", observed),
                                            source=f"s{n:05d}", platform="schema_org", entity_id=f"e{n:05d}",
                                            average=average, rating_count=200, observed_at=observed))
        if len(batch) >= 5000:
            store.upsert_reviews(batch)
            batch = []
    store.upsert_reviews(batch)
    store.add_snapshots(snapshots)
    store.refresh()


def one_pass(settings: Settings, store, now: datetime) -> tuple[float, collections.Counter, int]:
    counting = CountingStore(store)
    rules = [parse_rule(dict(options), "benchmark", settings) for options in RULES]
    started, cpu = time.perf_counter(), time.process_time()
    run = evaluate_alerts(settings, counting, now=now, rules=rules)
    elapsed = time.perf_counter() - started
    if run.errors:
        print("  errors:", run.errors[:3])
    print(f"         ({elapsed:.2f} s wall, {time.process_time() - cpu:.2f} s CPU in this process)")
    return elapsed, counting.calls, len(run.fired)


def describe(calls: collections.Counter) -> str:
    reads = sum(n for name, n in calls.items() if name in RULE_READS)
    return f"{sum(calls.values())} store calls ({reads} grouped rule reads)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--store", choices=["sqlite", "elasticsearch"], default="sqlite")
    parser.add_argument("--es-url", default="http://127.0.0.1:9250")
    args = parser.parse_args()
    print(f"alert evaluation benchmark: {len(RULES)} rule types, store {args.store}")
    for entities in args.entities:
        with tempfile.TemporaryDirectory() as workdir:
            settings = build_settings(entities, Path(workdir), args)
            store = get_store(settings)
            store.ensure_ready()
            try:
                started = time.perf_counter()
                seed(store, entities)
                seeded = time.perf_counter() - started
                first, first_calls, fired = one_pass(settings, store, NOW)
                steady, steady_calls, _ = one_pass(settings, store, NOW + timedelta(minutes=5))
                print(f"{entities:>6} entities (seeded {entities * 12} reviews in {seeded:.1f} s): "
                      f"first pass {first:.2f} s, {fired} incidents, {describe(first_calls)}; "
                      f"steady pass {steady:.2f} s, {describe(steady_calls)}")
                print(f"         steady-state calls by method: {dict(sorted(steady_calls.items()))}")
            finally:
                if args.store == "elasticsearch":
                    from elasticsearch import Elasticsearch

                    client = Elasticsearch(args.es_url)
                    client.indices.delete(index=f"bench-alerts-{entities}-*", ignore_unavailable=True)
                store.close()


if __name__ == "__main__":
    main()
