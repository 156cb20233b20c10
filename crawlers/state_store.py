"""The store a crawl keeps its own bookkeeping in: crawl state, review events, crawl health.

Reviews travel to the store through the workers (``crawlers.pipelines.handoff``); the crawl's
bookkeeping does not, because the next crawl must read it back before it starts paging. So the
crawl extensions write it straight to the configured store (``search.factory.get_store``), the
same one the workers fill. One store object per crawler, opened on first use and closed when the
engine stops.

Scrapy settings read:
- ``STARWATCH_CRAWL_STATE_ENABLED`` (default True): False crawls without history (every crawl
  is a full one, nothing is recorded), as ``starwatch extract`` and the bare benchmark do.
- ``STARWATCH_STATE_STORE``: a ready ``ReviewStore`` to use instead of the configured one
  (wrapped in ``SharedStore`` so Scrapy's settings copy keeps it one object).
"""

from __future__ import annotations

import logging
import weakref

from scrapy import signals

from crawlers.sources import starwatch_settings_from

logger = logging.getLogger(__name__)

ENABLED_KEY = "STARWATCH_CRAWL_STATE_ENABLED"
STORE_KEY = "STARWATCH_STATE_STORE"
_stores: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class SharedStore:
    """Carries one store object through Scrapy's (deep-copied) settings unchanged."""

    def __init__(self, store):
        self.store = store

    def __deepcopy__(self, memo) -> "SharedStore":
        return self

    def __repr__(self) -> str:
        return f"SharedStore({self.store!r})"


def state_enabled(crawler) -> bool:
    return crawler.settings.getbool(ENABLED_KEY, True)


def crawl_store(crawler):
    """The store for this crawler's bookkeeping (opened once), or None when state is disabled."""
    if not state_enabled(crawler):
        return None
    if crawler in _stores:
        return _stores[crawler]
    given = crawler.settings.get(STORE_KEY)
    if given is not None:
        store, owned = (given.store if isinstance(given, SharedStore) else given), False
    else:
        from search.factory import get_store

        store, owned = get_store(starwatch_settings_from(crawler.settings)), True
    _stores[crawler] = store
    if owned:
        crawler.signals.connect(lambda: store.close(), signal=signals.engine_stopped, weak=False)
    return store
