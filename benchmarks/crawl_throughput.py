"""Benchmark: pages per second of the project's schema.org spider against a bare Scrapy spider.

A local fixture site of generated review pages (default 8 review listings of 250 pages = 2,000
pages, five invented reviews each in JSON-LD, ISO dates, ``rel="next"`` chains) is served by a
separate process on 127.0.0.1. In the same run, on the same pages, under the same Scrapy settings
(starwatch's ``crawlers.settings`` as a crawl gets them: robots.txt, one request at a time per
listing, no delay, the address guard, ``CONCURRENT_ITEMS``, the log formatter...):

- ``bare``: a Scrapy spider that only downloads each page and follows its ``rel="next"`` link;
- ``starwatch``: the real ``schema_org`` spider with every item pipeline (validate, normalize,
  fingerprint, dedupe, change tracking, hand-off to a counting sink) and the crawl-state and
  crawl-health extensions writing to a SQLite store.

Each listing is its own crawler (Scrapy's per-domain limit would otherwise serialise one host),
all crawlers of a phase run at once. An untimed warm-up phase of each spider (5 pages a listing)
comes first. Phases then alternate (bare, starwatch) three times; the ratio reported is the
median of the three paired ratios, so a busy machine (the load average is printed) does not
favour either. The CPU time this process spent per page is printed too: on a shared machine it
moves less than the wall time. So is the part of it the garbage collector paused the crawl, with
the number of collections per generation (``gc.callbacks``, ``benchmarks/crawl_support.py``): a
full collection walks every object the process keeps. Target: starwatch ≥ 0.8× bare in pages
per second.

Run from the repository root::

    python benchmarks/crawl_throughput.py                 # 8 listings x 250 pages
    python benchmarks/crawl_throughput.py --listings 4 --pages 50 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

WORDS = ("accueil service café croissant attente terrasse prix calme friendly coffee queue staff "
         "pastry rapide souriant bruyant cosy delicious slow cold warm généreux cher lovely").split()


def _page(listing: int, number: int, pages: int) -> str:
    reviews = [{
        "@type": "Review", "@id": f"https://bench.example/{listing}/r/{number}-{k}",
        "author": f"Client {listing}-{number}-{k}", "datePublished": f"2024-{1 + (number % 12):02d}-{1 + k:02d}",
        "reviewRating": {"@type": "Rating", "ratingValue": 1 + (listing + number + k) % 5},
        "reviewBody": " ".join(WORDS[(listing * 7 + number * 3 + k + i) % len(WORDS)] for i in range(40)),
    } for k in range(5)]
    data = {"@context": "https://schema.org", "@type": "LocalBusiness", "name": f"Commerce {listing}",
            "aggregateRating": {"@type": "AggregateRating", "ratingValue": "4,1", "reviewCount": pages * 5},
            "review": reviews}
    link = f'<link rel="next" href="page-{number + 1}.html">' if number < pages else ""
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Avis {listing}</title>{link}'
            f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script></head>'
            f"<body><h1>Commerce {listing}</h1>{'<p>Lorem ipsum dolor sit amet.</p>' * 20}</body></html>")


def generate_site(root: Path, listings: int, pages: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    for listing in range(listings):
        folder = root / f"l{listing}"
        folder.mkdir(parents=True)
        for number in range(1, pages + 1):
            (folder / f"page-{number}.html").write_text(_page(listing, number, pages), encoding="utf-8")


def serve(root: Path) -> tuple[subprocess.Popen, str]:
    """A threading HTTP server in its own process (its own core), on a free loopback port."""
    code = ("import sys, functools, http.server as h;"
            "H = type('H', (h.SimpleHTTPRequestHandler,), {'log_message': lambda *a: None});"
            "s = h.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(H, directory=sys.argv[1]));"
            "print(s.server_address[1], flush=True); s.serve_forever()")
    process = subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, text=True)
    return process, f"http://127.0.0.1:{process.stdout.readline().strip()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=8)
    parser.add_argument("--pages", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=3)
    # Equal settings are the only mode now; the flag that asked for them is still accepted.
    parser.add_argument("--same-items", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from crawl_support import run_phases  # benchmarks/crawl_support.py, beside this script

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        generate_site(root, args.listings, args.pages)
        server, base_url = serve(root)
        try:
            results = run_phases(base_url, args.listings, args.pages, Path(tmp), args.rounds)
        finally:
            server.terminate()
            server.wait(timeout=10)
    bare = [r for r in results if r["spider"] == "bare"]
    project = [r for r in results if r["spider"] == "starwatch"]
    ratio = statistics.median(p["rate"] / b["rate"] for b, p in zip(bare, project))
    cpu_ratio = statistics.median(b["cpu_ms_per_page"] / p["cpu_ms_per_page"] for b, p in zip(bare, project))
    total = args.listings * args.pages
    print(f"site: {args.listings} listings x {args.pages} pages = {total} pages, 5 reviews each; "
          f"load average {os.getloadavg()[0]:.1f}; same Scrapy settings on both sides")
    for label, runs in (("bare Scrapy spider:  ", bare), ("starwatch schema_org:", project)):
        print(f"{label} median {statistics.median(r['rate'] for r in runs):.0f} pages/s, "
              f"{statistics.median(r['cpu_ms_per_page'] for r in runs):.2f} ms CPU a page, "
              f"{statistics.median(r['gc_ms_per_page'] for r in runs):.3f} ms of it in GC pauses "
              f"(full collections a phase: {statistics.median(r['gc_collections'][2] for r in runs):.0f})")
    print(f"  ({project[-1]['reviews']} reviews handed off per starwatch phase)")
    print(f"CPU ratio bare/starwatch: {cpu_ratio:.2f} (the pages/s ratio if the crawler's CPU were the only limit)")
    print(f"ratio starwatch/bare: {ratio:.2f} pages/s (median of paired phases; target >= 0.80) -> "
          f"{'OK' if ratio >= 0.8 else 'BELOW TARGET'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
