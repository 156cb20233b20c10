"""Drop repeats of the same record within one crawl.

Sites often publish the same reviews twice (JSON-LD and microdata), and pagination can shift
while we crawl so a review shows up on two pages. Records are keyed by their final id, so this
runs after the fingerprint pipeline. Across crawls the store upserts by id; this pipeline only
saves the queue from doing that work twice. Counts ``starwatch/dropped/duplicate``.
No settings are read.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from search.documents import Mention, RatingSnapshot, Review


def record_id(item) -> str | None:
    """The id a record is stored under, or None for anything that is not a record."""
    if isinstance(item, (Review, Mention)):
        return item.doc_id
    if isinstance(item, RatingSnapshot):
        return item.snapshot_id
    return None


class DropDuplicatesPipeline:
    def __init__(self, stats):
        self.stats = stats
        self.seen_ids: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        item_id = record_id(item)
        if item_id is None:
            return item
        if item_id in self.seen_ids:
            self.stats.inc_value("starwatch/dropped/duplicate")
            raise DropItem(f"duplicate: {item_id} was already collected in this crawl", log_level="DEBUG")
        self.seen_ids.add(item_id)
        return item
