"""Benchmark: bulk-index throughput of the starwatch store against raw ``helpers.bulk``.

The same synthetic reviews (``search_corpus``, deterministic seed) go, batch after batch, into
two Elasticsearch indices created from the same definition (``documents`` v2):

- ``raw``: the official client's ``helpers.bulk`` with the final documents prepared *before*
  the clock starts (only the sending is timed): the floor any store on this cluster pays;
- ``starwatch``: ``ElasticsearchReviewStore.upsert_reviews`` timed from ``Review`` records,
  so it includes building each document (folded texts, weights), de-duplication, 429 retries
  and per-document outcome checks.

The two alternate on every batch (raw first on even batches, starwatch first on odd ones) so
cluster warm-up and merges hit both alike. Target: starwatch >= 0.8x raw. With ``--backend
sqlite`` (or ``both``) the SQLite store's rate is measured too (no baseline: it is informative).
The indices are kept (``<prefix>-documents``) for ``search_latency.py`` and
``compare_entities.py``. A 1M run needs a node with a larger heap than the test node::

    STARWATCH_ES_PORT=9260 STARWATCH_ES_HEAP=4g STARWATCH_SERVICES_DIR=/tmp/es-bench scripts/services start elasticsearch
    python benchmarks/index_throughput.py --es-url http://127.0.0.1:9260 --reviews 1000000
    python benchmarks/index_throughput.py --reviews 20000          # quick run on the test node
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import generate_reviews  # noqa: E402

from search.backends.elasticsearch import ElasticsearchReviewStore  # noqa: E402
from search.backends.es_documents import document_source  # noqa: E402
from search.backends.sqlite import SQLiteReviewStore  # noqa: E402


def fresh_store(url: str, prefix: str) -> ElasticsearchReviewStore:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=300)
    client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, allow_no_indices=True)
    client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")
    client.close()
    store = ElasticsearchReviewStore(url, index_prefix=prefix, request_timeout=300)
    store._create("documents")
    return store


def run_elasticsearch(args) -> dict:
    from elasticsearch import Elasticsearch, helpers

    ours = fresh_store(args.es_url, args.prefix)
    raw_store = fresh_store(args.es_url, args.prefix + "-raw")
    raw_alias = raw_store.alias("documents")
    client = Elasticsearch(args.es_url, request_timeout=300)
    timed = {"raw": 0.0, "starwatch": 0.0}
    for number, batch in enumerate(generate_reviews(args.reviews, args.seed, args.batch)):
        actions = [{"_index": raw_alias, "_id": r.review_id, "_source": document_source(r)} for r in batch]
        runs = [("raw", lambda: helpers.bulk(client, actions, chunk_size=500, max_retries=6)),
                ("starwatch", lambda: ours.upsert_reviews(batch))]
        for name, run in (runs if number % 2 == 0 else runs[::-1]):
            started = time.perf_counter()
            run()
            timed[name] += time.perf_counter() - started
        done = (number + 1) * args.batch
        print(f"  {min(done, args.reviews):>9,} reviews: raw {done / timed['raw']:,.0f}/s, "
              f"starwatch {done / timed['starwatch']:,.0f}/s", file=sys.stderr)
    ours.refresh()
    raw_store.refresh()
    counts = {"raw": client.count(index=raw_alias)["count"], "starwatch": ours.count()}
    client.close()
    return {name: (args.reviews / seconds, counts[name]) for name, seconds in timed.items()}


def run_sqlite(args) -> float:
    path = Path(args.sqlite_path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = SQLiteReviewStore(path)
    seconds = 0.0
    for batch in generate_reviews(args.reviews, args.seed, args.batch):
        started = time.perf_counter()
        store.upsert_reviews(batch)
        seconds += time.perf_counter() - started
    assert store.count() == args.reviews
    store.close()
    return args.reviews / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=20_000, help="reviews per upsert call")
    parser.add_argument("--backend", choices=("elasticsearch", "sqlite", "both"), default="both")
    parser.add_argument("--es-url", default="http://127.0.0.1:9250")
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--sqlite-path", default="/tmp/starwatch-bench/store.sqlite")
    args = parser.parse_args()
    Path(args.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
    print(f"index throughput, {args.reviews:,} synthetic reviews (seed {args.seed}), batches of {args.batch:,}")
    if args.backend in ("elasticsearch", "both"):
        rates = run_elasticsearch(args)
        (raw, raw_count), (ours, ours_count) = rates["raw"], rates["starwatch"]
        print(f"elasticsearch raw helpers.bulk : {raw:,.0f} reviews/s ({raw_count:,} indexed)")
        print(f"elasticsearch starwatch store  : {ours:,.0f} reviews/s ({ours_count:,} indexed)")
        print(f"ratio starwatch / raw          : {ours / raw:.2f}x (target >= 0.80x)")
    if args.backend in ("sqlite", "both"):
        print(f"sqlite starwatch store         : {run_sqlite(args):,.0f} reviews/s")


if __name__ == "__main__":
    main()
