"""Benchmark: ``compare_group`` over a group of 1,000 businesses, on Elasticsearch and SQLite.

Runs the real capability (``starwatch.capabilities.comparison.compare_group``: every figure,
trend, aspects, share of voice, snapshots, forecasts) on the stores ``index_throughput.py``
filled, with a group holding all 1,000 synthetic businesses, a 30-day window ending at the
corpus's last date and weekly trends. Timed end to end, store opening included, ``--repeat``
times after one warm-up. Target: <= 1 s. The load average is printed before and after, and the
CPU time of this process (all of SQLite's work, only the client side of Elasticsearch's)::

    python benchmarks/compare_entities.py --es-url http://127.0.0.1:9260 --backend both
    python benchmarks/compare_entities.py --backend sqlite --sqlite-path /tmp/starwatch-bench/store.sqlite
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import END, entity_ids  # noqa: E402

from config import Settings  # noqa: E402
from starwatch.capabilities.comparison import compare_group  # noqa: E402


def settings_for(backend: str, args) -> Settings:
    return Settings(
        store={"backend": backend, "sqlite_path": args.sqlite_path},
        elasticsearch={"url": args.es_url, "index_prefix": args.prefix, "request_timeout_seconds": 60},
        groups=[{"id": "bench", "name": "1,000 synthetic businesses"}],
        entities=[{"id": entity, "name": f"Business {entity}", "group": "bench"} for entity in entity_ids(args.entities)],
        compare={"authenticity_exclude_flags": ["suspect-burst"]},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("elasticsearch", "sqlite", "both"), default="both")
    parser.add_argument("--es-url", default="http://127.0.0.1:9250")
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--sqlite-path", default="/tmp/starwatch-bench/store.sqlite")
    parser.add_argument("--entities", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    backends = ("elasticsearch", "sqlite") if args.backend == "both" else (args.backend,)
    for backend in backends:
        settings = settings_for(backend, args)
        print(f"load average before {backend}: {load_average()}")
        result = compare_group(settings, "bench", days=args.days, now=END)  # warm-up
        samples, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            compare_group(settings, "bench", days=args.days, now=END)
            samples.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        ranked = sum(1 for m in result.members if m.rank)
        reviews = sum(m.window_count for m in result.members)
        print(f"{backend}: compare {len(result.members):,} businesses ({reviews:,} reviews in the window, "
              f"{ranked:,} ranked): p50 {statistics.median(samples):.3f} s, max {max(samples):.3f} s "
              f"(cpu p50 {statistics.median(cpu):.3f} s) over {args.repeat} runs (target <= 1 s)")
        print(f"load average after: {load_average()}")


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
