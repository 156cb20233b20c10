"""``scrapy crawl app_store -a source_id=<id>``: an app's reviews on the Apple App Store."""

from crawlers.platforms.app_store import AppStoreReviewSpider


class AppStoreSpider(AppStoreReviewSpider):
    name = "app_store"
