"""The store contract against the embedded SQLite backend, plus what only a file can get wrong."""

from __future__ import annotations

import platform
import sys
import threading

import pytest

from search.backends.base import SearchQuery, StoreUnavailable
from search.backends.sqlite import SQLiteReviewStore
from search.backends.sqlite_driver import LIBRARY, sqlite3
from search.testing import StoreContract
from search.testing_corpus import sample_reviews


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path):
        store = SQLiteReviewStore(tmp_path / "store.sqlite")
        store.ensure_ready()
        yield store
        store.close()

    @pytest.fixture(scope="class")
    @classmethod
    def class_store(cls, tmp_path_factory):
        store = SQLiteReviewStore(tmp_path_factory.mktemp("class-store") / "store.sqlite")
        store.ensure_ready()
        yield store
        store.close()


def test_constructing_does_no_io(tmp_path):
    path = tmp_path / "later" / "store.sqlite"
    SQLiteReviewStore(path)
    assert not path.parent.exists()


def test_unwritable_path_names_the_path(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    store = SQLiteReviewStore(blocker / "store.sqlite")
    with pytest.raises(StoreUnavailable, match=str(blocker)):
        store.ensure_ready()


def test_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreUnavailable, match="not a SQLite database"):
        SQLiteReviewStore(path).count()


def test_writer_thread_and_reader_share_the_file(tmp_path):
    path = tmp_path / "store.sqlite"
    writer, reader = SQLiteReviewStore(path), SQLiteReviewStore(path)
    reviews = list(sample_reviews().values())
    errors: list[BaseException] = []

    def write_all():
        try:
            for review in reviews:
                writer.upsert_reviews([review])
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=write_all)
    thread.start()
    while thread.is_alive():
        reader.search(SearchQuery(text="service"))
    thread.join()
    assert errors == []
    assert reader.count() == len(reviews)
    writer.close()
    reader.close()


def test_store_reopens_after_close(tmp_path):
    store = SQLiteReviewStore(tmp_path / "store.sqlite")
    store.upsert_reviews([sample_reviews()["parfait"]])
    store.close()
    assert store.count() == 1
    store.close()


def test_facets_counted_beside_the_page_agree_with_the_total_while_a_writer_writes(tmp_path):
    """Facets run on a helper thread's connection; the total is the count they were made on."""
    path = tmp_path / "store.sqlite"
    writer, reader = SQLiteReviewStore(path), SQLiteReviewStore(path)
    reviews = list(sample_reviews().values())
    done = threading.Event()

    def write_all():
        for round_ in range(30):
            writer.upsert_reviews([review.model_copy(update={"review_id": f"{review.review_id}-{round_}"})
                                   for review in reviews])
        done.set()

    thread = threading.Thread(target=write_all)
    thread.start()
    pages = 0
    while not done.is_set() or pages == 0:
        page = reader.search(SearchQuery(facets=["kind", "stars"], limit=3))
        assert page.total == sum(page.facets["kind"].values())
        pages += 1
    thread.join()
    assert reader.search(SearchQuery(facets=["kind"], limit=3)).total == 30 * len(reviews)
    writer.close()
    reader.close()


def test_a_forked_process_counts_facets_with_its_own_helper(tmp_path):
    """Threads do not survive a fork (Celery's prefork pool): the child starts its own helper."""
    import multiprocessing

    store = SQLiteReviewStore(tmp_path / "store.sqlite")
    store.upsert_reviews(list(sample_reviews().values()))
    expected = store.search(SearchQuery(facets=["language"], limit=2)).facets
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_put_facets, args=(store, results))  # forked: the store is not pickled
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert results.get(timeout=5) == expected
    store.close()


def _put_facets(store: SQLiteReviewStore, results) -> None:
    results.put(store.search(SearchQuery(facets=["language"], limit=2)).facets)


@pytest.mark.skipif(not (sys.platform == "linux" and platform.machine() == "x86_64"),
                    reason="pysqlite3-binary has wheels for Linux x86-64 only; elsewhere Python's sqlite3 is used")
def test_the_store_runs_on_the_bundled_current_sqlite_where_it_has_wheels():
    """pyproject installs pysqlite3-binary on Linux x86-64: a broken install would silently cost 30-45 %."""
    assert LIBRARY == "pysqlite3"
    assert sqlite3.sqlite_version_info >= (3, 45)


def test_the_system_sqlite_can_be_forced_for_a_process():
    """``STARWATCH_SQLITE_LIBRARY=system``: read at import, so a new process shows it."""
    import os
    import subprocess

    code = "from search.backends.sqlite_driver import LIBRARY; print(LIBRARY)"
    forced = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "STARWATCH_SQLITE_LIBRARY": "system"})
    assert forced.stdout.strip() == "sqlite3"
