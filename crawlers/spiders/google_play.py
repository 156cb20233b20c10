"""``scrapy crawl google_play -a source_id=<id>``: an app's reviews on Google Play."""

from crawlers.platforms.google_play import GooglePlayReviewSpider


class GooglePlaySpider(GooglePlayReviewSpider):
    name = "google_play"
