"""The store contract against the embedded SQLite backend, plus what only a file can get wrong."""

from __future__ import annotations

import threading

import pytest

from search.backends.base import SearchQuery, StoreUnavailable
from search.backends.sqlite import SQLiteReviewStore
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
