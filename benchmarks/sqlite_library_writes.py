"""Benchmark: SQLite store writes on the bundled SQLite (pysqlite3-binary) against the system's.

``search/backends/sqlite_driver.py`` runs the store on ``pysqlite3-binary`` where it is installed,
because its current SQLite scores searches 30-45 % faster than Debian 12's. This checks that
writes lose nothing: each run writes the same generated reviews (``search_corpus``) into a new
file, in a fresh process per library (``STARWATCH_SQLITE_LIBRARY``, read at import), the two
taking turns. The same variable compares searches: ``STARWATCH_SQLITE_LIBRARY=system python
benchmarks/search_latency.py --backend sqlite``::

    python benchmarks/sqlite_library_writes.py                 # 60,000 reviews, 2 runs each
    python benchmarks/sqlite_library_writes.py --reviews 10000 --runs 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_once(library: str, reviews: int) -> None:
    """Runs in the child: write ``reviews`` reviews with ``library`` and print the rate."""
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    from search_corpus import generate_reviews

    from search.backends.sqlite import SQLiteReviewStore
    from search.backends.sqlite_driver import LIBRARY, sqlite3

    batches = list(generate_reviews(reviews, 7))
    with tempfile.TemporaryDirectory() as directory:
        store = SQLiteReviewStore(Path(directory) / "store.sqlite")
        started, cpu_started = time.perf_counter(), time.process_time()
        for batch in batches:
            store.upsert_reviews(batch)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        store.close()
    print(f"  {LIBRARY:9} SQLite {sqlite3.sqlite_version:7}  {reviews / seconds:7,.0f} reviews/s"
          f"  {cpu / reviews * 1e6:5.0f} µs CPU a review", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reviews", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--child", choices=("bundled", "system"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        write_once(args.child, args.reviews)
        return
    print(f"load average before: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for _ in range(args.runs):
        for library in ("system", "bundled"):
            subprocess.run([sys.executable, __file__, "--child", library, "--reviews", str(args.reviews)], check=True,
                           env={**os.environ, "STARWATCH_SQLITE_LIBRARY": "system" if library == "system" else "auto"})
    print(f"load average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
