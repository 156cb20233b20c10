"""Incremental crawling and change tracking, end to end: real crawls of a site that changes.

A small invented review site is written to a temporary directory and served on loopback; each
crawl is ``python -m crawlers.runner`` in its own process, with in-process workers storing into
one SQLite file, so the crawl state, the review events and the reviews themselves all land in
the store a production crawl would use. Between crawls the test edits the site: a new review, an
edited review, a removed review.
"""

import json

import pytest
from crawler_support import crawl_config, run_crawl_subprocess, serve_directory

from search.backends.base import SearchQuery
from search.backends.sqlite import SQLiteReviewStore
from search.documents import make_review_id

PER_PAGE = 3
TEXTS = [
    ("Anouk", 5, "Accueil chaleureux et pain encore tiède le matin."),
    ("Bastien", 4, "Bonnes viennoiseries, un peu d'attente le dimanche."),
    ("Clara", 2, "Croissant sec et café tiède, dommage."),
    ("Dmitri", 5, "Best sourdough in the neighbourhood, friendly staff."),
    ("Elise", 3, "Correct sans plus, les prix ont augmenté."),
    ("Farid", 4, "Great almond croissants, queue moves fast."),
    ("Gaëlle", 1, "Commande oubliée deux fois, personne ne s'excuse."),
    ("Hugo", 4, "Tartes aux fruits excellentes, service souriant."),
    ("Ines", 5, "Lovely little bakery, the rye loaf is superb."),
]


def _review(number: int, author: str, rating: int, text: str) -> dict:
    return {"@type": "Review", "@id": f"https://fournil.example/avis/{number}", "author": author,
            "reviewRating": {"@type": "Rating", "ratingValue": rating}, "reviewBody": text,
            "datePublished": f"2024-04-{30 - number:02d}"}


class Site:
    """The invented bakery's review pages, newest first, rewritten on every change."""

    def __init__(self, root):
        self.root = root
        self.reviews = [_review(n, *entry) for n, entry in enumerate(TEXTS, start=1)]

    def write(self) -> None:
        (self.root / "avis").mkdir(parents=True, exist_ok=True)
        for old in (self.root / "avis").glob("page-*.html"):
            old.unlink()
        pages = [self.reviews[i:i + PER_PAGE] for i in range(0, len(self.reviews), PER_PAGE)]
        for number, reviews in enumerate(pages, start=1):
            data = {"@context": "https://schema.org", "@type": "Bakery", "name": "Le Fournil",
                    "aggregateRating": {"@type": "AggregateRating", "ratingValue": "3,9", "reviewCount": len(self.reviews)},
                    "review": reviews}
            link = f'<link rel="next" href="page-{number + 1}.html">' if number < len(pages) else ""
            html = (f'<html lang="fr"><head>{link}<script type="application/ld+json">{json.dumps(data)}</script>'
                    "</head><body><h1>Le Fournil</h1></body></html>")
            (self.root / "avis" / f"page-{number}.html").write_text(html, encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    root = tmp_path_factory.mktemp("fournil-site")
    site = Site(root)
    site.write()
    served, server = serve_directory(root)
    workdir = tmp_path_factory.mktemp("fournil-crawls")
    config = crawl_config([{"id": "fournil", "url": served.url("/avis/page-1.html"), "max_pages": 10}])
    config["store"] = {"backend": "sqlite", "sqlite_path": str(workdir / "store.sqlite")}

    def crawl(*args):
        before = len(served.requested_paths)
        run = run_crawl_subprocess(workdir, config, output_name=None, args=args)
        assert run.returncode == 0, run.stderr[-3000:]
        run.requested_paths = [p for p in served.requested_paths[before:] if p != "/robots.txt"]
        return run.source("fournil"), run

    runs = {"first": crawl()}
    runs["unchanged"] = crawl()
    site.reviews.insert(0, _review(10, "Jade", 5, "Nouveau venu : la brioche est divine."))
    site.write()
    runs["one_new"] = crawl()
    bastien = next(r for r in site.reviews if r["@id"].endswith("/2"))  # still on the first page
    bastien["reviewBody"] = "Bonnes viennoiseries. Mise à jour : une heure d'attente, je ne reviendrai pas."
    bastien["reviewRating"]["ratingValue"] = 2
    site.write()
    runs["edited"] = crawl()
    site.reviews = [r for r in site.reviews if not r["@id"].endswith("/7")]  # Gaëlle's review disappears
    site.write()
    runs["backfill_1"] = crawl("--backfill")
    runs["backfill_2"] = crawl("--backfill")
    store = SQLiteReviewStore(workdir / "store.sqlite")
    yield runs, store
    store.close()
    server.shutdown()
    server.server_close()


def _id(number: int) -> str:
    return make_review_id("fournil", f"https://fournil.example/avis/{number}")


def test_the_first_crawl_walks_the_whole_listing(history):
    runs, store = history
    report, run = runs["first"]
    assert run.requested_paths == ["/avis/page-1.html", "/avis/page-2.html", "/avis/page-3.html"]
    assert (report["new_reviews"], report["complete_listing"], report["health"]) == (9, True, "ok")
    assert store.get_crawl_state("fournil").last_complete_listing_at is not None


def test_an_unchanged_source_stops_at_the_first_known_page(history):
    report, run = history[0]["unchanged"]
    assert run.requested_paths == ["/avis/page-1.html"]
    assert (report["new_reviews"], report["complete_listing"], report["snapshots"]) == (0, False, 1)


def test_a_new_review_pages_on_until_a_known_page(history):
    report, run = history[0]["one_new"]
    assert run.requested_paths == ["/avis/page-1.html", "/avis/page-2.html"]
    assert report["new_reviews"] == 1


def test_recrawling_adds_no_duplicate(history):
    runs, store = history
    assert store.count("review", "entity-fournil") == 10
    assert store.latest_snapshots(["entity-fournil"])["entity-fournil"][0].review_count in (9, 10)


def test_an_edited_review_becomes_an_event_with_both_versions(history):
    runs, store = history
    assert runs["edited"][0]["edited_reviews"] == 1
    (event,) = store.list_review_events(kinds=["edited"])
    assert event.review_id == _id(2)
    assert (event.previous.rating, event.current.rating) == (4.0, 2.0)
    assert event.previous.text == "Bonnes viennoiseries, un peu d'attente le dimanche."
    assert "je ne reviendrai pas" in event.current.text
    stored = store.get_review(_id(2))
    assert "edited" in stored.flags and stored.rating == 2.0  # the flag stays on later crawls


def test_a_review_missing_from_two_complete_listings_becomes_a_deletion(history):
    runs, store = history
    assert runs["backfill_1"][0]["deleted_reviews"] == 0  # missing once: maybe a glitch
    assert runs["backfill_2"][0]["deleted_reviews"] == 1
    (event,) = store.list_review_events(kinds=["deleted"])
    assert event.review_id == _id(7) and event.previous.text.startswith("Commande oubliée")
    deleted = store.search(SearchQuery(flags=["deleted"]))
    assert [hit.document.review_id for hit in deleted.hits] == [_id(7)]


def test_backfill_walks_every_page_and_every_crawl_is_a_health_event(history):
    runs, store = history
    assert runs["backfill_1"][1].requested_paths == [f"/avis/page-{n}.html" for n in (1, 2, 3)]
    events = store.list_crawl_events(source_ids=["fournil"])
    assert len(events) == 6 and {e.status for e in events} == {"ok"}
    assert [e.backfill for e in events[:3]] == [True, True, False]
    assert events[-1].new_reviews == 9 and events[-1].complete_listing
