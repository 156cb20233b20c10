"""``scrapy crawl feed -a source_id=<id>``: mentions of an entity in an RSS or Atom feed."""

from crawlers.platforms.feed import FeedMentionSpider


class FeedSpider(FeedMentionSpider):
    name = "feed"
