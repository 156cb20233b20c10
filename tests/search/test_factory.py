"""get_store picks the backend from settings and does no I/O."""

from __future__ import annotations

from config import load_settings
from search.backends.base import ReviewStore
from search.backends.elasticsearch import ElasticsearchReviewStore
from search.backends.sqlite import SQLiteReviewStore
from search.factory import get_store


def test_sqlite_by_default_and_lazy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "data" / "store.sqlite"
    store = get_store(load_settings(overrides={"store": {"sqlite_path": str(path)}}))
    assert isinstance(store, SQLiteReviewStore) and isinstance(store, ReviewStore)
    assert not path.parent.exists()
    store.ensure_ready()
    assert path.exists()
    store.close()


def test_elasticsearch_from_settings_without_connecting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STARWATCH_ELASTICSEARCH__PASSWORD", "from-env")
    settings = load_settings(overrides={
        "store": {"backend": "elasticsearch"},
        "elasticsearch": {"url": "http://127.0.0.1:1", "index_prefix": "shop", "username": "starwatch"},
    })
    store = get_store(settings)
    assert isinstance(store, ElasticsearchReviewStore) and isinstance(store, ReviewStore)
    assert (store.url, store.index_prefix, store.alias("documents")) == ("http://127.0.0.1:1", "shop", "shop-documents")
    assert store._client is None  # nothing created, nothing contacted
    assert "from-env" not in repr(store)


def test_point_in_time_keep_alive_reaches_the_store_and_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    default = get_store(load_settings(overrides={"store": {"backend": "elasticsearch"}}))
    assert default.point_in_time_keep_alive == "1m"
    off = get_store(load_settings(overrides={"store": {"backend": "elasticsearch"},
                                             "elasticsearch": {"point_in_time_keep_alive": None}}))
    assert off.point_in_time_keep_alive is None
