"""Benchmark: what a point in time costs a search on Elasticsearch, measured against the same
searches without one, in the same run.

Two stores read the same ``<prefix>-documents`` index: one with points in time (the default,
``elasticsearch.point_in_time_keep_alive: 5m``), one without (``null``: ``search_after`` on the
live index). Each of the ten searches of ``search_latency.py`` runs ``--repeat`` times on each
store, the two stores taking turns so that load on a shared machine hits both alike. A first
page that has a next one opens a point in time (one more request); a first page without one
also closes it (two more); a deep page (page 51 by cursor) costs the same request either way.
The figures are warm latencies, as ``search_latency.py`` reports them::

    python benchmarks/search_point_in_time.py --reviews 100000 --fill
    python benchmarks/search_point_in_time.py --prefix bench     # the 1M-review index of index_throughput.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_latency import SEARCHES, deep_cursor, fill, percentile  # noqa: E402

from search.backends.elasticsearch import ElasticsearchReviewStore  # noqa: E402


def measure_both(stores: dict[str, ElasticsearchReviewStore], repeat: int) -> dict[str, dict[str, list[float]]]:
    """Per store, per search, ``repeat`` timings in ms; the stores alternate on every run."""
    timings: dict[str, dict[str, list[float]]] = {label: {} for label in stores}
    for name, query in SEARCHES.items():
        queries = {label: deep_cursor(store, query, 50) if name.startswith("page 51") else query
                   for label, store in stores.items()}
        for label, store in stores.items():
            for _ in range(2):
                store.search(queries[label])
            timings[label][name] = []
        for _ in range(repeat):
            for label, store in stores.items():
                started = time.perf_counter()
                store.search(queries[label])
                timings[label][name].append((time.perf_counter() - started) * 1000)
    return timings


def report(timings: dict[str, dict[str, list[float]]]) -> None:
    labels = list(timings)
    print(f"  {'search':<34}" + "".join(f"{label + ' p50/p95 ms':>28}" for label in labels))
    for name in SEARCHES:
        cells = "".join(f"{percentile(timings[label][name], .5):14.1f}{percentile(timings[label][name], .95):14.1f}"
                        for label in labels)
        print(f"  {name:<34}{cells}")
    cells = ""
    for label in labels:
        everything = [s for samples in timings[label].values() for s in samples]
        cells += f"{percentile(everything, .5):14.1f}{percentile(everything, .95):14.1f}"
    print(f"  {'ALL':<34}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--es-url", default="http://127.0.0.1:9250")
    parser.add_argument("--prefix", default="bench-pit")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--fill", action="store_true", help="index --reviews reviews first if the store has fewer")
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    stores = {
        "point in time": ElasticsearchReviewStore(args.es_url, index_prefix=args.prefix, request_timeout=120),
        "live index": ElasticsearchReviewStore(args.es_url, index_prefix=args.prefix, request_timeout=120,
                                               point_in_time_keep_alive=None),
    }
    if args.fill:
        fill(stores["point in time"], args.reviews, args.seed)
    print(f"elasticsearch: {stores['live index'].count():,} reviews, {args.repeat} runs of each search per store")
    report(measure_both(stores, args.repeat))
    for store in stores.values():
        store.close()


if __name__ == "__main__":
    main()
