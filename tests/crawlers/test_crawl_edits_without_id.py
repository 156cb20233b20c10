"""Edits of reviews without a platform id, end to end, in both stores.

The invented ``schema_org_edits`` site (see its README) lists six reviews without any id, so each
is stored under a fingerprint of its author, day and text. It is crawled as ``v1/``, then as
``v2/`` (three texts edited), then walked fully once more (``--backfill``), each crawl a real
``python -m crawlers.runner`` process with in-process workers writing to SQLite or Elasticsearch.

Raphaël's edited review must come out as one ``edited`` event on the review he wrote, with no new
review and no deletion later. The anonymous review and the second of Yasmine's two reviews of the
same day cannot be followed (no author; two candidates), so they keep the old behaviour: a new
review, and the old version deleted after two complete listings.
"""

import shutil
import uuid
from datetime import datetime, timezone

import pytest
from crawler_support import SITES, TEST_SALT, crawl_config, run_crawl_subprocess, serve_directory

from search.backends.base import SearchQuery
from search.documents import hash_author, make_review_id
from tests.service_support import drop_index_prefix

SITE = SITES / "schema_org_edits"
RAPHAEL_V1 = "Bonne cuisine, salle un peu bruyante le vendredi soir."
RAPHAEL_V2 = "Bonne cuisine, mais salle très bruyante et 40 minutes d'attente pour le plat. Déçu."
ANONYMOUS_V1 = "Correct sans plus, portions justes."
YASMINE_V1 = "Revenue le soir même avec des amis : toujours aussi bon."


def _id(author: str | None, day: int, text: str) -> str:
    return make_review_id("suzon", None, text=text, author_hash=hash_author(author, TEST_SALT),
                          published_at=datetime(2024, 5, day, tzinfo=timezone.utc))


def _open_store(backend: str, workdir, es: dict):
    if backend == "sqlite":
        from search.backends.sqlite import SQLiteReviewStore

        return SQLiteReviewStore(workdir / "store.sqlite")
    from search.backends.elasticsearch import ElasticsearchReviewStore

    return ElasticsearchReviewStore(es["url"], index_prefix=es["index_prefix"])


@pytest.fixture(scope="module", params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.integration)])
def crawls(request, tmp_path_factory):
    backend = request.param
    root = tmp_path_factory.mktemp("suzon-site")
    served, server = serve_directory(root)
    workdir = tmp_path_factory.mktemp(f"suzon-{backend}")
    config = crawl_config([{"id": "suzon", "url": served.url("/avis/page-1.html"), "max_pages": 10}])
    es = {}
    if backend == "sqlite":
        config["store"] = {"backend": "sqlite", "sqlite_path": str(workdir / "store.sqlite")}
    else:
        es = {"url": request.getfixturevalue("es_url"), "index_prefix": "t-" + uuid.uuid4().hex[:10]}
        config["store"] = {"backend": "elasticsearch"}
        config["elasticsearch"] = es

    def crawl(version: str, *args: str) -> dict:
        shutil.copytree(SITE / version, root, dirs_exist_ok=True)
        run = run_crawl_subprocess(workdir, config, output_name=None, args=args)
        assert run.returncode == 0, run.stderr[-3000:]
        return run.source("suzon")

    try:
        reports = {"first": crawl("v1"), "edited": crawl("v2"), "backfill": crawl("v2", "--backfill")}
        store = _open_store(backend, workdir, es)
        if hasattr(store, "refresh"):  # Elasticsearch: the crawl's last writes become searchable after a refresh
            store.refresh()
        yield reports, store
        store.close()
    finally:
        server.shutdown()
        server.server_close()
        if es:
            drop_index_prefix(es["url"], es["index_prefix"])


def test_an_edit_is_one_event_on_the_review_first_collected(crawls):
    reports, store = crawls
    assert (reports["first"]["new_reviews"], reports["first"]["complete_listing"]) == (6, True)
    assert (reports["edited"]["edited_reviews"], reports["edited"]["new_reviews"]) == (1, 2)
    (event,) = store.list_review_events(kinds=["edited"])
    raphael = _id("Raphaël Obiang", 18, RAPHAEL_V1)
    assert event.review_id == raphael
    assert (event.previous.rating, event.previous.text) == (4.0, RAPHAEL_V1)
    assert (event.current.rating, event.current.text) == (2.0, RAPHAEL_V2)


def test_the_edited_review_updates_its_stored_document_instead_of_adding_one(crawls):
    reports, store = crawls
    raphael = store.get_review(_id("Raphaël Obiang", 18, RAPHAEL_V1))
    assert (raphael.text, raphael.rating, "edited" in raphael.flags) == (RAPHAEL_V2, 2.0, True)
    assert store.get_review(_id("Raphaël Obiang", 18, RAPHAEL_V2)) is None
    assert store.count("review", "entity-suzon") == 6 + 2  # the two edits that could not be followed


def test_only_the_reviews_that_cannot_be_followed_are_deleted(crawls):
    reports, store = crawls
    assert (reports["edited"]["complete_listing"], reports["edited"]["deleted_reviews"]) == (True, 0)
    assert (reports["backfill"]["new_reviews"], reports["backfill"]["edited_reviews"]) == (0, 0)
    deleted = {event.review_id for event in store.list_review_events(kinds=["deleted"])}
    assert deleted == {_id(None, 17, ANONYMOUS_V1), _id("Yasmine Haddad", 15, YASMINE_V1)}
    flagged = store.search(SearchQuery(flags=["deleted"]))
    assert {hit.document.review_id for hit in flagged.hits} == deleted
