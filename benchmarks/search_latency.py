"""Benchmark: p50 and p95 latency of ten representative searches, on Elasticsearch and SQLite.

Runs on the stores ``index_throughput.py`` filled (``<prefix>-documents`` on the cluster,
``--sqlite-path`` for SQLite); with ``--fill`` it fills them itself first with the same
deterministic reviews. Each search is the full ``store.search`` call (parsing, request,
snippets, records), repeated ``--repeat`` times after two warm-up runs, so the figures are warm
cache latencies as a user sees them when refining a search. Targets at 1M reviews: p95 <= 50 ms
on Elasticsearch, <= 150 ms on SQLite (over all searches together). The machine's load average
is printed before and after, and for SQLite (which runs in this process) the CPU time of each
search too (of both its threads: facets are counted beside the page, so CPU can exceed wall
time): on a shared machine, wall time grows with other jobs while CPU time barely does::

    python benchmarks/search_latency.py --es-url http://127.0.0.1:9260 --backend both
    python benchmarks/search_latency.py --reviews 20000 --fill      # quick run
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import END, entity_ids, generate_reviews  # noqa: E402

from search.backends.base import SearchQuery  # noqa: E402
from search.backends.elasticsearch import ElasticsearchReviewStore  # noqa: E402
from search.backends.sqlite import SQLiteReviewStore  # noqa: E402
from search.facets import FACET_NAMES  # noqa: E402

GROUP = entity_ids()[:10]
SEARCHES = {
    "one common word": SearchQuery(text="service"),
    "rare words": SearchQuery(text="vaisselle lavée"),
    "phrase": SearchQuery(text='"temps d\'attente"'),
    "OR and exclusion": SearchQuery(text="froid OR cold -croissant"),
    "prefix": SearchQuery(text="recomm*"),
    "word in one business": SearchQuery(text="accueil", entity_ids=["biz-0042"]),
    "group, newest first": SearchQuery(entity_ids=GROUP, sort="date"),
    "filters: stars, language, dates": SearchQuery(text="prix", min_rating=1, max_rating=2, languages=["fr"],
                                                   since=datetime(2026, 5, 1, tzinfo=timezone.utc), until=END),
    "all facets": SearchQuery(text="terrasse", facets=FACET_NAMES),
    "page 51 by cursor": SearchQuery(text="service", sort="date"),
}


def deep_cursor(store, query: SearchQuery, pages: int) -> SearchQuery:
    """The query positioned at page ``pages + 1``, walking there by cursor (not timed)."""
    for _ in range(pages):
        page = store.search(query)
        query = SearchQuery(**{**query.__dict__, "cursor": page.next_cursor})
    return query


def measure(store, repeat: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU milliseconds of each search, ``repeat`` samples each."""
    timings: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for name, query in SEARCHES.items():
        if name.startswith("page 51"):
            query = deep_cursor(store, query, 50)
        for _ in range(2):
            store.search(query)
        timings[name], cpu[name] = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            store.search(query)
            timings[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    return timings, cpu


def percentile(samples: list[float], share: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(share * 100) - 1]


def report(backend: str, store, timings: dict[str, list[float]], cpu: dict[str, list[float]], target: float) -> None:
    """One line per search; CPU time only where the search runs in this process (SQLite)."""
    show_cpu = backend == "sqlite"
    print(f"\n{backend}: {store.count():,} reviews")
    for name, samples in timings.items():
        hits = store.search(SEARCHES[name]).total if not name.startswith("page") else "-"
        line = f"  {name:<34} p50 {percentile(samples, .5):7.1f} ms  p95 {percentile(samples, .95):7.1f} ms"
        if show_cpu:
            line += f"  (cpu p50 {percentile(cpu[name], .5):6.1f} ms)"
        print(f"{line}  hits {hits}")
    everything = [s for samples in timings.values() for s in samples]
    line = f"  {'ALL':<34} p50 {percentile(everything, .5):7.1f} ms  p95 {percentile(everything, .95):7.1f} ms"
    if show_cpu:
        all_cpu = [s for samples in cpu.values() for s in samples]
        line += f"  (cpu p50 {percentile(all_cpu, .5):.1f} ms, p95 {percentile(all_cpu, .95):.1f} ms)"
    print(f"{line}  (target p95 <= {target:.0f} ms)")


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def fill(store, reviews: int, seed: int) -> None:
    if store.count() >= reviews:
        return
    for batch in generate_reviews(reviews, seed):
        store.upsert_reviews(batch)
    store.refresh()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("elasticsearch", "sqlite", "both"), default="both")
    parser.add_argument("--es-url", default="http://127.0.0.1:9250")
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--sqlite-path", default="/tmp/starwatch-bench/store.sqlite")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--fill", action="store_true", help="index --reviews reviews first if the store has fewer")
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    stores = []
    if args.backend in ("elasticsearch", "both"):
        stores.append(("elasticsearch", ElasticsearchReviewStore(args.es_url, index_prefix=args.prefix,
                                                                request_timeout=120), 50.0))
    if args.backend in ("sqlite", "both"):
        Path(args.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        stores.append(("sqlite", SQLiteReviewStore(args.sqlite_path), 150.0))
    for backend, store, target in stores:
        if args.fill:
            fill(store, args.reviews, args.seed)
        print(f"load average before {backend}: {load_average()}")
        timings, cpu = measure(store, args.repeat)
        report(backend, store, timings, cpu, target)
        print(f"load average after: {load_average()}")
        store.close()


if __name__ == "__main__":
    main()
